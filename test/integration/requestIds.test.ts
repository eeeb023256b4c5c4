import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushRequestLogs, testApp } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
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

const INSIGHTS = `query($filter: InsightsFilter!) { insights(filter: $filter) { totalCount } }`;
const SET_BUDGET = `mutation($input: SetBuyerBudgetInput!) { setBuyerBudget(input: $input) { userErrors { code } } }`;
const range = (from: number, to: number) => ({
  timeBucketStartUtc: `2026-01-${String(from).padStart(2, "0")}T00:00:00Z`,
  timeBucketEndUtc: `2026-01-${String(to).padStart(2, "0")}T00:00:00Z`,
});

async function auditRows(action: string, count: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = await db.query<{ request_id: string | null }>(
      "select request_id from audit_logs where type = 'admin_refused' and action = $1 order by id",
      [action],
    );
    if (rows.length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} admin_refused audit rows for ${action}`);
}

describe("request ids", () => {
  it("two requests with the same client x-request-id get their own server ids in budget charges and the request log", async () => {
    const api = testApp(db, world.clock);
    const headers = { "x-request-id": "shared-trace" };
    const first = await api.graphql(INSIGHTS, {
      key: world.buyerKey,
      variables: { filter: range(1, 3) },
      headers,
    });
    const second = await api.graphql(INSIGHTS, {
      key: world.buyerKey,
      variables: { filter: range(3, 5) },
      headers,
    });
    expect(first.body.errors).toBeUndefined();
    expect(second.body.errors).toBeUndefined();

    const ids = [first, second].map((response) => response.headers.get("x-request-id"));
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
    expect([first, second].map((response) => response.headers.get("x-client-request-id"))).toEqual([
      "shared-trace",
      "shared-trace",
    ]);

    const charges = await db.query<{ request_id: string; n: number }>(
      "select request_id, count(*)::int as n from budget_charges group by request_id order by request_id",
    );
    expect(charges).toEqual(
      [
        { request_id: ids[0], n: 2 },
        { request_id: ids[1], n: 2 },
      ].sort((a, b) => String(a.request_id).localeCompare(String(b.request_id))),
    );
    await flushRequestLogs();
    const logs = await db.query<{ request_id: string; client_request_id: string | null }>(
      "select request_id, client_request_id from request_logs where client_request_id = 'shared-trace' order by id",
    );
    expect(logs).toEqual([
      { request_id: ids[0], client_request_id: "shared-trace" },
      { request_id: ids[1], client_request_id: "shared-trace" },
    ]);
  });

  it("a client that sends another request's server id as its x-request-id cannot join that request's audit rows", async () => {
    const api = testApp(db, world.clock);
    const input = { partnerId: "outside_buyer_acme", epsilonLimit: 99 };
    const first = await api.graphql(SET_BUDGET, {
      key: world.internalKey,
      variables: { input },
      headers: { "x-request-id": "admin-trace" },
    });
    const firstId = first.headers.get("x-request-id") ?? "";
    const forged = await api.graphql(SET_BUDGET, {
      key: world.internalKey,
      variables: { input },
      headers: { "x-request-id": firstId },
    });
    expect([first, forged].map((response) => response.body.errors?.[0]?.extensions?.code)).toEqual([
      "FORBIDDEN",
      "FORBIDDEN",
    ]);
    const forgedId = forged.headers.get("x-request-id");
    expect(forgedId).not.toBe(firstId);
    expect(forged.headers.get("x-client-request-id")).toBe(firstId);

    const rows = await auditRows("setBuyerBudget", 2);
    expect(rows.map((row) => row.request_id)).toEqual([firstId, forgedId]);
    await flushRequestLogs();
    const logs = await db.query<{ client_request_id: string | null }>(
      "select client_request_id from request_logs where request_id = any($1::text[]) order by id",
      [[firstId, forgedId]],
    );
    expect(logs).toEqual([{ client_request_id: "admin-trace" }, { client_request_id: firstId }]);
  });

  it("an id that is not 1-128 characters of [A-Za-z0-9._:-] is neither kept nor echoed", async () => {
    const api = testApp(db, world.clock);
    const response = await api.graphql("{ viewer { role } }", {
      key: world.internalKey,
      headers: { "x-request-id": "bad id with spaces" },
    });
    const id = response.headers.get("x-request-id") ?? "";
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-client-request-id")).toBeNull();
    await flushRequestLogs();
    const logs = await db.query<{ client_request_id: string | null }>(
      "select client_request_id from request_logs where request_id = $1",
      [id],
    );
    expect(logs).toEqual([{ client_request_id: null }]);
  });
});
