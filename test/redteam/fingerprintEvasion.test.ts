import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLBody } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  dataField,
  days,
  partnerSpend,
  policyOf,
  type RedteamApi,
  redteamApp,
  setBudget,
} from "../support/redteam";

const ACME = "outside_buyer_acme";
let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
  // Plenty of budget and quota: every refusal in this file would be a fingerprint finding, not a limit.
  await setBudget(api, world.operatorKey, ACME, 1000, 10_000);
});
afterAll(async () => {
  await db?.destroy();
});

async function ask(query: string, variables?: Record<string, unknown>, operationName?: string) {
  const { body } = await api.graphql(query, { key: world.buyerKey, variables, operationName });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body;
}

async function shapeRows() {
  // Uses of known shapes are added in batches: write them first.
  await api.app.flush();
  const [row] = await db.query<{ shapes: number; hits: number }>(
    "select count(*)::int as shapes, coalesce(sum(hits), 0)::int as hits from query_fingerprints where partner_id = $1",
    [ACME],
  );
  return row ?? { shapes: 0, hits: 0 };
}

async function quotedFingerprint(filter: Record<string, unknown>): Promise<string> {
  const body = await ask("query($f: InsightsFilter!) { quoteInsights(filter: $f) { fingerprint } }", {
    f: filter,
  });
  return dataField<{ fingerprint: string }>(body, "quoteInsights").fingerprint;
}

