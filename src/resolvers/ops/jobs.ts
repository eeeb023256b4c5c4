import { CronExpressionParser } from "cron-parser";
import type { DatabaseHandle } from "../../db/client";
import { columnsOf } from "../../db/rows";
import { jobRuns } from "../../db/schema/logs";
import { type ScheduledTimingPolicyKey, TIMING_POLICIES } from "../../db/timingPolicyRegistry";
import { ALERT_POLICY_KEY } from "../../jobs/anomalyAlerts";
import { CONTRACT_VERIFIER_POLICY_KEY, CONTRACT_VERIFIER_QUEUE } from "../../jobs/contractVerifier";
import { DATA_RETENTION_POLICY_KEY, DATA_RETENTION_QUEUE } from "../../jobs/dataRetention";
import { FEED_RETENTION_POLICY_KEY, FEED_RETENTION_QUEUE } from "../../jobs/feedRetention";
import { MONITORS_POLICY_KEY, MONITORS_QUEUE } from "../../jobs/monitors";
import { MANUAL_PRECOMPUTE_JOB_NAME } from "../../jobs/precompute/manualPrecompute";
import { PRECOMPUTE_POLICY_KEY } from "../../jobs/precompute/planReleases";
import { RELEASE_JOB_NAME } from "../../jobs/precompute/runReleases";
import { RETENTION_POLICY_KEY } from "../../jobs/retention";
import {
  ANOMALY_ALERTS_QUEUE,
  PRECOMPUTE_TICK_CRON,
  PRECOMPUTE_TICK_QUEUE,
  RETENTION_QUEUE,
} from "../../jobs/scheduler";

/** A job run; of its details, the releases a manual precompute planned. */
export type JobRunRow = Omit<typeof jobRuns.$inferSelect, "details"> & { planned: number | null };

export interface JobRow {
  name: string;
  description: string;
  /** Cron (UTC) of a scheduled job; null for jobs started by another job or by an operator. */
  schedule: string | null;
  policyKey: string | null;
  lastRun: JobRunRow | null;
  runs24h: number;
  failures24h: number;
  nextDueAt: Date | null;
}

interface KnownJob {
  name: string;
  description: string;
  policyKey: string | null;
  /** A fixed cron, or the timing policy whose payload.cron is the schedule. */
  cron: { fixed: string } | { fromPolicy: ScheduledTimingPolicyKey } | null;
}

const KNOWN_JOBS: KnownJob[] = [
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
];

const RUN = columnsOf(jobRuns);

/** Every job: the scheduled ones, the on-demand ones, and any other name found in job_runs. */
export async function listJobs(database: DatabaseHandle, now: Date): Promise<JobRow[]> {
  const since = new Date(now.getTime() - 24 * 3_600_000);
  const counts = await database.query<{ job_name: string; runs: number; failures: number }>(
    `select job_name, count(*) filter (where started_at > $1)::int as runs,
            count(*) filter (where started_at > $1 and outcome = 'failed')::int as failures
     from job_runs group by job_name`,
    [since],
  );
  const lastRuns = (
    await database.query(
      `select distinct on (job_name) ${RUN.list} from job_runs order by job_name, started_at desc, id`,
    )
  ).map(jobRunOf);
  const policies = await database.query<{ policy_key: string; payload: { cron?: unknown } | null }>(
    "select policy_key, payload from timing_policies",
  );
  const cronOfPolicy = (key: ScheduledTimingPolicyKey): string => {
    const stored = policies.find((policy) => policy.policy_key === key)?.payload?.cron;
    return typeof stored === "string" ? stored : TIMING_POLICIES[key].defaultPayload.cron;
  };
  const others = counts
    .map((row) => row.job_name)
    .filter((name) => !KNOWN_JOBS.some((job) => job.name === name))
    .sort()
    .map((name): KnownJob => ({ name, description: "Recorded in job_runs.", policyKey: null, cron: null }));
  return [...KNOWN_JOBS, ...others].map((job) => {
    const schedule =
      job.cron === null ? null : "fixed" in job.cron ? job.cron.fixed : cronOfPolicy(job.cron.fromPolicy);
    const count = counts.find((row) => row.job_name === job.name);
    const last = lastRuns.find((run) => run.jobName === job.name);
    return {
      name: job.name,
      description: job.description,
      schedule,
      policyKey: job.policyKey,
      lastRun: last ?? null,
      runs24h: count?.runs ?? 0,
      failures24h: count?.failures ?? 0,
      nextDueAt: schedule === null ? null : nextDue(schedule, now),
    };
  });
}

export async function findJobRun(database: DatabaseHandle, id: string): Promise<JobRunRow | null> {
  const [row] = await database.query(`select ${RUN.list} from job_runs where id = $1`, [id]);
  return row === undefined ? null : jobRunOf(row);
}

/** The next time a UTC cron fires after `now`; null for a cron that does not parse. */
export function nextDue(cron: string, now: Date): Date | null {
  try {
    return CronExpressionParser.parse(cron, { currentDate: now, tz: "UTC" }).next().toDate();
  } catch {
    return null;
  }
}

function jobRunOf(raw: Record<string, unknown>): JobRunRow {
  const { details, ...run } = RUN.read(raw);
  const planned = (details as { planned?: unknown } | null)?.planned;
  return { ...run, planned: typeof planned === "number" ? planned : null };
}
