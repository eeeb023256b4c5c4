import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../src/policy/apiKeyFormat";
import type { GraphQLBody } from "../support/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  buyerKey,
  codeOf,
  days,
  policyOf,
  type RedteamApi,
  redteamApp,
  requestLogCount,
  setBudget,
} from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: RedteamApi;
let rejectApi: RedteamApi;
let quotaFullKey: string;
let poorKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = redteamApp(db, world.clock);
  rejectApi = redteamApp(db, world.clock, { POLICY_STRIP_MODE: "reject" });

  // acme has spent something and used a shape, so a refusal that wrote anything would show.
  const warm = await api.graphql(READ, { key: world.buyerKey, variables: { f: days(1, 3) } });
  expect(policyOf(warm.body).epsilonCharged).toBe(1);

  quotaFullKey = await buyerKey(db, world.clock, "outside_buyer_quota_full");
  await setBudget(api, world.operatorKey, "outside_buyer_quota_full", 100, 1);
  const used = await api.graphql(READ, { key: quotaFullKey, variables: { f: days(1, 2) } });
  expect(used.body.errors).toBeUndefined();

  poorKey = await buyerKey(db, world.clock, "outside_buyer_poor");
  await setBudget(api, world.operatorKey, "outside_buyer_poor", 0.5);
});
afterAll(async () => {
  await db?.destroy();
});

const READ = "query($f: InsightsFilter!) { insights(filter: $f) { totalCount nodes { dataset } } }";
/** Jan 7..8: never read by anyone in this file, so a charge or a shape from a refusal would be new. */
const FRESH = days(7, 8);
const literal = (filter: string, rest = "") =>
  `{ insights(filter: { ${filter} }${rest}) { totalCount nodes { dataset } } }`;

interface Refusal {
  name: string;
  code: string;
  send: () => Promise<{ body: GraphQLBody }>;
  /** A refused admin mutation also writes one admin_refused audit row, beside the refusal. */
  auditedRefusal?: boolean;
}

async function expectRefusedWithoutState(
  code: string,
  send: () => Promise<{ body: GraphQLBody }>,
  auditedRefusal = false,
) {
  const before = await policyState(db);
  const logsBefore = await requestLogCount(db);
  const { body } = await send();
  expect(codeOf(body), JSON.stringify(body).slice(0, 400)).toBe(code);
  // No data for the refused root field (here: no data at all).
  const data = body.data ?? null;
  if (data !== null) expect(Object.keys(data)).not.toContain("insights");
  expect(data?.insights ?? null).toBeNull();
  expect(data?.setBuyerBudget ?? null).toBeNull();
  if (auditedRefusal) {
    const audit = Number(before?.audit) + 1;
    let after = await policyState(db);
    for (let attempt = 0; attempt < 100 && after?.audit !== audit; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      after = await policyState(db);
    }
    expect(after).toEqual({ ...before, audit });
  } else {
    expect(await policyState(db)).toEqual(before);
  }
  expect(await requestLogCount(db)).toBe(logsBefore + 1);
  const [log] = await db.query<{ outcome_code: string; epsilon_charged: number }>(
    "select outcome_code, epsilon_charged from request_logs order by id desc limit 1",
  );
  expect(log).toEqual({ outcome_code: code, epsilon_charged: 0 });
}

const buyer = (query: string, variables?: Record<string, unknown>) => () =>
  api.graphql(query, { key: world.buyerKey, variables });
const withFilter = (filter: Record<string, unknown>, extraArgs: Record<string, unknown> = {}) =>
  buyer(
    "query($f: InsightsFilter!, $first: Int, $after: String) { insights(filter: $f, first: $first, after: $after) { totalCount nodes { dataset } } }",
    {
      f: filter,
      ...extraArgs,
    },
  );

