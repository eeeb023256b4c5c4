import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle, QueryFn } from "../db/client";
import type { TimingPolicyKey } from "../db/timingPolicyRegistry";
import type { AdminOutcome, UserError } from "../errors";
import { loadTimingPolicy } from "./timingPolicies";

/** The import retention's timing policy: when the daily job runs and how long rows are kept. */
export const RETENTION_POLICY_KEY = "imports_retention_v1" satisfies TimingPolicyKey;
export const RETENTION_JOB_NAME = "imports_retention";

export interface RetentionInput {
  stagingDays: number;
  anomaliesDays: number;
  /** Required to run with 0 days, which deletes every row. */
  confirm?: boolean | null;
}

export interface RetentionResult {
  stagingDeleted: number;
  anomaliesDeleted: number;
  statDate: string;
}

const MAX_DAYS = 3650;

/** No negative days; 0 (delete everything) only with confirm: true. */
export function validateRetention(input: RetentionInput): UserError[] {
  return (["stagingDays", "anomaliesDays"] as const).flatMap((field) => {
    const error = validateRetentionDays(field, input[field], input.confirm);
    return error === null ? [] : [error];
  });
}

/**
 * One retention age: a whole number of days 0..3650, and 0 (every row) only with confirm: true.
 * `effect` says what 0 does to the rows, e.g. "archives every read feed item".
 */
export function validateRetentionDays(
  field: string,
  days: number,
  confirm: boolean | null | undefined,
  effect = "deletes every row",
): UserError | null {
  if (!Number.isInteger(days) || days < 0 || days > MAX_DAYS) {
    return {
      field: ["input", field],
      code: "OUT_OF_RANGE",
      message: `${field} must be a whole number of days between 0 and ${MAX_DAYS}.`,
    };
  }
  if (days === 0 && confirm !== true) {
    return {
      field: ["input", field],
      code: "CONFIRMATION_REQUIRED",
      message: `${field} = 0 ${effect}; send confirm: true if that is what you want.`,
    };
  }
  return null;
}

/**
 * Deletes staging rows older than stagingDays and anomalies older than anomaliesDays, adding what it
 * deleted to today's import_retention_stats row in the caller's transaction (both or neither).
 */
export async function deleteExpiredImports(
  query: QueryFn,
  input: { stagingDays: number; anomaliesDays: number },
  now: Date,
): Promise<RetentionResult> {
  const day = 86_400_000;
  const staging = await query("delete from staging_imports where created_at < $1 returning id", [
    new Date(now.getTime() - input.stagingDays * day),
  ]);
  const anomalies = await query("delete from import_anomalies where created_at < $1 returning id", [
    new Date(now.getTime() - input.anomaliesDays * day),
  ]);
  const statDate = now.toISOString().slice(0, 10);
  await query(
    `insert into import_retention_stats (stat_date, staging_deleted, anomalies_deleted, run_at)
     values ($1::date, $2, $3, $4)
     on conflict (stat_date) do update set
       staging_deleted = import_retention_stats.staging_deleted + excluded.staging_deleted,
       anomalies_deleted = import_retention_stats.anomalies_deleted + excluded.anomalies_deleted,
       run_at = excluded.run_at`,
    [statDate, staging.length, anomalies.length, now],
  );
  return { stagingDeleted: staging.length, anomaliesDeleted: anomalies.length, statDate };
}

/** The operator's runRetention: validate, delete, count and audit in one transaction. */
export async function runRetention(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: RetentionInput,
): Promise<AdminOutcome<{ result: RetentionResult }>> {
  const now = clock.now();
  const userErrors = validateRetention(input);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const result = await database.transaction(async (query) => {
    const deleted = await deleteExpiredImports(query, input, now);
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "runRetention",
      target: `staging ${input.stagingDays}d, anomalies ${input.anomaliesDays}d`,
      outcome: "OK",
      details: {
        stagingDays: input.stagingDays,
        anomaliesDays: input.anomaliesDays,
        confirm: input.confirm === true,
      },
      after: deleted,
    });
    return deleted;
  });
  return { ok: true, value: { result } };
}

/** The scheduled run: the policy's days, one transaction (no audit row: no operator acted). */
export async function runScheduledRetention(database: DatabaseHandle, now: Date) {
  const policy = await loadTimingPolicy(database, RETENTION_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const result = await database.transaction((query) =>
    deleteExpiredImports(
      query,
      { stagingDays: policy.staging_days, anomaliesDays: policy.anomalies_days },
      now,
    ),
  );
  return {
    outcome: "deleted",
    rows: result.stagingDeleted + result.anomaliesDeleted,
    details: { ...result },
  };
}
