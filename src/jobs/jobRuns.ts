import type { DatabaseHandle } from "../db/client";

export interface JobRunResult {
  outcome: string;
  rows?: number;
  details?: Record<string, unknown>;
}

/**
 * Records one run of a job in job_runs (start, end, outcome, rows, error); the freshness views
 * read it. A throw is recorded as "failed" with its message and then re-thrown.
 */
export async function recordJobRun<T extends JobRunResult>(
  database: DatabaseHandle,
  job: { name: string; key?: string; now: () => Date },
  work: () => Promise<T>,
): Promise<T> {
  const [run] = await database.query<{ id: string }>(
    "insert into job_runs (job_name, job_key, started_at, outcome) values ($1, $2, $3, 'running') returning id",
    [job.name, job.key ?? null, job.now()],
  );
  try {
    const result = await work();
    await database.query(
      "update job_runs set finished_at = $2, outcome = $3, rows = $4, details = $5 where id = $1",
      [
        run?.id,
        job.now(),
        result.outcome,
        result.rows ?? null,
        result.details ? JSON.stringify(result.details) : null,
      ],
    );
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await database
      .query("update job_runs set finished_at = $2, outcome = 'failed', error = $3 where id = $1", [
        run?.id,
        job.now(),
        message.slice(0, 2000),
      ])
      .catch(() => {});
    throw error;
  }
}
