import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trendScore } from "../../src/insights/trendScores";
import { RELEASE_SETTINGS_CHANNEL } from "../../src/policy/releaseSettings";
import { releaseMargins } from "../../src/privacy/accuracy";
import { releaseParameters } from "../../src/privacy/releaseParameters";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";
import { type GraphQLBody, issueTestKey } from "../support/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, notificationsSettled, type TestDatabase } from "../support/database";
import { levelLattice, plantedEstimate, plantLevelReleases } from "../support/levelReleases";
import { codeOf, days, policyOf, type RedteamApi, redteamApp, requestLogCount } from "../support/redteam";

const CITIES = ["gb-lon", "us-nyc"];
const HOUR_DAY = new Date("2026-01-05T00:00:00Z");
const HOUR_NEXT_DAY = new Date("2026-01-06T00:00:00Z");

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;
/** The planted releases by level (DAY CITY_CODE unless named), in bucket order. */
const planted: Record<string, string[]> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
  const jan = (day: number) => new Date(Date.UTC(2026, 0, day));
  const day = { granularity: "day", geoType: "city_code", geoIds: CITIES, epsilon: 0.1 } as const;
  planted.total = await plantLevelReleases(db, { ...day, level: "total" }, jan(1), jan(11));
  planted.door_type = await plantLevelReleases(db, { ...day, level: "door_type" }, jan(1), jan(11));
  planted.category = await plantLevelReleases(db, { ...day, level: "category" }, jan(1), jan(5));
  // The HOUR levels planted here: CATEGORY at 0.15 and TOTAL at 0.25 (the default plan releases
  // HOUR only as TOTAL, at 0.1).
  await db.query(
    `insert into release_plan (granularity, geo_type, level, epsilon, delta, enabled)
     values ('hour', 'city_code', 'category', 0.15, 1e-6, true), ('hour', 'city_code', 'total', 0.25, 1e-6, true)
     on conflict (granularity, geo_type, level) do update set epsilon = excluded.epsilon, enabled = true`,
  );
  const hour = { granularity: "hour", geoType: "city_code", geoIds: CITIES } as const;
  planted.hourCategory = await plantLevelReleases(
    db,
    { ...hour, level: "category", epsilon: 0.15 },
    HOUR_DAY,
    HOUR_NEXT_DAY,
  );
  planted.hourTotal = await plantLevelReleases(
    db,
    { ...hour, level: "total", epsilon: 0.25 },
    HOUR_DAY,
    HOUR_NEXT_DAY,
  );
});
afterAll(async () => {
  await db?.destroy();
});

const SEGMENT_CELLS = `totalCount
  pageInfo { hasNextPage endCursor }
  nodes { timeBucketStartUtc geoBucket { id } segment { doorType category context }
          metrics { uniqueParticipantsEst trendScoreEst } privacy { suppressed dp { epsilon releaseId } } }`;
const READ = `query($f: InsightsFilter!, $first: Int, $after: String) {
  insights(filter: $f, first: $first, after: $after) { ${SEGMENT_CELLS} } }`;

interface Cell {
  timeBucketStartUtc: string;
  geoBucket: { id: string };
  segment: { doorType: string | null; category: string | null; context: string | null };
  metrics: { uniqueParticipantsEst: number | null; trendScoreEst: number | null };
  privacy: { suppressed: boolean; dp: { epsilon: number; releaseId: string } };
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Cell[];
}
const pageOf = (body: GraphQLBody): Page => {
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return (body.data as { insights: Page }).insights;
};

let buyers = 0;
/** A fresh buyer (default budget 10, quota 50), so tests never share charges. */
async function freshBuyer(): Promise<string> {
  buyers += 1;
  const key = await issueTestKey(db, "buyer", {
    clock: world.clock,
    partnerId: `outside_buyer_levels${buyers}`,
  });
  return key.apiKey;
}

/** Every page of a filter, first cells at a time; the cells in order and the pages' policies. */
async function readAll(key: string, filter: Record<string, unknown>, first: number) {
  const cells: Cell[] = [];
  const charged: number[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let page = 0; page < 100; page++) {
    const { body } = await api.graphql(READ, { key, variables: { f: filter, first, after } });
    const result = pageOf(body);
    totalCount = result.totalCount;
    cells.push(...result.nodes);
    charged.push(policyOf(body).epsilonCharged);
    if (!result.pageInfo.hasNextPage) break;
    after = result.pageInfo.endCursor;
  }
  return { cells, charged, totalCount };
}

