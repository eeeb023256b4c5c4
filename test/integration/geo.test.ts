import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { generateDemoData } from "../../src/demo/demoData";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

const clock = fixedClock("2026-03-01T12:00:00Z");
let db: TestDatabase;
let operatorKey: string;
let internalKey: string;
let buyerKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  await generateDemoData(db, { seed: 3, days: 14, now: clock.now(), scale: 0.01 });
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});

const gql = (query: string, key = internalKey, variables?: Record<string, unknown>) =>
  testApp(db, clock).graphql(query, { key, variables });

describe("geo reads", () => {
  it("lists cities with their geohash3 cells and looks names up case- and accent-insensitively", async () => {
    const { body } = await gql(
      `{ cities { code name geohash3Cells } a: lookupCityCode(name: "  new YORK ") b: lookupCityCode(name: "Reykjavík") c: lookupCityCode(name: "reykjavik") d: lookupCityCode(name: "Atlantis") }`,
    );
    const data = body.data as {
      cities: Array<{ code: string; geohash3Cells: number }>;
      a: string;
      b: string;
      c: string;
      d: null;
    };
    expect(data.cities).toHaveLength(12);
    expect(data.cities.every((city) => city.geohash3Cells >= 1)).toBe(true);
    expect([data.a, data.b, data.c, data.d]).toEqual(["us-nyc", "is-rey", "is-rey", null]);
  });

  it("lists a city's localities, looks one up by name, and returns its outline as valid GeoJSON", async () => {
    const { body } = await gql(`{ cityLocalities(cityCode: "us-nyc") { code kind name parentCode } }`);
    const localities = (body.data as { cityLocalities: Array<{ code: string; kind: string; name: string }> })
      .cityLocalities;
    expect(localities.filter((locality) => locality.kind === "locality").length).toBeGreaterThanOrEqual(5);
    const brooklyn = localities.find((locality) => locality.name === "Brooklyn");
    const lookup = await gql(`{ lookupLocalityCode(cityCode: "us-nyc", name: "BROOKLYN") }`);
    expect((lookup.body.data as { lookupLocalityCode: string }).lookupLocalityCode).toBe(brooklyn?.code);
    const shape = await gql(
      `query($code: String!) { localityShape(localityCode: $code) { localityCode type geojson } }`,
      internalKey,
      {
        code: brooklyn?.code,
      },
    );
    const result = (shape.body.data as { localityShape: { type: string; geojson: string } }).localityShape;
    expect(result.type).toBe("Polygon");
    const geometry = JSON.parse(result.geojson) as { type: string; coordinates: number[][][] };
    const ring = geometry.coordinates[0] ?? [];
    expect(ring.length).toBeGreaterThanOrEqual(4);
    expect(ring[0]).toEqual(ring.at(-1));
  });

  it("is not for buyers", async () => {
    const { body } = await gql("{ cities { code } }", buyerKey);
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("geo mutations", () => {
  it("an operator adds a city, populates the map idempotently, and both are audited", async () => {
    const add = await gql(
      `mutation { upsertCityDefinition(input: { code: "us-la", name: "Los Angeles", countryCode: "US", centerLat: 34.0522, centerLng: -118.2437, radiusKm: 45, priority: 1 }) { city { code geohash3Cells } userErrors { code } } }`,
      operatorKey,
    );
    expect(add.body.data?.upsertCityDefinition).toEqual({
      city: { code: "us-la", geohash3Cells: 0 },
      userErrors: [],
    });
    const first = await gql(
      "mutation { populateCityGeohashMap { cells cities userErrors { code } } }",
      operatorKey,
    );
    const second = await gql(
      "mutation { populateCityGeohashMap { cells cities userErrors { code } } }",
      operatorKey,
    );
    expect(first.body.data?.populateCityGeohashMap).toEqual(second.body.data?.populateCityGeohashMap);
    expect((first.body.data!.populateCityGeohashMap as { cities: number }).cities).toBe(13);
    expect(
      await db.query("select count(*)::int as n from city_geohash3_map where city_code = 'us-la'"),
    ).not.toEqual([{ n: 0 }]);
    const audit = await db.query<{ action: string }>(
      "select action from audit_logs where action in ('upsertCityDefinition', 'populateCityGeohashMap') order by id",
    );
    expect(audit.map((row) => row.action)).toEqual([
      "upsertCityDefinition",
      "populateCityGeohashMap",
      "populateCityGeohashMap",
    ]);
  });

  it("populateCityGeohashMap writes the map and its audit entry in one transaction", async () => {
    const added = await gql(
      `mutation { upsertCityDefinition(input: { code: "us-sf", name: "San Francisco", countryCode: "US", centerLat: 37.7749, centerLng: -122.4194, radiusKm: 30 }) { userErrors { code } } }`,
      operatorKey,
    );
    expect(added.body.data?.upsertCityDefinition).toEqual({ userErrors: [] });
    const sfCells = async () =>
      (
        await db.query<{ n: number }>(
          "select count(*)::int as n from city_geohash3_map where city_code = 'us-sf'",
        )
      )[0]?.n;
    const auditRows = async () =>
      (
        await db.query<{ n: number }>(
          "select count(*)::int as n from audit_logs where action = 'populateCityGeohashMap'",
        )
      )[0]?.n;
    const auditsBefore = await auditRows();
    // The audit insert fails: the map rebuild must roll back with it.
    await db.query(
      "create function refuse_map_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused by the test'; end $$",
    );
    await db.query(
      "create trigger refuse_map_audit before insert on audit_logs for each row when (new.action = 'populateCityGeohashMap') execute function refuse_map_audit()",
    );
    try {
      const failed = await gql("mutation { populateCityGeohashMap { cells } }", operatorKey);
      expect(failed.body.errors?.length).toBe(1);
      expect(await sfCells()).toBe(0);
      expect(await auditRows()).toBe(auditsBefore);
    } finally {
      await db.query("drop trigger refuse_map_audit on audit_logs");
      await db.query("drop function refuse_map_audit()");
    }
    const done = await gql("mutation { populateCityGeohashMap { cities userErrors { code } } }", operatorKey);
    expect(done.body.data?.populateCityGeohashMap).toEqual({ cities: 14, userErrors: [] });
    expect(await sfCells()).toBeGreaterThan(0);
    expect(await auditRows()).toBe(Number(auditsBefore) + 1);
  });

  it("refuses an invalid definition with a userError per field and changes nothing", async () => {
    const { body } = await gql(
      `mutation { upsertCityDefinition(input: { code: "LosAngeles", name: "", countryCode: "usa", centerLat: 95, centerLng: 0, radiusKm: 0 }) { city { code } userErrors { field code } } }`,
      operatorKey,
    );
    const payload = body.data?.upsertCityDefinition as {
      city: null;
      userErrors: Array<{ field: string[]; code: string }>;
    };
    expect(payload.city).toBeNull();
    expect(payload.userErrors.map((error) => error.field[1]).sort()).toEqual([
      "centerLat",
      "code",
      "countryCode",
      "name",
      "radiusKm",
    ]);
  });
});

const UPSERT_LOCALITY = `mutation($input: UpsertLocalityInput!) {
  upsertLocality(input: $input) {
    created
    locality { code cityCode parentCode kind name }
    shape { localityCode geojson }
    userErrors { field code message }
  }
}`;

interface LocalityPayload {
  created: boolean;
  locality: { code: string; cityCode: string; parentCode: string | null; kind: string; name: string } | null;
  shape: { localityCode: string; geojson: string } | null;
  userErrors: Array<{ field: string[]; code: string; message: string }>;
}

async function upsertLocality(input: Record<string, unknown>) {
  const { body } = await gql(UPSERT_LOCALITY, operatorKey, { input });
  expect(body.errors).toBeUndefined();
  return body.data?.upsertLocality as LocalityPayload;
}

const ring = (points: number[][]) => JSON.stringify({ type: "Polygon", coordinates: [points] });
const HARLEM = ring([
  [-73.96, 40.8],
  [-73.93, 40.8],
  [-73.93, 40.82],
  [-73.96, 40.82],
  [-73.96, 40.8],
]);

describe("locality mutations", () => {
  it("an operator adds a locality with its outline and a neighbourhood under it; both are found and audited", async () => {
    const harlem = await upsertLocality({
      code: "us-nyc-harlem",
      cityCode: "us-nyc",
      kind: "LOCALITY",
      name: "Harlem",
      centerLat: 40.81,
      centerLng: -73.945,
      shape: HARLEM,
    });
    expect(harlem).toEqual({
      created: true,
      locality: {
        code: "us-nyc-harlem",
        cityCode: "us-nyc",
        parentCode: null,
        kind: "locality",
        name: "Harlem",
      },
      shape: { localityCode: "us-nyc-harlem", geojson: HARLEM },
      userErrors: [],
    });
    const sugarHill = await upsertLocality({
      code: "us-nyc-harlem-sugar-hill",
      cityCode: "us-nyc",
      kind: "NEIGHBOURHOOD",
      parentCode: "us-nyc-harlem",
      name: "Sugar Hill",
    });
    expect(sugarHill.locality).toEqual({
      code: "us-nyc-harlem-sugar-hill",
      cityCode: "us-nyc",
      parentCode: "us-nyc-harlem",
      kind: "neighbourhood",
      name: "Sugar Hill",
    });
    expect(sugarHill.shape).toBeNull();
    const { body } = await gql(
      `{ lookupLocalityCode(cityCode: "us-nyc", name: "SUGAR  HILL") localityShape(localityCode: "us-nyc-harlem") { geojson } }`,
    );
    expect(body.data).toEqual({
      lookupLocalityCode: "us-nyc-harlem-sugar-hill",
      localityShape: { geojson: HARLEM },
    });
    const audit = await db.query<{
      target: string;
      outcome: string;
      after: { shape: { positions: number } | null };
    }>("select target, outcome, after from audit_logs where action = 'upsertLocality' order by id");
    expect(audit.map((row) => [row.target, row.outcome, row.after.shape?.positions ?? null])).toEqual([
      ["us-nyc-harlem", "OK", 5],
      ["us-nyc-harlem-sugar-hill", "OK", null],
    ]);
  });

  it("refuses a polygon that does not close with POLYGON_NOT_CLOSED on its ring; nothing changes and the refusal is audited", async () => {
    const before = await stateDigest(db);
    const lastId = await lastAuditId(db);
    const open = ring([
      [-73.96, 40.8],
      [-73.93, 40.8],
      [-73.93, 40.82],
      [-73.96, 40.82],
    ]);
    const payload = await upsertLocality({
      code: "us-nyc-harlem",
      cityCode: "us-nyc",
      kind: "LOCALITY",
      name: "Harlem renamed",
      shape: open.replace("]]]", "],[-73.95,40.81]]]"),
    });
    expect(payload.locality).toBeNull();
    expect(payload.userErrors.map(({ field, code }) => ({ field, code }))).toEqual([
      { field: ["input", "shape", "coordinates", "0"], code: "POLYGON_NOT_CLOSED" },
    ]);
    expect(await stateDigest(db)).toEqual(before);
    const audit = await db.query<{ action: string; outcome: string; target: string }>(
      "select action, outcome, target from audit_logs where id > $1",
      [lastId],
    );
    expect(audit).toEqual([
      { action: "upsertLocality", outcome: "POLYGON_NOT_CLOSED", target: "us-nyc-harlem" },
    ]);
    const { body } = await gql(`{ localityShape(localityCode: "us-nyc-harlem") { geojson } }`);
    expect(body.data).toEqual({ localityShape: { geojson: HARLEM } });
  });

  it.each([
    [
      "a ring of 3 positions",
      ring([
        [0, 0],
        [1, 0],
        [0, 0],
      ]),
      ["coordinates", "0"],
      "RING_TOO_SHORT",
    ],
    [
      "a latitude out of range",
      ring([
        [0, 0],
        [1, 95],
        [1, 1],
        [0, 0],
      ]),
      ["coordinates", "0", "1"],
      "POSITION_OUT_OF_RANGE",
    ],
    [
      "an infinite longitude",
      '{"type":"Polygon","coordinates":[[[0,0],[1e999,0],[1,1],[0,0]]]}',
      ["coordinates", "0", "1"],
      "POSITION_NOT_FINITE",
    ],
    [
      "NaN as a coordinate",
      '{"type":"Polygon","coordinates":[[[0,0],["NaN",0],[1,1],[0,0]]]}',
      ["coordinates", "0", "1"],
      "INVALID_POSITION",
    ],
    [
      "a point, not a polygon",
      '{"type":"Point","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}',
      ["type"],
      "NOT_A_POLYGON",
    ],
    ["text that is not JSON", "{not json", [], "INVALID_GEOJSON"],
  ])("refuses %s", async (_what, shape, path, code) => {
    const payload = await upsertLocality({
      code: "us-nyc-inwood",
      cityCode: "us-nyc",
      kind: "LOCALITY",
      name: "Inwood",
      shape,
    });
    expect(payload.userErrors.map(({ field, code }) => ({ field, code }))).toEqual([
      { field: ["input", "shape", ...path], code },
    ]);
  });

  it("keeps the hierarchy: known city, a neighbourhood under a locality of its city, no moves between cities", async () => {
    const codes = async (input: Record<string, unknown>) =>
      (
        await upsertLocality({
          code: "us-nyc-inwood",
          cityCode: "us-nyc",
          kind: "LOCALITY",
          name: "Inwood",
          ...input,
        })
      ).userErrors.map((error) => `${error.field.slice(1).join(".")}:${error.code}`);
    expect(await codes({ code: "xx-nowhere-inwood", cityCode: "xx-nowhere" })).toEqual([
      "cityCode:UNKNOWN_CITY",
    ]);
    expect(await codes({ code: "gb-lon-inwood" })).toEqual(["code:CODE_NOT_IN_CITY"]);
    expect(await codes({ kind: "NEIGHBOURHOOD" })).toEqual(["parentCode:PARENT_REQUIRED"]);
    expect(await codes({ parentCode: "us-nyc-harlem" })).toEqual(["parentCode:PARENT_NOT_ALLOWED"]);
    expect(await codes({ kind: "NEIGHBOURHOOD", parentCode: "us-nyc-harlem-sugar-hill" })).toEqual([
      "parentCode:PARENT_NOT_A_LOCALITY",
    ]);
    const london = (
      await db.query<{ code: string }>(
        "select code from localities where city_code = 'gb-lon' and kind = 'locality' limit 1",
      )
    )[0]?.code;
    expect(await codes({ kind: "NEIGHBOURHOOD", parentCode: london })).toEqual([
      "parentCode:PARENT_IN_ANOTHER_CITY",
    ]);
    expect(
      await codes({ code: "us-nyc-harlem", kind: "NEIGHBOURHOOD", parentCode: "us-nyc-inwood" }),
    ).toEqual(["parentCode:UNKNOWN_PARENT", "kind:HAS_NEIGHBOURHOODS"]);
    expect(await codes({ centerLat: 40.86 })).toEqual(["centerLng:CENTER_INCOMPLETE"]);
    expect(await db.query("select code from localities where code = 'us-nyc-inwood'")).toEqual([]);
  });
});
