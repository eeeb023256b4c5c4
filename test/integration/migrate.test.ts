import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client";
import {
  expectedMigrationCount,
  MIGRATIONS_FOLDER,
  migrateDatabase,
  migrationsApplied,
} from "../../src/db/migrate";
import { ensureReferenceData } from "../../src/db/referenceData";
import { missingInRange } from "../../src/jobs/precompute/planReleases";
import { daysOutsideGuarantee } from "../../src/privacy/participantDays";
import { loadReleasePlan } from "../../src/privacy/releasePlan";
import { createTestDatabase, type TestDatabase } from "../support/database";

const TABLES = [
  "action_ledger",
  "alert_deliveries",
  "api_keys",
  "audit_logs",
  "budget_charges",
  "businesses",
  "buyer_budgets",
  "city_definitions",
  "city_geohash3_map",
  "contract_violations",
  "database_health_samples",
  "deleted_event_days",
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
  "ops_retention_counts",
  "org_memberships",
  "partner_normalization",
  "privacy_cap",
  "privacy_ledger_days",
  "projects",
  "query_fingerprints",
  "release_plan",
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
    await ensureReferenceData(db);
    const [day] = await db.query<{ k_min: number }>(
      "select k_min from release_profiles where granularity = 'day'",
    );
    expect(day?.k_min).toBe(150);
    const policies = await db.query<{ policy_key: string }>("select policy_key from timing_policies");
    expect(policies.map((p) => p.policy_key)).toContain("outside_buyer_precompute_v1");
  });

  it("0002 keeps the first of duplicate pending proposals open with every signal, and rejects the rest", async () => {
    const db = await createTestDatabase({ migrate: false });
    opened.push(db);
    // Migrate as a database of the previous release would be: 0000 and 0001 only.
    await migratePrefix(db, 2);
    // One monitor run proposes at one instant: equal created_at, so the id decides which stays.
    await db.query(
      `insert into action_ledger (id, created_at, action_type, target, reason, proposed_by, approval_status, status)
       values ('00000000-0000-0000-0000-00000000000b', '2026-01-01T00:00:00Z', 'revoke_buyer_keys', 'outside_buyer_x', 'second.', 'monitor:b', 'PENDING', 'proposed'),
              ('00000000-0000-0000-0000-00000000000a', '2026-01-01T00:00:00Z', 'revoke_buyer_keys', 'outside_buyer_x', 'first.', 'monitor:a', 'PENDING', 'proposed'),
              ('00000000-0000-0000-0000-00000000000c', '2026-01-02T00:00:00Z', 'revoke_buyer_keys', 'outside_buyer_x', 'third.', 'monitor:c', 'PENDING', 'proposed'),
              ('00000000-0000-0000-0000-00000000000d', '2026-01-03T00:00:00Z', 'revoke_buyer_keys', 'outside_buyer_y', 'other.', 'monitor:a', 'PENDING', 'proposed'),
              ('00000000-0000-0000-0000-00000000000e', '2026-01-04T00:00:00Z', 'revoke_buyer_keys', 'outside_buyer_x', 'decided.', 'monitor:a', 'APPROVED', 'executed')`,
    );
    await migrateDatabase(db);
    expect(await db.query("select reason, approval_status, status from action_ledger order by id")).toEqual([
      { reason: "first. second. third.", approval_status: "PENDING", status: "proposed" },
      { reason: "second.", approval_status: "REJECTED", status: "proposed" },
      { reason: "third.", approval_status: "REJECTED", status: "proposed" },
      { reason: "other.", approval_status: "PENDING", status: "proposed" },
      { reason: "decided.", approval_status: "APPROVED", status: "executed" },
    ]);
    await expect(
      db.query(
        `insert into action_ledger (created_at, action_type, target, reason, proposed_by)
         values (now(), 'revoke_buyer_keys', 'outside_buyer_x', 'third', 'monitor:c')`,
      ),
    ).rejects.toThrow(/action_ledger_one_pending_uq/);
  });

  it("0003 moves releases made before participant-day accounting into the per-day ledger and retires those no buyer read, directly or through a stored trend", async () => {
    const db = await createTestDatabase({ migrate: false });
    opened.push(db);
    // Migrate as a database before participant-day accounting would be: 0000..0002.
    await migratePrefix(db, 3);
    // The old shape: a DAY, a WEEK and two HOUR releases of Jan 6, each bounded on its own; a buyer
    // read the DAY, the WEEK and one HOUR release; nobody read the other HOUR one. Jan 20 was not
    // charged, but Jan 21 was, and its stored trend gave away Jan 20's estimates: Jan 20 was read too.
    // Nobody read Jan 25, nor the day after it.
    const release = (id: string, granularity: string, start: string, end: string, epsilon: number) =>
      `('00000000-0000-0000-0000-0000000000${id}', '${granularity}', '${start}', '${end}', 'city_code', 1, true, ${epsilon}, '2026-01-15T00:00:00Z', 'scheduler')`;
    await db.query(
      `insert into releases (id, granularity, bucket_start, bucket_end, geo_type, version, current, epsilon, created_at, created_by) values
       ${[
         release("01", "day", "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z", 0.5),
         release("02", "week", "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", 0.5),
         release("03", "hour", "2026-01-06T08:00:00Z", "2026-01-06T09:00:00Z", 0.25),
         release("04", "hour", "2026-01-06T09:00:00Z", "2026-01-06T10:00:00Z", 0.25),
         release("05", "day", "2026-01-20T00:00:00Z", "2026-01-21T00:00:00Z", 0.5),
         release("06", "day", "2026-01-21T00:00:00Z", "2026-01-22T00:00:00Z", 0.5),
         release("07", "day", "2026-01-25T00:00:00Z", "2026-01-26T00:00:00Z", 0.5),
       ].join(", ")}`,
    );
    await db.query(
      `insert into budget_charges (partner_id, release_id, epsilon, charged_at, request_id)
       select 'outside_buyer_x', r::uuid, 0.5, '2026-01-16T00:00:00Z', 'req' from unnest($1::text[]) as r`,
      [
        [
          "00000000-0000-0000-0000-000000000001",
          "00000000-0000-0000-0000-000000000002",
          "00000000-0000-0000-0000-000000000003",
          "00000000-0000-0000-0000-000000000006",
        ],
      ],
    );
    await migrateDatabase(db);
    expect(
      await db.query(
        `select right(id::text, 2) as id, accounting, current, retired_at is not null as retired,
                family_id = id as own_family, participant_day_epsilon from releases order by id`,
      ),
    ).toEqual([
      {
        id: "01",
        accounting: "legacy",
        current: true,
        retired: false,
        own_family: true,
        participant_day_epsilon: 1.25,
      },
      {
        id: "02",
        accounting: "legacy",
        current: true,
        retired: false,
        own_family: true,
        participant_day_epsilon: 1.25,
      },
      {
        id: "03",
        accounting: "legacy",
        current: true,
        retired: false,
        own_family: true,
        participant_day_epsilon: 1.25,
      },
      {
        id: "04",
        accounting: "legacy",
        current: false,
        retired: true,
        own_family: true,
        participant_day_epsilon: 0.25,
      },
      {
        id: "05",
        accounting: "legacy",
        current: true,
        retired: false,
        own_family: true,
        participant_day_epsilon: 0.5,
      },
      {
        id: "06",
        accounting: "legacy",
        current: true,
        retired: false,
        own_family: true,
        participant_day_epsilon: 0.5,
      },
      {
        id: "07",
        accounting: "legacy",
        current: false,
        retired: true,
        own_family: true,
        participant_day_epsilon: 0.5,
      },
    ]);
    // Jan 6 holds the DAY, the WEEK and the read HOUR release; the week's other days hold the WEEK.
    const days = await db.query<{ day: string; epsilon: number; families: number; legacy: boolean }>(
      `select day::text as day, sum(epsilon)::float8 as epsilon, count(*)::int as families, bool_and(accounting = 'legacy') as legacy
       from privacy_ledger_days group by day order by day`,
    );
    expect(days).toEqual([
      { day: "2026-01-05", epsilon: 0.5, families: 1, legacy: true },
      { day: "2026-01-06", epsilon: 1.25, families: 3, legacy: true },
      ...["07", "08", "09", "10", "11", "20", "21"].map((d) => ({
        day: `2026-01-${d}`,
        epsilon: 0.5,
        families: 1,
        legacy: true,
      })),
    ]);
    expect(await daysOutsideGuarantee(db.query)).toEqual([
      "2026-01-05",
      "2026-01-06",
      "2026-01-07",
      "2026-01-08",
      "2026-01-09",
      "2026-01-10",
      "2026-01-11",
      "2026-01-20",
      "2026-01-21",
    ]);
    // Those days get no further release: the planner leaves them out.
    await ensureReferenceData(db);
    const planned = await missingInRange(
      db,
      "day",
      new Date("2026-01-04T00:00:00Z"),
      new Date("2026-01-12T00:00:00Z"),
      await loadReleasePlan(db.query),
    );
    // Every DAY entry of the plan (geo types and levels) for Jan 4 and Jan 12, none in between.
    const perDay = (await loadReleasePlan(db.query)).filter((entry) => entry.granularity === "day").length;
    const plannedDays = planned.map((release) => release.bucketStart.toISOString().slice(0, 10));
    expect([...new Set(plannedDays)]).toEqual(["2026-01-04", "2026-01-12"]);
    expect(plannedDays.filter((day) => day === "2026-01-04")).toHaveLength(perDay);
    expect(plannedDays.filter((day) => day === "2026-01-12")).toHaveLength(perDay);
  });

  it("0006 records each old receipt's tau as the m of the same bar (ceil(tau) - 1), and a NaN tau as no threshold", async () => {
    const db = await createTestDatabase({ migrate: false });
    opened.push(db);
    await migratePrefix(db, 3);
    const taus = [233.1, 465.3, 53, "NaN"];
    for (const [index, tau] of taus.entries()) {
      await db.query(
        `with r as (
           insert into releases (granularity, bucket_start, bucket_end, geo_type, epsilon, created_by)
           values ('day', $1, $2, 'city_code', 0.5, 'scheduler') returning id)
         insert into release_receipts (release_id, profile, max_cells_per_participant, max_doors_per_cell, epsilon_split,
           noise_scales, tau, delta, noise_key_id, released_cells, suppressed_cells)
         select id, '{}', 4, 5, '{}', '{}', $3::float8, 1e-6, 'nk_test', 0, 270 from r`,
        [new Date(Date.UTC(2026, 0, 1 + index)), new Date(Date.UTC(2026, 0, 2 + index)), String(tau)],
      );
    }
    await migrateDatabase(db);
    const rows = await db.query<{ threshold_m: number }>(
      "select rc.threshold_m from release_receipts rc join releases r on r.id = rc.release_id order by r.bucket_start",
    );
    // 233.1: the old bar k - 1 + 233.1 admitted noised counts >= k + 233, so m = 233; 53 exactly: m = 52.
    expect(rows.map((row) => row.threshold_m)).toEqual([233, 465, 52, -2147483648]);
    const columns = await db.query<{ name: string }>(
      "select column_name as name from information_schema.columns where table_name = 'release_receipts' and column_name in ('tau', 'threshold_m')",
    );
    expect(columns).toEqual([{ name: "threshold_m" }]);
  });

  it("0006 refuses to migrate a stored release profile that breaks its CHECKs, naming the constraint", async () => {
    const db = await createTestDatabase({ migrate: false });
    opened.push(db);
    await migratePrefix(db, 6);
    await ensureReferenceData(db);
    await db.query("update release_profiles set delta = 'NaN' where granularity = 'day'");
    await expect(migrateDatabase(db)).rejects.toThrow(/release_profiles_delta_open_unit/);
    const [row] = await db.query<{ failing: number }>(
      `select count(*)::int as failing from release_profiles
       where not (delta > 0 and delta < 1 and delta <> 'NaN'::float8)`,
    );
    expect(row?.failing).toBe(1);
    await db.query("update release_profiles set delta = 1e-6 where granularity = 'day'");
    await migrateDatabase(db);
    await expect(
      db.query("update release_profiles set delta = 'NaN' where granularity = 'day'"),
    ).rejects.toThrow(/release_profiles_delta_open_unit/);
  });
});

/** Migrates as a database of an earlier release would be: the first `count` migrations only. */
async function migratePrefix(db: TestDatabase, count: number): Promise<void> {
  const folder = mkdtempSync(path.join(tmpdir(), "migrations-"));
  try {
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = path.join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
    writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }));
    await migrateFrom(db, folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Applies the migrations of another folder, with the driver of the database under test. */
async function migrateFrom(db: TestDatabase, migrationsFolder: string): Promise<void> {
  if (db.kind === "pglite") {
    await migratePglite(db.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  const client = postgres(db.url ?? "", { max: 1, onnotice: () => {} });
  try {
    await migratePostgres(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end({ timeout: 5 });
  }
}
