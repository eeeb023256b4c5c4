import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { FEED_RETENTION_POLICY_KEY, runScheduledFeedRetention } from "../../src/jobs/feedRetention";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

// 2026-06-01 03:30 UTC: 30 days back is 2026-05-02 03:30, 90 days 2026-03-03, 180 days 2025-12-03.
const now = new Date("2026-06-01T03:30:00Z");
const clock = fixedClock(now);
const DAY_MS = 86_400_000;
const daysBefore = (days: number, hours = 0) => new Date(now.getTime() - days * DAY_MS - hours * 3_600_000);
const dayOf = (date: Date) => date.toISOString().slice(0, 10);

let db: TestDatabase;
let operatorKey: string;
let internalKey: string;
const api = () => testApp(db, clock);

const RUN = `mutation ($input: RunFeedRetentionInput) {
  runFeedRetention(input: $input) {
    archiveReadDays deleteDays monitorEventsDays feedItemsArchived feedItemsDeleted monitorEventsDeleted
    userErrors { field code message }
  }
}`;

const COUNTS = `query ($kind: RetentionCountKind, $fromDay: String, $toDay: String) {
  ops { retentionCounts(kind: $kind, fromDay: $fromDay, toDay: $toDay) { kind day monitor severity deleted fired failed } }
}`;

async function feedItem(source: string, severity: string, status: string, createdAt: Date) {
  await db.query(
    `insert into ops_feed (created_at, severity, source, title, status, incident_key)
     values ($1, $2, $3, 'test item', $4, null)`,
    [createdAt, severity, source, status],
  );
}

async function monitorEvent(
  monitor: string,
  occurredAt: Date,
  outcome: { fired?: boolean; error?: string } = {},
) {
  await db.query(
    `insert into monitor_events (monitor_id, occurred_at, value, fired, error)
     select id, $2, 1, $3, $4 from monitors where name = $1`,
    [monitor, occurredAt, outcome.fired ?? false, outcome.error ?? null],
  );
}

async function feedLeft() {
  return db.query<{ source: string; status: string; day: string }>(
    `select source, status, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day
     from ops_feed order by created_at, source`,
  );
}

async function monitorEventsLeft() {
  return db.query<{ name: string; day: string }>(
    `select m.name, to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day
     from monitor_events e join monitors m on m.id = e.monitor_id order by e.occurred_at, m.name`,
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});
beforeEach(async () => {
  await db.query("delete from ops_feed");
  await db.query("delete from monitor_events");
  await db.query("delete from ops_retention_counts");
  await db.query("delete from import_retention_stats");
});

/** A feed and monitor history on both sides of every age. */
async function seedHistory() {
  await feedItem("buyer_budget_refusals", "warning", "read", daysBefore(31)); // archived
  await feedItem("buyer_budget_refusals", "warning", "read", daysBefore(29)); // stays read
  await feedItem("buyer_budget_refusals", "warning", "new", daysBefore(40)); // unread: stays new
  await feedItem("stale_precompute", "warning", "archived", daysBefore(89)); // kept
  await feedItem("stale_precompute", "warning", "archived", daysBefore(91, 1)); // deleted
  await feedItem("buyer_fingerprint_growth", "error", "new", daysBefore(120, 1)); // deleted
  await feedItem("buyer_fingerprint_growth", "error", "read", daysBefore(120, 2)); // deleted, same day
  await monitorEvent("stale_precompute", daysBefore(181, 1), { fired: true }); // deleted
  await monitorEvent("stale_precompute", daysBefore(181, 2), { error: "timeout" }); // deleted, same day
  await monitorEvent("stale_precompute", daysBefore(200)); // deleted
  await monitorEvent("stale_precompute", daysBefore(179)); // kept
  await monitorEvent("stale_precompute", daysBefore(1)); // kept: its newest
  await monitorEvent("import_anomaly_spike", daysBefore(400)); // kept: the monitor's only (newest) event
}

