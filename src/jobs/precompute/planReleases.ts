import type { DatabaseHandle } from "../../db/client";
import type { TimeGranularity } from "../../db/schema/enums";
import type { TimingPolicy, TimingPolicyKey } from "../../db/timingPolicyRegistry";
import { BUCKET_MS, bucketKey, bucketStartOf, latestReleasableBucket } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import { coveredDays, daysOutsideGuarantee } from "../../privacy/participantDays";
import { loadReleasePlan, type PlanEntry, type ReleaseLevel } from "../../privacy/releasePlan";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";

export const PRECOMPUTE_POLICY_KEY = "outside_buyer_precompute_v1" satisfies TimingPolicyKey;

/** The timing policy that drives the hourly precompute (timing_policies.outside_buyer_precompute_v1). */
export type PrecomputePolicy = TimingPolicy<typeof PRECOMPUTE_POLICY_KEY>;

export interface PlannedRelease {
  granularity: TimeGranularity;
  /** The bucket; for HOUR, the start of the day whose family is released. */
  bucketStart: Date;
  geoType: GeoBucketType;
  level: ReleaseLevel;
}

/**
 * The releases the policy and the plan want that do not exist yet: for each granularity, the newest
 * buckets past the embargo, `<granularity>_buckets` back (HOUR: the days holding that many hours,
 * one family per day), for every enabled plan entry. Oldest first. Which releases exist depends only
 * on the plan, the policy and the clock (and the cap, at precompute), never on the events.
 */
export async function planMissingReleases(
  database: DatabaseHandle,
  now: Date,
  policy: PrecomputePolicy,
): Promise<PlannedRelease[]> {
  if (!policy.enabled) return [];
  const plan = await loadReleasePlan(database.query);
  const planned: PlannedRelease[] = [];
  for (const granularity of policy.granularities) {
    const profile = await loadReleaseProfile(database, granularity);
    const window = releaseWindow(granularity, now, policy, profile.reportingDelayHours);
    if (window === null) continue;
    planned.push(...(await missingInRange(database, granularity, window.earliest, window.latest, plan)));
  }
  return planned;
}

/**
 * The buckets of one granularity the policy releases at `now` (HOUR: the days of its families), or
 * null when it releases none. A bucket before `earliest` is never planned again; one after `latest`
 * is still under embargo and will be.
 */
export function releaseWindow(
  granularity: TimeGranularity,
  now: Date,
  policy: PrecomputePolicy,
  reportingDelayHours: number,
): { earliest: Date; latest: Date } | null {
  const count = policy[`${granularity}_buckets`];
  if (count === 0 || !policy.granularities.includes(granularity)) return null;
  // An HOUR family is released once its whole day is past the delay.
  const step = granularity === "hour" ? "day" : granularity;
  const steps = granularity === "hour" ? Math.ceil(count / 24) : count;
  const latest = latestReleasableBucket(step, now, reportingDelayHours);
  return { earliest: new Date(latest.getTime() - (steps - 1) * BUCKET_MS[step]), latest };
}

/**
 * Releases in [first, last] (inclusive, aligned; HOUR: days) that the plan wants and that do not
 * exist yet (a retired legacy release does not count), per enabled plan entry of the granularity;
 * buckets covering a day outside the guarantee or a day whose events were deleted are left out.
 */
export async function missingInRange(
  database: DatabaseHandle,
  granularity: TimeGranularity,
  first: Date,
  last: Date,
  plan: readonly PlanEntry[],
  geoTypes?: readonly GeoBucketType[],
): Promise<PlannedRelease[]> {
  const entries = plan.filter(
    (entry) =>
      entry.enabled &&
      entry.granularity === granularity &&
      (geoTypes === undefined || geoTypes.includes(entry.geoType)),
  );
  if (entries.length === 0) return [];
  const step = granularity === "hour" ? "day" : granularity;
  const existing = await database.query<{ bucket_start: Date; geo_type: GeoBucketType; level: string }>(
    `select distinct bucket_start, geo_type, level from releases
     where granularity = $1 and bucket_start >= $2 and bucket_start < $3 and retired_at is null`,
    [granularity, first, new Date(last.getTime() + BUCKET_MS[step])],
  );
  const have = new Set(
    existing.map(
      (row) => `${bucketKey(bucketStartOf(step, new Date(row.bucket_start)))}|${row.geo_type}|${row.level}`,
    ),
  );
  // Days covered by legacy releases buyers read get no further release: not even an attempt. Nor
  // do days whose events retention deleted (a release of them would read an empty or partial day).
  const deleted = await database.query<{ day: string }>(
    "select day::text as day from deleted_event_days where day >= $1::date - 6 and day <= $2::date + 6",
    [first.toISOString().slice(0, 10), last.toISOString().slice(0, 10)],
  );
  const outside = new Set([
    ...(await daysOutsideGuarantee(database.query)),
    ...deleted.map((row) => row.day),
  ]);
  const missing: PlannedRelease[] = [];
  for (let ms = first.getTime(); ms <= last.getTime(); ms += BUCKET_MS[step]) {
    const bucketStart = new Date(ms);
    if (outside.size > 0 && coveredDays(granularity, bucketStart).some((day) => outside.has(day))) continue;
    for (const entry of entries) {
      if (!have.has(`${bucketKey(bucketStart)}|${entry.geoType}|${entry.level}`))
        missing.push({ granularity, bucketStart, geoType: entry.geoType, level: entry.level });
    }
  }
  return missing;
}

export function releaseJobKey(release: PlannedRelease): string {
  return `${release.granularity}|${bucketKey(release.bucketStart)}|${release.geoType}|${release.level}`;
}
