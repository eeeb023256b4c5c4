import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import type { DatabaseHandle } from "../../src/db/client";
import { trendScore } from "../../src/insights/trendScores";
import { precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { API_KEYS_CHANNEL } from "../../src/policy/keyCache";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { releaseMargins } from "../../src/privacy/accuracy";
import { publishedNoiseScales } from "../../src/privacy/releaseParameters";
import { flushRequestLogs, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, notificationsSettled, type TestDatabase } from "../support/database";
import { insertEvents, seedTestCities } from "../support/events";

const NOISE_KEY = { key: Buffer.alloc(32, 9), id: "nk_test" };
const clock = fixedClock("2026-01-20T00:00:00Z");
const DAYS = ["2026-01-05", "2026-01-06", "2026-01-07"].map((day) => new Date(`${day}T00:00:00Z`));

let db: TestDatabase;
let internalKey: string;
let operatorKey: string;
let buyerKey: string;

/** Every statement the driver sent since the last reset (the statement-count tests below). */
let driverStatements: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ onStatement: (text) => driverStatements.push(text) });
  await seedTestCities(db);
  for (const [index, day] of DAYS.entries()) {
    const morning = new Date(day.getTime() + 8 * 3_600_000);
    await insertEvents(db, [
      {
        city: "us-nyc",
        participants: 600 + 50 * index,
        doors: 2,
        doorType: "spot",
        category: "coffee",
        at: morning,
      },
      {
        city: "us-nyc",
        participants: 40,
        participantOffset: 10_000,
        doorType: "event",
        category: "music",
        at: morning,
      },
      {
        city: "gb-lon",
        participants: 700,
        participantOffset: 20_000,
        doorType: "spot",
        category: "food",
        at: morning,
      },
      // Above k but below the noisy threshold k + m: suppressed for NOISY_THRESHOLD.
      {
        city: "us-nyc",
        participants: 200,
        participantOffset: 30_000,
        doorType: "spot",
        category: "sports",
        at: morning,
      },
    ]);
  }
  // The first two days are released; the third is missing on purpose.
  for (const day of DAYS.slice(0, 2)) {
    for (const geoType of ["city_code", "geohash3"] as const) {
      await precomputeRelease(
        { database: db, noiseKey: NOISE_KEY, clock },
        { granularity: "day", bucketStart: day, geoType },
      );
    }
  }
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});

const CELL_FIELDS = `
  schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
  geoBucket { type id name }
  segment { doorType category context }
  metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
  accuracy { confidence uniqueParticipants doorsOpened repeatParticipants }
  privacy { kMinEnforced suppressed suppressedReason dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } }`;

/** A suppression cause, in any case: never in a buyer's response. */
const CAUSE_NAMES = /\b(k_min|noisy_threshold|dominance)\b/i;

const FILTER = {
  timeBucketStartUtc: "2026-01-05T00:00:00Z",
  timeBucketEndUtc: "2026-01-08T00:00:00Z",
  geoBucketIds: ["us-nyc"],
  doorTypes: ["SPOT", "EVENT"],
  categories: ["COFFEE", "MUSIC"],
  contexts: ["MORNING"],
};

interface Cell {
  timeBucketStartUtc: string;
  geoBucket: { id: string };
  segment: { doorType: string; category: string; context: string };
  metrics: { uniqueParticipantsEst: number | null; doorsOpenedEst: number | null };
  accuracy?: {
    confidence: number;
    uniqueParticipants: number;
    doorsOpened: number;
    repeatParticipants: number;
  } | null;
  privacy: {
    suppressed: boolean;
    suppressedReason: string | null;
    dp: { noiseScale: number; releaseId: string };
  };
  diagnostics?: {
    trueUniqueParticipants: number;
    topContributorShare: number;
    suppressionCause?: string | null;
  } | null;
}
interface InsightsData {
  insights: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: Cell }>;
    nodes: Cell[];
  };
}

async function insights(variables: Record<string, unknown>, fields = CELL_FIELDS, key = internalKey) {
  const query = `query Read($filter: InsightsFilter!, $first: Int, $after: String) {
    insights(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${fields} } } nodes { ${fields} }
    }
  }`;
  return testApp(db, clock).graphql(query, { key, variables });
}