describe("rephrasings of one filter are one shape, charged once", () => {
  // Jan 2..4, two cities, every segment dimension set: the base phrasing is a literal with defaults omitted.
  const base = `{ insights(filter: { timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z",
      geoBucketIds: ["us-nyc", "gb-lon"], doorTypes: [SPOT], categories: [COFFEE, FOOD], contexts: [MORNING] }) { totalCount } }`;
  const filterVariables = {
    timeBucketStartUtc: "2026-01-02T00:00:00Z",
    timeBucketEndUtc: "2026-01-04T00:00:00Z",
    geoBucketIds: ["us-nyc", "gb-lon"],
    doorTypes: ["SPOT"],
    categories: ["COFFEE", "FOOD"],
    contexts: ["MORNING"],
  };
  const literal = (extra = "") =>
    `filter: { timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z", geoBucketIds: ["us-nyc", "gb-lon"], doorTypes: [SPOT], categories: [COFFEE, FOOD], contexts: [MORNING]${extra} }`;

  let fingerprint = "";
  let endCursor = "";

  beforeAll(async () => {
    const before = await shapeRows();
    const first = await ask(base);
    const policy = policyOf(first);
    expect(policy.epsilonCharged).toBe(1);
    expect(typeof policy.fingerprint).toBe("string");
    fingerprint = policy.fingerprint as string;
    expect(await shapeRows()).toEqual({ shapes: before.shapes + 1, hits: before.hits + 1 });
    const page = await ask(`{ insights(${literal()}, first: 1) { pageInfo { endCursor } } }`);
    endCursor = dataField<{ pageInfo: { endCursor: string } }>(page, "insights").pageInfo.endCursor;
    expect(endCursor).toMatch(/\S/);
  });

  const variants: Array<[string, () => [string, Record<string, unknown>?, string?]]> = [
    ["an alias", () => [`{ mine: insights(${literal()}) { totalCount } }`]],
    [
      "argument and input-field order reversed",
      () => [
        `{ insights(first: 500, filter: { contexts: [MORNING], categories: [COFFEE, FOOD], doorTypes: [SPOT], geoBucketIds: ["us-nyc", "gb-lon"], timeBucketEndUtc: "2026-01-04T00:00:00Z", timeBucketStartUtc: "2026-01-02T00:00:00Z" }) { totalCount } }`,
      ],
    ],
    [
      "list order reversed",
      () => [
        `{ insights(filter: { timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z", geoBucketIds: ["gb-lon", "us-nyc"], doorTypes: [SPOT], categories: [FOOD, COFFEE], contexts: [MORNING] }) { totalCount } }`,
      ],
    ],
    [
      "duplicate list values",
      () => [
        `{ insights(filter: { timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z", geoBucketIds: ["us-nyc", "gb-lon", "us-nyc", "gb-lon"], doorTypes: [SPOT, SPOT], categories: [COFFEE, FOOD, COFFEE], contexts: [MORNING, MORNING] }) { totalCount } }`,
      ],
    ],
    [
      "a single value where a list is expected (input coercion)",
      () => [
        `{ insights(filter: { timeBucketStartUtc: "2026-01-02T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z", geoBucketIds: ["us-nyc", "gb-lon"], doorTypes: SPOT, categories: [COFFEE, FOOD], contexts: MORNING }) { totalCount } }`,
      ],
    ],
    [
      "the whole filter as a variable",
      () => ["query($f: InsightsFilter!) { insights(filter: $f) { totalCount } }", { f: filterVariables }],
    ],
    [
      "each filter field as its own variable, some from variable defaults",
      () => [
        `query($s: DateTime!, $e: DateTime!, $ids: [String!] = ["gb-lon", "us-nyc"], $d: [DoorType!], $c: [Category!] = [FOOD, COFFEE], $x: [Context!]) {
          insights(filter: { timeBucketStartUtc: $s, timeBucketEndUtc: $e, geoBucketIds: $ids, doorTypes: $d, categories: $c, contexts: $x }) { totalCount } }`,
        { s: "2026-01-02T00:00:00Z", e: "2026-01-04T00:00:00Z", d: ["SPOT"], x: ["MORNING"] },
      ],
    ],
    [
      "explicit default granularity and geoBucketType",
      () => [`{ insights(${literal(", granularity: DAY, geoBucketType: CITY_CODE")}) { totalCount } }`],
    ],
    [
      "explicit defaults passed as variables",
      () => [
        "query($f: InsightsFilter!) { insights(filter: $f) { totalCount } }",
        { f: { ...filterVariables, granularity: "DAY", geoBucketType: "CITY_CODE" } },
      ],
    ],
    [
      "the same instants spelled with an offset and milliseconds",
      () => [
        `{ insights(filter: { timeBucketStartUtc: "2026-01-02T01:00:00+01:00", timeBucketEndUtc: "2026-01-04T00:00:00.000Z", geoBucketIds: ["us-nyc", "gb-lon"], doorTypes: [SPOT], categories: [COFFEE, FOOD], contexts: [MORNING] }) { totalCount } }`,
      ],
    ],
    [
      "a named fragment on Query",
      () => [`{ ...Cells } fragment Cells on Query { insights(${literal()}) { totalCount } }`],
    ],
    ["an inline fragment on Query", () => [`{ ... on Query { insights(${literal()}) { totalCount } } }`]],
    [
      "an inline fragment without a type condition, under @include(if: true)",
      () => [`{ ... @include(if: true) { insights(${literal()}) { totalCount } } }`],
    ],
    ["@include(if: true)", () => [`{ insights(${literal()}) @include(if: true) { totalCount } }`]],
    [
      "@include(if: $yes) and @skip(if: $no) from variables",
      () => [
        `query($yes: Boolean!, $no: Boolean!) { insights(${literal()}) @include(if: $yes) @skip(if: $no) { totalCount } }`,
        { yes: true, no: false },
      ],
    ],
    ["a renamed operation", () => [`query SomethingElseEntirely { insights(${literal()}) { totalCount } }`]],
    [
      "a chosen operation among several in the document",
      () => [
        `query Decoy { viewer { role } } query Real { insights(${literal()}) { totalCount } }`,
        undefined,
        "Real",
      ],
    ],
    [
      "comments, commas and whitespace",
      () => [
        `# a comment before
        query    {
          # and inside
          insights ( filter : {
            contexts : [ MORNING , ] , categories : [ COFFEE , FOOD ] ,,,
            timeBucketStartUtc : "2026-01-02T00:00:00Z"
            timeBucketEndUtc : "2026-01-04T00:00:00Z" doorTypes : [ SPOT ]
            geoBucketIds : [ "us-nyc" "gb-lon" ] } ) { totalCount , }
        }`,
      ],
    ],
    [
      "different sub-field selections",
      () => [
        `{ insights(${literal()}) { pageInfo { hasNextPage } edges { cursor node { dataset metrics { uniqueParticipantsEst } privacy { dp { releaseId } } } } nodes { segment { category } } } }`,
      ],
    ],
    ["a different page size", () => [`{ insights(${literal()}, first: 3) { nodes { dataset } } }`]],
    [
      "a later page (after a cursor)",
      () => [
        `query($after: String) { insights(${literal()}, first: 2, after: $after) { nodes { dataset } } }`,
        { after: endCursor },
      ],
    ],
    [
      "the same field selected twice (merged)",
      () => [`{ insights(${literal()}) { totalCount } insights(${literal()}) { nodes { dataset } } }`],
    ],
  ];

  for (const [name, build] of variants) {
    it(`${name}: same fingerprint, epsilonCharged 0, no new shape, hits + 1`, async () => {
      const [query, variables, operationName] = build();
      const before = await shapeRows();
      const spendBefore = await partnerSpend(db, ACME);
      const body = await ask(query, variables, operationName);
      const policy = policyOf(body);
      expect(policy.fingerprint).toBe(fingerprint);
      expect(policy.epsilonCharged).toBe(0);
      expect(await shapeRows()).toEqual({ shapes: before.shapes, hits: before.hits + 1 });
      expect(await partnerSpend(db, ACME)).toEqual(spendBefore);
    });
  }

  it("the quote of the filter names the same fingerprint and says it would not count", async () => {
    const body = await ask(
      "query($f: InsightsFilter!) { quoteInsights(filter: $f) { fingerprint epsilonCost wouldCountTowardQueryQuota } }",
      { f: filterVariables },
    );
    expect(body.data?.quoteInsights).toEqual({
      fingerprint,
      epsilonCost: 0,
      wouldCountTowardQueryQuota: false,
    });
  });
});