const keyOf = (cell: Cell) =>
  [
    cell.timeBucketStartUtc,
    cell.geoBucket.id,
    cell.segment.doorType,
    cell.segment.category,
    cell.segment.context,
  ].join("|");

describe("reading a breakdown level", () => {
  it("TOTAL cells read null for every segment dimension, one cell per geo bucket and day, with the planted values", async () => {
    const { body } = await api.graphql(READ, {
      key: world.internalKey,
      variables: { f: { ...days(1, 3), breakdown: [] } },
    });
    const page = pageOf(body);
    expect(page.totalCount).toBe(4);
    expect(page.nodes.map((cell) => [cell.timeBucketStartUtc, cell.geoBucket.id, cell.segment])).toEqual([
      ["2026-01-01T00:00:00Z", "gb-lon", { doorType: null, category: null, context: null }],
      ["2026-01-01T00:00:00Z", "us-nyc", { doorType: null, category: null, context: null }],
      ["2026-01-02T00:00:00Z", "gb-lon", { doorType: null, category: null, context: null }],
      ["2026-01-02T00:00:00Z", "us-nyc", { doorType: null, category: null, context: null }],
    ]);
    const jan1 = new Date("2026-01-01T00:00:00Z");
    const jan2 = new Date("2026-01-02T00:00:00Z");
    expect(page.nodes.map((cell) => cell.metrics.uniqueParticipantsEst)).toEqual([
      plantedEstimate(jan1, 0),
      plantedEstimate(jan1, 1),
      plantedEstimate(jan2, 0),
      plantedEstimate(jan2, 1),
    ]);
    expect(page.nodes.map((cell) => cell.privacy.dp.releaseId)).toEqual([
      planted.total?.[0],
      planted.total?.[0],
      planted.total?.[1],
      planted.total?.[1],
    ]);
    expect(page.nodes.every((cell) => cell.privacy.dp.epsilon === 0.1)).toBe(true);
    // The trend compares a TOTAL cell with the previous day's TOTAL cell of the same city (null segments match).
    expect(page.nodes.map((cell) => cell.metrics.trendScoreEst)).toEqual([
      null,
      null,
      trendScore(plantedEstimate(jan2, 0), plantedEstimate(jan1, 0)),
      trendScore(plantedEstimate(jan2, 1), plantedEstimate(jan1, 1)),
    ]);
  });

  it("a buyer's trend at a level needs that level's previous release: a charge for FULL unlocks nothing of TOTAL", async () => {
    const buyer = await freshBuyer();
    const trends = async (filter: Record<string, unknown>) => {
      const { body } = await api.graphql(READ, { key: buyer, variables: { f: filter } });
      expect(body.errors).toBeUndefined();
      return pageOf(body).nodes.map((cell) => cell.metrics.trendScoreEst);
    };
    // Charged for Jan 2's FULL release only: Jan 3's TOTAL cells show no trend (Jan 2 TOTAL unpaid).
    await trends({ ...days(2, 3), geoBucketIds: CITIES });
    expect(await trends({ ...days(3, 4), breakdown: [] })).toEqual([null, null]);
    // Once Jan 2's TOTAL release is charged, the trend of Jan 3 appears.
    await trends({ ...days(2, 3), breakdown: [] });
    expect(await trends({ ...days(3, 4), breakdown: [] })).toEqual([
      trendScore(
        plantedEstimate(new Date(Date.UTC(2026, 0, 3)), 0),
        plantedEstimate(new Date(Date.UTC(2026, 0, 2)), 0),
      ),
      trendScore(
        plantedEstimate(new Date(Date.UTC(2026, 0, 3)), 1),
        plantedEstimate(new Date(Date.UTC(2026, 0, 2)), 1),
      ),
    ]);
  });

  it("a single-dimension level keeps that dimension and reads null for the others; its filter applies", async () => {
    const { body } = await api.graphql(READ, {
      key: world.internalKey,
      variables: { f: { ...days(1, 2), breakdown: ["DOOR_TYPE"], doorTypes: ["SPOT", "EVENT"] } },
    });
    const page = pageOf(body);
    expect(page.totalCount).toBe(4);
    expect(page.nodes.map((cell) => [cell.geoBucket.id, cell.segment])).toEqual([
      ["gb-lon", { doorType: "SPOT", category: null, context: null }],
      ["gb-lon", { doorType: "EVENT", category: null, context: null }],
      ["us-nyc", { doorType: "SPOT", category: null, context: null }],
      ["us-nyc", { doorType: "EVENT", category: null, context: null }],
    ]);
  });

  it("an absent breakdown still reads FULL for DAY, and the explicit FULL breakdown the same cells", async () => {
    const filter = { ...days(1, 2), geoBucketIds: ["us-nyc"], categories: ["COFFEE"] };
    const absent = pageOf(
      (await api.graphql(READ, { key: world.internalKey, variables: { f: filter } })).body,
    );
    const explicit = pageOf(
      (
        await api.graphql(READ, {
          key: world.internalKey,
          variables: { f: { ...filter, breakdown: ["CONTEXT", "DOOR_TYPE", "CATEGORY"] } },
        })
      ).body,
    );
    expect(absent.totalCount).toBe(3 * 5);
    expect(
      absent.nodes.every((cell) => cell.segment.doorType !== null && cell.segment.context !== null),
    ).toBe(true);
    expect(explicit).toEqual(absent);
  });
});