describe("insights", () => {
  it("returns cells in the contract's record shape, released ones noised and small ones suppressed", async () => {
    const { body } = await insights({ filter: FILTER });
    expect(body.errors).toBeUndefined();
    const data = body.data as unknown as InsightsData;
    // 2 released days x 1 city x 2 door types x 2 categories x 1 context
    expect(data.insights.totalCount).toBe(8);
    const [first] = data.insights.nodes;
    expect(first).toMatchObject({
      schemaVersion: "1.0",
      dataset: "spots_insights_v1",
      timeBucketStartUtc: "2026-01-05T00:00:00Z",
      timeGranularity: "DAY",
      reportingDelayHours: 72,
      geoBucket: { type: "CITY_CODE", id: "us-nyc", name: "New York" },
      segment: { doorType: "SPOT", category: "COFFEE", context: "MORNING" },
      privacy: {
        kMinEnforced: 100,
        suppressed: false,
        suppressedReason: null,
        dp: {
          enabled: true,
          mechanism: "discrete_laplace",
          epsilon: 0.5,
          delta: 1e-6,
          budgetWindowDays: 30,
          noiseScale: 16,
        },
      },
    });
    expect(Math.abs((first?.metrics.uniqueParticipantsEst ?? 0) - 600)).toBeLessThan(16 * 12);
    const music = data.insights.nodes.filter((cell) => cell.segment.category === "MUSIC");
    expect(music).toHaveLength(4);
    for (const cell of music) {
      expect(cell.metrics).toEqual({
        uniqueParticipantsEst: null,
        doorsOpenedEst: null,
        repeatRateEst: null,
        trendScoreEst: null,
      });
      expect(cell.privacy).toMatchObject({ suppressed: true, suppressedReason: "BELOW_THRESHOLD" });
    }
    expect(data.insights.nodes).toEqual(data.insights.edges.map((edge) => edge.node));
  });

  it("lists buckets without a release in extensions.policy.missingBuckets and the releases it read", async () => {
    const { body } = await insights({ filter: FILTER });
    const policy = (body.extensions as { policy: { missingBuckets: string[]; releaseIds: string[] } }).policy;
    expect(policy.missingBuckets).toEqual(["2026-01-07T00:00:00Z"]);
    expect(policy.releaseIds).toHaveLength(2);
  });

  it("shows diagnostics to INTERNAL and OPERATOR keys: true counts and top contributor share", async () => {
    for (const key of [internalKey, operatorKey]) {
      const { body } = await insights(
        { filter: { ...FILTER, doorTypes: ["SPOT"], categories: ["COFFEE"] } },
        "diagnostics { trueUniqueParticipants trueDoorsOpened topContributorShare }",
        key,
      );
      const nodes = (body.data as unknown as InsightsData).insights.nodes;
      expect(nodes.map((node) => node.diagnostics)).toEqual([
        { trueUniqueParticipants: 600, trueDoorsOpened: 1200, topContributorShare: 2 / 1200 },
        { trueUniqueParticipants: 650, trueDoorsOpened: 1300, topContributorShare: 2 / 1300 },
      ]);
    }
  });

  it("shows every suppressed cell as BELOW_THRESHOLD, whatever the cause; only INTERNAL and OPERATOR see the cause", async () => {
    const filter = {
      timeBucketStartUtc: "2026-01-05T00:00:00Z",
      timeBucketEndUtc: "2026-01-06T00:00:00Z",
      geoBucketIds: ["us-nyc"],
      doorTypes: ["SPOT", "EVENT"],
      categories: ["COFFEE", "MUSIC", "SPORTS"],
      contexts: ["MORNING"],
    };
    const fields = "segment { doorType category } privacy { suppressed suppressedReason }";
    const causesBuyer = await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_causes" });
    const buyer = await insights({ filter }, fields, causesBuyer.apiKey);
    expect(buyer.body.errors).toBeUndefined();
    expect(JSON.stringify(buyer.body)).not.toMatch(CAUSE_NAMES);
    const visible = (cells: Cell[]) =>
      Object.fromEntries(
        cells.map((cell) => [
          `${cell.segment.doorType}/${cell.segment.category}`,
          cell.privacy.suppressedReason,
        ]),
      );
    const buyerCells = (buyer.body.data as unknown as InsightsData).insights.nodes;
    expect(visible(buyerCells)).toEqual({
      "SPOT/COFFEE": null,
      "SPOT/MUSIC": "BELOW_THRESHOLD",
      "SPOT/SPORTS": "BELOW_THRESHOLD",
      "EVENT/COFFEE": "BELOW_THRESHOLD",
      "EVENT/MUSIC": "BELOW_THRESHOLD",
      "EVENT/SPORTS": "BELOW_THRESHOLD",
    });

    for (const key of [internalKey, operatorKey]) {
      const { body } = await insights(
        { filter },
        `${fields} diagnostics { trueUniqueParticipants suppressionCause }`,
        key,
      );
      const nodes = (body.data as unknown as InsightsData).insights.nodes;
      expect(visible(nodes)).toEqual(visible(buyerCells));
      expect(
        Object.fromEntries(
          nodes.map((cell) => [`${cell.segment.doorType}/${cell.segment.category}`, cell.diagnostics]),
        ),
      ).toEqual({
        "SPOT/COFFEE": { trueUniqueParticipants: 600, suppressionCause: null },
        "SPOT/MUSIC": { trueUniqueParticipants: 0, suppressionCause: "K_MIN" },
        // Above k = 100, below the noisy threshold.
        "SPOT/SPORTS": { trueUniqueParticipants: 200, suppressionCause: "NOISY_THRESHOLD" },
        "EVENT/COFFEE": { trueUniqueParticipants: 0, suppressionCause: "K_MIN" },
        "EVENT/MUSIC": { trueUniqueParticipants: 40, suppressionCause: "K_MIN" },
        "EVENT/SPORTS": { trueUniqueParticipants: 0, suppressionCause: "K_MIN" },
      });
    }
  });

  it("serves BUYER keys through the policy: diagnostics stripped before execution and reported", async () => {
    const { body } = await insights(
      {
        filter: {
          ...FILTER,
          geoBucketIds: ["us-nyc"],
          doorTypes: ["SPOT"],
          categories: ["COFFEE"],
          contexts: null,
        },
      },
      "segment { category } diagnostics { trueUniqueParticipants }",
      buyerKey,
    );
    expect(body.errors).toBeUndefined();
    const nodes = (body.data as unknown as InsightsData).insights.nodes;
    expect(nodes).toHaveLength(2 * 5);
    expect(nodes.every((node) => node.diagnostics === undefined)).toBe(true);
    const policy = (body.extensions as { policy: { strippedFields: string[]; epsilonCharged: number } })
      .policy;
    expect(policy.strippedFields).toEqual(["insights.edges.node.diagnostics", "insights.nodes.diagnostics"]);
    expect(policy.epsilonCharged).toBe(1);
  });

  it("reuses a parsed document only for its audience: a buyer's is stripped every time, staff keep diagnostics", async () => {
    // One app, so the second and later requests hit its document cache (and run compiled).
    const api = testApp(db, clock);
    const query = `query Cached($filter: InsightsFilter!) {
      insights(filter: $filter) { nodes { segment { category } diagnostics { trueUniqueParticipants } } }
    }`;
    const variables = {
      filter: { ...FILTER, geoBucketIds: ["us-nyc"], doorTypes: ["SPOT"], categories: ["COFFEE"] },
    };
    type Body = {
      data?: { insights: { nodes: Array<{ diagnostics?: unknown }> } };
      extensions?: { policy: { strippedFields: string[] } };
    };
    const asStaff = async () => (await api.graphql(query, { key: internalKey, variables })).body as Body;
    const asBuyer = async () => (await api.graphql(query, { key: buyerKey, variables })).body as Body;
    const [staffFirst, buyerFirst, buyerAgain, staffAgain] = [
      await asStaff(),
      await asBuyer(),
      await asBuyer(),
      await asStaff(),
    ];
    for (const staff of [staffFirst, staffAgain]) {
      expect(staff.data?.insights.nodes.length).toBe(2);
      expect(staff.data?.insights.nodes.every((node) => typeof node.diagnostics === "object")).toBe(true);
      expect(staff.extensions?.policy.strippedFields).toEqual([]);
    }
    for (const buyer of [buyerFirst, buyerAgain]) {
      expect(buyer.data?.insights.nodes.length).toBe(2);
      expect(buyer.data?.insights.nodes.every((node) => node.diagnostics === undefined)).toBe(true);
      expect(buyer.extensions?.policy.strippedFields).toEqual(["insights.nodes.diagnostics"]);
    }
  });

  it("applies a buyer's token limit to a document an internal key already had parsed", async () => {
    const api = testApp(db, clock);
    // Over the buyer limit (1,000 tokens), under staff's (10,000).
    const ids = Array.from({ length: 1200 }, (_, index) => `"x${index}"`).join(", ");
    const query = `{ insights(filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-06T00:00:00Z", geoBucketIds: [${ids}] }) { totalCount } }`;
    const codeOf = (body: { errors?: Array<{ extensions?: Record<string, unknown> }> }) =>
      body.errors?.[0]?.extensions?.code;
    const staff = await api.graphql(query, { key: internalKey });
    expect(codeOf(staff.body)).not.toBe("QUERY_REJECTED");
    const buyer = await api.graphql(query, { key: buyerKey });
    expect(buyer.body.errors?.[0]?.extensions).toMatchObject({ code: "QUERY_REJECTED", limit: 1000 });
    const staffAgain = await api.graphql(query, { key: internalKey });
    expect(codeOf(staffAgain.body)).toBe(codeOf(staff.body));
  });

  it("pages through every cell exactly once with cursors, and totalCount stays the filter's total", async () => {
    const filter = { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-07T00:00:00Z" };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { body } = await insights(
        { filter, first: 100, after },
        "geoBucket { id } segment { doorType category context } timeBucketStartUtc",
      );
      const connection = (body.data as unknown as InsightsData).insights;
      expect(connection.totalCount).toBe(2 * 2 * 135);
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      for (const { node } of connection.edges) {
        seen.push(
          `${node.timeBucketStartUtc}|${node.geoBucket.id}|${node.segment.doorType}|${node.segment.category}|${node.segment.context}`,
        );
      }
      pages++;
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(pages).toBe(6);
    expect(seen).toHaveLength(540);
    expect(new Set(seen).size).toBe(540);
  });

  it("filters by GEOHASH3 buckets", async () => {
    const { body } = await insights(
      {
        filter: {
          timeBucketStartUtc: "2026-01-05T00:00:00Z",
          timeBucketEndUtc: "2026-01-06T00:00:00Z",
          geoBucketType: "GEOHASH3",
          geoBucketIds: ["dr5"],
          contexts: ["MORNING"],
          categories: ["COFFEE"],
          doorTypes: ["SPOT"],
        },
      },
      "geoBucket { type id name } privacy { suppressed } diagnostics { trueUniqueParticipants }",
    );
    expect((body.data as unknown as InsightsData).insights.nodes).toEqual([
      {
        geoBucket: { type: "GEOHASH3", id: "dr5", name: "New York" },
        privacy: { suppressed: false },
        diagnostics: { trueUniqueParticipants: 600 },
      },
    ]);
  });

  it("refuses bad input with BAD_USER_INPUT and says what is wrong", async () => {
    const cases: Array<[Record<string, unknown>, number | undefined, RegExp]> = [
      [{ ...FILTER, timeBucketStartUtc: "2026-01-05T01:00:00Z" }, undefined, /not aligned to DAY/],
      [{ ...FILTER, timeBucketEndUtc: "2026-01-05T00:00:00Z" }, undefined, /must be before/],
      [{ ...FILTER, geoBucketIds: ["New York"] }, undefined, /not a city code/],
      [FILTER, 1001, /first must be between 0 and 1000/],
      [{ ...FILTER, granularity: "WEEK" }, undefined, /not aligned to WEEK/],
    ];
    for (const [filter, first, message] of cases) {
      const { body } = await insights({ filter, first }, "dataset");
      expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(body.errors?.[0]?.message).toMatch(message);
    }
    const { body } = await insights({ filter: FILTER, after: "not-a-cursor" }, "dataset");
    expect(body.errors?.[0]?.message).toMatch(/after is not a cursor/);
  });
});

