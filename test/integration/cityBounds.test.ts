import ngeohash from "ngeohash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { cityDefinitions } from "../../src/db/schema/geo";
import { DEMO_CITIES } from "../../src/demo/cities";
import { unionBounds } from "../../src/resolvers/geo/cityBounds";
import { populateCityGeohashMap } from "../../src/resolvers/geo/cityGeohashMap";
import { type GraphQLBody, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const clock = fixedClock("2026-06-01T12:00:00Z");
let db: TestDatabase;
let internalKey: string;
let operatorKey: string;
let buyerKey: string;
let tenantKey: string;
const api = () => testApp(db, clock);

const BOUNDS = `query ($city: String!) { cityGeohash3Bounds(cityCode: $city) {
  cityCode cellCount bounds { south west north east }
  cells { geohash3 source bounds { south west north east } geojson }
  geojson userErrors { field code message }
} }`;
const BUYER_BOUNDS = `query ($city: String!) { cityGeohash3Bounds(cityCode: $city) {
  cityCode cellCount bounds { south west north east } cells { geohash3 bounds { south west north east } geojson }
  geojson userErrors { field code }
} }`;

interface Box {
  south: number;
  west: number;
  north: number;
  east: number;
}
interface Payload {
  cityCode: string | null;
  cellCount: number | null;
  bounds: Box | null;
  cells: Array<{ geohash3: string; source?: string; bounds: Box; geojson: string }>;
  geojson: string | null;
  userErrors: Array<{ field: string[]; code: string; message?: string }>;
}

const payloadOf = (body: GraphQLBody): Payload => {
  if (!body.data?.cityGeohash3Bounds) throw new Error(JSON.stringify(body.errors));
  return body.data.cityGeohash3Bounds as Payload;
};

async function mappedCells(city: string): Promise<string[]> {
  const rows = await db.query<{ geohash3: string }>(
    "select geohash3 from city_geohash3_map where city_code = $1 order by geohash3",
    [city],
  );
  return rows.map((row) => row.geohash3);
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.db.insert(cityDefinitions).values(DEMO_CITIES.map(({ weight: _weight, ...city }) => city));
  await populateCityGeohashMap(db, clock);
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
  tenantKey = (await issueTestKey(db, "tenant", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});

describe("cityGeohash3Bounds", () => {
  it("the bounds of every demo city cover exactly its mapped cells, each with its geohash box and GeoJSON", async () => {
    for (const city of DEMO_CITIES) {
      const { body } = await api().graphql(BOUNDS, { key: internalKey, variables: { city: city.code } });
      const payload = payloadOf(body);
      const cells = await mappedCells(city.code);
      expect(cells.length, city.code).toBeGreaterThan(0);
      expect(payload.userErrors).toEqual([]);
      expect(payload.cityCode).toBe(city.code);
      expect(payload.cellCount).toBe(cells.length);
      expect(payload.cells.map((cell) => cell.geohash3)).toEqual(cells);
      for (const cell of payload.cells) {
        const [south, west, north, east] = ngeohash.decode_bbox(cell.geohash3);
        expect(cell.bounds).toEqual({ south, west, north, east });
        expect(cell.source).toBe("circle");
        expect(JSON.parse(cell.geojson)).toEqual({
          type: "Polygon",
          coordinates: [
            [
              [west, south],
              [east, south],
              [east, north],
              [west, north],
              [west, south],
            ],
          ],
        });
      }
      // Exactly: every edge of the city's box is an edge of one of its cells, and every cell is inside.
      const boxes = payload.cells.map((cell) => cell.bounds);
      expect(payload.bounds).toEqual({
        south: Math.min(...boxes.map((box) => box.south)),
        west: Math.min(...boxes.map((box) => box.west)),
        north: Math.max(...boxes.map((box) => box.north)),
        east: Math.max(...boxes.map((box) => box.east)),
      });
      // The centre's own cell is one of them, and no other city's cell is.
      expect(cells).toContain(ngeohash.encode(city.centerLat, city.centerLng, 3));
      const collection = JSON.parse(payload.geojson ?? "null") as {
        type: string;
        bbox: number[];
        features: Array<{ id: string; properties: { geohash3: string; cityCode: string } }>;
      };
      expect(collection.type).toBe("FeatureCollection");
      const bounds = payload.bounds as Box;
      expect(collection.bbox).toEqual([bounds.west, bounds.south, bounds.east, bounds.north]);
      expect(collection.features.map((feature) => feature.id)).toEqual(cells);
      expect(collection.features.every((feature) => feature.properties.cityCode === city.code)).toBe(true);
    }
    const [others] = await db.query<{ n: number }>(
      "select count(*)::int as n from city_geohash3_map where city_code <> 'us-nyc' and geohash3 = any($1)",
      [await mappedCells("us-nyc")],
    );
    expect(others?.n).toBe(0);
  });

  it("follows the map: an operator override moves a cell from one city's bounds to another's", async () => {
    const before = await mappedCells("us-nyc");
    await db.query(
      "update city_geohash3_map set city_code = 'us-nyc', source = 'override' where geohash3 = 'gcp'",
    );
    const { body } = await api().graphql(BOUNDS, { key: operatorKey, variables: { city: "us-nyc" } });
    const payload = payloadOf(body);
    expect(payload.cells.map((cell) => cell.geohash3)).toEqual([...before, "gcp"].sort());
    expect(payload.cells.find((cell) => cell.geohash3 === "gcp")?.source).toBe("override");
    await populateCityGeohashMap(db, clock);
    await db.query(
      "update city_geohash3_map set city_code = 'gb-lon', source = 'circle' where geohash3 = 'gcp'",
    );
  });

  it("refuses an unknown city and a malformed code with userErrors; a defined city without cells has no bounds", async () => {
    // A defined city whose circle has not been mapped yet: no cells.
    await db.query(
      `insert into city_definitions (code, name, country_code, center_lat, center_lng, radius_km)
       values ('zz-empty', 'Nowhere', 'ZZ', -60.5, -120.5, 20)`,
    );
    const unknown = payloadOf(
      (await api().graphql(BOUNDS, { key: internalKey, variables: { city: "xx-nope" } })).body,
    );
    expect(unknown).toMatchObject({
      cityCode: null,
      cellCount: null,
      bounds: null,
      cells: [],
      geojson: null,
      userErrors: [{ field: ["cityCode"], code: "UNKNOWN_CITY" }],
    });
    const malformed = payloadOf(
      (await api().graphql(BOUNDS, { key: internalKey, variables: { city: "New York; drop" } })).body,
    );
    expect(malformed.userErrors).toEqual([
      { field: ["cityCode"], code: "INVALID_CITY_CODE", message: expect.stringContaining("us-nyc") },
    ]);
    const empty = payloadOf(
      (await api().graphql(BOUNDS, { key: internalKey, variables: { city: "zz-empty" } })).body,
    );
    expect(empty).toMatchObject({
      cityCode: "zz-empty",
      cellCount: 0,
      bounds: null,
      cells: [],
      userErrors: [],
    });
    expect(JSON.parse(empty.geojson ?? "null")).toEqual({ type: "FeatureCollection", features: [] });
  });

  it("buyers get a city they may query, city-level only: no cell sources, no messages, no city without cells", async () => {
    const { body } = await api().graphql(BUYER_BOUNDS, { key: buyerKey, variables: { city: "gb-lon" } });
    expect(body.errors).toBeUndefined();
    const payload = payloadOf(body);
    expect(payload.cells.map((cell) => cell.geohash3)).toEqual(await mappedCells("gb-lon"));
    const internal = payloadOf(
      (await api().graphql(BOUNDS, { key: internalKey, variables: { city: "gb-lon" } })).body,
    );
    expect(payload.bounds).toEqual(internal.bounds);

    // The cell's source and a userError's message are outside the buyer surface: stripped before execution.
    const stripped = await api().graphql(BOUNDS, { key: buyerKey, variables: { city: "gb-lon" } });
    expect(stripped.body.errors).toBeUndefined();
    expect(payloadOf(stripped.body).cells.every((cell) => !("source" in cell))).toBe(true);
    const refusedStripped = await api().graphql(BOUNDS, { key: buyerKey, variables: { city: "xx-nope" } });
    expect(payloadOf(refusedStripped.body).userErrors).toEqual([
      { field: ["cityCode"], code: "UNKNOWN_CITY" },
    ]);

    for (const city of ["zz-empty", "xx-nope"]) {
      const refused = payloadOf(
        (await api().graphql(BUYER_BOUNDS, { key: buyerKey, variables: { city } })).body,
      );
      expect(refused).toMatchObject({
        cityCode: null,
        cells: [],
        userErrors: [{ field: ["cityCode"], code: "UNKNOWN_CITY" }],
      });
    }
    // Nothing is charged or counted: geometry is not a release.
    const charges = await db.query("select 1 from budget_charges");
    expect(charges).toEqual([]);
    const shapes = await db.query("select 1 from query_fingerprints");
    expect(shapes).toEqual([]);
  });

  it("is not for TENANT keys", async () => {
    const { body } = await api().graphql(BUYER_BOUNDS, { key: tenantKey, variables: { city: "us-nyc" } });
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("unionBounds", () => {
  it("is the plain min/max box away from the antimeridian", () => {
    expect(
      unionBounds([
        { south: 1, west: 10, north: 2, east: 11 },
        { south: 0, west: 12, north: 1, east: 13 },
      ]),
    ).toEqual({ south: 0, west: 10, north: 2, east: 13 });
    expect(unionBounds([])).toBeNull();
  });

  it("leaves out the widest longitude gap, so cells astride the antimeridian give west > east", () => {
    const fiji = [
      { south: -18, west: 177.1875, north: -16.6, east: 178.59375 },
      { south: -18, west: 178.59375, north: -16.6, east: 180 },
      { south: -18, west: -180, north: -16.6, east: -178.59375 },
    ];
    expect(unionBounds(fiji)).toEqual({ south: -18, west: 177.1875, north: -16.6, east: -178.59375 });
  });
});
