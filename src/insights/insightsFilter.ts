import type { TimeGranularity } from "../db/schema/enums";
import { apiError } from "../errors";
import { bucketsInRange, isAligned } from "../privacy/buckets";
import type { GeoBucketType } from "../privacy/cellKey";
import type { SegmentDimension } from "../privacy/releasePlan";

/** The insights filter after GraphQL coercion (enum values already lowercase). */
export interface InsightsFilter {
  granularity: TimeGranularity;
  timeBucketStartUtc: Date;
  timeBucketEndUtc: Date;
  geoBucketType: GeoBucketType;
  geoBucketIds?: readonly string[] | null;
  doorTypes?: readonly string[] | null;
  categories?: readonly string[] | null;
  contexts?: readonly string[] | null;
  /** The breakdown level: the segment dimensions the cells keep ([] = TOTAL); absent = the default (see breakdownLevel). */
  breakdown?: readonly SegmentDimension[] | null;
}

export const MAX_PAGE_SIZE = 1000;
const CITY_CODE = /^[a-z]{2}-[a-z0-9]{2,8}$/;
const GEOHASH3 = /^[0-9b-hjkmnp-z]{3}$/;

/** Checks what is wrong with a filter regardless of who asks (role policy comes later in the pipeline). */
export function validateInsightsFilter(filter: InsightsFilter, first: number): Date[] {
  const { granularity, timeBucketStartUtc: start, timeBucketEndUtc: end } = filter;
  assertAlignedRange(granularity, start, end);
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw apiError("BAD_USER_INPUT", `first must be between 0 and ${MAX_PAGE_SIZE}; got ${first}.`, {
      field: "first",
      limit: MAX_PAGE_SIZE,
    });
  }
  const idPattern = filter.geoBucketType === "city_code" ? CITY_CODE : GEOHASH3;
  for (const id of filter.geoBucketIds ?? []) {
    if (!idPattern.test(id)) {
      throw apiError(
        "BAD_USER_INPUT",
        `geoBucketIds: ${quoteShort(id)} is not a ${filter.geoBucketType === "city_code" ? "city code such as us-nyc" : "geohash3 such as dr5"}.`,
        { field: "geoBucketIds" },
      );
    }
  }
  for (const field of ["geoBucketIds", "doorTypes", "categories", "contexts"] as const) {
    if (filter[field]?.length === 0) {
      throw apiError("BAD_USER_INPUT", `${field} is empty; omit it to mean every value.`, { field });
    }
  }
  const buckets = bucketsInRange(granularity, start, end);
  // A sanity bound for every role; the per-profile range limits of buyers are stricter.
  if (buckets.length > MAX_BUCKETS_PER_REQUEST[granularity]) {
    throw apiError(
      "RANGE_TOO_LARGE",
      `The range covers ${buckets.length} ${granularity} buckets; at most ${MAX_BUCKETS_PER_REQUEST[granularity]} per request.`,
      { limit: MAX_BUCKETS_PER_REQUEST[granularity] },
    );
  }
  return buckets;
}

/** Echoes bad input without echoing a megabyte of it. */
export function quoteShort(value: unknown, max = 64): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A time range's bounds are aligned to the granularity's buckets and the start is before the (exclusive) end. */
export function assertAlignedRange(granularity: TimeGranularity, start: Date, end: Date): void {
  for (const [name, value] of [
    ["timeBucketStartUtc", start],
    ["timeBucketEndUtc", end],
  ] as const) {
    if (!isAligned(granularity, value)) {
      throw apiError(
        "BAD_USER_INPUT",
        `${name} ${value.toISOString()} is not aligned to ${granularity.toUpperCase()} buckets (${ALIGNMENT[granularity]}).`,
        { field: name },
      );
    }
  }
  if (start >= end) {
    throw apiError(
      "BAD_USER_INPUT",
      "timeBucketStartUtc must be before timeBucketEndUtc (the end is exclusive).",
      {
        field: "timeBucketEndUtc",
      },
    );
  }
}

const ALIGNMENT: Record<TimeGranularity, string> = {
  hour: "a whole hour, e.g. 2026-01-01T13:00:00Z",
  day: "00:00 UTC, e.g. 2026-01-01T00:00:00Z",
  week: "Monday 00:00 UTC, e.g. 2026-01-05T00:00:00Z",
};

const MAX_BUCKETS_PER_REQUEST: Record<TimeGranularity, number> = { hour: 24 * 31, day: 400, week: 60 };