describe("feed retention", () => {
  it("archives old read items, deletes only what is old and keeps the counts per day, monitor and severity", async () => {
    await seedHistory();
    const { body } = await api().graphql(RUN, { key: operatorKey });
    expect(body.data?.runFeedRetention).toEqual({
      archiveReadDays: 30,
      deleteDays: 90,
      monitorEventsDays: 180,
      feedItemsArchived: 1,
      feedItemsDeleted: 3,
      monitorEventsDeleted: 3,
      userErrors: [],
    });
    expect(await feedLeft()).toEqual([
      { source: "stale_precompute", status: "archived", day: dayOf(daysBefore(89)) },
      { source: "buyer_budget_refusals", status: "new", day: dayOf(daysBefore(40)) },
      { source: "buyer_budget_refusals", status: "archived", day: dayOf(daysBefore(31)) },
      { source: "buyer_budget_refusals", status: "read", day: dayOf(daysBefore(29)) },
    ]);
    expect(await monitorEventsLeft()).toEqual([
      { name: "import_anomaly_spike", day: dayOf(daysBefore(400)) },
      { name: "stale_precompute", day: dayOf(daysBefore(179)) },
      { name: "stale_precompute", day: dayOf(daysBefore(1)) },
    ]);

    const counts = await api().graphql(COUNTS, {
      key: internalKey,
      variables: { fromDay: "2025-06-01", toDay: "2026-06-01" },
    });
    expect(counts.body.data?.ops).toEqual({
      retentionCounts: [
        {
          kind: "MONITOR_EVENT",
          day: dayOf(daysBefore(200)),
          monitor: "stale_precompute",
          severity: "WARNING",
          deleted: 1,
          fired: 0,
          failed: 0,
        },
        {
          kind: "MONITOR_EVENT",
          day: dayOf(daysBefore(181, 1)),
          monitor: "stale_precompute",
          severity: "WARNING",
          deleted: 2,
          fired: 1,
          failed: 1,
        },
        {
          kind: "FEED_ITEM",
          day: dayOf(daysBefore(120, 1)),
          monitor: "buyer_fingerprint_growth",
          severity: "ERROR",
          deleted: 2,
          fired: 0,
          failed: 0,
        },
        {
          kind: "FEED_ITEM",
          day: dayOf(daysBefore(91, 1)),
          monitor: "stale_precompute",
          severity: "WARNING",
          deleted: 1,
          fired: 0,
          failed: 0,
        },
      ],
    });
    const [stats] = await db.query<{ monitor_events_deleted: number }>(
      "select monitor_events_deleted from import_retention_stats where stat_date = '2026-06-01'",
    );
    expect(stats?.monitor_events_deleted).toBe(3);
    const [audit] = await db.query<{ outcome: string; details: Record<string, unknown> }>(
      "select outcome, details from audit_logs where action = 'runFeedRetention' order by id desc limit 1",
    );
    expect(audit).toEqual({
      outcome: "OK",
      details: { archiveReadDays: 30, deleteDays: 90, monitorEventsDays: 180, confirm: false },
    });

    // A second run finds nothing more to do and leaves the counts as they are.
    const again = await api().graphql(RUN, { key: operatorKey });
    expect(again.body.data?.runFeedRetention).toMatchObject({
      feedItemsArchived: 0,
      feedItemsDeleted: 0,
      monitorEventsDeleted: 0,
    });
    const [total] = await db.query<{ n: number }>("select sum(deleted)::int as n from ops_retention_counts");
    expect(total?.n).toBe(6);
  });

  it("adds to the counts of a day already counted", async () => {
    await feedItem("stale_precompute", "warning", "archived", daysBefore(100, 1));
    await api().graphql(RUN, { key: operatorKey });
    await feedItem("stale_precompute", "warning", "read", daysBefore(100, 2));
    await api().graphql(RUN, { key: operatorKey });
    const counts = await api().graphql(COUNTS, { key: internalKey, variables: { kind: "FEED_ITEM" } });
    expect(counts.body.data?.ops).toEqual({
      retentionCounts: [
        {
          kind: "FEED_ITEM",
          day: dayOf(daysBefore(100, 1)),
          monitor: "stale_precompute",
          severity: "WARNING",
          deleted: 2,
          fired: 0,
          failed: 0,
        },
      ],
    });
  });

  it("refuses ages as runRetention does, changing nothing but the audit log", async () => {
    await seedHistory();
    const before = await stateDigest(db);
    const auditBefore = await lastAuditId(db);
    for (const [input, field, code] of [
      [{ deleteDays: -1 }, "deleteDays", "OUT_OF_RANGE"],
      [{ archiveReadDays: 3651 }, "archiveReadDays", "OUT_OF_RANGE"],
      [{ monitorEventsDays: 0 }, "monitorEventsDays", "CONFIRMATION_REQUIRED"],
    ] as const) {
      const { body } = await api().graphql(RUN, { key: operatorKey, variables: { input } });
      expect(body.data?.runFeedRetention).toMatchObject({
        feedItemsDeleted: null,
        userErrors: [{ field: ["input", field], code }],
      });
    }
    expect(await stateDigest(db)).toEqual(before);
    const refusals = await db.query<{ outcome: string }>(
      "select outcome from audit_logs where id > $1 and action = 'runFeedRetention' order by id",
      [auditBefore],
    );
    expect(refusals.map((row) => row.outcome)).toEqual([
      "OUT_OF_RANGE",
      "OUT_OF_RANGE",
      "CONFIRMATION_REQUIRED",
    ]);

    // INTERNAL keys may read the counts but not run it.
    const forbidden = await api().graphql(RUN, { key: internalKey });
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await feedLeft()).length).toBe(7);
  });

  it("with confirm, an age of 0 deletes every feed item and all but each monitor's newest event", async () => {
    await seedHistory();
    await feedItem("buyer_budget_refusals", "warning", "new", new Date(now.getTime() - 60_000));
    const { body } = await api().graphql(RUN, {
      key: operatorKey,
      variables: { input: { deleteDays: 0, monitorEventsDays: 0, confirm: true } },
    });
    expect(body.data?.runFeedRetention).toMatchObject({
      deleteDays: 0,
      monitorEventsDays: 0,
      feedItemsDeleted: 8,
      monitorEventsDeleted: 4,
      userErrors: [],
    });
    expect(await feedLeft()).toEqual([]);
    expect((await monitorEventsLeft()).map((row) => row.name)).toEqual([
      "import_anomaly_spike",
      "stale_precompute",
    ]);
  });

  it("the daily job uses the timing policy, and does nothing while it is disabled", async () => {
    await seedHistory();
    const [policy] = await db.query<{ payload: Record<string, unknown> }>(
      "select payload from timing_policies where policy_key = $1",
      [FEED_RETENTION_POLICY_KEY],
    );
    expect(policy?.payload).toEqual({
      enabled: true,
      cron: "30 3 * * *",
      archive_read_days: 30,
      delete_days: 90,
      monitor_events_days: 180,
    });
    await db.query("update timing_policies set payload = $2 where policy_key = $1", [
      FEED_RETENTION_POLICY_KEY,
      JSON.stringify({ ...policy?.payload, enabled: false }),
    ]);
    expect(await runScheduledFeedRetention(db, now)).toEqual({ outcome: "disabled", rows: 0 });
    expect((await feedLeft()).length).toBe(7);

    await db.query("update timing_policies set payload = $2 where policy_key = $1", [
      FEED_RETENTION_POLICY_KEY,
      JSON.stringify({ ...policy?.payload, delete_days: 35 }),
    ]);
    const result = await runScheduledFeedRetention(db, now);
    expect(result).toMatchObject({ outcome: "deleted", rows: 1 + 5 + 3 });
    expect((await feedLeft()).map((row) => row.day)).toEqual([dayOf(daysBefore(31)), dayOf(daysBefore(29))]);
    await db.query("update timing_policies set payload = $2 where policy_key = $1", [
      FEED_RETENTION_POLICY_KEY,
      JSON.stringify(policy?.payload),
    ]);
  });
});
