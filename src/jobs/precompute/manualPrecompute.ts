import type { Logger } from "pino";
import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle } from "../../db/client";
import type { TimeGranularity } from "../../db/schema/enums";
import type { AdminOutcome, UserError } from "../../errors";
import { bucketStartOf, latestReleasableBucket } from "../../privacy/buckets";
import { resolveNoiseKey } from "../../privacy/noiseKey";
import { loadReleasePlan } from "../../privacy/releasePlan";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";
import { missingInRange, type PlannedRelease } from "./planReleases";
import type { PrecomputeDependencies } from "./precomputeRelease";
import { PRIVACY_CAP_REACHED, runReleases } from "./runReleases";

export const MANUAL_PRECOMPUTE_JOB_NAME = "precompute-manual";
/** The longest range one runPrecompute may cover. */
export const MAX_MANUAL_RANGE_DAYS = 400;

export interface ManualPrecomputeInput {
  granularities: readonly TimeGranularity[];
  from: Date;
  to: Date;
}

export function validateManualPrecompute(input: ManualPrecomputeInput): UserError[] {
  const errors: UserError[] = [];
  if (input.granularities.length === 0) {
    errors.push({
      field: ["input", "granularities"],
      code: "GRANULARITIES_REQUIRED",
      message: "Name at least one granularity (HOUR, DAY or WEEK).",
    });
  }
  if (input.from >= input.to) {
    errors.push({ field: ["input", "to"], code: "INVALID_RANGE", message: "from must be before to." });
  } else if (input.to.getTime() - input.from.getTime() > MAX_MANUAL_RANGE_DAYS * 86_400_000) {
    errors.push({
      field: ["input", "to"],
      code: "RANGE_TOO_LARGE",
      message: `The range may cover at most ${MAX_MANUAL_RANGE_DAYS} days; split it into several runs.`,
    });
  }
  return errors;
}

/** What a run's job key and audit entries name: granularities and range. */
export function manualPrecomputeTarget(input: ManualPrecomputeInput): string {
  return `${[...new Set(input.granularities)].join(",")} ${input.from.toISOString()}..${input.to.toISOString()}`;
}

/**
 * Plans the missing releases whose buckets start in [from, to) (from floored to its bucket, buckets
 * still under the reporting delay left out), records a `precompute-manual` job run and its audit
 * entry in one transaction (a refused range is audited by the admin mutation that asked), and
 * computes the releases in the background with the configured noise key and totals resources: the
 * run's rows count the releases done, its outcome says how it ended.
 */
export async function startManualPrecompute(
  { database, clock, config, logger }: AdminDeps,
  actor: AdminActor,
  input: ManualPrecomputeInput,
): Promise<AdminOutcome<{ jobRunId: string; plannedReleases: number }>> {
  const deps = {
    database,
    noiseKey: resolveNoiseKey(config),
    totalsResources: config.precompute,
    clock,
    logger,
  };
  const now = clock.now();
  const userErrors = validateManualPrecompute(input);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const granularities = [...new Set(input.granularities)];
  const target = manualPrecomputeTarget(input);
  const planned: PlannedRelease[] = [];
  for (const granularity of granularities) {
    planned.push(...(await planRange(database, granularity, input.from, input.to, now)));
  }
  const jobRunId = await database.transaction(async (query) => {
    const [run] = await query<{ id: string }>(
      `insert into job_runs (job_name, job_key, started_at, outcome, rows, details)
       values ($1, $2, $3, 'running', 0, $4) returning id::text as id`,
      [MANUAL_PRECOMPUTE_JOB_NAME, target, now, JSON.stringify({ planned: planned.length })],
    );
    if (run === undefined) throw new Error("job run not recorded");
    await appendAuditEntry(query, {
      at: now,
      type: "admin",
      ...actor,
      action: "runPrecompute",
      target,
      outcome: "OK",
      after: { jobRunId: run.id, plannedReleases: planned.length },
    });
    return run.id;
  });
  void computeInBackground(deps, jobRunId, planned, actor.actor);
  return { ok: true, value: { jobRunId, plannedReleases: planned.length } };
}

async function planRange(
  database: DatabaseHandle,
  granularity: TimeGranularity,
  from: Date,
  to: Date,
  now: Date,
): Promise<PlannedRelease[]> {
  const profile = await loadReleaseProfile(database, granularity);
  // HOUR releases are planned as families, one per day.
  const step = granularity === "hour" ? "day" : granularity;
  const first = bucketStartOf(step, from);
  const lastInRange = bucketStartOf(step, new Date(to.getTime() - 1));
  const releasable = latestReleasableBucket(step, now, profile.reportingDelayHours);
  const last = lastInRange < releasable ? lastInRange : releasable;
  if (last.getTime() < first.getTime()) return [];
  return missingInRange(database, granularity, first, last, await loadReleasePlan(database.query));
}

/** Never rejects: every failure ends up in the job run. */
async function computeInBackground(
  deps: PrecomputeDependencies & { logger: Logger },
  jobRunId: string,
  planned: PlannedRelease[],
  createdBy: string,
): Promise<void> {
  const { database } = deps;
  try {
    let progressWrite = Promise.resolve();
    const summary = await runReleases(deps, planned, {
      createdBy,
      onProgress: (done) => {
        progressWrite = progressWrite
          .then(() => database.query("update job_runs set rows = $2 where id = $1", [jobRunId, done]))
          .then(() => undefined);
      },
    });
    await progressWrite;
    await database.query(
      "update job_runs set finished_at = $2, outcome = $3, rows = $4, details = $5 where id = $1",
      [
        jobRunId,
        deps.clock.now(),
        summary.failed > 0
          ? "completed_with_failures"
          : summary.capReached > 0
            ? PRIVACY_CAP_REACHED
            : "completed",
        planned.length,
        JSON.stringify({
          planned: planned.length,
          ...summary,
          errors: summary.errors.slice(0, 20),
          refusals: summary.refusals.slice(0, 20),
        }),
      ],
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.error({ err: message, jobRunId }, "manual precompute failed");
    await database
      .query("update job_runs set finished_at = $2, outcome = 'failed', error = $3 where id = $1", [
        jobRunId,
        deps.clock.now(),
        message.slice(0, 2000),
      ])
      .catch(() => {});
  }
}