/** The DAY contract profile's margins: scales 16, 160 and 32. */
const DAY_MARGINS = { confidence: 0.95, uniqueParticipants: 48, doorsOpened: 479, repeatParticipants: 96 };

describe("accuracy", () => {
  it("a buyer's released cell carries the 95% margins of its receipt's noise scales, a suppressed one null", async () => {
    const key = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_accuracy" })).apiKey;
    const { body } = await insights(
      { filter: { ...FILTER, doorTypes: ["SPOT"], categories: ["COFFEE", "MUSIC", "SPORTS"] } },
      "segment { category } accuracy { confidence uniqueParticipants doorsOpened repeatParticipants } privacy { suppressed dp { releaseId } }",
      key,
    );
    expect(body.errors).toBeUndefined();
    const nodes = (body.data as unknown as InsightsData).insights.nodes;
    const receipts = await db.query<{
      release_id: string;
      epsilon: number;
      epsilon_split: Record<"uniqueParticipants" | "doorsOpened" | "repeatParticipants", number>;
      max_cells_per_participant: number;
      max_doors_per_cell: number;
      noise_scales: Record<string, number>;
    }>(
      `select rr.release_id, r.epsilon, rr.epsilon_split, rr.max_cells_per_participant, rr.max_doors_per_cell, rr.noise_scales
       from release_receipts rr join releases r on r.id = rr.release_id`,
    );
    const marginsOf = new Map(
      receipts.map((row) => [
        row.release_id,
        releaseMargins(
          publishedNoiseScales(
            {
              epsilon: row.epsilon,
              epsilonSplit: row.epsilon_split,
              maxCellsPerParticipant: row.max_cells_per_participant,
              maxDoorsPerCell: row.max_doors_per_cell,
            },
            row.noise_scales,
          ),
        ),
      ]),
    );
    const released = nodes.filter((node) => !node.privacy.suppressed);
    const suppressed = nodes.filter((node) => node.privacy.suppressed);
    // Released COFFEE cells on both days; MUSIC (k_min) and SPORTS (noisy threshold) suppressed.
    expect(released.map((node) => node.segment.category)).toEqual(["COFFEE", "COFFEE"]);
    expect(suppressed.map((node) => node.segment.category).sort()).toEqual([
      "MUSIC",
      "MUSIC",
      "SPORTS",
      "SPORTS",
    ]);
    for (const node of released) {
      expect(node.accuracy).toEqual(marginsOf.get(node.privacy.dp.releaseId));
      expect(node.accuracy).toEqual(DAY_MARGINS);
    }
    for (const node of suppressed) expect(node.accuracy).toBeNull();
  });

  it("quoteInsights returns the FULL level's margins for DAY CITY_CODE before anything is charged or counted", async () => {
    const key = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_quote_accuracy" }))
      .apiKey;
    const state = () =>
      db.query(
        `select (select count(*)::int from budget_charges) as charges,
                (select count(*)::int from query_fingerprints) as shapes,
                (select coalesce(sum(hits), 0)::int from query_fingerprints) as hits`,
      );
    const before = await state();
    const quote = (filter: Record<string, unknown>) =>
      testApp(db, clock).graphql(
        `query($f: InsightsFilter!) { quoteInsights(filter: $f) { epsilonCost accuracy {
           granularity geoBucketType breakdown confidence uniqueParticipants doorsOpened repeatParticipants } } }`,
        { key, variables: { f: filter } },
      );
    const { body } = await quote(FILTER);
    expect(body.errors).toBeUndefined();
    expect(body.data?.quoteInsights).toEqual({
      epsilonCost: 1,
      accuracy: [
        {
          granularity: "DAY",
          geoBucketType: "CITY_CODE",
          breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
          ...DAY_MARGINS,
        },
      ],
    });
    expect(await state()).toEqual(before);

    // A plan entry tightened below the profile: the next release would be noised at epsilon 0.25.
    await db.query(
      "update release_plan set epsilon = 0.25 where granularity = 'day' and geo_type = 'geohash3' and level = 'full'",
    );
    try {
      const tightened = await quote({ ...FILTER, geoBucketType: "GEOHASH3", geoBucketIds: null });
      expect(tightened.body.errors).toBeUndefined();
      expect((tightened.body.data?.quoteInsights as { accuracy: unknown } | undefined)?.accuracy).toEqual([
        {
          granularity: "DAY",
          geoBucketType: "GEOHASH3",
          breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
          confidence: 0.95,
          // Scales 32, 320 and 64.
          uniqueParticipants: 96,
          doorsOpened: 959,
          repeatParticipants: 192,
        },
      ]);
      // A level the plan does not release is refused, as insights(filter) would be, naming those released.
      await db.query(
        "update release_plan set enabled = false where granularity = 'day' and geo_type = 'geohash3' and level = 'full'",
      );
      const disabled = await quote({ ...FILTER, geoBucketType: "GEOHASH3", geoBucketIds: null });
      // The default plan releases DAY GEOHASH3 only at FULL: with it disabled, nothing is released.
      expect(disabled.body.errors?.[0]?.extensions).toMatchObject({
        code: "LEVEL_NOT_AVAILABLE",
        field: "breakdown",
        released: [],
      });
      expect(disabled.body.errors?.[0]?.message).toContain("The release plan releases no level");
    } finally {
      await db.query(
        "update release_plan set epsilon = 0.5, enabled = true where granularity = 'day' and geo_type = 'geohash3' and level = 'full'",
      );
    }
    expect(await state()).toEqual(before);
  });
});

