import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { BUYER_CELL_FIELDS, dataField, days, type RedteamApi, redteamApp } from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
});
afterAll(async () => {
  await db?.destroy();
});

interface Cell {
  metrics: { uniqueParticipantsEst: number | null; trendScoreEst: number | null };
  privacy: { suppressed: boolean };
}

const ENUM_FIELDS = new Set(["granularity", "geoBucketType", "doorTypes", "categories", "contexts"]);
const enumLiteral = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(enumLiteral).join(", ")}]` : String(value);

/** The phrasings of one read; each returns the `nodes` JSON (in the order and shape of BUYER_CELL_FIELDS). */
const phrasings: Array<[string, (filter: Record<string, unknown>, key: string) => Promise<string>]> = [
  [
    "a literal filter",
    async (filter, key) => {
      const literal = Object.entries(filter)
        .map(
          ([name, value]) => `${name}: ${ENUM_FIELDS.has(name) ? enumLiteral(value) : JSON.stringify(value)}`,
        )
        .join(", ");
      const { body } = await api.graphql(
        `{ insights(filter: { ${literal} }, first: 1000) { nodes { ${BUYER_CELL_FIELDS} } } }`,
        {
          key,
        },
      );
      expect(body.errors).toBeUndefined();
      return JSON.stringify(dataField<{ nodes: unknown }>(body, "insights").nodes);
    },
  ],
  [
    "variables",
    async (filter, key) => {
      const { body } = await api.graphql(
        `query Read($f: InsightsFilter!, $n: Int) { insights(filter: $f, first: $n) { nodes { ${BUYER_CELL_FIELDS} } } }`,
        { key, variables: { f: filter, n: 1000 } },
      );
      expect(body.errors).toBeUndefined();
      return JSON.stringify(dataField<{ nodes: unknown }>(body, "insights").nodes);
    },
  ],
  [
    "named and inline fragments, an alias on the root and reordered arguments",
    async (filter, key) => {
      const { body } = await api.graphql(
        `query($f: InsightsFilter!) { cells: insights(first: 1000, filter: $f) { nodes { ...Head ... on InsightCell { geoBucket { type id name } } ...Tail } } }
         fragment Head on InsightCell { schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours }
         fragment Tail on InsightCell { segment { doorType category context } ... { metrics { ...Metrics } }
           privacy { kMinEnforced suppressed suppressedReason dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } } }
         fragment Metrics on CellMetrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }`,
        { key, variables: { f: filter } },
      );
      expect(body.errors).toBeUndefined();
      return JSON.stringify(dataField<{ nodes: unknown }>(body, "cells").nodes);
    },
  ],
  [
    "edges { node } instead of nodes",
    async (filter, key) => {
      const { body } = await api.graphql(
        `query($f: InsightsFilter!) { insights(filter: $f, first: 1000) { edges { node { ${BUYER_CELL_FIELDS} } } } }`,
        { key, variables: { f: filter } },
      );
      expect(body.errors).toBeUndefined();
      return JSON.stringify(
        dataField<{ edges: Array<{ node: unknown }> }>(body, "insights").edges.map((edge) => edge.node),
      );
    },
  ],
  [
    "pages of 97 cells joined",
    async (filter, key) => {
      const cells: unknown[] = [];
      let after: string | null = null;
      for (;;) {
        const { body } = await api.graphql(
          `query($f: InsightsFilter!, $after: String) { insights(filter: $f, first: 97, after: $after) { nodes { ${BUYER_CELL_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
          { key, variables: { f: filter, after } },
        );
        expect(body.errors).toBeUndefined();
        const page = body.data?.insights as {
          nodes: unknown[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
        cells.push(...page.nodes);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      return JSON.stringify(cells);
    },
  ],
];

/** Each read, and the day before its range: read first by both buyers so their charges are the same. */
const filters: Array<[string, Record<string, unknown>, Record<string, string>]> = [
  ["CITY_CODE, Jan 2..4, both cities", { ...days(2, 4), geoBucketIds: ["us-nyc", "gb-lon"] }, days(1, 2)],
  [
    "GEOHASH3, Jan 6..8, every bucket, two categories",
    { ...days(6, 8), geoBucketType: "GEOHASH3", categories: ["COFFEE", "FOOD"] },
    days(5, 6),
  ],
];

describe("the same cells whatever the phrasing and whoever asks", () => {
  for (const [name, filter, dayBefore] of filters) {
    it(`${name}: byte-identical nodes for acme, globex (both charged for the day before) and an internal key, in every phrasing`, async () => {
      const keys: Array<[string, string]> = [
        ["acme", world.buyerKey],
        ["globex", world.otherBuyerKey],
        ["internal", world.internalKey],
      ];
      // Trends need the previous bucket's charge; with the same charges, buyers see what INTERNAL sees.
      for (const key of [world.buyerKey, world.otherBuyerKey]) {
        await phrasings[1]![1]({ ...filter, ...dayBefore }, key);
      }
      const reference = await phrasings[0]![1](filter, world.buyerKey);
      const cells = JSON.parse(reference) as Cell[];
      expect(cells.some((cell) => cell.metrics.trendScoreEst !== null)).toBe(true);
      expect(cells.length).toBeGreaterThan(100);
      // Meaningful: some cells carry noised numbers, most are suppressed.
      expect(cells.some((cell) => cell.metrics.uniqueParticipantsEst !== null)).toBe(true);
      expect(cells.some((cell) => cell.privacy.suppressed)).toBe(true);
      for (const [who, key] of keys) {
        for (const [phrasing, read] of phrasings) {
          expect(await read(filter, key), `${who}, ${phrasing}`).toBe(reference);
        }
      }
    });
  }

  it("the same query 25 times returns byte-identical cells", async () => {
    const filter = { ...days(2, 3), geoBucketIds: ["us-nyc"] };
    const read = phrasings[1]![1];
    const reference = await read(filter, world.otherBuyerKey);
    for (let i = 0; i < 25; i++) expect(await read(filter, world.otherBuyerKey)).toBe(reference);
  });
});
