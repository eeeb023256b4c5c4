import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { type GraphQLBody, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const clock = fixedClock("2026-06-01T12:00:00Z");
let db: TestDatabase;
let operatorKey: string;
let internalKey: string;
let buyerKey: string;
const api = () => testApp(db, clock);
const opsOf = <T>(body: GraphQLBody): T => {
  if (body.data?.ops === undefined || body.data.ops === null) throw new Error(JSON.stringify(body.errors));
  return body.data.ops as T;
};

const HEALTH = `{ ops { databaseHealth(first: 5) {
  backend serverVersion status activeConnections activeConnectionsWarning totalConnections maxConnections
  connectionsByState { state count } databaseSizeBytes
  longestRunningStatements { pid state startedAt durationMs waitEventType query }
  statementStatistics { available reason statements { query calls totalTimeMs meanTimeMs rows } }
  notes
} } }`;

interface Health {
  backend: string;
  serverVersion: string;
  status: string;
  activeConnections: number;
  activeConnectionsWarning: number;
  totalConnections: number;
  maxConnections: number;
  connectionsByState: Array<{ state: string; count: number }>;
  databaseSizeBytes: number;
  longestRunningStatements: Array<{ pid: number; state: string; durationMs: number; query: string }>;
  statementStatistics: {
    available: boolean;
    reason: string | null;
    statements: Array<{ query: string; calls: number; totalTimeMs: number }>;
  };
  notes: string[];
}

beforeAll(async () => {
  db = await createTestDatabase();
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});

describe("ops.databaseHealth", () => {
  it("answers with the backend's real connections, size and statement statistics (or why there are none)", async () => {
    const { body } = await api().graphql(HEALTH, { key: internalKey });
    expect(body.errors).toBeUndefined();
    const health = opsOf<{ databaseHealth: Health }>(body).databaseHealth;
    const [size] = await db.query<{ bytes: number }>(
      "select pg_database_size(current_database())::float8 as bytes",
    );
    // The size moves a little as the request log is written; it is this database's, not a constant.
    expect(health.databaseSizeBytes).toBeGreaterThan(1_000_000);
    expect(Math.abs(health.databaseSizeBytes - Number(size?.bytes)) / Number(size?.bytes)).toBeLessThan(0.05);
    expect(health.activeConnections).toBeGreaterThanOrEqual(1);
    expect(health.totalConnections).toBeGreaterThanOrEqual(health.activeConnections);
    expect(health.connectionsByState.find((row) => row.state === "active")?.count).toBe(
      health.activeConnections,
    );
    expect(health.connectionsByState.reduce((sum, row) => sum + row.count, 0)).toBe(health.totalConnections);
    expect(health.activeConnectionsWarning).toBe(150);
    expect(health.status).toBe("OK");
    expect(health.maxConnections).toBeGreaterThan(0);
    expect(health.serverVersion).toMatch(/^\d+/);
    expect(health.statementStatistics.available).toBe(false);
    if (db.kind === "postgres") {
      expect(health.backend).toBe("POSTGRES");
      expect(health.notes).toEqual([]);
      // The pool's other connections sit idle; the request's own statement is not listed.
      expect(health.longestRunningStatements.every((row) => row.state !== "idle")).toBe(true);
      expect(health.statementStatistics.reason).toMatch(
        /pg_stat_statements is not installed in this database.*shared_preload_libraries/,
      );
    } else {
      expect(health.backend).toBe("PGLITE");
      expect(health.totalConnections).toBe(1);
      expect(health.longestRunningStatements).toEqual([]);
      expect(health.notes[0]).toMatch(/one connection/);
      expect(health.statementStatistics.reason).toMatch(/PGlite.*no pg_stat_statements/);
    }
  });

  it("lists another connection's long statement on PostgreSQL", async () => {
    if (db.kind !== "postgres") return;
    // A second connection of the pool holds a statement open while the view is read.
    const sleeping = db.query("select pg_sleep(1.5) as slept");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { body } = await api().graphql(HEALTH, { key: internalKey });
    await sleeping;
    const health = opsOf<{ databaseHealth: Health }>(body).databaseHealth;
    const sleeper = health.longestRunningStatements.find((row) => row.query.includes("pg_sleep"));
    expect(sleeper).toMatchObject({ state: "active", query: "select pg_sleep(1.5) as slept" });
    expect(sleeper?.durationMs).toBeGreaterThan(100);
    expect(health.activeConnections).toBeGreaterThanOrEqual(2);
  });

  it("says plainly when pg_stat_statements is installed but not loaded (PostgreSQL)", async () => {
    if (db.kind !== "postgres") return;
    const [loaded] = await db.query<{ libraries: string }>(
      "select current_setting('shared_preload_libraries') as libraries",
    );
    if (loaded?.libraries.includes("pg_stat_statements")) return;
    await db.query("create extension if not exists pg_stat_statements");
    try {
      const { body } = await api().graphql(HEALTH, { key: internalKey });
      const stats = opsOf<{ databaseHealth: Health }>(body).databaseHealth.statementStatistics;
      expect(stats.available).toBe(false);
      expect(stats.statements).toEqual([]);
      expect(stats.reason).toMatch(
        /^pg_stat_statements is installed but cannot be read: .*shared_preload_libraries/,
      );
    } finally {
      await db.query("drop extension pg_stat_statements");
    }
  });

  it("is for INTERNAL and OPERATOR keys; first is bounded", async () => {
    const buyer = await api().graphql("{ ops { databaseHealth { status } } }", { key: buyerKey });
    expect(buyer.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const bad = await api().graphql("{ ops { databaseHealth(first: 51) { status } } }", { key: operatorKey });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("the database_connections monitor", () => {
  const RUN = `mutation { runMonitors(input: { names: ["database_connections"] }) { checked fired newFeedItems failed } }`;

  it("samples the connections at each run and stays quiet below its threshold", async () => {
    const { body } = await api().graphql(RUN, { key: operatorKey });
    expect(body.data?.runMonitors).toEqual({ checked: 1, fired: 0, newFeedItems: 0, failed: 0 });
    const [sample] = await db.query<{ active: number; total: number; sampled_at: Date }>(
      "select active, total, sampled_at from database_health_samples order by sampled_at desc limit 1",
    );
    expect(sample?.active).toBeGreaterThanOrEqual(1);
    expect(new Date(sample?.sampled_at ?? 0).toISOString()).toBe("2026-06-01T12:00:00.000Z");
  });

  it("fires on connection exhaustion: with the threshold set to 1, a run opens a WARNING feed item", async () => {
    const tuned = await api().graphql(
      `mutation { upsertMonitor(input: { name: "database_connections", threshold: 1 }) { userErrors { code } } }`,
      { key: operatorKey },
    );
    expect(tuned.body.data?.upsertMonitor).toEqual({ userErrors: [] });
    const { body } = await api().graphql(RUN, { key: operatorKey });
    expect(body.data?.runMonitors).toEqual({ checked: 1, fired: 1, newFeedItems: 1, failed: 0 });
    const feed = await api().graphql("{ ops { feed(first: 10) { nodes { source severity title } } } }", {
      key: internalKey,
    });
    const items = opsOf<{ feed: { nodes: Array<{ source: string; severity: string; title: string }> } }>(
      feed.body,
    ).feed.nodes;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ source: "database_connections", severity: "WARNING" });
    expect(items[0]?.title).toMatch(/^database_connections fired for active_connections: \d+ >= 1$/);
    // The view's verdict follows the monitor's threshold.
    const health = await api().graphql("{ ops { databaseHealth { status activeConnectionsWarning } } }", {
      key: internalKey,
    });
    expect(health.body.data?.ops).toEqual({
      databaseHealth: { status: "WARNING", activeConnectionsWarning: 1 },
    });
  });
});
