import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client";
import { expectedMigrationCount, migrateDatabase, migrationsApplied } from "../../src/db/migrate";
import { ensureReferenceData } from "../../src/db/referenceData";
import { createTestDatabase, type TestDatabase } from "../support/database";

const TABLES = [
  "action_ledger",
  "alert_deliveries",
  "api_keys",
  "audit_logs",
  "budget_charges",
  "buyer_budgets",
  "city_definitions",
  "city_geohash3_map",
  "ds_directory",
  "import_anomalies",
  "import_retention_stats",
  "insight_cells",
  "interaction_events",
  "job_runs",
  "localities",
  "locality_shapes",
  "monitor_events",
  "monitors",
  "ops_feed",
  "org_memberships",
  "partner_normalization",
  "privacy_ledger",
  "projects",
  "query_fingerprints",
  "release_profiles",
  "release_receipts",
  "releases",
  "request_logs",
  "rm_directory",
  "spots",
  "staging_imports",
  "tenants",
  "timing_policies",
  "user_memberships",
];

async function publicTables(db: { query<R>(text: string): Promise<R[]> }): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public' order by tablename",
  );
  return rows.map((row) => row.name);
}

const opened: TestDatabase[] = [];
afterAll(async () => {
  for (const db of opened) await db.destroy();
});

describe("migrations", () => {
  it("migrate an empty embedded (PGlite) database to every table, and a second run changes nothing", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      expect(await migrationsApplied(db)).toBe(false);
      await migrateDatabase(db);
      expect(await publicTables(db)).toEqual(TABLES);
      expect(await migrationsApplied(db)).toBe(true);
      await migrateDatabase(db);
      const applied = await db.query<{ n: number }>(
        "select count(*)::int as n from drizzle.__drizzle_migrations",
      );
      expect(applied[0]?.n).toBe(expectedMigrationCount());
    } finally {
      await db.close();
    }
  });

  it(`migrate an empty database on the backend under test (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"}), twice at once`, async () => {
    const db = await createTestDatabase({ migrate: false });
    opened.push(db);
    expect(await publicTables(db)).toEqual([]);
    // Two processes starting together must not both apply the same migration.
    await Promise.all([migrateDatabase(db), migrateDatabase(db)]);
    expect(await publicTables(db)).toEqual(TABLES);
    expect(await migrationsApplied(db)).toBe(true);
  });

  it("fills the contract's release profiles and timing policy, and keeps an operator's tightened values", async () => {
    const db = await createTestDatabase();
    opened.push(db);
    const profiles = await db.query<{
      granularity: string;
      k_min: number;
      epsilon: number;
      reporting_delay_hours: number;
    }>(
      "select granularity, k_min, epsilon, reporting_delay_hours from release_profiles order by granularity",
    );
    expect(profiles).toEqual([
      { granularity: "hour", k_min: 300, epsilon: 0.25, reporting_delay_hours: 168 },
      { granularity: "day", k_min: 100, epsilon: 0.5, reporting_delay_hours: 72 },
      { granularity: "week", k_min: 100, epsilon: 0.5, reporting_delay_hours: 72 },
    ]);
    await db.query("update release_profiles set k_min = 150 where granularity = 'day'");
    await ensureReferenceData(db.db);
    const [day] = await db.query<{ k_min: number }>(
      "select k_min from release_profiles where granularity = 'day'",
    );
    expect(day?.k_min).toBe(150);
    const policies = await db.query<{ policy_key: string }>("select policy_key from timing_policies");
    expect(policies.map((p) => p.policy_key)).toContain("outside_buyer_precompute_v1");
  });
});
