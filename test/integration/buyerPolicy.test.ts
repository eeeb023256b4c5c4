import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushRequestLogs, type GraphQLBody, testApp } from "../support/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
});
afterAll(async () => {
  await db?.destroy();
});

const range = (from: number, to: number) => ({
  timeBucketStartUtc: `2026-01-${String(from).padStart(2, "0")}T00:00:00Z`,
  timeBucketEndUtc: `2026-01-${String(to).padStart(2, "0")}T00:00:00Z`,
});

async function read(filter: Record<string, unknown>, key = world.buyerKey, fields = "totalCount") {
  return testApp(db, world.clock).graphql(
    `query($f: InsightsFilter!) { insights(filter: $f) { ${fields} } }`,
    { key, variables: { f: filter } },
  );
}

const policyOf = (body: GraphQLBody) =>
  (
    body.extensions as {
      policy: { fingerprint: string; epsilonCharged: number; epsilonRemaining: number; releaseIds: string[] };
    }
  ).policy;

describe("buyer budget and quota", () => {
  it("quotes without charging, charges once per release, and re-reading is free", async () => {
    const api = testApp(db, world.clock);
    const before = await policyState(db);
    const quote = await api.graphql(
      `{ quoteInsights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z" }) { epsilonCost newReleaseCount epsilonRemaining fingerprint wouldCountTowardQueryQuota } }`,
      { key: world.buyerKey },
    );
    expect(quote.body.data?.quoteInsights).toMatchObject({
      epsilonCost: 1,
      newReleaseCount: 2,
      epsilonRemaining: 10,
      wouldCountTowardQueryQuota: true,
    });
    expect(await policyState(db)).toEqual(before);

    const first = await read(range(1, 3));
    expect(first.body.errors).toBeUndefined();
    expect(policyOf(first.body)).toMatchObject({ epsilonCharged: 1, epsilonRemaining: 9 });
    expect(policyOf(first.body).fingerprint).toBe(
      (quote.body.data?.quoteInsights as { fingerprint: string } | undefined)?.fingerprint,
    );
    const again = await read(range(1, 3));
    expect(policyOf(again.body)).toMatchObject({ epsilonCharged: 0, epsilonRemaining: 9 });
    const viewer = await api.graphql(
      "{ viewer { role partnerId privacyBudget { epsilonLimit epsilonSpent epsilonRemaining windowDays } queryQuota { dailyLimit usedToday } } }",
      { key: world.buyerKey },
    );
    expect(viewer.body.data?.viewer).toEqual({
      role: "BUYER",
      partnerId: "outside_buyer_acme",
      privacyBudget: { epsilonLimit: 10, epsilonSpent: 1, epsilonRemaining: 9, windowDays: 30 },
      queryQuota: { dailyLimit: 50, usedToday: 1 },
    });
  });

  it("refuses a request costing more than what remains with PRIVACY_BUDGET_EXCEEDED, charging nothing", async () => {
    const operator = testApp(db, world.clock);
    const set = await operator.graphql(
      `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_globex", epsilonLimit: 1.5 }) { budget { epsilonLimit epsilonRemaining } userErrors { code } } }`,
      { key: world.operatorKey },
    );
    expect(set.body.data?.setBuyerBudget).toEqual({
      budget: { epsilonLimit: 1.5, epsilonRemaining: 1.5 },
      userErrors: [],
    });
    const before = await policyState(db);
    const refused = await read(range(1, 5), world.otherBuyerKey);
    expect(refused.body.data ?? null).toBeNull();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: "PRIVACY_BUDGET_EXCEEDED",
      limit: 1.5,
      cost: 2,
      remaining: 1.5,
    });
    expect(await policyState(db)).toEqual(before);
    const fits = await read(range(1, 4), world.otherBuyerKey);
    expect(policyOf(fits.body)).toMatchObject({ epsilonCharged: 1.5, epsilonRemaining: 0 });
    // A request that costs nothing is never refused for budget, even once the limit is below what was spent.
    await operator.graphql(
      `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_globex", epsilonLimit: 0.1 }) { userErrors { code } } }`,
      { key: world.operatorKey },
    );
    const free = await read(range(1, 4), world.otherBuyerKey);
    expect(free.body.errors).toBeUndefined();
    expect(policyOf(free.body)).toMatchObject({ epsilonCharged: 0, epsilonRemaining: 0 });
    const notFree = await read(range(4, 5), world.otherBuyerKey);
    expect(notFree.body.errors?.[0]?.extensions).toMatchObject({
      code: "PRIVACY_BUDGET_EXCEEDED",
      cost: 0.5,
    });
  });

  it("refuses a new shape beyond the daily quota with QUERY_BUDGET_EXCEEDED, while known shapes still work", async () => {
    await testApp(db, world.clock).graphql(
      `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_acme", epsilonLimit: 10, dailyQueryLimit: 2 }) { userErrors { code } } }`,
      { key: world.operatorKey },
    );
    // One shape used in the first test; one more fits.
    expect((await read({ ...range(1, 3), geoBucketIds: ["us-nyc"] })).body.errors).toBeUndefined();
    const before = await policyState(db);
    const refused = await read({ ...range(1, 3), geoBucketIds: ["gb-lon"] });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: "QUERY_BUDGET_EXCEEDED",
      limit: 2,
      used: 2,
    });
    expect(await policyState(db)).toEqual(before);
    expect((await read(range(1, 3))).body.errors).toBeUndefined();
  });

  it("writes an audit entry for the operator's budget change", async () => {
    const rows = await db.query<{ action: string; target: string; actor: string }>(
      "select action, target, actor from audit_logs where action = 'setBuyerBudget' order by id",
    );
    expect(rows[0]).toMatchObject({ action: "setBuyerBudget", target: "outside_buyer_globex" });
    expect(rows[0]?.actor).toMatch(/^ib_operator_ \(test-operator\)$/);
  });

  it("alerts in the audit log when a buyer crosses 80% and 100% of its budget", async () => {
    const rows = await db.query<{ action: string; target: string }>(
      "select action, target from audit_logs where type = 'outside_buyer_privacy_budget' order by id",
    );
    expect(rows).toEqual([
      { action: "budget_80_percent", target: "outside_buyer_globex" },
      { action: "budget_100_percent", target: "outside_buyer_globex" },
    ]);
  });
});