describe("trendScoreEst", () => {
  const day = (date: string) => ({
    timeBucketStartUtc: `${date}T00:00:00Z`,
    timeBucketEndUtc: new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000)
      .toISOString()
      .replace(".000", ""),
  });
  const TREND_FIELDS =
    "timeBucketStartUtc geoBucket { id } segment { doorType category context } metrics { uniqueParticipantsEst trendScoreEst }";
  interface TrendCell {
    timeBucketStartUtc: string;
    geoBucket: { id: string };
    segment: { doorType: string; category: string; context: string };
    metrics: { uniqueParticipantsEst: number | null; trendScoreEst: number | null };
  }
  const cellKey = (cell: TrendCell) =>
    `${cell.geoBucket.id}|${cell.segment.doorType}|${cell.segment.category}|${cell.segment.context}`;
  async function read(filter: Record<string, unknown>, key: string, at = clock): Promise<TrendCell[]> {
    const { body } = await testApp(db, at).graphql(
      `query($f: InsightsFilter!) { insights(filter: $f, first: 1000) { nodes { ${TREND_FIELDS} } } }`,
      { key, variables: { f: filter } },
    );
    expect(body.errors).toBeUndefined();
    return (body.data as unknown as { insights: { nodes: TrendCell[] } }).insights.nodes;
  }
  /** Jan 6's trends by the formula, from the two days' published estimates as INTERNAL reads them. */
  async function expectedTrends(): Promise<Map<string, number | null>> {
    const previous = new Map(
      (await read(day("2026-01-05"), internalKey)).map((cell) => [
        cellKey(cell),
        cell.metrics.uniqueParticipantsEst,
      ]),
    );
    return new Map(
      (await read(day("2026-01-06"), internalKey)).map((cell) => [
        cellKey(cell),
        trendScore(cell.metrics.uniqueParticipantsEst, previous.get(cellKey(cell)) ?? null),
      ]),
    );
  }
  const trendsOf = (cells: TrendCell[]) =>
    new Map(cells.map((cell) => [cellKey(cell), cell.metrics.trendScoreEst]));

  it("INTERNAL and OPERATOR see u / (u + u_previous) of the two published estimates, whoever was charged", async () => {
    const expected = await expectedTrends();
    const released = [...expected.values()].filter((trend) => trend !== null);
    // us-nyc spot/coffee and gb-lon spot/food are released on both days; everything else has no trend.
    expect(released).toHaveLength(2);
    for (const trend of released) expect(trend).toBeGreaterThan(0.4);
    for (const key of [internalKey, operatorKey]) {
      expect(trendsOf(await read(day("2026-01-06"), key))).toEqual(expected);
    }
  });

  it("a buyer not charged for the previous bucket gets null for every cell; after reading it, the formula", async () => {
    const buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_trend" })).apiKey;
    const expected = await expectedTrends();
    const first = await read(day("2026-01-06"), buyer);
    expect(first).toHaveLength(2 * 135);
    expect(first.every((cell) => cell.metrics.trendScoreEst === null)).toBe(true);
    // The estimates themselves are there: only the trend is withheld.
    expect(first.filter((cell) => cell.metrics.uniqueParticipantsEst !== null)).toHaveLength(2);

    await read(day("2026-01-05"), buyer);
    expect(trendsOf(await read(day("2026-01-06"), buyer))).toEqual(expected);
  });

  it("a charge made earlier in the same request counts: reading both days at once gives the second day its trend", async () => {
    const buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_trend_range" })).apiKey;
    const expected = await expectedTrends();
    const cells = await read(
      { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-07T00:00:00Z" },
      buyer,
    );
    const second = cells.filter((cell) => cell.timeBucketStartUtc === "2026-01-06T00:00:00Z");
    expect(trendsOf(second)).toEqual(expected);
    // Jan 4 was never released: the first day has no trend for anyone.
    const firstDay = cells.filter((cell) => cell.timeBucketStartUtc === "2026-01-05T00:00:00Z");
    expect(firstDay.every((cell) => cell.metrics.trendScoreEst === null)).toBe(true);
  });

  it("a charge from before the buyer's 30-day window no longer shows the trend", async () => {
    const buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_trend_window" }))
      .apiKey;
    await read(day("2026-01-05"), buyer);
    const expected = await expectedTrends();
    expect(trendsOf(await read(day("2026-01-06"), buyer))).toEqual(expected);
    // 31 days on, the Jan 5 charge is outside the window; reading Jan 6 charges it again, but not Jan 5.
    const later = fixedClock("2026-02-20T00:00:00Z");
    const cells = await read(day("2026-01-06"), buyer, later);
    expect(cells.every((cell) => cell.metrics.trendScoreEst === null)).toBe(true);
  });
});

