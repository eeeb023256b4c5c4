import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle, QueryFn } from "../db/client";
import { TIME_GRANULARITIES, type TimeGranularity } from "../db/schema/enums";
import { retentionDaysSchema, type TimingPolicy, type TimingPolicyKey } from "../db/timingPolicyRegistry";
import type { AdminOutcome, UserError } from "../errors";
import { BUCKET_MS, bucketKey, bucketStartOf } from "../privacy/buckets";
import { daysOutsideGuarantee } from "../privacy/participantDays";
import { loadReleasePlan, type PlanEntry } from "../privacy/releasePlan";
import { loadReleaseProfile } from "../privacy/releaseProfiles";
import { PRECOMPUTE_POLICY_KEY, type PrecomputePolicy, releaseWindow } from "./precompute/planReleases";
import { loadTimingPolicy } from "./timingPolicies";

export const DATA_RETENTION_POLICY_KEY = "data_retention_v1" satisfies TimingPolicyKey;
export const DATA_RETENTION_QUEUE = "data_retention_daily";

/** timing_policies.data_retention_v1: when the daily job runs and how long each kind of row is kept. */
export type DataRetentionPolicy = TimingPolicy<typeof DATA_RETENTION_POLICY_KEY>;

export interface DataRetentionResult {
  eventsDeleted: number;
  /** The UTC days whose events were deleted. */
  eventDays: string[];
  /** Days older than the age kept because a release that will read them is not made yet. */
  eventDaysKept: string[];
  requestLogsDeleted: number;
  alertDeliveriesDeleted: number;
  statDate: string;
}

const DAY_MS = BUCKET_MS.day;

/** What decides which buckets the precompute will still release: its policy and each embargo. */
export interface ReleaseHorizon {
  policy: PrecomputePolicy;
  delayHours: Record<TimeGranularity, number>;
}

export async function loadReleaseHorizon(database: DatabaseHandle): Promise<ReleaseHorizon> {
  const delayHours = { hour: 0, day: 0, week: 0 };
  for (const granularity of TIME_GRANULARITIES) {
    delayHours[granularity] = (await loadReleaseProfile(database, granularity)).reportingDelayHours;
  }
  return { policy: await loadTimingPolicy(database, PRECOMPUTE_POLICY_KEY), delayHours };
}

/**
 * The UTC days, among `candidates`, whose events no release will read again: for every enabled plan
 * entry, the release covering the day exists and is not retired (HOUR: all 24 hours of the day's
 * family), or its bucket will never be planned (before the precompute window as it stood a day ago,
 * a granularity the policy does not release, or a day outside the participant-day guarantee).
 * A bucket inside the window, or still under embargo, keeps its days until it is released.
 */
