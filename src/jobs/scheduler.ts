import { fromPglite, PgBoss } from "pg-boss";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import type { ScheduledTimingPolicyKey } from "../db/timingPolicyRegistry";
import { ALERT_POLICY_KEY, type AlertTarget, runScheduledAlerts } from "./anomalyAlerts";
import {
  CONTRACT_VERIFIER_POLICY_KEY,
  CONTRACT_VERIFIER_QUEUE,
  runScheduledContractVerifier,
} from "./contractVerifier";
import { DATA_RETENTION_POLICY_KEY, DATA_RETENTION_QUEUE, runScheduledDataRetention } from "./dataRetention";
import { FEED_RETENTION_POLICY_KEY, FEED_RETENTION_QUEUE, runScheduledFeedRetention } from "./feedRetention";
import { type JobRunResult, recordJobRun } from "./jobRuns";
import { MONITORS_POLICY_KEY, MONITORS_QUEUE, runScheduledMonitors } from "./monitors";
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
  const now = () => deps.clock.now();
  // The jobs whose cron is their timing policy's `cron`, each run recorded in job_runs.
  const policyJobs = await schedulePolicyJobs(
    boss,
    database,
    logger,
    {
      retention: {
        queue: RETENTION_QUEUE,
        policyKey: RETENTION_POLICY_KEY,
        work: () => runScheduledRetention(database, now()),
      },
      dataRetention: {
        queue: DATA_RETENTION_QUEUE,
        policyKey: DATA_RETENTION_POLICY_KEY,
        work: () => runScheduledDataRetention(database, now()),
      },
      feedRetention: {
        queue: FEED_RETENTION_QUEUE,
        policyKey: FEED_RETENTION_POLICY_KEY,
        work: () => runScheduledFeedRetention(database, now()),
      },
      alerts: {
        queue: ANOMALY_ALERTS_QUEUE,
        policyKey: ALERT_POLICY_KEY,
        work: () => runScheduledAlerts({ database, clock: deps.clock, target: deps.alertTarget }),
      },
      monitors: {
        queue: MONITORS_QUEUE,
        policyKey: MONITORS_POLICY_KEY,
        work: () => runScheduledMonitors(database, deps.clock),
      },
      contractVerifier: {
        queue: CONTRACT_VERIFIER_QUEUE,
        policyKey: CONTRACT_VERIFIER_POLICY_KEY,
        work: () => runScheduledContractVerifier(database, now()),
      },
    },
    now,
  );

  const tick = async (): Promise<number> => {
    await policyJobs.sync();
    const result = await recordJobRun(database, { name: PRECOMPUTE_TICK_QUEUE, now }, async () => {
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
    });
    return result.rows ?? 0;
  };

  await boss.work(PRECOMPUTE_TICK_QUEUE, async () => {
    await tick();
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
    ...policyJobs.runs,
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

interface PolicyJob {
  queue: string;
  /** The timing policy whose `cron` schedules the job. */
  policyKey: ScheduledTimingPolicyKey;
  /** One run (the policy's other knobs are read inside it, at every run). */
  work: () => Promise<JobRunResult>;
}

/**
 * Creates each job's queue, schedules it on its policy's cron and works it. Each run is recorded in
 * job_runs and answers its outcome. `sync` re-reads every cron (schedule() replaces an entry); the
 * hourly tick calls it, so an operator's change takes effect within the hour. A cron that cannot be
 * applied is logged and leaves the others applied.
 */
async function schedulePolicyJobs<Name extends string>(
  boss: PgBoss,
  database: DatabaseHandle,
  logger: Logger,
  jobs: Record<Name, PolicyJob>,
  now: () => Date,
): Promise<{ runs: Record<Name, () => Promise<string>>; sync: () => Promise<void> }> {
  const entries = Object.entries(jobs) as [Name, PolicyJob][];
  const sync = async () => {
    for (const [, job] of entries) {
      try {
        await boss.schedule(job.queue, await cronOf(database, job.policyKey, logger), {}, { tz: "UTC" });
      } catch (error) {
        logger.error({ err: String(error), queue: job.queue }, "could not apply a job's cron");
      }
    }
  };
  const runs = {} as Record<Name, () => Promise<string>>;
  for (const [name, job] of entries) {
    await boss.createQueue(job.queue);
    runs[name] = async () => (await recordJobRun(database, { name: job.queue, now }, job.work)).outcome;
    await boss.work(job.queue, async () => {
      await runs[name]();
    });
  }
  await sync();
  return { runs, sync };
}

function bossOptions(database: DatabaseHandle): ConstructorParameters<typeof PgBoss>[0] {
  if (database.kind === "pglite") {
    if (database.pglite === undefined) throw new Error("PGlite handle without its client");
    return { db: fromPglite(database.pglite), schema: "pgboss" };
  }
  return { connectionString: database.url ?? "", schema: "pgboss", max: 4 };
}