describe("stability", () => {
  it("the same query 1,000 times returns byte-identical responses", async () => {
    const api = testApp(db, clock);
    const query = `{ insights(filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-07T00:00:00Z", geoBucketIds: ["us-nyc", "gb-lon"], contexts: [MORNING] }, first: 50) { nodes { ${CELL_FIELDS} } } }`;
    const request = () =>
      api.app.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${internalKey}` },
        body: JSON.stringify({ query }),
      });
    const reference = await (await request()).text();
    expect(reference).toContain('"suppressed":false');
    for (let i = 0; i < 999; i++) expect(await (await request()).text()).toBe(reference);
  });

  it("rephrased queries (aliases, fragments, variables, argument order, another key) return the same cells", async () => {
    const api = testApp(db, clock);
    const literal = await api.graphql(
      `{ insights(filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-07T00:00:00Z", geoBucketIds: ["us-nyc"], contexts: [MORNING] }) { nodes { ${CELL_FIELDS} } } }`,
      { key: internalKey },
    );
    const rephrased = await api.graphql(
      `query Other($f: InsightsFilter!) { cells: insights(first: 500, filter: $f) { nodes { ...Cell } } }
       fragment Cell on InsightCell { ${CELL_FIELDS} }`,
      {
        key: operatorKey,
        variables: {
          f: {
            contexts: ["MORNING"],
            geoBucketIds: ["us-nyc"],
            timeBucketEndUtc: "2026-01-07T00:00:00Z",
            timeBucketStartUtc: "2026-01-05T00:00:00Z",
            granularity: "DAY",
          },
        },
      },
    );
    const a = (literal.body.data as { insights: { nodes: unknown[] } }).insights.nodes;
    const b = (rephrased.body.data as { cells: { nodes: unknown[] } }).cells.nodes;
    expect(a.length).toBe(2 * 27);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });
});

describe("statements per request", () => {
  // The log rows stay queued until the test flushes them: no timed batch lands among a request's statements.
  const QUEUED_REQUEST_LOGS = { REQUEST_LOG_FLUSH_MS: "10000" };

  it("the hot insights query runs a fixed number of statements, whatever the page size", async () => {
    const counted = countingHandle(db);
    const api = testApp(counted.handle, clock, QUEUED_REQUEST_LOGS);
    await Promise.all([api.app.keys.ready, api.app.settings.ready]);
    const run = async (first: number) => {
      counted.reset();
      const { body } = await api.graphql(
        `{ insights(filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z" }, first: ${first}) { totalCount nodes { ${CELL_FIELDS} } } }`,
        { key: internalKey },
      );
      expect(body.errors).toBeUndefined();
      return counted.statements();
    };
    const small = await run(10);
    const large = await run(500);
    // the key and the release plan (which levels may be read: each read once, then kept), one
    // statement for the releases, the page of cells, the previous buckets' estimates for the trend and
    // the total, the receipts (one batch), the city names (one batch); the log rows are written
    // later, in one batch
    expect(small).toEqual(["key", "release plan", "insights page and count", "receipts", "city names"]);
    // The page of 500 has the receipts of two more releases to read.
    // (In any order: a page's first cells may have kept receipts, its later ones not.)
    expect([...large].sort()).toEqual(["city names", "insights page and count", "receipts"]);
    // Receipts never change: the process keeps them, so a re-read needs none.
    const again = await run(500);
    expect(again).toEqual(["insights page and count", "city names"]);
    // The three requests' log rows in one INSERT, after the responses.
    counted.reset();
    await api.app.requestLog.flush();
    expect(counted.statements()).toEqual(["request log"]);
  });

  it("re-reads at the driver: an internal key's one statement, a buyer's three and no transaction", async () => {
    // The key first: its creation's NOTIFY must not reach the app's cache during a counted read.
    const buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_driver" })).apiKey;
    const api = testApp(db, clock, QUEUED_REQUEST_LOGS);
    await Promise.all([api.app.keys.ready, api.app.settings.ready]);
    await notificationsSettled(db, API_KEYS_CHANNEL);
    // The benchmark's record (every field a buyer record shows but the city name).
    const query = `{ insights(filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-07T00:00:00Z", geoBucketIds: ["us-nyc"] }, first: 100) {
      totalCount nodes { schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
        geoBucket { type id } segment { doorType category context }
        metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
        privacy { kMinEnforced suppressed suppressedReason dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } } } } }`;
    // Other apps of this file write behind on their own timers (log rows, key uses, shape hits):
    // those batches are not this request's statements.
    const background =
      /^\s*(insert into request_logs|update api_keys as k set last_used_at|update query_fingerprints f set hits)/i;
    const read = async (key: string) => {
      await flushRequestLogs();
      driverStatements = [];
      const { body } = await api.graphql(query, { key });
      expect(body.errors).toBeUndefined();
      expect((body.data as unknown as InsightsData).insights.totalCount).toBeGreaterThan(0);
      return driverStatements.filter((text) => !background.test(text));
    };
    // The first reads look the key up, read the plan, profile and receipts, and charge the buyer.
    await read(internalKey);
    const charged = await read(buyer);
    expect(charged.some((text) => /^begin/i.test(text))).toBe(true);
    // Re-reads: the internal key one statement (the page); the buyer three (its releases, the
    // read-only budget and quota decision, the page), none of them a write.
    const internal = await read(internalKey);
    expect(internal, internal.join("\n---\n").slice(0, 1000)).toHaveLength(1);
    expect(internal[0]).toMatch(/^with rel as materialized/);
    const again = await read(buyer);
    expect(again).toHaveLength(3);
    expect(again.filter((text) => /^\s*(begin|insert|update|delete)\b/i.test(text))).toEqual([]);
    expect(again[1]).toMatch(/from buyer_budgets/);
    // Their log rows and shape hits come later, in batches.
    driverStatements = [];
    await api.app.flush();
    expect(driverStatements.filter((text) => /insert into request_logs/i.test(text))).toHaveLength(1);
    expect(driverStatements.filter((text) => /update query_fingerprints/i.test(text))).toHaveLength(1);
  });

  it("a buyer's request runs the same statements whether or not the previous bucket had estimates to check", async () => {
    const counted = countingHandle(db);
    const api = testApp(counted.handle, clock, QUEUED_REQUEST_LOGS);
    const buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_timing" })).apiKey;
    // The key's creation NOTIFY must not reach the cache during the first read, or the key would not
    // be kept and a compared read would look it up again.
    await notificationsSettled(db, API_KEYS_CHANNEL);
    const run = async (day: string, next: string) => {
      counted.reset();
      const { body } = await api.graphql(
        `{ insights(filter: { timeBucketStartUtc: "${day}T00:00:00Z", timeBucketEndUtc: "${next}T00:00:00Z" }) { totalCount nodes { metrics { trendScoreEst } } } }`,
        { key: buyer },
      );
      expect(body.errors).toBeUndefined();
      return counted.statements();
    };
    await Promise.all([api.app.keys.ready, api.app.settings.ready]);
    // A first read keeps the key, the plan and the profile: the two compared below read neither.
    await run("2026-01-07", "2026-01-08");
    // Jan 4 has no release, so Jan 5's page has no previous estimates; Jan 5 has released cells for Jan 6's.
    const withoutPrevious = await run("2026-01-05", "2026-01-06");
    const withPrevious = await run("2026-01-06", "2026-01-07");
    expect(withPrevious).toEqual(withoutPrevious);
    expect(withoutPrevious.filter((statement) => statement === "insights page and count")).toHaveLength(1);
  });

  it("the total is counted only when totalCount is selected, once however many aliases select it", async () => {
    const counted = countingHandle(db);
    const api = testApp(counted.handle, clock);
    const filter = `filter: { timeBucketStartUtc: "2026-01-05T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z" }`;
    const run = async (selection: string) => {
      counted.reset();
      const { body } = await api.graphql(`{ insights(${filter}, first: 5) { ${selection} } }`, {
        key: internalKey,
      });
      expect(body.errors).toBeUndefined();
      return counted
        .statements()
        .filter((statement) => statement.startsWith("insights page") || statement === "count");
    };
    expect(await run("pageInfo { hasNextPage } nodes { dataset }")).toEqual(["insights page"]);
    expect(await run("a: totalCount b: totalCount nodes { dataset }")).toEqual(["insights page and count"]);
    expect(await run("...on InsightCellConnection { totalCount } nodes { dataset }")).toEqual([
      "insights page and count",
    ]);
  });
});

function countingHandle(inner: DatabaseHandle) {
  let log: string[] = [];
  const classify = (text: string) =>
    text === KEY_BY_HASH
      ? "key"
      : text.includes("from release_plan")
        ? "release plan"
        : text.startsWith("with rel as materialized")
          ? text.includes("count(*)")
            ? "insights page and count"
            : "insights page"
          : text.includes("from releases") && !text.includes("insight_cells")
            ? "releases"
            : text.includes("count(*)")
              ? "count"
              : text.includes("with ordinality")
                ? "trend estimates"
                : text.includes("from insight_cells")
                  ? "insight_cells page"
                  : text.includes("release_receipts")
                    ? "receipts"
                    : text.includes("city_definitions")
                      ? "city names"
                      : text.includes("request_logs")
                        ? "request log"
                        : text;
  const handle: DatabaseHandle = {
    ...inner,
    query: (async (text: string, params?: unknown[]) => {
      log.push(classify(text));
      return inner.query(text, params);
    }) as DatabaseHandle["query"],
  };
  return { handle, reset: () => (log = []), statements: () => [...log] };
}