export async function deletableEventDays(
  query: QueryFn,
  horizon: ReleaseHorizon,
  candidates: readonly string[],
  now: Date,
): Promise<{ deletable: string[]; kept: string[] }> {
  if (candidates.length === 0) return { deletable: [], kept: [] };
  const plan = (await loadReleasePlan(query)).filter((entry) => entry.enabled);
  // A day ago, so a release planned just before its bucket left the window has had a day to finish.
  const windowAt = new Date(now.getTime() - DAY_MS);
  const windowStart = new Map<TimeGranularity, number>();
  for (const granularity of TIME_GRANULARITIES) {
    const window = releaseWindow(granularity, windowAt, horizon.policy, horizon.delayHours[granularity]);
    windowStart.set(granularity, window === null ? Number.POSITIVE_INFINITY : window.earliest.getTime());
  }
  const outside = new Set(await daysOutsideGuarantee(query));
  const sorted = [...candidates].sort();
  const first = new Date(Date.parse(`${sorted[0]}T00:00:00Z`) - BUCKET_MS.week);
  const last = new Date(Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`) + DAY_MS);
  const rows = await query<{
    granularity: TimeGranularity;
    bucket_start: Date;
    geo_type: string;
    level: string;
  }>(
    `select distinct granularity, bucket_start, geo_type::text as geo_type, level from releases
     where retired_at is null and bucket_start >= $1 and bucket_start < $2`,
    [first, last],
  );
  // DAY and WEEK: one key per release; HOUR: the distinct hours per (day, geo type, level).
  const released = new Set<string>();
  const hours = new Map<string, number>();
  for (const row of rows) {
    const start = new Date(row.bucket_start);
    if (row.granularity === "hour") {
      const key = entryKey("hour", bucketStartOf("day", start), row);
      hours.set(key, (hours.get(key) ?? 0) + 1);
    } else {
      released.add(entryKey(row.granularity, start, row));
    }
  }
  const isReleased = (entry: PlanEntry, bucket: Date) => {
    const key = entryKey(entry.granularity, bucket, { geo_type: entry.geoType, level: entry.level });
    return entry.granularity === "hour" ? hours.get(key) === 24 : released.has(key);
  };
  const deletable: string[] = [];
  const kept: string[] = [];
  for (const day of sorted) {
    const dayStart = new Date(`${day}T00:00:00Z`);
    const safe =
      outside.has(day) ||
      plan.every((entry) => {
        const bucket = entry.granularity === "week" ? bucketStartOf("week", dayStart) : dayStart;
        const neverPlanned =
          bucket.getTime() < (windowStart.get(entry.granularity) ?? Number.POSITIVE_INFINITY);
        return neverPlanned || isReleased(entry, bucket);
      });
    (safe ? deletable : kept).push(day);
  }
  return { deletable, kept };
}

function entryKey(
  granularity: TimeGranularity,
  bucket: Date,
  row: { geo_type: string; level: string },
): string {
  return `${granularity}|${bucketKey(bucket)}|${row.geo_type}|${row.level}`;
}

async function deleteCounted(query: QueryFn, sql: string, params: unknown[]): Promise<number> {
  const [row] = await query<{ n: number }>(
    `with gone as (${sql} returning 1) select count(*)::int as n from gone`,
    params,
  );
  return row?.n ?? 0;
}

/**
 * Deletes what the policy no longer needs and adds the counts to today's import_retention_stats row,
 * in the caller's transaction (the counts and the deletion, or neither).
 */
export async function deleteExpiredData(
  query: QueryFn,
  horizon: ReleaseHorizon,
  policy: DataRetentionPolicy,
  now: Date,
): Promise<DataRetentionResult> {
  const cutoff = (age: number) => new Date(now.getTime() - age * DAY_MS);
  // Whole UTC days only: a day goes once its end is older than the age.
  const eventsBefore = bucketStartOf("day", cutoff(policy.events_days));
  const candidates = await query<{ day: string }>(
    `select distinct to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day
     from interaction_events where occurred_at < $1`,
    [eventsBefore],
  );
  const { deletable, kept } = await deletableEventDays(
    query,
    horizon,
    candidates.map((row) => row.day),
    now,
  );
  // Each deleted day is recorded with its count, so no release of it is made again (late events add to it).
  const [deleted] =
    deletable.length === 0
      ? [{ n: 0 }]
      : await query<{ n: number }>(
          `with gone as (
             delete from interaction_events where occurred_at < $1
               and to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') = any($2::text[])
             returning to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day),
           counted as (select day, count(*)::int as n from gone group by day),
           recorded as (
             insert into deleted_event_days (day, events_deleted, deleted_at)
             select day::date, n, $3 from counted
             on conflict (day) do update set
               events_deleted = deleted_event_days.events_deleted + excluded.events_deleted,
               deleted_at = excluded.deleted_at)
           select coalesce(sum(n), 0)::int as n from counted`,
          [eventsBefore, deletable, now],
        );
  const eventsDeleted = deleted?.n ?? 0;
  const requestLogsDeleted = await deleteCounted(query, "delete from request_logs where at < $1", [
    cutoff(policy.request_logs_days),
  ]);
  // A delivery still being retried is kept until it is delivered or given up.
  const alertDeliveriesDeleted = await deleteCounted(
    query,
    "delete from alert_deliveries where created_at < $1 and status <> 'retrying'",
    [cutoff(policy.alert_deliveries_days)],
  );
  const statDate = now.toISOString().slice(0, 10);
  await query(
    `insert into import_retention_stats
       (stat_date, events_deleted, request_logs_deleted, alert_deliveries_deleted, run_at)
     values ($1::date, $2, $3, $4, $5)
     on conflict (stat_date) do update set
       events_deleted = import_retention_stats.events_deleted + excluded.events_deleted,
       request_logs_deleted = import_retention_stats.request_logs_deleted + excluded.request_logs_deleted,
       alert_deliveries_deleted = import_retention_stats.alert_deliveries_deleted + excluded.alert_deliveries_deleted,
       run_at = excluded.run_at`,
    [statDate, eventsDeleted, requestLogsDeleted, alertDeliveriesDeleted, now],
  );
  return {
    eventsDeleted,
    eventDays: deletable,
    eventDaysKept: kept,
    requestLogsDeleted,
    alertDeliveriesDeleted,
    statDate,
  };
}

/** The scheduled run: the policy's ages, one transaction (no audit row: no operator acted). */
export async function runScheduledDataRetention(database: DatabaseHandle, now: Date) {
  const policy = await loadTimingPolicy(database, DATA_RETENTION_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const horizon = await loadReleaseHorizon(database);
  const result = await database.transaction((query) => deleteExpiredData(query, horizon, policy, now));
  return {
    outcome: "deleted",
    rows: result.eventsDeleted + result.requestLogsDeleted + result.alertDeliveriesDeleted,
    details: { ...result, eventDaysKept: result.eventDaysKept.length },
  };
}

/** An operator's ages for one run; a left-out age is the policy's. */
export interface DataRetentionInput {
  eventsDays?: number | null;
  requestLogsDays?: number | null;
  alertDeliveriesDays?: number | null;
}

const INPUT_FIELDS = {
  eventsDays: "events_days",
  requestLogsDays: "request_logs_days",
  alertDeliveriesDays: "alert_deliveries_days",
} as const;

/** Ages of 1..3650 days; 0 is refused: even an operator never deletes a day that is not over. */
export function validateDataRetention(input: DataRetentionInput): UserError[] {
  const errors: UserError[] = [];
  for (const field of Object.keys(INPUT_FIELDS) as Array<keyof typeof INPUT_FIELDS>) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    if (!retentionDaysSchema.safeParse(value).success) {
      errors.push({
        field: ["input", field],
        code: "OUT_OF_RANGE",
        message: `${field} must be a whole number of days between 1 and 3650; leave it out to use the policy's.`,
      });
    }
  }
  return errors;
}

