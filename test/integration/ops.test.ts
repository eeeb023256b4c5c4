import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEntry } from "../../src/audit/chain";
import { DEFAULT_RELEASE_PLAN, planTotals } from "../../src/privacy/releasePlan";
import { flushRequestLogs, testApp } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  const api = testApp(db, world.clock);
  // Some buyer traffic: one charged read, one shape-quota refusal.
  await api.graphql(
    `mutation { setBuyerBudget(input: { partnerId: "outside_buyer_acme", epsilonLimit: 4, dailyQueryLimit: 1 }) { userErrors { code } } }`,
    { key: world.operatorKey },
  );
  const read = (ids: string[]) =>
    api.graphql(
      `query($ids: [String!]) { insights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z", geoBucketIds: $ids }) { totalCount } }`,
      { key: world.buyerKey, variables: { ids } },
    );
  await read(["us-nyc"]);
  await read(["gb-lon"]);
  // The request views read request_logs, written in batches after the responses.
  await flushRequestLogs();
});
afterAll(async () => {
  await db?.destroy();
});

async function ops(selection: string, key = world.internalKey) {
  const { body } = await testApp(db, world.clock).graphql(`{ ops { ${selection} } }`, { key });
  return body;
}

describe("ops views", () => {
  it("privacyBudgetUsage shows each buyer's limit, spent, remaining and last charge", async () => {
    const body = await ops(
      "privacyBudgetUsage { partnerId epsilonLimit epsilonSpent epsilonRemaining windowDays lastChargeAt }",
    );
    expect(body.data?.ops).toEqual({
      privacyBudgetUsage: [
        {
          partnerId: "outside_buyer_acme",
          epsilonLimit: 4,
          epsilonSpent: 1,
          epsilonRemaining: 3,
          windowDays: 30,
          lastChargeAt: "2026-01-20T12:00:00Z",
        },
      ],
    });
  });

  it("exportRequestStats and queryFingerprintStats count buyer requests, outcomes and shapes per day", async () => {
    const body = await ops(
      "exportRequestStats { day requests byOutcome { code count } } queryFingerprintStats { partnerId day distinctShapes quotaRefusals }",
    );
    const data = body.data?.ops as {
      exportRequestStats: Array<{
        day: string;
        requests: number;
        byOutcome: Array<{ code: string; count: number }>;
      }>;
      queryFingerprintStats: unknown[];
    };
    expect(data.exportRequestStats).toEqual([
      {
        day: "2026-01-20",
        requests: 2,
        byOutcome: [
          { code: "OK", count: 1 },
          { code: "QUERY_BUDGET_EXCEEDED", count: 1 },
        ],
      },
    ]);
    expect(data.queryFingerprintStats).toEqual([
      { partnerId: "outside_buyer_acme", day: "2026-01-20", distinctShapes: 1, quotaRefusals: 1 },
    ]);
  });

  it("budgetChargesPerDay sums each buyer's charges per UTC day within the days asked for", async () => {
    const [release] = await db.query<{ id: string }>("select id from releases order by id limit 1");
    // Two earlier charges of another buyer: one 3 days back (shown), one 20 days back (outside 14 days).
    for (const [at, epsilon] of [
      ["2026-01-17T08:00:00Z", 0.25],
      ["2026-01-17T09:30:00Z", 0.5],
      ["2025-12-31T10:00:00Z", 2],
    ] as const) {
      await db.query(
        "insert into budget_charges (partner_id, release_id, epsilon, charged_at) values ('outside_buyer_globex', $1, $2, $3)",
        [release?.id, epsilon, at],
      );
    }
    const [acme] = await db.query<{ n: number }>(
      "select count(*)::int as n from budget_charges where partner_id = 'outside_buyer_acme'",
    );
    const body = await ops("budgetChargesPerDay { partnerId day epsilon charges }");
    expect(body.data?.ops).toEqual({
      budgetChargesPerDay: [
        { partnerId: "outside_buyer_acme", day: "2026-01-20", epsilon: 1, charges: acme?.n },
        { partnerId: "outside_buyer_globex", day: "2026-01-17", epsilon: 0.75, charges: 2 },
      ],
    });
    const month = await ops("budgetChargesPerDay(days: 30) { partnerId day epsilon }");
    expect((month.data!.ops as { budgetChargesPerDay: unknown[] }).budgetChargesPerDay).toContainEqual({
      partnerId: "outside_buyer_globex",
      day: "2025-12-31",
      epsilon: 2,
    });
    await db.query("delete from budget_charges where partner_id = 'outside_buyer_globex'");
  });

  it("cacheFreshness flags granularities whose newest release lags the delay by more than the margin", async () => {
    const body = await ops("cacheFreshness { granularity latestReleasedBucketUtc lagHours stale }");
    expect(body.data?.ops).toEqual({
      cacheFreshness: [
        { granularity: "HOUR", latestReleasedBucketUtc: null, lagHours: null, stale: true },
        // Newest DAY bucket Jan 10 ended Jan 11 00:00; now is Jan 20 12:00: 228 h, far past 72 + 48 + 3.
        { granularity: "DAY", latestReleasedBucketUtc: "2026-01-10T00:00:00Z", lagHours: 228, stale: true },
        { granularity: "WEEK", latestReleasedBucketUtc: null, lagHours: null, stale: true },
      ],
    });
  });

  it("cityCodeCoverage and privacyLedger describe the map and the released epsilon", async () => {
    const body = await ops(
      "cityCodeCoverage { cities { cityCode geohash3Cells } unmappedEventShare7d } privacyLedger { days { dayUtc epsilon families outsideGuarantee } highestDay { dayUtc epsilon } epsilonCap planEpsilonPerParticipantDay }",
    );
    const data = body.data?.ops as {
      cityCodeCoverage: {
        cities: Array<{ cityCode: string; geohash3Cells: number }>;
        unmappedEventShare7d: number;
      };
      privacyLedger: unknown;
    };
    expect(data.cityCodeCoverage.cities.map((city) => city.cityCode)).toEqual(["gb-lon", "us-nyc"]);
    expect(data.cityCodeCoverage.cities.every((city) => city.geohash3Cells >= 1)).toBe(true);
    expect(data.cityCodeCoverage.unmappedEventShare7d).toBe(0);
    // Per participant-day: each of Jan 1..10 is read by its DAY release of each geo type.
    expect(data.privacyLedger).toEqual({
      days: Array.from({ length: 10 }, (_, index) => ({
        dayUtc: `2026-01-${String(index + 1).padStart(2, "0")}`,
        epsilon: 1,
        families: 2,
        outsideGuarantee: false,
      })),
      highestDay: { dayUtc: "2026-01-01", epsilon: 1 },
      epsilonCap: 3,
      planEpsilonPerParticipantDay: planTotals(DEFAULT_RELEASE_PLAN).epsilonDay,
    });
  });

  it("auditLog pages through every entry in id order, past ids of more digits", async () => {
    // Enough entries that ids 1..9 and 10.. coexist (a text sort would put "9" before "19").
    for (let i = 0; i < 12; i++) {
      await db.transaction((query) =>
        appendAuditEntry(query, {
          at: new Date("2026-01-20T12:00:00Z"),
          type: "admin_mutation",
          actor: "test",
          action: "noop",
          target: `entry-${i}`,
          outcome: "OK",
        }),
      );
    }
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const body = await ops(
        `auditLog(first: 5${after ? `, after: "${after}"` : ""}) { pageInfo { hasNextPage endCursor } nodes { id } }`,
      );
      const log = (
        body.data!.ops as {
          auditLog: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Array<{ id: string }> };
        }
      ).auditLog;
      seen.push(...log.nodes.map((node) => Number(node.id)));
      if (!log.pageInfo.hasNextPage) break;
      after = log.pageInfo.endCursor;
    }
    const [count] = await db.query<{ n: number; max: number }>(
      "select count(*)::int as n, max(id)::int as max from audit_logs",
    );
    expect(seen).toHaveLength(count?.n ?? 0);
    expect(seen[0]).toBe(count?.max);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it("auditLog pages newest first, and verifyAuditChain finds a tampered entry", async () => {
    const page = await ops(
      "auditLog(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { id action actor } }",
    );
    const log = (
      page.data!.ops as {
        auditLog: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          nodes: Array<{ id: string; action: string }>;
        };
      }
    ).auditLog;
    expect(log.totalCount).toBeGreaterThanOrEqual(5);
    expect(log.nodes).toHaveLength(2);
    expect(Number(log.nodes[0]?.id)).toBeGreaterThan(Number(log.nodes[1]?.id));
    expect(log.nodes[0]?.action).toBe("noop");
    expect(log.pageInfo.hasNextPage).toBe(true);

    expect((await ops("verifyAuditChain { valid firstBrokenId }")).data?.ops).toEqual({
      verifyAuditChain: { valid: true, firstBrokenId: null },
    });
    const [victim] = await db.query<{ id: string }>(
      "select id::text as id from audit_logs order by id limit 1 offset 1",
    );
    await db.query("update audit_logs set target = 'someone else' where id = $1", [victim?.id]);
    expect((await ops("verifyAuditChain { valid firstBrokenId }")).data?.ops).toEqual({
      verifyAuditChain: { valid: false, firstBrokenId: victim?.id },
    });
  });

  it("apiKeys lists keys without secrets, and ops is not for buyers", async () => {
    const body = await ops("apiKeys { name prefix role }");
    const keys = (body.data!.ops as { apiKeys: Array<{ prefix: string; role: string }> }).apiKeys;
    expect(keys.map((key) => key.role).sort()).toEqual(["BUYER", "BUYER", "INTERNAL", "OPERATOR"]);
    expect(JSON.stringify(body)).not.toContain(world.buyerKey.slice(12));
    const buyer = await ops("apiKeys { name }", world.buyerKey);
    expect(buyer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
