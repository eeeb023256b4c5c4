import { CONTRACT_RELEASE_PROFILES } from "../privacy/releaseProfiles";
import type { Database } from "./client";
import { releaseProfiles, timingPolicies } from "./schema/releases";

/** Default scheduler policies; operators edit the stored rows, these only fill a new database. */
export const DEFAULT_TIMING_POLICIES = [
  {
    policyKey: "outside_buyer_precompute_v1",
    description: "Hourly precompute of outside-buyer releases: which granularities, how many buckets back.",
    payload: {
      enabled: true,
      granularities: ["hour", "day", "week"],
      hour_buckets: 336,
      day_buckets: 60,
      week_buckets: 9,
    },
  },
  {
    policyKey: "imports_retention_v1",
    description:
      "Daily deletion of old import staging rows and anomalies (their counts kept in import_retention_stats).",
    payload: { enabled: true, cron: "10 3 * * *", staging_days: 60, anomalies_days: 90 },
  },
  {
    policyKey: "anomaly_alerts_v1",
    description:
      "Anomaly alerts: how often to check, the window, thresholds, per (tenant, type) suppression and webhook retries.",
    payload: {
      enabled: true,
      cron: "*/15 * * * *",
      window_hours: 1,
      min_count: 5,
      min_errors: 2,
      suppression_minutes: 240,
      max_attempts: 5,
      backoff_ms: 1000,
    },
  },
];

/**
 * Rows every database needs before it serves: the contract release profiles and the default
 * timing policies. Existing rows are left as operators set them.
 */
export async function ensureReferenceData(db: Database): Promise<void> {
  await db
    .insert(releaseProfiles)
    .values(Object.values(CONTRACT_RELEASE_PROFILES))
    .onConflictDoNothing({ target: releaseProfiles.granularity });
  await db.insert(timingPolicies).values(DEFAULT_TIMING_POLICIES).onConflictDoNothing({
    target: timingPolicies.policyKey,
  });
}