const refusals: Refusal[] = [
  { name: "no key", code: "UNAUTHENTICATED", send: () => api.graphql(READ, { variables: { f: FRESH } }) },
  {
    name: "a key with a broken checksum",
    code: "UNAUTHENTICATED",
    send: () =>
      api.graphql(READ, {
        key: `${world.buyerKey.slice(0, -1)}${world.buyerKey.endsWith("A") ? "B" : "A"}`,
        variables: { f: FRESH },
      }),
  },
  {
    name: "a well-formed key nobody issued",
    code: "UNAUTHENTICATED",
    send: () => api.graphql(READ, { key: generateApiKey("buyer").plaintext, variables: { f: FRESH } }),
  },
  {
    name: "a buyer calling setBuyerBudget",
    code: "FORBIDDEN",
    auditedRefusal: true,
    send: buyer(
      `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_acme", epsilonLimit: 1000, dailyQueryLimit: 100000 }) { userErrors { code } } }`,
    ),
  },
  {
    name: "an unaligned start",
    code: "BAD_USER_INPUT",
    send: withFilter({ ...FRESH, timeBucketStartUtc: "2026-01-07T05:00:00Z" }),
  },
  {
    name: "a reversed range",
    code: "BAD_USER_INPUT",
    send: withFilter({
      timeBucketStartUtc: FRESH.timeBucketEndUtc,
      timeBucketEndUtc: FRESH.timeBucketStartUtc,
    }),
  },
  { name: "first above 1000", code: "BAD_USER_INPUT", send: withFilter(FRESH, { first: 5000 }) },
  {
    name: "an empty geoBucketIds list",
    code: "BAD_USER_INPUT",
    send: withFilter({ ...FRESH, geoBucketIds: [] }),
  },
  {
    name: "a geo id of the wrong format",
    code: "BAD_USER_INPUT",
    send: withFilter({ ...FRESH, geoBucketIds: ["New York"] }),
  },
  {
    name: "an unknown enum value in variables",
    code: "BAD_USER_INPUT",
    send: withFilter({ ...FRESH, doorTypes: ["CASTLE"] }),
  },
  {
    name: "an `after` that is not a cursor",
    code: "BAD_USER_INPUT",
    send: withFilter(days(8, 9), { after: "not-a-cursor" }),
  },
  {
    name: "a forged cursor naming a door type that does not exist",
    code: "BAD_USER_INPUT",
    send: withFilter(days(9, 10), {
      after: Buffer.from(
        JSON.stringify({
          bucketStart: "2026-01-09T00:00:00.000Z",
          geoBucketId: "us-nyc",
          doorType: "castle",
          category: "coffee",
          context: "morning",
        }),
      ).toString("base64url"),
    }),
  },
  {
    name: "a range ending inside the reporting delay",
    code: "REPORTING_DELAY_NOT_MET",
    send: withFilter({
      timeBucketStartUtc: "2026-01-17T00:00:00Z",
      timeBucketEndUtc: "2026-01-18T00:00:00Z",
    }),
  },
  {
    name: "a range of 91 days",
    code: "RANGE_TOO_LARGE",
    send: withFilter({
      timeBucketStartUtc: "2025-10-09T00:00:00Z",
      timeBucketEndUtc: "2026-01-08T00:00:00Z",
    }),
  },
  {
    name: "51 geo ids",
    code: "TOO_MANY_GEO_BUCKETS",
    send: withFilter({
      ...FRESH,
      geoBucketIds: Array.from({ length: 51 }, (_, i) => `us-c${String(i).padStart(2, "0")}`),
    }),
  },
  {
    name: "HOUR by GEOHASH3",
    code: "FILTER_NOT_ALLOWED",
    send: withFilter({
      granularity: "HOUR",
      geoBucketType: "GEOHASH3",
      geoBucketIds: ["dr5"],
      timeBucketStartUtc: "2026-01-07T08:00:00Z",
      timeBucketEndUtc: "2026-01-07T09:00:00Z",
    }),
  },
  {
    name: "a breakdown level the plan does not release (DAY CITY_CODE by door type and category)",
    code: "LEVEL_NOT_AVAILABLE",
    send: withFilter({ ...FRESH, breakdown: ["DOOR_TYPE", "CATEGORY"] }),
  },
  {
    name: "a filter on a dimension the breakdown rolls up",
    code: "FILTER_NOT_ALLOWED",
    send: withFilter({ ...FRESH, breakdown: ["CATEGORY"], doorTypes: ["SPOT"] }),
  },
  {
    name: "HOUR filtering two dimensions without a breakdown",
    code: "FILTER_NOT_ALLOWED",
    send: withFilter({
      granularity: "HOUR",
      geoBucketIds: ["us-nyc"],
      timeBucketStartUtc: "2026-01-07T08:00:00Z",
      timeBucketEndUtc: "2026-01-07T09:00:00Z",
      doorTypes: ["SPOT"],
      contexts: ["MORNING"],
    }),
  },
  {
    name: "a FULL cursor used on the TOTAL level",
    code: "BAD_USER_INPUT",
    send: withFilter(
      { ...days(9, 10), breakdown: [] },
      {
        after: Buffer.from(
          JSON.stringify({
            bucketStart: "2026-01-09T00:00:00Z",
            geoBucketId: "us-nyc",
            doorType: "spot",
            category: "coffee",
            context: "morning",
          }),
        ).toString("base64url"),
      },
    ),
  },
  {
    name: "diagnostics in reject mode",
    code: "FIELD_NOT_ALLOWED",
    send: () =>
      rejectApi.graphql(
        "query($f: InsightsFilter!) { insights(filter: $f) { nodes { dataset diagnostics { trueUniqueParticipants } } } }",
        { key: world.buyerKey, variables: { f: FRESH } },
      ),
  },
  {
    name: "a new shape beyond the daily quota",
    code: "QUERY_BUDGET_EXCEEDED",
    send: () => api.graphql(READ, { key: quotaFullKey, variables: { f: FRESH } }),
  },
  {
    name: "a cost above the remaining budget",
    code: "PRIVACY_BUDGET_EXCEEDED",
    send: () => api.graphql(READ, { key: poorKey, variables: { f: days(7, 9) } }),
  },
  {
    name: "a document deeper than 8",
    code: "QUERY_REJECTED",
    send: buyer(
      `{ insights(filter: { timeBucketStartUtc: "2026-01-07T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z" }) { edges { node { privacy { dp { releaseId } } } } }
         __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }`,
    ),
  },
  {
    name: "six aliases",
    code: "QUERY_REJECTED",
    send: buyer(
      `{ a: insights(filter: { timeBucketStartUtc: "2026-01-07T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z" }) { totalCount } b: viewer { role } c: viewer { role } d: viewer { role } e: viewer { role } f: viewer { role } }`,
    ),
  },
  {
    // Five aliases plus one named __typename: armor's default allowList does not count the last one.
    name: "six aliased insights selections, one of them aliased __typename",
    code: "QUERY_REJECTED",
    send: buyer(
      `{ ${["a", "b", "c", "d", "e", "__typename"]
        .map(
          (alias, i) =>
            `${alias}: insights(filter: { timeBucketStartUtc: "2026-01-0${i + 1}T00:00:00Z", timeBucketEndUtc: "2026-01-0${i + 2}T00:00:00Z" }) { totalCount }`,
        )
        .join(" ")} }`,
    ),
  },
  {
    name: "more than 1000 tokens",
    code: "QUERY_REJECTED",
    send: buyer(
      literal(
        `timeBucketStartUtc: "2026-01-07T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z", geoBucketIds: [${Array(1100).fill('"us-nyc"').join(",")}]`,
      ),
    ),
  },
  {
    name: "a fragment bomb above the cost limit",
    code: "QUERY_REJECTED",
    send: buyer(
      `{ insights(filter: { timeBucketStartUtc: "2026-01-07T00:00:00Z", timeBucketEndUtc: "2026-01-08T00:00:00Z" }) { nodes { ...F12 } } } fragment F0 on InsightCell { dataset }${Array.from(
        { length: 12 },
        (_, i) => ` fragment F${i + 1} on InsightCell { ...F${i} ... on InsightCell { ...F${i} } }`,
      ).join("")}`,
    ),
  },
];