describe("HOUR default level", () => {
  const hours = {
    granularity: "HOUR",
    timeBucketStartUtc: "2026-01-05T08:00:00Z",
    timeBucketEndUtc: "2026-01-05T10:00:00Z",
    geoBucketIds: ["us-nyc"],
  };

  it("reads the dimension of its one segment filter, or TOTAL without one", async () => {
    const byCategory = pageOf(
      (
        await api.graphql(READ, {
          key: world.internalKey,
          variables: { f: { ...hours, categories: ["COFFEE", "FOOD"] } },
        })
      ).body,
    );
    expect(byCategory.nodes.map((cell) => [cell.timeBucketStartUtc, cell.segment])).toEqual([
      ["2026-01-05T08:00:00Z", { doorType: null, category: "COFFEE", context: null }],
      ["2026-01-05T08:00:00Z", { doorType: null, category: "FOOD", context: null }],
      ["2026-01-05T09:00:00Z", { doorType: null, category: "COFFEE", context: null }],
      ["2026-01-05T09:00:00Z", { doorType: null, category: "FOOD", context: null }],
    ]);
    expect(byCategory.nodes.map((cell) => cell.privacy.dp.releaseId)).toEqual([
      planted.hourCategory?.[8],
      planted.hourCategory?.[8],
      planted.hourCategory?.[9],
      planted.hourCategory?.[9],
    ]);
    const total = pageOf((await api.graphql(READ, { key: world.internalKey, variables: { f: hours } })).body);
    expect(
      total.nodes.map((cell) => [cell.timeBucketStartUtc, cell.segment, cell.privacy.dp.releaseId]),
    ).toEqual([
      ["2026-01-05T08:00:00Z", { doorType: null, category: null, context: null }, planted.hourTotal?.[8]],
      ["2026-01-05T09:00:00Z", { doorType: null, category: null, context: null }, planted.hourTotal?.[9]],
    ]);
  });

  it("a buyer is charged an HOUR family once per level read, whichever hours", async () => {
    const buyer = await freshBuyer();
    const both = await api.graphql(
      `query($t: InsightsFilter!, $c: InsightsFilter!) { t: insights(filter: $t) { totalCount } c: insights(filter: $c) { totalCount } }`,
      { key: buyer, variables: { t: hours, c: { ...hours, categories: ["COFFEE"] } } },
    );
    expect(both.body.errors).toBeUndefined();
    // The TOTAL family (0.25) and the CATEGORY family (0.15), each once for its two hours.
    expect(policyOf(both.body).epsilonCharged).toBeCloseTo(0.4, 12);
    const later = await api.graphql(READ, {
      key: buyer,
      variables: {
        f: { ...hours, timeBucketStartUtc: "2026-01-05T20:00:00Z", timeBucketEndUtc: "2026-01-05T22:00:00Z" },
      },
    });
    expect(policyOf(later.body).epsilonCharged).toBe(0);
  });

  it("filters on two dimensions without a breakdown are FILTER_NOT_ALLOWED, for a buyer and for INTERNAL", async () => {
    const twoDimensions = { ...hours, doorTypes: ["SPOT"], categories: ["COFFEE"] };
    const buyer = await api.graphql(READ, { key: world.buyerKey, variables: { f: twoDimensions } });
    expect(codeOf(buyer.body)).toBe("FILTER_NOT_ALLOWED");
    const internal = await api.graphql(READ, { key: world.internalKey, variables: { f: twoDimensions } });
    expect(codeOf(internal.body)).toBe("FILTER_NOT_ALLOWED");
    expect(internal.body.errors?.[0]?.message).toContain("without a breakdown");
  });

  it("a single filter on a dimension HOUR does not release names the released levels", async () => {
    const { body } = await api.graphql(READ, {
      key: world.internalKey,
      variables: { f: { ...hours, doorTypes: ["SPOT"] } },
    });
    expect(codeOf(body)).toBe("LEVEL_NOT_AVAILABLE");
    expect(body.errors?.[0]?.extensions?.released).toEqual([["CATEGORY"], []]);
    expect(body.errors?.[0]?.message).toContain("[CATEGORY], [] (TOTAL)");
  });
});

