import { z } from "zod";
import { TIME_GRANULARITIES } from "./schema/enums";

// Every timing policy in one place: its key, the schema its payload must satisfy, the default a new
// database is seeded with, and what it drives. It lives in db/, beside the table it fills, because
// db/referenceData.ts seeds it and db/ may not import jobs/; every job imports it from here.

interface TimingPolicyDefinition<Schema extends z.ZodType> {
  description: string;
  schema: Schema;
  /** Seeded into a new database; operators edit the stored row from then on. */
  defaultPayload: z.input<Schema>;
}

/** Keeps each policy's schema type, and checks its default against it. */
function timingPolicy<Schema extends z.ZodType>(
  definition: TimingPolicyDefinition<Schema>,
): TimingPolicyDefinition<Schema> {
  return definition;
}

/** A retention age a policy holds: whole days, 1 to 3650 (data retention's operator input too). */
export const retentionDaysSchema = z.number().int().min(1).max(3650);

export const MAX_WINDOW_DAYS = 400;
export const MAX_SAMPLE_RECORDS = 10_000;

/** Every timing policy the jobs read, in the order a new database is seeded. */
export const TIMING_POLICIES = {
  outside_buyer_precompute_v1: timingPolicy({
    description: "Hourly precompute of outside-buyer releases: which granularities, how many buckets back.",
    schema: z.object({
      enabled: z.boolean(),
      granularities: z.array(z.enum(TIME_GRANULARITIES)).min(1),
      hour_buckets: z
        .number()
        .int()
        .min(0)
        .max(24 * 90),
      day_buckets: z.number().int().min(0).max(400),
      week_buckets: z.number().int().min(0).max(60),
    }),
    defaultPayload: {
      enabled: true,
      granularities: ["hour", "day", "week"],
      hour_buckets: 336,
      day_buckets: 60,
      week_buckets: 9,
    },
  }),
  imports_retention_v1: timingPolicy({
    description:
      "Daily deletion of old import staging rows and anomalies (their counts kept in import_retention_stats).",
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      staging_days: z.number().int().min(1).max(3650),
      anomalies_days: z.number().int().min(1).max(3650),
    }),
    defaultPayload: { enabled: true, cron: "10 3 * * *", staging_days: 60, anomalies_days: 90 },
  }),
  data_retention_v1: timingPolicy({
    description:
      "Daily deletion of raw interaction events (once every release reading their day is made, or the day is past the precompute window), request logs and alert deliveries older than their ages (counts kept in import_retention_stats).",
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      /** Raw interaction events; a day goes only once it is also materialised (see deletableEventDays). */
      events_days: retentionDaysSchema,
      request_logs_days: retentionDaysSchema,
      alert_deliveries_days: retentionDaysSchema,
    }),
    defaultPayload: {
      enabled: true,
      cron: "20 3 * * *",
      events_days: 400,
      request_logs_days: 90,
      alert_deliveries_days: 90,
    },
  }),
  ops_feed_retention_v1: timingPolicy({
    description:
      "Daily ops feed retention (004 seed): read feed items older than archive_read_days are archived; feed items older than delete_days and monitor events older than monitor_events_days (each monitor's newest kept) are deleted, their counts per day, monitor and severity kept in ops_retention_counts.",
    // The 004 seed's "Agent Feed Overflow" and "Data Retention".
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      /** Read feed items older than this are archived. */
      archive_read_days: retentionDaysSchema,
      /** Feed items older than this are deleted, whatever their status. */
      delete_days: retentionDaysSchema,
      /** Monitor events older than this are deleted, except each monitor's newest. */
      monitor_events_days: retentionDaysSchema,
    }),
    defaultPayload: {
      enabled: true,
      cron: "30 3 * * *",
      archive_read_days: 30,
      delete_days: 90,
      monitor_events_days: 180,
    },
  }),
  contract_verifier_v1: timingPolicy({
    description:
      "Hourly contract verifier (004 seed verify_gold_contracts, 001 invariants): re-checks the releases of the last window_days (served cells, receipts, ledger, cap) and sample_records rendered export records; violations go to contract_violations and the ops feed.",
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      /** Releases whose bucket starts, or which were made, within this many days are re-checked. */
      window_days: z.number().int().min(1).max(MAX_WINDOW_DAYS),
      /** Served cells rendered as export records and checked as a buyer would receive them. */
      sample_records: z.number().int().min(0).max(MAX_SAMPLE_RECORDS),
    }),
    defaultPayload: { enabled: true, cron: "45 * * * *", window_days: 35, sample_records: 200 },
  }),
  anomaly_alerts_v1: timingPolicy({
    description:
      "Anomaly alerts: how often to check, the window, thresholds, per (tenant, type) suppression and webhook retries.",
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      window_hours: z.number().int().min(1).max(168),
      min_count: z.number().int().min(1),
      min_errors: z.number().int().min(1),
      suppression_minutes: z
        .number()
        .int()
        .min(0)
        .max(7 * 24 * 60),
      max_attempts: z.number().int().min(1).max(10).default(5),
      backoff_ms: z.number().int().min(0).max(60_000).default(1000),
    }),
    defaultPayload: {
      enabled: true,
      cron: "*/15 * * * *",
      window_hours: 1,
      min_count: 5,
      min_errors: 2,
      suppression_minutes: 240,
      max_attempts: 5,
      backoff_ms: 1000,
    },
  }),
  ops_monitors_v1: timingPolicy({
    description:
      "Ops monitors: how often they run, each check's statement timeout, and the hours a precompute may lag beyond its expected cadence.",
    schema: z.object({
      enabled: z.boolean(),
      cron: z.string().min(9),
      statement_timeout_ms: z.number().int().min(100).max(60_000),
      /** Hours a precompute may lag beyond its expected cadence before the stale-precompute monitor fires. */
      stale_margin_hours: z.number().min(0).max(720),
    }),
    defaultPayload: { enabled: true, cron: "*/5 * * * *", statement_timeout_ms: 5000, stale_margin_hours: 3 },
  }),
};

export type TimingPolicyKey = keyof typeof TIMING_POLICIES;

/** A policy's payload as its schema reads it (defaults filled in). */
export type TimingPolicy<Key extends TimingPolicyKey> = z.output<(typeof TIMING_POLICIES)[Key]["schema"]>;

/** The policies the scheduler runs on their payload's cron. */
export type ScheduledTimingPolicyKey = {
  [Key in TimingPolicyKey]: TimingPolicy<Key> extends { cron: string } ? Key : never;
}[TimingPolicyKey];

export function isTimingPolicyKey(key: string): key is TimingPolicyKey {
  return Object.hasOwn(TIMING_POLICIES, key);
}

/** The timing_policies rows a new database is seeded with: each policy's default and description. */
export function defaultTimingPolicyRows(): Array<{
  policyKey: TimingPolicyKey;
  description: string;
  payload: Record<string, unknown>;
}> {
  return (Object.keys(TIMING_POLICIES) as TimingPolicyKey[]).map((policyKey) => ({
    policyKey,
    description: TIMING_POLICIES[policyKey].description,
    payload: TIMING_POLICIES[policyKey].defaultPayload,
  }));
}