describe("bounds and delay", () => {
  const cases: Array<[string, Record<string, unknown>, string, Record<string, unknown>]> = [
    [
      "a range longer than 90 days",
      { timeBucketStartUtc: "2025-09-01T00:00:00Z", timeBucketEndUtc: "2026-01-01T00:00:00Z" },
      "RANGE_TOO_LARGE",
      { limit: 90, actual: 122 },
    ],
    [
      "13 ISO weeks (the contract allows 12, at most 90 days)",
      {
        granularity: "WEEK",
        timeBucketStartUtc: "2025-10-06T00:00:00Z",
        timeBucketEndUtc: "2026-01-05T00:00:00Z",
      },
      "RANGE_TOO_LARGE",
      { limit: 12, actual: 13 },
    ],
    [
      "51 geo ids",
      {
        ...range(1, 2),
        geoBucketIds: Array.from({ length: 51 }, (_, i) => `us-c${String(i).padStart(2, "0")}`),
      },
      "TOO_MANY_GEO_BUCKETS",
      { limit: 50, actual: 51 },
    ],
    [
      "a range ending inside the 72 h delay",
      { timeBucketStartUtc: "2026-01-17T00:00:00Z", timeBucketEndUtc: "2026-01-18T00:00:00Z" },
      "REPORTING_DELAY_NOT_MET",
      { limit: 72 },
    ],
    [
      "HOUR by GEOHASH3",
      {
        granularity: "HOUR",
        geoBucketType: "GEOHASH3",
        geoBucketIds: ["dr5"],
        timeBucketStartUtc: "2026-01-05T08:00:00Z",
        timeBucketEndUtc: "2026-01-05T09:00:00Z",
      },
      "FILTER_NOT_ALLOWED",
      {},
    ],
    [
      "HOUR with two segment dimensions",
      {
        granularity: "HOUR",
        geoBucketIds: ["us-nyc"],
        doorTypes: ["SPOT"],
        categories: ["COFFEE"],
        timeBucketStartUtc: "2026-01-05T08:00:00Z",
        timeBucketEndUtc: "2026-01-05T09:00:00Z",
      },
      "FILTER_NOT_ALLOWED",
      { limit: 1, actual: 2 },
    ],
    [
      "HOUR without geo ids",
      {
        granularity: "HOUR",
        timeBucketStartUtc: "2026-01-05T08:00:00Z",
        timeBucketEndUtc: "2026-01-05T09:00:00Z",
      },
      "TOO_MANY_GEO_BUCKETS",
      { limit: 10 },
    ],
    [
      "an unaligned start",
      { timeBucketStartUtc: "2026-01-01T05:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z" },
      "BAD_USER_INPUT",
      {},
    ],
  ];
  for (const [name, filter, code, extensions] of cases) {
    it(`refuses ${name} with ${code} and the limit, charging nothing`, async () => {
      const before = await policyState(db);
      const { body } = await read(filter, world.otherBuyerKey);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject({ code, ...extensions });
      expect(await policyState(db)).toEqual(before);
    });
  }
});

