import { fromPglite, PgBoss } from "pg-boss";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import { ALERT_POLICY_KEY, type AlertTarget, runScheduledAlerts } from "./anomalyAlerts";
import { scheduleContractVerifier } from "./contractVerifier";
import { DATA_RETENTION_POLICY_KEY, DATA_RETENTION_QUEUE, runScheduledDataRetention } from "./dataRetention";
import { FEED_RETENTION_POLICY_KEY, FEED_RETENTION_QUEUE, runScheduledFeedRetention } from "./feedRetention";
import { recordJobRun } from "./jobRuns";
import { scheduleMonitors } from "./monitors";
import {
  type PlannedRelease,
  PRECOMPUTE_POLICY_KEY,
  planMissingReleases,
  releaseJobKey,
} from "./precompute/planReleases";
import type { PrecomputeDependencies } from "./precompute/precomputeRelease";
import { RELEASE_JOB_NAME, runRecordedRelease } from "./precompute/runReleases";
import { RETENTION_POLICY_KEY, runScheduledRetention } from "./retention";
import { cronOf, loadTimingPolicy } from "./timingPolicies";

export const PRECOMPUTE_TICK_QUEUE = "outside_buyer_precompute_v1_hourly";
/** The tick runs hourly; the policy decides what it plans, not when. */
export const PRECOMPUTE_TICK_CRON = "0 * * * *";
export const PRECOMPUTE_RELEASE_QUEUE = "precompute_release";
export const RETENTION_QUEUE = "imports_retention_daily";
export const ANOMALY_ALERTS_QUEUE = "anomaly_alerts_check";

interface ReleaseJobData {
  granularity: PlannedRelease["granularity"];
  bucketStart: string;
  geoType: PlannedRelease["geoType"];
  /** Absent in jobs queued before breakdown levels: "full". */
  level?: PlannedRelease["level"];
}