describe("a refusal returns its code, no data and changes no state (only the request log grows, by one row)", () => {
  for (const refusal of refusals) {
    it(`${refusal.code}: ${refusal.name}`, async () => {
      await expectRefusedWithoutState(refusal.code, refusal.send, refusal.auditedRefusal);
    });
  }

  it("RATE_LIMITED: the third request of a minute with a limit of 2", async () => {
    const limited = redteamApp(db, world.clock, { RATE_LIMIT_BUYER_PER_MINUTE: "2" });
    for (let i = 0; i < 2; i++) {
      const { body } = await limited.graphql("{ viewer { role } }", { key: world.buyerKey });
      expect(body.data).toEqual({ viewer: { role: "BUYER" } });
    }
    await expectRefusedWithoutState("RATE_LIMITED", () =>
      limited.graphql(READ, { key: world.buyerKey, variables: { f: FRESH } }),
    );
  });

  it("one refused selection refuses the whole operation: the valid sibling is neither read nor charged", async () => {
    await expectRefusedWithoutState(
      "RANGE_TOO_LARGE",
      buyer(
        `query($ok: InsightsFilter!, $big: InsightsFilter!) {
          ok: insights(filter: $ok) { totalCount } big: insights(filter: $big) { totalCount } viewer { role } }`,
        {
          ok: FRESH,
          big: { timeBucketStartUtc: "2025-09-01T00:00:00Z", timeBucketEndUtc: "2026-01-01T00:00:00Z" },
        },
      ),
    );
  });

  it("after all those refusals the fresh filter is still uncharged and a new shape", async () => {
    const { body } = await api.graphql(
      "query($f: InsightsFilter!) { quoteInsights(filter: $f) { epsilonCost newReleaseCount wouldCountTowardQueryQuota } }",
      { key: world.buyerKey, variables: { f: FRESH } },
    );
    expect(body.data?.quoteInsights).toEqual({
      epsilonCost: 0.5,
      newReleaseCount: 1,
      wouldCountTowardQueryQuota: true,
    });
  });
});
