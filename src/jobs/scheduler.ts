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
import { MANUAL_PRECOMPUTE_JOB_NAME } from "./precompute/manualPrecompute";
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

/** A job as ops.jobs describes it. */
export interface JobDescription {
  name: string;
  description: string;
  policyKey: string | null;
  /** A fixed cron, or the timing policy whose payload.cron is the schedule. */
  cron: { fixed: string } | { fromPolicy: ScheduledTimingPolicyKey } | null;
}

/**
 * Every job this service runs: the scheduled ones (a fixed cron, or the `cron` of a timing policy)
 * and the ones another job or an operator starts. startScheduler works every `fromPolicy` entry.
 */
export const JOB_CATALOG = [
  {
    name: PRECOMPUTE_TICK_QUEUE,
    description: "Hourly tick: plans the missing releases from the precompute policy and enqueues them.",
    policyKey: PRECOMPUTE_POLICY_KEY,
    cron: { fixed: PRECOMPUTE_TICK_CRON },
  },
  {
    name: RELEASE_JOB_NAME,
    description: "One release (granularity, bucket, geo type), enqueued by the tick or run by the CLI.",
    policyKey: PRECOMPUTE_POLICY_KEY,
    cron: null,
  },
  {
    name: MANUAL_PRECOMPUTE_JOB_NAME,
    description: "A precompute of a range started by an operator (runPrecompute).",
    policyKey: null,
    cron: null,
  },
  {
    name: RETENTION_QUEUE,
    description: "Deletes staging rows and anomalies past their retention.",
    policyKey: RETENTION_POLICY_KEY,
    cron: { fromPolicy: RETENTION_POLICY_KEY },
  },
  {
    name: DATA_RETENTION_QUEUE,
    description:
      "Deletes raw events of materialised days, request logs and alert deliveries past their retention.",
    policyKey: DATA_RETENTION_POLICY_KEY,
    cron: { fromPolicy: DATA_RETENTION_POLICY_KEY },
  },
  {
    name: FEED_RETENTION_QUEUE,
    description:
      "Archives old read feed items; deletes old feed items and monitor events, keeping their counts per day, monitor and severity.",
    policyKey: FEED_RETENTION_POLICY_KEY,
    cron: { fromPolicy: FEED_RETENTION_POLICY_KEY },
  },
  {
    name: ANOMALY_ALERTS_QUEUE,
    description: "Sends signed anomaly alerts to the configured webhook.",
    policyKey: ALERT_POLICY_KEY,
    cron: { fromPolicy: ALERT_POLICY_KEY },
  },
  {
    name: MONITORS_QUEUE,
    description: "Runs the enabled ops monitors; a firing one writes a feed item.",
    policyKey: MONITORS_POLICY_KEY,
    cron: { fromPolicy: MONITORS_POLICY_KEY },
  },
  {
    name: CONTRACT_VERIFIER_QUEUE,
    description:
      "Re-checks recent releases and a sample of export records against the data contract; violations open feed items.",
    policyKey: CONTRACT_VERIFIER_POLICY_KEY,
    cron: { fromPolicy: CONTRACT_VERIFIER_POLICY_KEY },
  },
] as const satisfies readonly JobDescription[];

/** The catalog's jobs worked on their timing policy's cron, and their queues. */
type PolicyScheduledJob = Extract<(typeof JOB_CATALOG)[number], { cron: { fromPolicy: string } }>;
type PolicyQueue = PolicyScheduledJob["name"];

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
  // The catalog's jobs worked on their timing policy's cron, each run recorded in job_runs.
  const policyJobs = await schedulePolicyJobs(boss, database, logger, now, {
    [RETENTION_QUEUE]: () => runScheduledRetention(database, now()),
    [DATA_RETENTION_QUEUE]: () => runScheduledDataRetention(database, now()),
    [FEED_RETENTION_QUEUE]: () => runScheduledFeedRetention(database, now()),
    [ANOMALY_ALERTS_QUEUE]: () =>
      runScheduledAlerts({ database, clock: deps.clock, target: deps.alertTarget }),
    [MONITORS_QUEUE]: () => runScheduledMonitors(database, deps.clock),
    [CONTRACT_VERIFIER_QUEUE]: () => runScheduledContractVerifier(database, now()),
  });

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
    retention: policyJobs.runs[RETENTION_QUEUE],
    dataRetention: policyJobs.runs[DATA_RETENTION_QUEUE],
    feedRetention: policyJobs.runs[FEED_RETENTION_QUEUE],
    alerts: policyJobs.runs[ANOMALY_ALERTS_QUEUE],
    monitors: policyJobs.runs[MONITORS_QUEUE],
    contractVerifier: policyJobs.runs[CONTRACT_VERIFIER_QUEUE],
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

/**
 * Creates the queue of every catalog job scheduled by a timing policy, schedules it on the policy's
 * cron and works it with its `work`; each run is recorded in job_runs and answers its outcome. `sync`
 * re-reads every cron (schedule() replaces an entry); the hourly tick calls it, so an operator's
 * change takes effect within the hour. A cron that cannot be applied is logged and leaves the others.
 */
async function schedulePolicyJobs(
  boss: PgBoss,
  database: DatabaseHandle,
  logger: Logger,
  now: () => Date,
  works: Record<PolicyQueue, () => Promise<JobRunResult>>,
): Promise<{ runs: Record<PolicyQueue, () => Promise<string>>; sync: () => Promise<void> }> {
  const jobs = JOB_CATALOG.filter(
    (job): job is PolicyScheduledJob => job.cron !== null && "fromPolicy" in job.cron,
  );
  const sync = async () => {
    for (const job of jobs) {
      try {
        await boss.schedule(job.name, await cronOf(database, job.cron.fromPolicy, logger), {}, { tz: "UTC" });
      } catch (error) {
        logger.error({ err: String(error), queue: job.name }, "could not apply a job's cron");
      }
    }
  };
  const runs = {} as Record<PolicyQueue, () => Promise<string>>;
  for (const job of jobs) {
    await boss.createQueue(job.name);
    const run = async () => (await recordJobRun(database, { name: job.name, now }, works[job.name])).outcome;
    runs[job.name] = run;
    await boss.work(job.name, async () => {
      await run();
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
