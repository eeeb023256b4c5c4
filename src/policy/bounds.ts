import { apiError } from "../errors";
import type { InsightsFilter } from "../insights/insightsFilter";
import { bucketsInRange } from "../privacy/buckets";
import type { ReleaseProfile } from "../privacy/releaseParameters";

const HOUR_MS = 3_600_000;

/**
 * Step 3 of the buyer policy: the profile's limits on one request (range, geo ids, geo type,
 * segment dimensions, reporting delay). Each refusal names the broken limit in `extensions`.
 */
export function assertWithinBounds(filter: InsightsFilter, profile: ReleaseProfile, now: Date): void {
  const granularity = profile.granularity.toUpperCase();
  if (!profile.allowedGeoTypes.includes(filter.geoBucketType)) {
    throw apiError(
      "FILTER_NOT_ALLOWED",
      `${granularity} cells are available by ${profile.allowedGeoTypes.map((type) => type.toUpperCase()).join(" or ")} only, not ${filter.geoBucketType.toUpperCase()}.`,
      { field: "geoBucketType", allowed: profile.allowedGeoTypes.map((type) => type.toUpperCase()) },
    );
  }
  const dimensions = [filter.doorTypes, filter.categories, filter.contexts].filter(
    (values) => values !== null && values !== undefined,
  ).length;
  if (dimensions > profile.maxSegmentDimensions) {
    throw apiError(
      "FILTER_NOT_ALLOWED",
      `${granularity} requests may filter on at most ${profile.maxSegmentDimensions} of doorTypes, categories and contexts; this one filters on ${dimensions}.`,
      { field: "filter", limit: profile.maxSegmentDimensions, actual: dimensions },
    );
  }
  const buckets = bucketsInRange(
    profile.granularity,
    filter.timeBucketStartUtc,
    filter.timeBucketEndUtc,
  ).length;
  if (buckets > profile.maxRangeBuckets) {
    throw apiError(
      "RANGE_TOO_LARGE",
      `The range covers ${buckets} ${profile.granularity} buckets; ${granularity} requests may cover at most ${profile.maxRangeBuckets}. Split it into several requests.`,
      { field: "timeBucketEndUtc", limit: profile.maxRangeBuckets, actual: buckets },
    );
  }
  const ids =
    filter.geoBucketIds === null || filter.geoBucketIds === undefined
      ? undefined
      : new Set(filter.geoBucketIds).size;
  if (ids === undefined && profile.granularity === "hour") {
    throw apiError(
      "TOO_MANY_GEO_BUCKETS",
      `HOUR requests must list 1 to ${profile.maxGeoIds} geoBucketIds (absent means every bucket).`,
      { field: "geoBucketIds", limit: profile.maxGeoIds },
    );
  }
  if (ids !== undefined && ids > profile.maxGeoIds) {
    throw apiError(
      "TOO_MANY_GEO_BUCKETS",
      `${ids} geoBucketIds requested; ${granularity} requests may name at most ${profile.maxGeoIds}.`,
      { field: "geoBucketIds", limit: profile.maxGeoIds, actual: ids },
    );
  }
  if (ids === 0) {
    throw apiError("BAD_USER_INPUT", "geoBucketIds is empty; omit it to mean every bucket.", {
      field: "geoBucketIds",
    });
  }
  const latestEnd = new Date(now.getTime() - profile.reportingDelayHours * HOUR_MS);
  if (filter.timeBucketEndUtc > latestEnd) {
    throw apiError(
      "REPORTING_DELAY_NOT_MET",
      `${granularity} data is released ${profile.reportingDelayHours} h after a bucket ends: timeBucketEndUtc may be at most ${latestEnd.toISOString()} now.`,
      {
        field: "timeBucketEndUtc",
        limit: profile.reportingDelayHours,
        latestAllowedEnd: latestEnd.toISOString(),
      },
    );
  }
}