describe("refusals before any charge", () => {
  async function expectRefused(code: string, key: string, filter: Record<string, unknown>) {
    const before = await policyState(db);
    const logs = await requestLogCount(db);
    const { body } = await api.graphql(READ, { key, variables: { f: filter } });
    expect(codeOf(body), JSON.stringify(body).slice(0, 300)).toBe(code);
    expect(body.data ?? null).toBeNull();
    expect(await policyState(db)).toEqual(before);
    expect(await requestLogCount(db)).toBe(logs + 1);
    return body;
  }

  it("a filter on a dimension the level rolls up is FILTER_NOT_ALLOWED and charges and counts nothing", async () => {
    const body = await expectRefused("FILTER_NOT_ALLOWED", world.buyerKey, {
      ...days(5, 6),
      breakdown: ["DOOR_TYPE"],
      categories: ["COFFEE"],
    });
    expect(body.errors?.[0]?.extensions).toMatchObject({ field: "categories", breakdown: ["DOOR_TYPE"] });
    await expectRefused("FILTER_NOT_ALLOWED", world.buyerKey, {
      ...days(5, 6),
      breakdown: [],
      contexts: ["MORNING"],
    });
  });

  it("a level the plan does not release is LEVEL_NOT_AVAILABLE, naming the released ones, and charges nothing", async () => {
    const body = await expectRefused("LEVEL_NOT_AVAILABLE", world.buyerKey, {
      ...days(5, 6),
      breakdown: ["DOOR_TYPE", "CATEGORY"],
    });
    expect(body.errors?.[0]?.extensions?.released).toEqual([
      ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
      ["DOOR_TYPE"],
      ["CATEGORY"],
      ["CONTEXT"],
      [],
    ]);
    expect(body.errors?.[0]?.message).toContain(
      "[DOOR_TYPE, CATEGORY, CONTEXT] (FULL), [DOOR_TYPE], [CATEGORY], [CONTEXT], [] (TOTAL)",
    );
    // GEOHASH3 WEEK is released at FULL only; HOUR never keeps two dimensions.
    await expectRefused("LEVEL_NOT_AVAILABLE", world.buyerKey, {
      granularity: "WEEK",
      geoBucketType: "GEOHASH3",
      timeBucketStartUtc: "2026-01-05T00:00:00Z",
      timeBucketEndUtc: "2026-01-12T00:00:00Z",
      breakdown: [],
    });
    await expectRefused("LEVEL_NOT_AVAILABLE", world.buyerKey, {
      granularity: "HOUR",
      geoBucketIds: ["us-nyc"],
      timeBucketStartUtc: "2026-01-05T08:00:00Z",
      timeBucketEndUtc: "2026-01-05T09:00:00Z",
      breakdown: ["CATEGORY", "CONTEXT"],
    });
  });

  it("a plan entry disabled by an operator is refused even though its releases exist", async () => {
    await db.query(
      "update release_plan set enabled = false where granularity = 'day' and geo_type = 'city_code' and level = 'total'",
    );
    // The change reaches the app's cached plan by NOTIFY (on PostgreSQL a moment after the commit).
    await notificationsSettled(db, RELEASE_SETTINGS_CHANNEL);
    try {
      await expectRefused("LEVEL_NOT_AVAILABLE", world.buyerKey, { ...days(1, 2), breakdown: [] });
    } finally {
      await db.query(
        "update release_plan set enabled = true where granularity = 'day' and geo_type = 'city_code' and level = 'total'",
      );
      await notificationsSettled(db, RELEASE_SETTINGS_CHANNEL);
    }
  });

  it("a cursor of another level is refused before the charge", async () => {
    const total = pageOf(
      (
        await api.graphql(READ, {
          key: world.internalKey,
          variables: { f: { ...days(1, 3), breakdown: [] }, first: 1 },
        })
      ).body,
    );
    const before = await policyState(db);
    const { body } = await api.graphql(READ, {
      key: world.buyerKey,
      variables: { f: { ...days(1, 3), breakdown: ["CATEGORY"] }, first: 1, after: total.pageInfo.endCursor },
    });
    expect(codeOf(body)).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.extensions?.field).toBe("after");
    expect(await policyState(db)).toEqual(before);
  });
});