describe("skipped selections cost nothing", () => {
  // A filter no other test uses: Jan 9..11 in London.
  const filter = `filter: { timeBucketStartUtc: "2026-01-09T00:00:00Z", timeBucketEndUtc: "2026-01-11T00:00:00Z", geoBucketIds: ["gb-lon"] }`;
  const skipped: Array<[string, string, Record<string, unknown>?]> = [
    ["@skip(if: true)", `{ insights(${filter}) @skip(if: true) { totalCount } viewer { role } }`],
    ["@include(if: false)", `{ insights(${filter}) @include(if: false) { totalCount } viewer { role } }`],
    [
      "@skip(if: $v) with v = true",
      `query($v: Boolean!) { insights(${filter}) @skip(if: $v) { totalCount } viewer { role } }`,
      { v: true },
    ],
    [
      "@skip(if: true) on an inline fragment holding it",
      `{ ... on Query @skip(if: true) { insights(${filter}) { totalCount } } viewer { role } }`,
    ],
    [
      "@include(if: false) on a fragment spread holding it",
      `{ ...Cells @include(if: false) viewer { role } } fragment Cells on Query { insights(${filter}) { totalCount } }`,
    ],
  ];
  for (const [name, query, variables] of skipped) {
    it(`${name}: no charge, no shape, no insights in data`, async () => {
      const before = await shapeRows();
      const spendBefore = await partnerSpend(db, ACME);
      const body = await ask(query, variables);
      expect(body.data).toEqual({ viewer: { role: "BUYER" } });
      expect(await shapeRows()).toEqual(before);
      expect(await partnerSpend(db, ACME)).toEqual(spendBefore);
    });
  }

  it("afterwards the skipped filter is still a new shape with its releases uncharged", async () => {
    const body = await ask(
      `{ quoteInsights(${filter}) { epsilonCost newReleaseCount wouldCountTowardQueryQuota } }`,
    );
    expect(body.data?.quoteInsights).toEqual({
      epsilonCost: 1,
      newReleaseCount: 2,
      wouldCountTowardQueryQuota: true,
    });
  });
});