export interface Scheduler {
  boss: PgBoss;
  /** Plans and enqueues the missing releases now (what the hourly tick does). */
  tick(): Promise<number>;
  /** Runs the retention job now (what its daily cron does); recorded as a job run. */
  retention(): Promise<string>;
  /** Runs the events, logs and deliveries retention now (what its daily cron does); recorded as a job run. */
  dataRetention(): Promise<string>;
  /** Runs the ops feed and monitor events retention now (what its daily cron does); recorded as a job run. */
  feedRetention(): Promise<string>;
  /** Runs the anomaly-alert check now (what its cron does); recorded as a job run. */
  alerts(): Promise<string>;
  /** Runs the ops monitors now (what their cron does); recorded as a job run. */
  monitors(): Promise<string>;
  /** Runs the contract verifier now (what its cron does); recorded as a job run. */
  contractVerifier(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * pg-boss on either backend: an hourly cron tick reads the timing policy (so operators change the
 * cadence without a restart) and enqueues missing releases; workers compute them one bucket at a
 * time (stately queue keyed by bucket, plus the release's advisory lock).
 */
export async function startScheduler(
  deps: PrecomputeDependencies & { logger: Logger; alertTarget?: AlertTarget },
): Promise<Scheduler> {
  const { database, logger } = deps;
  const boss = new PgBoss(bossOptions(database));
  boss.on("error", (error) => logger.error({ err: error.message }, "pg-boss error"));
  await boss.start();
  await boss.createQueue(PRECOMPUTE_TICK_QUEUE);
  await boss.createQueue(PRECOMPUTE_RELEASE_QUEUE, { policy: "stately", retryLimit: 2, retryDelay: 60 });
  await boss.schedule(PRECOMPUTE_TICK_QUEUE, PRECOMPUTE_TICK_CRON, {}, { tz: "UTC" });
  // The daily jobs whose cron is their timing policy's `cron`.
  const policyCrons = [
    [RETENTION_QUEUE, RETENTION_POLICY_KEY],
    [DATA_RETENTION_QUEUE, DATA_RETENTION_POLICY_KEY],
    [FEED_RETENTION_QUEUE, FEED_RETENTION_POLICY_KEY],
    [ANOMALY_ALERTS_QUEUE, ALERT_POLICY_KEY],
  ] as const;
  for (const [queue] of policyCrons) await boss.createQueue(queue);
  // The crons come from the timing policies, re-read at every hourly tick (schedule() replaces an
  // entry), so an operator's change takes effect within the hour; the other knobs are read at every run.
  const syncSchedules = async () => {
    for (const [queue, policyKey] of policyCrons) {
      await boss.schedule(queue, await cronOf(database, policyKey, logger), {}, { tz: "UTC" });
    }
  };
  await syncSchedules();
  const monitorJob = await scheduleMonitors(boss, { database, clock: deps.clock, logger });
  const verifierJob = await scheduleContractVerifier(boss, { database, clock: deps.clock, logger });

  const tick = async (): Promise<number> => {
    await monitorJob
      .sync()
      .catch((error: unknown) => logger.error({ err: String(error) }, "could not apply the monitors cron"));
    await verifierJob
      .sync()
      .catch((error: unknown) =>
        logger.error({ err: String(error) }, "could not apply the contract verifier cron"),
      );
    await syncSchedules().catch((error: unknown) =>
      logger.error({ err: String(error) }, "could not apply the retention and alert crons"),
    );
    const result = await recordJobRun(
      database,
      { name: PRECOMPUTE_TICK_QUEUE, now: () => deps.clock.now() },
      async () => {
        const policy = await loadTimingPolicy(database, PRECOMPUTE_POLICY_KEY);
        const planned = await planMissingReleases(database, deps.clock.now(), policy);
        for (const release of planned) {
          await boss.send(
            PRECOMPUTE_RELEASE_QUEUE,
            { ...release, bucketStart: release.bucketStart.toISOString() } satisfies ReleaseJobData,
            { singletonKey: releaseJobKey(release) },
          );
        }
        return { outcome: policy.enabled ? "enqueued" : "disabled", rows: planned.length };
      },
    );
    return result.rows ?? 0;
  };

  await boss.work(PRECOMPUTE_TICK_QUEUE, async () => {
    await tick();
  });
  const now = () => deps.clock.now();
  const retention = async () =>
    (
      await recordJobRun(database, { name: RETENTION_QUEUE, now }, () =>
        runScheduledRetention(database, now()),
      )
    ).outcome;
  const dataRetention = async () =>
    (
      await recordJobRun(database, { name: DATA_RETENTION_QUEUE, now }, () =>
        runScheduledDataRetention(database, now()),
      )
    ).outcome;
  const feedRetention = async () =>
    (
      await recordJobRun(database, { name: FEED_RETENTION_QUEUE, now }, () =>
        runScheduledFeedRetention(database, now()),
      )
    ).outcome;
  const alerts = async () =>
    (
      await recordJobRun(database, { name: ANOMALY_ALERTS_QUEUE, now }, () =>
        runScheduledAlerts({ database, clock: deps.clock, target: deps.alertTarget }),
      )
    ).outcome;
  await boss.work(RETENTION_QUEUE, async () => {
    await retention();
  });
  await boss.work(DATA_RETENTION_QUEUE, async () => {
    await dataRetention();
  });
  await boss.work(FEED_RETENTION_QUEUE, async () => {
    await feedRetention();
  });
  await boss.work(ANOMALY_ALERTS_QUEUE, async () => {
    await alerts();
  });
  await boss.work<ReleaseJobData>(PRECOMPUTE_RELEASE_QUEUE, { batchSize: 1 }, async ([job]) => {
    if (job === undefined) return;
    const release = {
      ...job.data,
      bucketStart: new Date(job.data.bucketStart),
      level: job.data.level ?? "full",
    };
    const result = await runRecordedRelease(deps, release, "scheduler");
    logger.info(
      { job: RELEASE_JOB_NAME, release: releaseJobKey(release), outcome: result.status },
      "precompute",
    );
  });

  return {
    boss,
    tick,
    retention,
    dataRetention,
    feedRetention,
    alerts,
    monitors: monitorJob.run,
    contractVerifier: verifierJob.run,
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

function bossOptions(database: DatabaseHandle): ConstructorParameters<typeof PgBoss>[0] {
  if (database.kind === "pglite") {
    if (database.pglite === undefined) throw new Error("PGlite handle without its client");
    return { db: fromPglite(database.pglite), schema: "pgboss" };
  }
  return { connectionString: database.url ?? "", schema: "pgboss", max: 4 };
}
