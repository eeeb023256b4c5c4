import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { DATA_RETENTION_POLICY_KEY, runScheduledDataRetention } from "../../src/jobs/dataRetention";
import { missingInRange, PRECOMPUTE_POLICY_KEY } from "../../src/jobs/precompute/planReleases";
import { precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { loadReleasePlan } from "../../src/privacy/releasePlan";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { insertEvents, seedTestCities } from "../support/events";

// Monday 2026-06-01 03:20 UTC. With events_days 30, whole days up to 2026-05-01 are old enough.
const now = new Date("2026-06-01T03:20:00Z");
const DAY_MS = 86_400_000;
const daysBefore = (days: number) => new Date(now.getTime() - days * DAY_MS);
let db: TestDatabase;

const POLICY = {
  enabled: true,
  cron: "20 3 * * *",
  events_days: 30,
  request_logs_days: 90,
  alert_deliveries_days: 90,
};

async function setPolicy(key: string, payload: Record<string, unknown>) {
  await db.query("update timing_policies set payload = $2 where policy_key = $1", [
    key,
    JSON.stringify(payload),
  ]);
}

/** One release row, as precompute writes it (the rule only reads which buckets exist). */
async function release(
  granularity: "hour" | "day" | "week",
  bucketStart: string,
  geoType: "city_code" | "geohash3",
  options: { retired?: boolean } = {},
) {
  const start = new Date(bucketStart);
  const span = { hour: 3_600_000, day: DAY_MS, week: 7 * DAY_MS }[granularity];
  await db.query(
    `insert into releases (granularity, bucket_start, bucket_end, geo_type, level, epsilon, family_id, participant_day_epsilon, created_by, retired_at)
     values ($1, $2, $3, $4, $7, 0.5, $5, 3.0, 'test', $6)`,
    [
      granularity,
      start,
      new Date(start.getTime() + span),
      geoType,
      randomUUID(),
      options.retired ? now : null,
      // The plan's level of the granularity here: FULL, and HOUR's TOTAL.
      granularity === "hour" ? "total" : "full",
    ],
  );
}

/** DAY at both geo types for the day, WEEK at both for its ISO week (HOUR is outside the window). */
async function releaseDayAndWeek(day: string, week: string, options: { retiredDayCity?: boolean } = {}) {
  await release("day", `${day}T00:00:00Z`, "city_code", { retired: options.retiredDayCity });
  await release("day", `${day}T00:00:00Z`, "geohash3");
  await release("week", `${week}T00:00:00Z`, "city_code");
  await release("week", `${week}T00:00:00Z`, "geohash3");
}

async function eventsByDay() {
  const rows = await db.query<{ day: string; n: number }>(
    `select to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n
     from interaction_events group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map((row) => [row.day, row.n]));
}

async function stats() {
  const [row] = await db.query<Record<string, number>>(
    `select events_deleted, request_logs_deleted, alert_deliveries_deleted, monitor_events_deleted
     from import_retention_stats where stat_date = '2026-06-01'`,
  );
  return row;
}

async function events(day: string, participants: number) {
  await insertEvents(db, [
    { city: "us-nyc", participants, doorType: "spot", category: "coffee", at: new Date(`${day}T10:00:00Z`) },
  ]);
}

beforeEach(async () => {
  await db?.destroy();
  db = await createTestDatabase();
  await seedTestCities(db);
  // One release per bucket and geo type (FULL; HOUR at its TOTAL level): the rule is about which
  // releases read a day, not about how many levels there are.
  await db.query("delete from release_plan where level <> 'full' and granularity <> 'hour'");
  // The default precompute window: 14 days of HOUR families, 60 DAY buckets, 9 WEEK buckets.
  await setPolicy(PRECOMPUTE_POLICY_KEY, {
    enabled: true,
    granularities: ["hour", "day", "week"],
    hour_buckets: 336,
    day_buckets: 60,
    week_buckets: 9,
  });
  await setPolicy(DATA_RETENTION_POLICY_KEY, POLICY);
});
afterAll(async () => {
  await db?.destroy();
});

describe("retention of raw events", () => {
  it("deletes and counts the events of an old day whose releases all exist, and of a day past the window", async () => {
    await events("2026-04-15", 7); // Wednesday of the ISO week of 2026-04-13: every release made.
    await events("2025-01-01", 5); // Past every window: never released again.
    await events("2026-05-20", 3); // Younger than 30 days.
    await releaseDayAndWeek("2026-04-15", "2026-04-13");
    await release("day", "2026-05-20T00:00:00Z", "city_code");

    const result = await runScheduledDataRetention(db, now);

    expect(result.outcome).toBe("deleted");
    expect(result.details).toMatchObject({ eventsDeleted: 12, eventDays: ["2025-01-01", "2026-04-15"] });
    expect(await eventsByDay()).toEqual({ "2026-05-20": 3 });
    expect(await stats()).toMatchObject({ events_deleted: 12 });
  });

  it("keeps an old day inside the window while one of its releases is missing", async () => {
    await events("2026-04-22", 4);
    await release("day", "2026-04-22T00:00:00Z", "city_code");
    await release("day", "2026-04-22T00:00:00Z", "geohash3");
    await release("week", "2026-04-20T00:00:00Z", "city_code");
    // WEEK geohash3 of 2026-04-20 is not made yet.

    const result = await runScheduledDataRetention(db, now);

    expect(result.details).toMatchObject({ eventsDeleted: 0, eventDays: [], eventDaysKept: 1 });
    expect(await eventsByDay()).toEqual({ "2026-04-22": 4 });
    expect(await stats()).toMatchObject({ events_deleted: 0 });
  });

  it("does not count a retired release as materialised", async () => {
    await events("2026-04-29", 6);
    await releaseDayAndWeek("2026-04-29", "2026-04-27", { retiredDayCity: true });

    await runScheduledDataRetention(db, now);

    expect(await eventsByDay()).toEqual({ "2026-04-29": 6 });
  });

  it("keeps a day under embargo until its whole HOUR family exists, even with an age of one day", async () => {
    await setPolicy(DATA_RETENTION_POLICY_KEY, { ...POLICY, events_days: 1 });
    // 2026-05-27 is past the DAY embargo (72 h) but its HOUR family (168 h) is not made yet.
    await events("2026-05-27", 8);
    await releaseDayAndWeek("2026-05-27", "2026-05-25");
    for (let hour = 0; hour < 23; hour++) {
      await release("hour", `2026-05-27T${String(hour).padStart(2, "0")}:00:00Z`, "city_code");
    }
    await runScheduledDataRetention(db, now);
    expect(await eventsByDay()).toEqual({ "2026-05-27": 8 });

    await release("hour", "2026-05-27T23:00:00Z", "city_code");
    const result = await runScheduledDataRetention(db, now);
    expect(result.details).toMatchObject({ eventsDeleted: 8, eventDays: ["2026-05-27"] });
    expect(await eventsByDay()).toEqual({});
  });

  it("keeps an old day of a bucket the widened window will still release", async () => {
    await setPolicy(DATA_RETENTION_POLICY_KEY, { ...POLICY, events_days: 1 });
    await setPolicy(PRECOMPUTE_POLICY_KEY, {
      enabled: false,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 400,
      week_buckets: 0,
    });
    await events("2025-06-01", 2); // Inside 400 DAY buckets, unreleased; the policy being disabled does not matter.
    await events("2025-01-01", 3); // Before the window.

    await runScheduledDataRetention(db, now);

    expect(await eventsByDay()).toEqual({ "2025-06-01": 2 });
  });
});

describe("a day whose events were deleted", () => {
  it("is recorded with its count, and no release of it is planned or computed again", async () => {
    await events("2025-01-01", 5);
    await runScheduledDataRetention(db, now);
    await events("2025-01-01", 2); // A late import of the same day.
    await runScheduledDataRetention(db, now);
    const recorded = await db.query<{ day: string; events_deleted: number }>(
      "select day::text as day, events_deleted from deleted_event_days",
    );
    expect(recorded).toEqual([{ day: "2025-01-01", events_deleted: 7 }]);

    // An operator widens the window over it later: the planner leaves its buckets out, and a direct
    // precompute is refused before anything is written.
    const plan = await loadReleasePlan(db.query);
    const first = new Date("2024-12-30T00:00:00Z");
    const planned = await missingInRange(db, "day", first, new Date("2025-01-03T00:00:00Z"), plan);
    expect(planned.map((release) => release.bucketStart.toISOString().slice(0, 10))).not.toContain(
      "2025-01-01",
    );
    expect(planned.length).toBe(8); // The other four days, at both geo types.
    expect(await missingInRange(db, "week", first, first, plan)).toEqual([]);
    await expect(
      precomputeRelease(
        { database: db, noiseKey: { key: Buffer.alloc(32, 3), id: "nk_test" }, clock: fixedClock(now) },
        { granularity: "day", bucketStart: new Date("2025-01-01T00:00:00Z"), geoType: "city_code" },
      ),
    ).rejects.toThrow(/events of 2025-01-01 were deleted by retention/);
    const [releases] = await db.query<{ n: number }>("select count(*)::int as n from releases");
    expect(releases?.n).toBe(0);
  });
});

describe("retention of logs and deliveries", () => {
  it("deletes and counts the rows older than their ages, in the stats row of the day; monitor events are left to the feed retention", async () => {
    for (const [at, id] of [
      [daysBefore(91), "old-1"],
      [daysBefore(120), "old-2"],
      [daysBefore(89), "young"],
    ] as const) {
      await db.query(
        "insert into request_logs (at, request_id, outcome_code, latency_ms) values ($1, $2, 'OK', 3)",
        [at, id],
      );
    }
    for (const [createdAt, status] of [
      [daysBefore(91), "delivered"],
      [daysBefore(95), "failed"],
      [daysBefore(91), "retrying"],
      [daysBefore(10), "delivered"],
    ] as const) {
      await db.query(
        `insert into alert_deliveries (kind, target_url, payload, webhook_id, status, created_at)
         values ('anomaly', 'https://hooks.example/x', '{}'::jsonb, $1, $2, $3)`,
        [randomUUID(), status, createdAt],
      );
    }
    const [monitor] = await db.query<{ id: string }>(
      "select id from monitors where name = 'stale_precompute'",
    );
    const [other] = await db.query<{ id: string }>(
      "select id from monitors where name = 'buyer_budget_refusals'",
    );
    for (const [monitorId, at] of [
      [monitor?.id, daysBefore(40)],
      [monitor?.id, daysBefore(31)],
      [monitor?.id, daysBefore(2)],
      [other?.id, daysBefore(500)],
    ] as const) {
      await db.query("insert into monitor_events (monitor_id, occurred_at, fired) values ($1, $2, false)", [
        monitorId,
        at,
      ]);
    }

    const result = await runScheduledDataRetention(db, now);

    expect(result).toMatchObject({ outcome: "deleted", rows: 4 });
    expect(await stats()).toEqual({
      events_deleted: 0,
      request_logs_deleted: 2,
      alert_deliveries_deleted: 2,
      monitor_events_deleted: 0,
    });
    const [left] = await db.query<{ logs: number; deliveries: number; monitor: number }>(
      `select (select count(*)::int from request_logs) as logs,
              (select count(*)::int from alert_deliveries) as deliveries,
              (select count(*)::int from monitor_events) as monitor`,
    );
    expect(left).toEqual({ logs: 1, deliveries: 2, monitor: 4 });

    // A second run the same day adds to the same row.
    await db.query(
      "insert into request_logs (at, request_id, outcome_code, latency_ms) values ($1, 'later', 'OK', 3)",
      [daysBefore(100)],
    );
    await runScheduledDataRetention(db, now);
    expect(await stats()).toMatchObject({ request_logs_deleted: 3 });
  });

  it("deletes nothing when disabled", async () => {
    await setPolicy(DATA_RETENTION_POLICY_KEY, { ...POLICY, enabled: false });
    await events("2024-01-01", 2);
    await db.query(
      "insert into request_logs (at, request_id, outcome_code, latency_ms) values ($1, 'old', 'OK', 3)",
      [daysBefore(400)],
    );

    expect(await runScheduledDataRetention(db, now)).toEqual({ outcome: "disabled", rows: 0 });
    expect(await eventsByDay()).toEqual({ "2024-01-01": 2 });
    const [logs] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
    expect(logs?.n).toBe(1);
    expect(await stats()).toBeUndefined();
  });
});

describe("runDataRetention", () => {
  const RUN = `mutation ($input: RunDataRetentionInput) {
    runDataRetention(input: $input) {
      eventsDeleted eventDays eventDaysKept requestLogsDeleted statDate userErrors { field code message }
    }
  }`;

  it("runs with the operator's ages under the same rule even when the job is disabled, and is audited", async () => {
    const clock = fixedClock(now);
    const api = testApp(db, clock);
    const operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
    await setPolicy(DATA_RETENTION_POLICY_KEY, { ...POLICY, events_days: 400, enabled: false });
    await events("2026-04-15", 7);
    await events("2026-04-22", 4); // Missing its releases: kept.
    await releaseDayAndWeek("2026-04-15", "2026-04-13");

    const refused = await api.graphql(RUN, { key: operatorKey, variables: { input: { eventsDays: 0 } } });
    expect(refused.body.data?.runDataRetention).toMatchObject({
      eventsDeleted: null,
      userErrors: [{ field: ["input", "eventsDays"], code: "OUT_OF_RANGE" }],
    });
    expect(await eventsByDay()).toEqual({ "2026-04-15": 7, "2026-04-22": 4 });

    const { body } = await api.graphql(RUN, { key: operatorKey, variables: { input: { eventsDays: 30 } } });
    expect(body.data?.runDataRetention).toEqual({
      eventsDeleted: 7,
      eventDays: ["2026-04-15"],
      eventDaysKept: ["2026-04-22"],
      requestLogsDeleted: 0,
      statDate: "2026-06-01",
      userErrors: [],
    });
    expect(await eventsByDay()).toEqual({ "2026-04-22": 4 });
    expect(await stats()).toMatchObject({ events_deleted: 7 });
    const audit = await db.query<{ outcome: string; details: Record<string, number> | null }>(
      "select outcome, details from audit_logs where action = 'runDataRetention' order by id",
    );
    expect(audit.map((row) => row.outcome)).toEqual(["OUT_OF_RANGE", "OK"]);
    expect(audit[1]?.details).toMatchObject({ eventsDays: 30, requestLogsDays: 90 });
  });
});
