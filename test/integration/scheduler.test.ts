import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { CONTRACT_VERIFIER_QUEUE } from "../../src/jobs/contractVerifier";
import { DATA_RETENTION_QUEUE } from "../../src/jobs/dataRetention";
import { FEED_RETENTION_QUEUE } from "../../src/jobs/feedRetention";
import { MONITORS_QUEUE } from "../../src/jobs/monitors";
import { PRECOMPUTE_POLICY_KEY } from "../../src/jobs/precompute/planReleases";
import {
  ANOMALY_ALERTS_QUEUE,
  PRECOMPUTE_TICK_QUEUE,
  RETENTION_QUEUE,
  type Scheduler,
  startScheduler,
} from "../../src/jobs/scheduler";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { insertEvents, seedTestCities } from "../support/events";
import { keepOnlyFullLevels } from "../support/plan";

// Now is Tuesday 2026-01-20 12:00; with the 72 h delay the newest releasable DAY bucket is Jan 16.
const clock = fixedClock("2026-01-20T12:00:00Z");
let db: TestDatabase;
let scheduler: Scheduler;

async function setPolicy(payload: Record<string, unknown>) {
  await db.query("update timing_policies set payload = $2 where policy_key = $1", [
    PRECOMPUTE_POLICY_KEY,
    JSON.stringify(payload),
  ]);
}

/** Waits until `count` release jobs have finished (their release and their job run are both written). */
async function waitForReleases(count: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      "select count(*)::int as n from job_runs where job_name = 'precompute-release' and finished_at is not null",
    );
    if ((row?.n ?? 0) >= count || Date.now() > deadline) return row?.n ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  // The scheduler's counts below are per bucket and geo type: one level.
  await keepOnlyFullLevels(db.query);
  await seedTestCities(db);
  await insertEvents(db, [
    {
      city: "us-nyc",
      participants: 300,
      doorType: "spot",
      category: "coffee",
      at: new Date("2026-01-15T08:00:00Z"),
    },
    {
      city: "us-nyc",
      participants: 300,
      doorType: "spot",
      category: "coffee",
      at: new Date("2026-01-16T08:00:00Z"),
    },
  ]);
  await setPolicy({
    enabled: true,
    granularities: ["day"],
    hour_buckets: 0,
    day_buckets: 2,
    week_buckets: 0,
  });
  scheduler = await startScheduler({
    database: db,
    noiseKey: { key: Buffer.alloc(32, 3), id: "nk_test" },
    clock,
    logger: pino({ level: "silent" }),
  });
});
afterAll(async () => {
  await scheduler?.stop();
  await db?.destroy();
});

