import { z } from "zod";
import type { DatabaseHandle } from "../../db/client";
import { TIME_GRANULARITIES, type TimeGranularity } from "../../db/schema/enums";
import { BUCKET_MS, bucketKey, bucketStartOf, latestReleasableBucket } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";

export const PRECOMPUTE_POLICY_KEY = "outside_buyer_precompute_v1";

/** The timing policy that drives the hourly precompute (timing_policies.outside_buyer_precompute_v1). */
export const precomputePolicySchema = z.object({
  enabled: z.boolean(),
  granularities: z.array(z.enum(TIME_GRANULARITIES)).min(1),
  hour_buckets: z
    .number()
    .int()
    .min(0)
    .max(24 * 90),
  day_buckets: z.number().int().min(0).max(400),
  week_buckets: z.number().int().min(0).max(60),
});
export type PrecomputePolicy = z.infer<typeof precomputePolicySchema>;

export interface PlannedRelease {
  granularity: TimeGranularity;
  bucketStart: Date;
  geoType: GeoBucketType;
}

export async function loadPrecomputePolicy(database: DatabaseHandle): Promise<PrecomputePolicy> {
  const [row] = await database.query<{ payload: unknown }>(
    "select payload from timing_policies where policy_key = $1",
    [PRECOMPUTE_POLICY_KEY],
  );
  if (row === undefined) throw new Error(`timing policy ${PRECOMPUTE_POLICY_KEY} is missing`);
  const parsed = precomputePolicySchema.safeParse(row.payload);
  if (!parsed.success) {
    throw new Error(
      `timing policy ${PRECOMPUTE_POLICY_KEY} is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/**
 * The releases the policy wants that do not exist yet: for each granularity, the newest buckets past
 * the embargo, `<granularity>_buckets` back, for every geo type the profile allows. Oldest first.
 */
export async function planMissingReleases(
  database: DatabaseHandle,
  now: Date,
  policy: PrecomputePolicy,
  /** Skip buckets that start before this (e.g. before the first demo event). */
  notBefore?: Date,
): Promise<PlannedRelease[]> {
  if (!policy.enabled) return [];
  const planned: PlannedRelease[] = [];
  for (const granularity of policy.granularities) {
    const count = policy[`${granularity}_buckets`];
    if (count === 0) continue;
    const profile = await loadReleaseProfile(database.db, granularity);
    const latest = latestReleasableBucket(granularity, now, profile.reportingDelayHours);
    let earliest = new Date(latest.getTime() - (count - 1) * BUCKET_MS[granularity]);
    if (notBefore !== undefined && earliest < notBefore) earliest = bucketStartOf(granularity, notBefore);
    if (earliest > latest) continue;
    planned.push(...(await missingInRange(database, granularity, earliest, latest, profile.allowedGeoTypes)));
  }
  return planned;
}

/** Buckets in [first, last] (inclusive, aligned) with no release yet, per geo type. */
export async function missingInRange(
  database: DatabaseHandle,
  granularity: TimeGranularity,
  first: Date,
  last: Date,
  geoTypes: GeoBucketType[],
): Promise<PlannedRelease[]> {
  const existing = await database.query<{ bucket_start: Date; geo_type: GeoBucketType }>(
    "select distinct bucket_start, geo_type from releases where granularity = $1 and bucket_start between $2 and $3",
    [granularity, first, last],
  );
  const have = new Set(existing.map((row) => `${bucketKey(new Date(row.bucket_start))}|${row.geo_type}`));
  const missing: PlannedRelease[] = [];
  for (let ms = first.getTime(); ms <= last.getTime(); ms += BUCKET_MS[granularity]) {
    const bucketStart = new Date(ms);
    for (const geoType of geoTypes) {
      if (!have.has(`${bucketKey(bucketStart)}|${geoType}`))
        missing.push({ granularity, bucketStart, geoType });
    }
  }
  return missing;
}

export function releaseJobKey(release: PlannedRelease): string {
  return `${release.granularity}|${bucketKey(release.bucketStart)}|${release.geoType}`;
}
