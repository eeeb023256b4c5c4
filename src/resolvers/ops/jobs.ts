import { CronExpressionParser } from "cron-parser";
import type { DatabaseHandle } from "../../db/client";
import { columnsOf } from "../../db/rows";
import { jobRuns } from "../../db/schema/logs";
import type { ScheduledTimingPolicyKey } from "../../db/timingPolicyRegistry";
import { JOB_CATALOG, type JobDescription } from "../../jobs/scheduler";
import { scheduledCron } from "../../jobs/timingPolicies";

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
  const policies = await database.query<{ policy_key: string; payload: unknown }>(
    "select policy_key, payload from timing_policies",
  );
  const cronOfPolicy = (key: ScheduledTimingPolicyKey): string =>
    scheduledCron(
      key,
      policies.find((policy) => policy.policy_key === key),
    ).cron;
  const others = counts
    .map((row) => row.job_name)
    .filter((name) => !JOB_CATALOG.some((job) => job.name === name))
    .sort()
    .map(
      (name): JobDescription => ({ name, description: "Recorded in job_runs.", policyKey: null, cron: null }),
    );
  return [...JOB_CATALOG, ...others].map((job) => {
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
