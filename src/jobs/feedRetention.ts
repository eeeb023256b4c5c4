import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle, QueryFn } from "../db/client";
import type { TimingPolicy, TimingPolicyKey } from "../db/timingPolicyRegistry";
import type { AdminOutcome, UserError } from "../errors";
import { validateRetentionDays } from "./retention";
import { loadTimingPolicy } from "./timingPolicies";

export const FEED_RETENTION_POLICY_KEY = "ops_feed_retention_v1" satisfies TimingPolicyKey;
export const FEED_RETENTION_QUEUE = "ops_feed_retention_daily";

/** timing_policies.ops_feed_retention_v1 (004 seed, "Agent Feed Overflow" and "Data Retention"). */
export type FeedRetentionPolicy = TimingPolicy<typeof FEED_RETENTION_POLICY_KEY>;

export interface FeedRetentionAges {
  archiveReadDays: number;
  deleteDays: number;
  monitorEventsDays: number;
}

export interface FeedRetentionResult extends FeedRetentionAges {
  feedItemsArchived: number;
  feedItemsDeleted: number;
  monitorEventsDeleted: number;
  /** The UTC day (YYYY-MM-DD) of import_retention_stats the monitor events count was added to. */
  statDate: string;
}

const DAY_MS = 86_400_000;

/** Adds a deletion's counts per (day, monitor, severity) to ops_retention_counts, in the same statement. */
const RECORD_COUNTS = `
  recorded as (
    insert into ops_retention_counts (kind, day, monitor, severity, deleted, fired, failed, updated_at)
    select $2, day, monitor, severity, n, fired, failed, $3 from counted
    on conflict (kind, day, monitor, severity) do update set
      deleted = ops_retention_counts.deleted + excluded.deleted,
      fired = ops_retention_counts.fired + excluded.fired,
      failed = ops_retention_counts.failed + excluded.failed,
      updated_at = excluded.updated_at)
  select coalesce(sum(n), 0)::int as n from counted`;

/**
 * Deletes old feed items, archives old read ones and deletes old monitor events, adding the deleted rows'
 * counts per day, monitor and severity to ops_retention_counts in the caller's transaction (the
 * counts and the deletion, or neither). Each monitor's newest event stays: it is its last state in
 * the ops views.
 */
export async function applyFeedRetention(
  query: QueryFn,
  ages: FeedRetentionAges,
  now: Date,
): Promise<FeedRetentionResult> {
  const before = (age: number) => new Date(now.getTime() - age * DAY_MS);
  const feedDeleted = await query<{ n: number }>(
    `with gone as (delete from ops_feed where created_at < $1 returning created_at, source, severity),
     counted as (
       select (created_at at time zone 'UTC')::date as day, source as monitor, severity,
              count(*)::int as n, 0 as fired, 0 as failed
       from gone group by 1, 2, 3),
     ${RECORD_COUNTS}`,
    [before(ages.deleteDays), "feed_item", now],
  );
  // After the deletion, so an item is counted once: archived, or deleted.
  const archived = await query<{ n: number }>(
    `with done as (
       update ops_feed set status = 'archived' where status = 'read' and created_at < $1 returning 1)
     select count(*)::int as n from done`,
    [before(ages.archiveReadDays)],
  );
  const eventsDeleted = await query<{ n: number }>(
    `with gone as (
       delete from monitor_events where occurred_at < $1 and id not in (
         select distinct on (monitor_id) id from monitor_events order by monitor_id, occurred_at desc, id)
       returning monitor_id, occurred_at, fired, error),
     counted as (
       select (g.occurred_at at time zone 'UTC')::date as day, m.name as monitor, m.severity,
              count(*)::int as n, count(*) filter (where g.fired)::int as fired,
              count(*) filter (where g.error is not null)::int as failed
       from gone g join monitors m on m.id = g.monitor_id group by 1, 2, 3),
     ${RECORD_COUNTS}`,
    [before(ages.monitorEventsDays), "monitor_event", now],
  );
  const monitorEventsDeleted = eventsDeleted[0]?.n ?? 0;
  const statDate = now.toISOString().slice(0, 10);
  await query(
    `insert into import_retention_stats (stat_date, monitor_events_deleted, run_at) values ($1::date, $2, $3)
     on conflict (stat_date) do update set
       monitor_events_deleted = import_retention_stats.monitor_events_deleted + excluded.monitor_events_deleted,
       run_at = excluded.run_at`,
    [statDate, monitorEventsDeleted, now],
  );
  return {
    ...ages,
    feedItemsArchived: archived[0]?.n ?? 0,
    feedItemsDeleted: feedDeleted[0]?.n ?? 0,
    monitorEventsDeleted,
    statDate,
  };
}

