import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushRequestLogs, testApp } from "../support/app";
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

const FILTER = { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-04T00:00:00Z" };
const DENIED_ALIAS = `query($filter: InsightsFilter!) { insights(filter: $filter) { text: totalCount } }`;

const deniedAuditRows = () =>
  db.query<{ at: Date; request_id: string; details: { responseKeys: string[] } }>(
    "select at, request_id, details from audit_logs where type = 'denied_response_key' order by id",
  );

describe("deny-listed response keys", () => {
  it("an alias such as text: totalCount is refused before the charge: nothing charged or counted, a clear error", async () => {
    const api = testApp(db, world.clock);
    const before = await policyState(db);
    const { status, headers, body } = await api.graphql(DENIED_ALIAS, {
      key: world.buyerKey,
      variables: { filter: FILTER },
    });
    expect(status).toBe(200);
    expect(body.data ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toEqual({
      code: "FIELD_NOT_ALLOWED",
      reason: "DENIED_RESPONSE_KEY",
      responseKeys: ["text"],
    });
    expect(body.errors?.[0]?.message).toMatch(
      /^The response key "text" names a field the data contract forbids/,
    );
    expect(body.errors?.[0]?.message).toMatch(/nothing was charged/);
    expect(body.extensions?.policy).toBeUndefined();

    const after = await policyState(db);
    // budget_charges and query_fingerprints (shapes and hits) unchanged; one audit row.
    expect({ ...after, audit: before?.audit }).toEqual(before);
    expect(Number(after?.audit) - Number(before?.audit)).toBe(1);
    const rows = await deniedAuditRows();
    expect(rows.map((row) => [row.request_id, row.details])).toEqual([
      [headers.get("x-request-id"), { responseKeys: ["text"] }],
    ]);
    await flushRequestLogs();
    const [log] = await db.query<{ outcome_code: string; epsilon_charged: number }>(
      "select outcome_code, epsilon_charged from request_logs where request_id = $1",
      [headers.get("x-request-id")],
    );
    expect(log).toEqual({ outcome_code: "FIELD_NOT_ALLOWED", epsilon_charged: 0 });
  });

  it("denied keys in fragments and in any case style are refused too, audited at most once per API key and minute", async () => {
    const api = testApp(db, world.clock);
    const before = await policyState(db);
    const queries = [
      `query($filter: InsightsFilter!) { insights(filter: $filter) { ...F } } fragment F on InsightCellConnection { userId: totalCount }`,
      `query($filter: InsightsFilter!) { insights(filter: $filter) { nodes { ... on InsightCell { IP_ADDRESS: dataset } } } }`,
      `query($filter: InsightsFilter!) { insights(filter: $filter) { totalCount } viewer { _message_: role } }`,
    ];
    for (const query of queries) {
      const { body } = await api.graphql(query, { key: world.buyerKey, variables: { filter: FILTER } });
      expect(body.errors?.[0]?.extensions?.code, query).toBe("FIELD_NOT_ALLOWED");
      expect(body.data ?? null, query).toBeNull();
    }
    const after = await policyState(db);
    expect(after).toEqual(before);
    expect(await deniedAuditRows()).toHaveLength(1);

    // A minute later, the next refusal is on record again.
    const later = new Date(world.clock.now().getTime() + 60_000);
    const laterApi = testApp(db, { now: () => later });
    const { body } = await laterApi.graphql(DENIED_ALIAS, {
      key: world.buyerKey,
      variables: { filter: FILTER },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe("FIELD_NOT_ALLOWED");
    expect(await deniedAuditRows()).toHaveLength(2);
  });

  it("the same operation without the denied alias is answered and charged", async () => {
    const api = testApp(db, world.clock);
    const before = await policyState(db);
    const { body } = await api.graphql(
      `query($filter: InsightsFilter!) { insights(filter: $filter) { count: totalCount } }`,
      { key: world.buyerKey, variables: { filter: FILTER } },
    );
    expect(body.errors).toBeUndefined();
    expect((body.data?.insights as { count: number } | undefined)?.count).toBeGreaterThan(0);
    const after = await policyState(db);
    expect(Number(after?.charges) - Number(before?.charges)).toBe(3);
  });
});