describe("budget and fingerprint per level", () => {
  it("two levels of the same range are two releases a day: both epsilons are charged, once", async () => {
    const buyer = await freshBuyer();
    const query = `query($full: InsightsFilter!, $total: InsightsFilter!) {
      full: insights(filter: $full) { totalCount } total: insights(filter: $total) { totalCount } }`;
    const variables = { full: days(2, 4), total: { ...days(2, 4), breakdown: [] } };
    const first = await api.graphql(query, { key: buyer, variables });
    expect(first.body.errors).toBeUndefined();
    const policy = policyOf(first.body);
    // Two FULL days at 0.5 and two TOTAL days at 0.1.
    expect(policy.epsilonCharged).toBeCloseTo(1.2, 12);
    expect(policy.releaseIds).toEqual(expect.arrayContaining([planted.total?.[1], planted.total?.[2]]));
    expect(policy.releaseIds).toHaveLength(4);
    expect(policy.fingerprint).toHaveLength(2);
    const [fullShape, totalShape] = policy.fingerprint as string[];
    expect(fullShape).not.toBe(totalShape);
    const charges = await db.query<{ release_id: string; epsilon: number }>(
      "select release_id, epsilon from budget_charges where partner_id = $1 order by epsilon, release_id",
      [`outside_buyer_levels${buyers}`],
    );
    expect(charges.map((charge) => charge.epsilon)).toEqual([0.1, 0.1, 0.5, 0.5]);
    expect(
      charges
        .slice(0, 2)
        .map((charge) => charge.release_id)
        .sort(),
    ).toEqual([planted.total?.[1], planted.total?.[2]].sort());
    const again = await api.graphql(query, { key: buyer, variables });
    expect(policyOf(again.body).epsilonCharged).toBe(0);
  });

  it("the fingerprint covers the level, inline or by variables, and the same level hashes alike however it is written", async () => {
    const buyer = await freshBuyer();
    const shapeOf = async (document: string, variables?: Record<string, unknown>) => {
      const { body } = await api.graphql(document, { key: buyer, variables });
      expect(body.errors).toBeUndefined();
      return policyOf(body).fingerprint;
    };
    const range = 'timeBucketStartUtc: "2026-01-03T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z"';
    const inlineTotal = await shapeOf(`{ insights(filter: { ${range}, breakdown: [] }) { totalCount } }`);
    const variableTotal = await shapeOf(READ, { f: { ...days(3, 4), breakdown: [] } });
    const inlineDoorType = await shapeOf(
      `{ insights(filter: { ${range}, breakdown: [DOOR_TYPE] }) { totalCount } }`,
    );
    const variableDoorType = await shapeOf(READ, {
      f: { ...days(3, 4), breakdown: ["DOOR_TYPE", "DOOR_TYPE"] },
    });
    const absent = await shapeOf(`{ insights(filter: { ${range} }) { totalCount } }`);
    const explicitFull = await shapeOf(READ, {
      f: { ...days(3, 4), breakdown: ["CONTEXT", "CATEGORY", "DOOR_TYPE"] },
    });
    expect(variableTotal).toBe(inlineTotal);
    expect(variableDoorType).toBe(inlineDoorType);
    expect(explicitFull).toBe(absent);
    expect(new Set([inlineTotal, inlineDoorType, absent]).size).toBe(3);
    // A quote counts under the same shape as the read.
    const { body } = await api.graphql(
      "query($f: InsightsFilter!) { quoteInsights(filter: $f) { fingerprint wouldCountTowardQueryQuota } }",
      { key: buyer, variables: { f: { ...days(3, 4), breakdown: ["DOOR_TYPE"] } } },
    );
    expect(body.data?.quoteInsights).toEqual({
      fingerprint: inlineDoorType,
      wouldCountTowardQueryQuota: false,
    });
  });
});

