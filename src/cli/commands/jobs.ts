import { execute } from "../../client/opsClient";
import { OpsFreshnessDocument, OpsJobsDocument } from "../../generated/graphql/graphql";
import { type OpsCommand, round } from "../opsCommand";

/** `npm run ops` commands. The scheduled jobs and the freshness of the released buckets. */
export const jobsCommands: OpsCommand[] = [
  {
    path: ["jobs"],
    summary: "Every job: schedule, policy, last run, runs and failures in 24 h, next due.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsJobsDocument, {});
      const rows = data.ops.jobs.map((job) => ({
        job: job.name,
        schedule: job.schedule ?? null,
        policy: job.policyKey ?? null,
        lastStart: job.lastRun?.startedAt ?? null,
        lastOutcome: job.lastRun?.outcome ?? null,
        rows:
          job.lastRun?.planned === null || job.lastRun?.planned === undefined
            ? (job.lastRun?.rows ?? null)
            : `${job.lastRun.rows ?? 0}/${job.lastRun.planned}`,
        runs24h: job.runs24h,
        failures24h: job.failures24h,
        nextDue: job.nextDueAt ?? null,
        error: job.lastRun?.error ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["freshness"],
    summary: "Per granularity: newest released bucket, lag, stale.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsFreshnessDocument, {});
      const rows = data.ops.cacheFreshness.map((row) => ({
        granularity: row.granularity,
        latestBucket: row.latestReleasedBucketUtc ?? null,
        lagHours: row.lagHours === null || row.lagHours === undefined ? null : round(row.lagHours),
        stale: row.stale,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
];