describe("the precompute scheduler", () => {
  it("registers the hourly precompute tick and the retention and alert crons of the timing policies", async () => {
    const schedules = await scheduler.boss.getSchedules();
    expect(schedules.map((schedule) => [schedule.name, schedule.cron, schedule.timezone]).sort()).toEqual(
      [
        [ANOMALY_ALERTS_QUEUE, "*/15 * * * *", "UTC"],
        [RETENTION_QUEUE, "10 3 * * *", "UTC"],
        [DATA_RETENTION_QUEUE, "20 3 * * *", "UTC"],
        [FEED_RETENTION_QUEUE, "30 3 * * *", "UTC"],
        [PRECOMPUTE_TICK_QUEUE, "0 * * * *", "UTC"],
        [MONITORS_QUEUE, "*/5 * * * *", "UTC"],
        [CONTRACT_VERIFIER_QUEUE, "45 * * * *", "UTC"],
      ].sort(),
    );
  });

  it("a tick enqueues the releases the policy wants, workers compute them, and every run is recorded", async () => {
    expect(await scheduler.tick()).toBe(4);
    expect(await waitForReleases(4)).toBe(4);
    const releases = await db.query<{ bucket: string; geo_type: string }>(
      "select to_char(bucket_start at time zone 'UTC', 'YYYY-MM-DD') as bucket, geo_type::text from releases order by 1, 2",
    );
    expect(releases).toEqual([
      { bucket: "2026-01-15", geo_type: "city_code" },
      { bucket: "2026-01-15", geo_type: "geohash3" },
      { bucket: "2026-01-16", geo_type: "city_code" },
      { bucket: "2026-01-16", geo_type: "geohash3" },
    ]);
    const runs = await db.query<{
      job_name: string;
      outcome: string;
      rows: number | null;
      finished: boolean;
    }>(
      "select job_name, outcome, rows, finished_at is not null as finished from job_runs order by started_at, job_name",
    );
    expect(runs[0]).toEqual({
      job_name: PRECOMPUTE_TICK_QUEUE,
      outcome: "enqueued",
      rows: 4,
      finished: true,
    });
    const releaseRuns = runs.filter((run) => run.job_name === "precompute-release");
    expect(releaseRuns).toHaveLength(4);
    // CITY_CODE releases hold 2 cities x 135 segments; GEOHASH3 ones every mapped cell x 135.
    const [mapped] = await db.query<{ n: number }>("select count(*)::int as n from city_geohash3_map");
    expect(releaseRuns.map((run) => run.rows).sort()).toEqual(
      [270, 270, (mapped?.n ?? 0) * 135, (mapped?.n ?? 0) * 135].sort(),
    );
    expect(releaseRuns.every((run) => run.outcome === "released" && run.finished)).toBe(true);
  });

  it("a changed policy row changes the next tick, without a restart", async () => {
    await setPolicy({
      enabled: true,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 3,
      week_buckets: 0,
    });
    expect(await scheduler.tick()).toBe(2);
    expect(await waitForReleases(6)).toBe(6);
    await setPolicy({
      enabled: false,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 10,
      week_buckets: 0,
    });
    expect(await scheduler.tick()).toBe(0);
    const [last] = await db.query<{ outcome: string }>(
      "select outcome from job_runs where job_name = $1 order by started_at desc limit 1",
      [PRECOMPUTE_TICK_QUEUE],
    );
    expect(last?.outcome).toBe("disabled");
  });

  it("an invalid policy is refused with a message naming the bad field, and the failure is recorded", async () => {
    await setPolicy({
      enabled: true,
      granularities: ["fortnight"],
      hour_buckets: 0,
      day_buckets: 1,
      week_buckets: 0,
    });
    await expect(scheduler.tick()).rejects.toThrow(/granularities\.0/);
    const [last] = await db.query<{ outcome: string; error: string }>(
      "select outcome, error from job_runs where job_name = $1 order by started_at desc limit 1",
      [PRECOMPUTE_TICK_QUEUE],
    );
    expect(last?.outcome).toBe("failed");
    expect(last?.error).toMatch(/timing policy outside_buyer_precompute_v1 is invalid/);
  });

  it("the retention and alert jobs run from their timing policies and record their runs", async () => {
    expect(await scheduler.retention()).toBe("deleted");
    // Which event days may go depends on the precompute window, so it needs a valid policy.
    await expect(scheduler.dataRetention()).rejects.toThrow(/outside_buyer_precompute_v1 is invalid/);
    await setPolicy({
      enabled: true,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 2,
      week_buckets: 0,
    });
    expect(await scheduler.dataRetention()).toBe("deleted");
    expect(await scheduler.feedRetention()).toBe("deleted");
    expect(await scheduler.alerts()).toBe("below_threshold");
    await db.query(
      "update timing_policies set payload = payload || '{\"enabled\": false}'::jsonb where policy_key in ('imports_retention_v1', 'data_retention_v1', 'ops_feed_retention_v1', 'anomaly_alerts_v1')",
    );
    expect(await scheduler.retention()).toBe("disabled");
    expect(await scheduler.dataRetention()).toBe("disabled");
    expect(await scheduler.feedRetention()).toBe("disabled");
    expect(await scheduler.alerts()).toBe("disabled");
    const runs = await db.query<{ job_name: string; outcome: string }>(
      "select job_name, outcome from job_runs where job_name = any($1::text[]) and finished_at is not null order by started_at",
      [[RETENTION_QUEUE, DATA_RETENTION_QUEUE, FEED_RETENTION_QUEUE, ANOMALY_ALERTS_QUEUE]],
    );
    expect(runs).toEqual([
      { job_name: RETENTION_QUEUE, outcome: "deleted" },
      { job_name: DATA_RETENTION_QUEUE, outcome: "failed" },
      { job_name: DATA_RETENTION_QUEUE, outcome: "deleted" },
      { job_name: FEED_RETENTION_QUEUE, outcome: "deleted" },
      { job_name: ANOMALY_ALERTS_QUEUE, outcome: "below_threshold" },
      { job_name: RETENTION_QUEUE, outcome: "disabled" },
      { job_name: DATA_RETENTION_QUEUE, outcome: "disabled" },
      { job_name: FEED_RETENTION_QUEUE, outcome: "disabled" },
      { job_name: ANOMALY_ALERTS_QUEUE, outcome: "disabled" },
    ]);
  });

  it("the contract verifier runs from its timing policy on its own queue and records its runs", async () => {
    const schedules = await scheduler.boss.getSchedules();
    expect(schedules.find((schedule) => schedule.name === CONTRACT_VERIFIER_QUEUE)?.cron).toBe("45 * * * *");
    // The releases the scheduler made are clean.
    expect(await scheduler.contractVerifier()).toBe("ok");
    await db.query(
      `update timing_policies set payload = payload || '{"enabled": false}'::jsonb where policy_key = 'contract_verifier_v1'`,
    );
    expect(await scheduler.contractVerifier()).toBe("disabled");
    const runs = await db.query<{ outcome: string }>(
      "select outcome from job_runs where job_name = $1 order by started_at",
      [CONTRACT_VERIFIER_QUEUE],
    );
    expect(runs).toEqual([{ outcome: "ok" }, { outcome: "disabled" }]);
  });

  it("a changed alert cron in the timing policy is applied at the next tick", async () => {
    await setPolicy({
      enabled: false,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 1,
      week_buckets: 0,
    });
    await db.query(
      `update timing_policies set payload = payload || '{"cron": "*/5 * * * *"}'::jsonb where policy_key = 'anomaly_alerts_v1'`,
    );
    await scheduler.tick();
    const schedules = await scheduler.boss.getSchedules();
    expect(schedules.find((schedule) => schedule.name === ANOMALY_ALERTS_QUEUE)?.cron).toBe("*/5 * * * *");
  });
});