function agesOf(policy: FeedRetentionPolicy): FeedRetentionAges {
  return {
    archiveReadDays: policy.archive_read_days,
    deleteDays: policy.delete_days,
    monitorEventsDays: policy.monitor_events_days,
  };
}

/** The scheduled run: the policy's ages, one transaction (no audit row: no operator acted). */
export async function runScheduledFeedRetention(database: DatabaseHandle, now: Date) {
  const policy = await loadTimingPolicy(database, FEED_RETENTION_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const result = await database.transaction((query) => applyFeedRetention(query, agesOf(policy), now));
  return {
    outcome: "deleted",
    rows: result.feedItemsArchived + result.feedItemsDeleted + result.monitorEventsDeleted,
    details: { ...result },
  };
}

/** An operator's ages for one run; a left-out age is the policy's. */
export interface FeedRetentionInput {
  archiveReadDays?: number | null;
  deleteDays?: number | null;
  monitorEventsDays?: number | null;
  /** Required to run with an age of 0, which archives or deletes every row of its kind. */
  confirm?: boolean | null;
}

/** What an age of 0 does, as a refusal says it. */
const AGE_FIELDS = {
  archiveReadDays: "archives every read feed item",
  deleteDays: "deletes every feed item",
  monitorEventsDays: "deletes every monitor event but each monitor's newest",
} as const;

/** The import retention's rule for each age given: 0..3650 whole days, 0 only with confirm: true. */
export function validateFeedRetention(input: FeedRetentionInput): UserError[] {
  return (Object.keys(AGE_FIELDS) as Array<keyof typeof AGE_FIELDS>).flatMap((field) => {
    const value = input[field];
    if (value === undefined || value === null) return [];
    const error = validateRetentionDays(field, value, input.confirm, AGE_FIELDS[field]);
    return error === null ? [] : [error];
  });
}

/**
 * The operator's runFeedRetention: the policy's ages unless given, whether or not the policy is
 * enabled; archives, deletes, counts and audits in one transaction.
 */
export async function runFeedRetention(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: FeedRetentionInput | null | undefined,
): Promise<AdminOutcome<{ result: FeedRetentionResult }>> {
  const given = input ?? {};
  const userErrors = validateFeedRetention(given);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const now = clock.now();
  const stored = agesOf(await loadTimingPolicy(database, FEED_RETENTION_POLICY_KEY));
  const ages: FeedRetentionAges = {
    archiveReadDays: given.archiveReadDays ?? stored.archiveReadDays,
    deleteDays: given.deleteDays ?? stored.deleteDays,
    monitorEventsDays: given.monitorEventsDays ?? stored.monitorEventsDays,
  };
  const result = await database.transaction(async (query) => {
    const done = await applyFeedRetention(query, ages, now);
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "runFeedRetention",
      target: `archive read ${ages.archiveReadDays}d, delete feed ${ages.deleteDays}d, monitor events ${ages.monitorEventsDays}d`,
      outcome: "OK",
      details: { ...ages, confirm: given.confirm === true },
      after: done,
    });
    return done;
  });
  return { ok: true, value: { result } };
}