describe("a real change of any filter value is a new shape", () => {
  // Base: DAY Jan 5..6, New York, one value in every segment dimension. Each entry changes one field.
  const base = {
    timeBucketStartUtc: "2026-01-05T00:00:00Z",
    timeBucketEndUtc: "2026-01-06T00:00:00Z",
    geoBucketIds: ["us-nyc"],
    doorTypes: ["SPOT"],
    categories: ["COFFEE"],
    contexts: ["MORNING"],
  };
  const { doorTypes: _d, categories: _c, contexts: _x, ...noSegments } = base;
  const { geoBucketIds: _g, ...noIds } = base;
  const changes: Array<[string, Record<string, unknown>]> = [
    ["the base filter", base],
    [
      "granularity DAY -> HOUR (no segment filter: the TOTAL level, the one HOUR releases by default)",
      { ...noSegments, granularity: "HOUR" },
    ],
    ["the same HOUR filter at DAY", { ...noSegments, granularity: "DAY" }],
    ["one category at DAY", { ...noSegments, categories: ["COFFEE"], granularity: "DAY" }],
    [
      "the same DAY filter at the CATEGORY level",
      { ...noSegments, categories: ["COFFEE"], breakdown: ["CATEGORY"] },
    ],
    ["the same range and ids at the TOTAL level", { ...noSegments, breakdown: [] }],
    ["the same range and ids at the DOOR_TYPE level", { ...noSegments, breakdown: ["DOOR_TYPE"] }],
    ["granularity DAY -> WEEK over the same week", { ...days(5, 12), granularity: "WEEK" }],
    ["the DAY filter over that week", { ...days(5, 12), granularity: "DAY" }],
    ["range start one day earlier", { ...base, timeBucketStartUtc: "2026-01-04T00:00:00Z" }],
    ["range end one day later", { ...base, timeBucketEndUtc: "2026-01-07T00:00:00Z" }],
    ["geo type CITY_CODE -> GEOHASH3 (no ids)", { ...noIds, geoBucketType: "GEOHASH3" }],
    ["the same without ids at CITY_CODE", noIds],
    ["another geo id", { ...base, geoBucketIds: ["gb-lon"] }],
    ["one more geo id", { ...base, geoBucketIds: ["us-nyc", "gb-lon"] }],
    ["another door type", { ...base, doorTypes: ["EVENT"] }],
    ["one more door type", { ...base, doorTypes: ["SPOT", "EVENT"] }],
    ["no door type filter", { ...base, doorTypes: undefined }],
    ["another category", { ...base, categories: ["FOOD"] }],
    ["one more category", { ...base, categories: ["COFFEE", "FOOD"] }],
    ["no category filter", { ...base, categories: undefined }],
    ["another context", { ...base, contexts: ["EVENING"] }],
    ["one more context", { ...base, contexts: ["MORNING", "WEEKEND"] }],
    ["no context filter", { ...base, contexts: undefined }],
  ];

  it("each of these filters gets its own fingerprint and counts one new shape", async () => {
    const seen = new Map<string, string>();
    for (const [name, filter] of changes) {
      const before = await shapeRows();
      const body = await ask("query($f: InsightsFilter!) { insights(filter: $f, first: 1) { totalCount } }", {
        f: filter,
      });
      const fingerprint = policyOf(body).fingerprint as string;
      expect(typeof fingerprint, name).toBe("string");
      expect(
        seen.get(fingerprint),
        `${name} reused the fingerprint of ${seen.get(fingerprint)}`,
      ).toBeUndefined();
      seen.set(fingerprint, name);
      expect((await shapeRows()).shapes, name).toBe(before.shapes + 1);
      expect(await quotedFingerprint(filter), name).toBe(fingerprint);
    }
    expect(seen.size).toBe(changes.length);
  });
});

describe("several insights selections in one operation", () => {
  const nyc = { ...days(6, 7), geoBucketIds: ["us-nyc"], categories: ["COFFEE"] };
  const lon = { ...days(6, 7), geoBucketIds: ["gb-lon"], categories: ["FOOD"] };
  const twice = `query($a: InsightsFilter!, $b: InsightsFilter!) {
    first: insights(filter: $a) { totalCount } second: insights(filter: $b) { nodes { dataset } } }`;

  it("two aliases with different filters: a list of two fingerprints in document order, two shapes", async () => {
    const expected = [await quotedFingerprint(nyc), await quotedFingerprint(lon)];
    expect(expected[0]).not.toBe(expected[1]);
    const before = await shapeRows();
    const body = await ask(twice, { a: nyc, b: lon });
    expect(policyOf(body).fingerprint).toEqual(expected);
    expect(await shapeRows()).toEqual({ shapes: before.shapes + 2, hits: before.hits + 2 });

    const swapped = await ask(twice, { a: lon, b: nyc });
    expect(policyOf(swapped).fingerprint).toEqual([expected[1], expected[0]]);
    expect(policyOf(swapped).epsilonCharged).toBe(0);
    expect(await shapeRows()).toEqual({ shapes: before.shapes + 2, hits: before.hits + 4 });
  });

  it("the same filter under two aliases: one shape, its release charged once", async () => {
    const same = { ...days(1, 2), geoBucketIds: ["us-nyc"] }; // Jan 1: charged by no other test here
    const fingerprint = await quotedFingerprint(same);
    const before = await shapeRows();
    const spendBefore = await partnerSpend(db, ACME);
    const body: GraphQLBody = await ask(twice, {
      a: same,
      b: { ...same, geoBucketIds: ["us-nyc", "us-nyc"] },
    });
    expect(policyOf(body).fingerprint).toEqual([fingerprint, fingerprint]);
    expect(policyOf(body).epsilonCharged).toBe(0.5);
    expect((await shapeRows()).shapes).toBe(before.shapes + 1);
    const spendAfter = await partnerSpend(db, ACME);
    expect(spendAfter.charges).toBe(spendBefore.charges + 1);
    expect(spendAfter.spent).toBeCloseTo(spendBefore.spent + 0.5, 9);
  });
});