describe("pagination within a level", () => {
  it("pages of a TOTAL level return every cell exactly once, in order, the later pages free", async () => {
    const buyer = await freshBuyer();
    const { cells, charged, totalCount } = await readAll(buyer, { ...days(1, 11), breakdown: [] }, 3);
    const expected = Array.from({ length: 10 }, (_, day) =>
      CITIES.map((city) => `2026-01-${String(day + 1).padStart(2, "0")}T00:00:00Z|${city}|||`),
    ).flat();
    expect(cells.map(keyOf)).toEqual(expected);
    expect(totalCount).toBe(20);
    expect(charged).toHaveLength(7);
    expect(charged[0]).toBeCloseTo(1.0, 12);
    expect(charged.slice(1).every((epsilon) => epsilon === 0)).toBe(true);
  });

  it("pages of a single-dimension level return every cell exactly once, in lattice order", async () => {
    const buyer = await freshBuyer();
    const { cells, totalCount } = await readAll(buyer, { ...days(1, 5), breakdown: ["CATEGORY"] }, 10);
    const expected = ["01", "02", "03", "04"].flatMap((day) =>
      levelLattice("category", CITIES).map(
        (cell) => `2026-01-${day}T00:00:00Z|${cell.geoBucketId}||${cell.category?.toUpperCase()}|`,
      ),
    );
    expect(totalCount).toBe(4 * 2 * 9);
    expect(cells.map(keyOf)).toEqual(expected);
    expect(new Set(cells.map(keyOf)).size).toBe(cells.length);
  });
});

describe("quoteInsights per level", () => {
  const QUOTE = `query($f: InsightsFilter!) { quoteInsights(filter: $f) {
    epsilonCost newReleaseCount
    accuracy { granularity geoBucketType breakdown confidence uniqueParticipants doorsOpened repeatParticipants } } }`;

  it("reports the margins of the level read, with its breakdown, and its cost", async () => {
    const buyer = await freshBuyer();
    const total = await api.graphql(QUOTE, {
      key: buyer,
      variables: { f: { ...days(5, 7), breakdown: [] } },
    });
    expect(total.body.errors).toBeUndefined();
    // TOTAL DAY at epsilon 0.1: scales 20, 200 and 40 (the level's L0 1, C 5, split 0.5/0.25/0.25).
    const margin = (scale: number) =>
      Math.max(0, Math.ceil(scale * Math.log(2 / (0.05 * (Math.exp(1 / scale) + 1)))));
    expect(total.body.data?.quoteInsights).toEqual({
      epsilonCost: 0.2,
      newReleaseCount: 2,
      accuracy: [
        {
          granularity: "DAY",
          geoBucketType: "CITY_CODE",
          breakdown: [],
          confidence: 0.95,
          uniqueParticipants: margin(20),
          doorsOpened: margin(200),
          repeatParticipants: margin(40),
        },
      ],
    });
    const hour = await api.graphql(QUOTE, {
      key: buyer,
      variables: {
        f: {
          granularity: "HOUR",
          geoBucketIds: ["us-nyc"],
          timeBucketStartUtc: "2026-01-05T08:00:00Z",
          timeBucketEndUtc: "2026-01-05T10:00:00Z",
          categories: ["COFFEE"],
        },
      },
    });
    expect(hour.body.errors).toBeUndefined();
    const hourMargins = releaseMargins(
      releaseParameters({ ...CONTRACT_RELEASE_PROFILES.hour, epsilon: 0.15 }).noiseScales,
    );
    expect(hour.body.data?.quoteInsights).toEqual({
      epsilonCost: 0.15,
      newReleaseCount: 1,
      accuracy: [
        { granularity: "HOUR", geoBucketType: "CITY_CODE", breakdown: ["CATEGORY"], ...hourMargins },
      ],
    });
  });
});