describe("what buyers may see", () => {
  it("buyer introspection shows only the buyer-visible schema", async () => {
    const { body } = await testApp(db, world.clock).graphql(
      "{ __schema { types { name } queryType { fields { name } } mutationType { name } } }",
      { key: world.buyerKey },
    );
    const schema = (
      body.data as {
        __schema: {
          types: Array<{ name: string }>;
          queryType: { fields: Array<{ name: string }> };
          mutationType: unknown;
        };
      }
    ).__schema;
    expect(schema.queryType.fields.map((field) => field.name).sort()).toEqual([
      "cityGeohash3Bounds",
      "insights",
      "privacyStatement",
      "quoteInsights",
      "serverTime",
      "viewer",
    ]);
    expect(schema.mutationType).toBeNull();
    const names = schema.types.map((type) => type.name);
    expect(names).toContain("InsightCell");
    expect(names).not.toContain("CellDiagnostics");
    expect(names).not.toContain("SetBuyerBudgetPayload");
  });

  it("refuses root fields and mutations outside the buyer surface with FORBIDDEN", async () => {
    const { body } = await testApp(db, world.clock).graphql(
      `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_acme", epsilonLimit: 1000 }) { userErrors { code } } }`,
      { key: world.buyerKey },
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("gives no field suggestions that would name internal fields", async () => {
    const { body } = await read(range(1, 2), world.buyerKey, "nodes { diagnostic }");
    expect(JSON.stringify(body)).not.toMatch(/diagnostics|Did you mean/);
  });

  it("in reject mode refuses a stripped field with FIELD_NOT_ALLOWED", async () => {
    const { createApp } = await import("../../src/app");
    const { configFrom } = await import("../../src/config");
    const pino = (await import("pino")).default;
    const app = createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", POLICY_STRIP_MODE: "reject" }),
      clock: world.clock,
      logger: pino({ level: "silent" }),
    });
    const response = await app.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${world.buyerKey}` },
      body: JSON.stringify({
        query: `{ insights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z" }) { nodes { dataset diagnostics { trueUniqueParticipants } } } }`,
      }),
    });
    const body = (await response.json()) as GraphQLBody;
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: "FIELD_NOT_ALLOWED",
      path: "insights.nodes.diagnostics",
    });
  });

  it("writes a request-log row per request with the outcome and epsilon, never the key", async () => {
    await flushRequestLogs();
    const rows = await db.query<{
      outcome_code: string;
      role: string;
      key_prefix: string;
      epsilon_charged: number;
    }>(
      "select outcome_code, role::text, key_prefix, epsilon_charged from request_logs where partner_id = 'outside_buyer_globex' order by id",
    );
    expect(rows.map((row) => row.outcome_code)).toContain("PRIVACY_BUDGET_EXCEEDED");
    expect(rows.find((row) => row.epsilon_charged === 1.5)?.outcome_code).toBe("OK");
    expect(rows.every((row) => row.key_prefix === world.otherBuyerKey.slice(0, 12))).toBe(true);
  });
});

describe("rate limit", () => {
  it("answers RATE_LIMITED with HTTP 429 and a retry-after header once a buyer key exceeds its rate", async () => {
    const { createApp } = await import("../../src/app");
    const { configFrom } = await import("../../src/config");
    const pino = (await import("pino")).default;
    const app = createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", RATE_LIMIT_BUYER_PER_MINUTE: "2" }),
      clock: world.clock,
      logger: pino({ level: "silent" }),
    });
    const call = () =>
      app.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${world.buyerKey}` },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await limited.json()) as GraphQLBody;
    expect(body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });
});
