import type { TimeGranularity } from "../db/schema/enums";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
// 1970-01-05 was a Monday: ISO weeks start there, offset from the epoch (a Thursday).
const ISO_WEEK_ORIGIN_MS = 4 * DAY_MS;

export const BUCKET_MS: Record<TimeGranularity, number> = { hour: HOUR_MS, day: DAY_MS, week: WEEK_MS };

/** Start of the bucket holding `at`: the hour, the UTC day, or the ISO week (Monday 00:00 UTC). */
export function bucketStartOf(granularity: TimeGranularity, at: Date): Date {
  const ms = at.getTime();
  const origin = granularity === "week" ? ISO_WEEK_ORIGIN_MS : 0;
  const size = BUCKET_MS[granularity];
  return new Date(Math.floor((ms - origin) / size) * size + origin);
}

export function isAligned(granularity: TimeGranularity, at: Date): boolean {
  return bucketStartOf(granularity, at).getTime() === at.getTime();
}

export function bucketEnd(granularity: TimeGranularity, start: Date): Date {
  return new Date(start.getTime() + BUCKET_MS[granularity]);
}

/** Every bucket start in [start, end); both bounds must be aligned. */
export function bucketsInRange(granularity: TimeGranularity, start: Date, end: Date): Date[] {
  const out: Date[] = [];
  for (let ms = start.getTime(); ms < end.getTime(); ms += BUCKET_MS[granularity]) out.push(new Date(ms));
  return out;
}

/** The newest bucket whose end is at least `delayHours` before `now` (the embargo). */
export function latestReleasableBucket(granularity: TimeGranularity, now: Date, delayHours: number): Date {
  const cutoff = new Date(now.getTime() - delayHours * HOUR_MS);
  // The bucket holding the cutoff has not ended by then; the one before it has.
  return new Date(bucketStartOf(granularity, cutoff).getTime() - BUCKET_MS[granularity]);
}

/** Stable text form used in cell keys and job keys: 2026-01-05T00:00:00Z. */
export function bucketKey(start: Date): string {
  return `${start.toISOString().slice(0, 19)}Z`;
}