describe("dataset export per level", () => {
  const EXPORT_URL = "http://yoga/v1/datasets/spots_insights_v1";
  const exportGet = (params: Record<string, string>, key = world.internalKey) =>
    api.app.fetch(`${EXPORT_URL}?${new URLSearchParams(params)}`, {
      headers: { authorization: `Bearer ${key}` },
    });
  const range = {
    time_bucket_start_utc: "2026-01-01T00:00:00Z",
    time_bucket_end_utc: "2026-01-03T00:00:00Z",
  };
  const records = async (response: Response) => {
    expect(response.status).toBe(200);
    return (await response.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { segment: Record<string, string>; geo_bucket: { id: string } });
  };

  it('an empty breakdown= exports the TOTAL level, every rolled-up dimension reading "all"', async () => {
    const response = await exportGet({ ...range, breakdown: "" });
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="spots_insights_v1_day_city_code_2026-01-01_2026-01-03_total.jsonl"',
    );
    const rows = await records(response);
    expect(rows.map((row) => [row.geo_bucket.id, row.segment])).toEqual(
      ["gb-lon", "us-nyc", "gb-lon", "us-nyc"].map((id) => [
        id,
        { door_type: "all", category: "all", context: "all" },
      ]),
    );
  });

  it("breakdown=door_type keeps the door type, in JSON lines and CSV alike, and a POST body reads the same", async () => {
    const rows = await records(
      await exportGet({ ...range, breakdown: "door_type", geo_bucket_ids: "us-nyc" }),
    );
    expect(rows.map((row) => row.segment)).toEqual(
      ["spot", "event", "community", "spot", "event", "community"].map((door_type) => ({
        door_type,
        category: "all",
        context: "all",
      })),
    );
    const csv = await exportGet({
      ...range,
      breakdown: "door_type",
      geo_bucket_ids: "us-nyc",
      format: "csv",
    });
    expect(csv.headers.get("content-disposition")).toContain('_2026-01-03_door_type.csv"');
    const [header, ...lines] = (await csv.text()).trim().split("\r\n");
    const columns = header?.split(",") ?? [];
    const at = (name: string) => columns.indexOf(name);
    expect(
      lines
        .map((line) => line.split(","))
        .map((cells) => [
          cells[at("segment.door_type")],
          cells[at("segment.category")],
          cells[at("segment.context")],
        ]),
    ).toEqual(rows.map((row) => [row.segment.door_type, "all", "all"]));
    const post = await api.app.fetch(EXPORT_URL, {
      method: "POST",
      headers: { authorization: `Bearer ${world.internalKey}`, "content-type": "application/json" },
      body: JSON.stringify({ ...range, breakdown: ["door_type"], geo_bucket_ids: ["us-nyc"] }),
    });
    expect(await records(post)).toEqual(rows);
  });

  it("refuses a filter on a rolled-up dimension and a level outside the plan with 422 before any charge", async () => {
    const before = await policyState(db);
    const filtered = await exportGet(
      { ...range, breakdown: "door_type", categories: "coffee" },
      world.buyerKey,
    );
    expect(filtered.status).toBe(422);
    expect(((await filtered.json()) as { error: { code: string } }).error.code).toBe("FILTER_NOT_ALLOWED");
    const pair = await exportGet({ ...range, breakdown: "door_type,category" }, world.buyerKey);
    expect(pair.status).toBe(422);
    const body = (await pair.json()) as { error: { code: string; released: string[][] } };
    expect(body.error.code).toBe("LEVEL_NOT_AVAILABLE");
    expect(body.error.released).toContainEqual([]);
    const unknown = await exportGet({ ...range, breakdown: "city" }, world.buyerKey);
    expect(unknown.status).toBe(400);
    expect(await policyState(db)).toEqual(before);
  });
});
