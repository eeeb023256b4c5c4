import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { hoursBefore, insertAnomalies } from "../support/anomalies";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const now = new Date("2026-03-10T12:00:00Z");
const clock = fixedClock(now);
let db: TestDatabase;
let api: ReturnType<typeof testApp>;
const keys: Record<string, string> = {};
let ids: string[] = [];

const LIST = `query ($windowHours: Int, $tenant: String, $severity: [Severity!], $first: Int, $after: String) {
  anomalies(windowHours: $windowHours, tenant: $tenant, severity: $severity, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id anomalyType severity tenantId batchId rowIndex projectKey correlationId payloadExcerpt createdAt }
  }
}`;
const STATS = `query ($windowHours: Int) {
  anomalyStats(windowHours: $windowHours) {
    windowHours since totalCount errorCount warningCount infoCount
    byTypeAndSeverity { anomalyType severity count }
  }
}`;

interface Listed {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Array<{
    id: string;
    anomalyType: string;
    severity: string;
    tenantId: string;
    createdAt: string;
    payloadExcerpt: string;
  }>;
}

async function list(variables: Record<string, unknown>, key = keys.internal): Promise<Listed> {
  const { body } = await api.graphql(LIST, { key, variables });
  expect(body.errors).toBeUndefined();
  return body.data?.anomalies as Listed;
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = testApp(db, clock);
  for (const role of ["internal", "operator", "buyer", "tenant"] as const) {
    keys[role] = (await issueTestKey(db, role, { clock })).apiKey;
  }
  ids = await insertAnomalies(db, [
    { createdAt: hoursBefore(now, 1), anomalyType: "UNKNOWN_DS", severity: "error" },
    { createdAt: hoursBefore(now, 2), anomalyType: "UNKNOWN_RM", severity: "error" },
    { createdAt: hoursBefore(now, 3), anomalyType: "UNKNOWN_DELIVERY_PARTNER", severity: "warning" },
    { createdAt: hoursBefore(now, 5), anomalyType: "UNKNOWN_DS", severity: "error", tenantId: "OTHER" },
    { createdAt: hoursBefore(now, 30), anomalyType: "UNKNOWN_DS", severity: "error" },
    { createdAt: hoursBefore(now, 100), anomalyType: "UNKNOWN_DELIVERY_PARTNER", severity: "warning" },
  ]);
});
afterAll(async () => {
  await db?.destroy();
});

describe("anomalies", () => {
  it("lists the default 24 h window newest first with every contract field", async () => {
    const page = await list({});
    expect(page.totalCount).toBe(4);
    expect(page.nodes.map((node) => node.id)).toEqual(ids.slice(0, 4));
    expect(page.nodes[0]).toMatchObject({
      anomalyType: "UNKNOWN_DS",
      severity: "ERROR",
      tenantId: "TELCO",
      createdAt: "2026-03-10T11:00:00Z",
    });
    expect(page.nodes[2]?.severity).toBe("WARNING");
  });

  it("filters by window, tenant and severity", async () => {
    expect((await list({ windowHours: 48 })).totalCount).toBe(5);
    expect((await list({ windowHours: 2 })).nodes.map((n) => n.id)).toEqual(ids.slice(0, 2));
    const telco = await list({ windowHours: 200, tenant: "TELCO" });
    expect(telco.totalCount).toBe(5);
    expect(telco.nodes.every((n) => n.tenantId === "TELCO")).toBe(true);
    const warnings = await list({ windowHours: 200, severity: ["WARNING"] });
    expect(warnings.nodes.map((n) => n.id)).toEqual([ids[2], ids[5]]);
    expect(
      (await list({ windowHours: 200, severity: ["WARNING", "ERROR"], tenant: "OTHER" })).totalCount,
    ).toBe(1);
    expect((await list({ windowHours: 200, severity: ["INFO"] })).totalCount).toBe(0);
  });

  it("pages with keyset cursors without gaps or repeats, also between rows created at the same instant", async () => {
    const sameInstant = await insertAnomalies(db, [
      { createdAt: hoursBefore(now, 4) },
      { createdAt: hoursBefore(now, 4) },
      { createdAt: hoursBefore(now, 4) },
    ]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list({ windowHours: 200, first: 2, after });
      expect(page.totalCount).toBe(9);
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    expect(seen.slice(0, 3)).toEqual(ids.slice(0, 3));
    expect(new Set(seen.slice(3, 6))).toEqual(new Set(sameInstant));
    await db.query("delete from import_anomalies where id = any($1::uuid[])", [sameInstant]);
  });

  it("refuses a window outside 1..2208 hours and a forged cursor", async () => {
    const bad = await api.graphql(LIST, { key: keys.internal, variables: { windowHours: 0 } });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const forged = await api.graphql(LIST, { key: keys.internal, variables: { after: "bm90LWEtY3Vyc29y" } });
    expect(forged.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("counts per type and severity for the requested window", async () => {
    const { body } = await api.graphql(STATS, { key: keys.operator, variables: { windowHours: 4 } });
    expect(body.errors).toBeUndefined();
    expect(body.data?.anomalyStats).toEqual({
      windowHours: 4,
      since: "2026-03-10T08:00:00Z",
      totalCount: 3,
      errorCount: 2,
      warningCount: 1,
      infoCount: 0,
      byTypeAndSeverity: [
        { anomalyType: "UNKNOWN_DELIVERY_PARTNER", severity: "WARNING", count: 1 },
        { anomalyType: "UNKNOWN_DS", severity: "ERROR", count: 1 },
        { anomalyType: "UNKNOWN_RM", severity: "ERROR", count: 1 },
      ],
    });
    const day = await api.graphql(STATS, { key: keys.internal });
    expect(day.body.data?.anomalyStats).toMatchObject({ totalCount: 4 });
    const week = await api.graphql(STATS, { key: keys.internal, variables: { windowHours: 168 } });
    expect(week.body.data?.anomalyStats).toMatchObject({ totalCount: 6, errorCount: 4, warningCount: 2 });
  });

  it("is FORBIDDEN to buyers and tenants, with no data", async () => {
    for (const role of ["buyer", "tenant"] as const) {
      for (const query of [LIST, STATS]) {
        const { body } = await api.graphql(query, { key: keys[role] });
        expect(body.data?.anomalies ?? body.data?.anomalyStats ?? null).toBeNull();
        expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      }
    }
  });
});