/**
 * The operator's runDataRetention: the policy's ages unless given, whether or not the policy is
 * enabled, under the same materialisation rule; deletes, counts and audits in one transaction.
 */
export async function runDataRetention(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: DataRetentionInput | null | undefined,
): Promise<AdminOutcome<{ result: DataRetentionResult }>> {
  const given = input ?? {};
  const userErrors = validateDataRetention(given);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const now = clock.now();
  const stored = await loadTimingPolicy(database, DATA_RETENTION_POLICY_KEY);
  const policy: DataRetentionPolicy = { ...stored };
  for (const [field, key] of Object.entries(INPUT_FIELDS) as Array<
    [keyof typeof INPUT_FIELDS, (typeof INPUT_FIELDS)[keyof typeof INPUT_FIELDS]]
  >) {
    policy[key] = given[field] ?? stored[key];
  }
  const horizon = await loadReleaseHorizon(database);
  const result = await database.transaction(async (query) => {
    const deleted = await deleteExpiredData(query, horizon, policy, now);
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "runDataRetention",
      target: `events ${policy.events_days}d, request logs ${policy.request_logs_days}d, alert deliveries ${policy.alert_deliveries_days}d`,
      outcome: "OK",
      details: {
        eventsDays: policy.events_days,
        requestLogsDays: policy.request_logs_days,
        alertDeliveriesDays: policy.alert_deliveries_days,
      },
      after: { ...deleted, eventDaysKept: deleted.eventDaysKept.length },
    });
    return deleted;
  });
  return { ok: true, value: { result } };
}
