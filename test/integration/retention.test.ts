import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { deleteExpiredImports, runScheduledRetention } from "../../src/jobs/retention";
import { hoursBefore, insertAnomalies } from "../support/anomalies";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const now = new Date("2026-06-01T03:10:00Z");
const clock = fixedClock(now);
const daysBefore = (days: number) => hoursBefore(now, days * 24);
let db: TestDatabase;
let api: ReturnType<typeof testApp>;
let operatorKey: string;

const RUN = `mutation ($input: RunRetentionInput!) {
  runRetention(input: $input) { stagingDeleted anomaliesDeleted statDate userErrors { field code message } }
}`;

async function insertStaging(createdAt: Date, label: string) {
  await db.query(
    `insert into staging_imports (tenant_id, batch_id, source, raw, batch_checksum, row_count, correlation_id, status, created_at)
     values ('TELCO', $1, 'projects-import', '{}'::jsonb, $2, 1, $3, 'merged', $4)`,
    [randomUUID(), `checksum-${label}`, randomUUID(), createdAt],
  );
}

async function counts() {
  const [row] = await db.query<{ staging: number; anomalies: number }>(
    "select (select count(*)::int from staging_imports) as staging, (select count(*)::int from import_anomalies) as anomalies",
  );
  return row;
}

async function stats() {
  return db.query<{ stat_date: string; staging_deleted: number; anomalies_deleted: number }>(
    "select to_char(stat_date, 'YYYY-MM-DD') as stat_date, staging_deleted, anomalies_deleted from import_retention_stats order by stat_date",
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = testApp(db, clock);
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  await db.query("insert into tenants (id, name) values ('TELCO', 'Telco')");
  await insertStaging(daysBefore(61), "old-1");
  await insertStaging(daysBefore(75), "old-2");
  await insertStaging(daysBefore(59), "young");
  await insertAnomalies(db, [
    { createdAt: daysBefore(91) },
    { createdAt: daysBefore(120) },
    { createdAt: daysBefore(95) },
    { createdAt: daysBefore(89) },
    { createdAt: daysBefore(1) },
  ]);
});
afterAll(async () => {
  await db?.destroy();
});

describe("retention", () => {
  it("refuses negative days and 0 without confirm, changing nothing", async () => {
    const negative = await api.graphql(RUN, {
      key: operatorKey,
      variables: { input: { stagingDays: -1, anomaliesDays: 90 } },
    });
    expect(negative.body.data?.runRetention).toMatchObject({
      stagingDeleted: null,
      userErrors: [{ field: ["input", "stagingDays"], code: "OUT_OF_RANGE" }],
    });
    const zero = await api.graphql(RUN, {
      key: operatorKey,
      variables: { input: { stagingDays: 60, anomaliesDays: 0 } },
    });
    expect(zero.body.data?.runRetention).toMatchObject({
      userErrors: [{ field: ["input", "anomaliesDays"], code: "CONFIRMATION_REQUIRED" }],
    });
    expect(await counts()).toEqual({ staging: 3, anomalies: 5 });
    expect(await stats()).toEqual([]);
  });

  it("the daily job deletes only what is older than the policy's 60 and 90 days and keeps the counts", async () => {
    expect(await runScheduledRetention(db, clock.now())).toMatchObject({ outcome: "deleted", rows: 5 });
    expect(await counts()).toEqual({ staging: 1, anomalies: 2 });
    expect(await stats()).toEqual([{ stat_date: "2026-06-01", staging_deleted: 2, anomalies_deleted: 3 }]);
    // A second run finds nothing more and leaves the counts as they are.
    expect(await runScheduledRetention(db, clock.now())).toMatchObject({ rows: 0 });
    expect(await stats()).toEqual([{ stat_date: "2026-06-01", staging_deleted: 2, anomalies_deleted: 3 }]);
  });

  it("runRetention with confirm: true and 0 days deletes the rest, adds to the day's counts and is audited", async () => {
    const { body } = await api.graphql(RUN, {
      key: operatorKey,
      variables: { input: { stagingDays: 0, anomaliesDays: 0, confirm: true } },
    });
    expect(body.data?.runRetention).toEqual({
      stagingDeleted: 1,
      anomaliesDeleted: 2,
      statDate: "2026-06-01",
      userErrors: [],
    });
    expect(await counts()).toEqual({ staging: 0, anomalies: 0 });
    expect(await stats()).toEqual([{ stat_date: "2026-06-01", staging_deleted: 3, anomalies_deleted: 5 }]);
    const audit = await db.query<{
      action: string;
      outcome: string;
      after: { stagingDeleted: number } | null;
    }>("select action, outcome, after from audit_logs where action = 'runRetention' order by id");
    // The two refused calls above are audited with their codes; the deletion with its counts.
    expect(audit.map((row) => row.outcome)).toEqual(["OUT_OF_RANGE", "CONFIRMATION_REQUIRED", "OK"]);
    expect(audit[2]).toMatchObject({ outcome: "OK", after: { stagingDeleted: 1, anomaliesDeleted: 2 } });
  });

  it("a failure rolls the deletion and its counts back together", async () => {
    await insertAnomalies(db, [{ createdAt: daysBefore(200) }]);
    await expect(
      db.transaction(async (query) => {
        await deleteExpiredImports(query, { stagingDays: 60, anomaliesDays: 90 }, clock.now());
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await counts()).toEqual({ staging: 0, anomalies: 1 });
    expect(await stats()).toEqual([{ stat_date: "2026-06-01", staging_deleted: 3, anomalies_deleted: 5 }]);
  });

  it("is refused to INTERNAL keys", async () => {
    const internal = (await issueTestKey(db, "internal", { clock })).apiKey;
    const { body } = await api.graphql(RUN, {
      key: internal,
      variables: { input: { stagingDays: 60, anomaliesDays: 90 } },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
