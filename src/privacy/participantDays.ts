import type { QueryFn } from "../db/client";
import type { TimeGranularity } from "../db/schema/enums";
import { BUCKET_MS, bucketStartOf } from "./buckets";
import type { GeoBucketType } from "./cellKey";
import { EPSILON_TOLERANCE, type PrivacyCap, roundSum } from "./releasePlan";

const DAY_MS = 86_400_000;

/** A UTC day as stored in the ledger: 2026-01-05. */
export function dayKey(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * The UTC days whose events a release reads: an HOUR bucket's (and so its family's) day, a DAY
 * bucket's day, the seven days of an ISO week.
 */
export function coveredDays(granularity: TimeGranularity, bucketStart: Date): string[] {
  const first = bucketStartOf("day", bucketStart).getTime();
  const count = granularity === "week" ? 7 : 1;
  const span = granularity === "week" ? BUCKET_MS.week : DAY_MS;
  if (granularity === "week" && first !== bucketStart.getTime()) {
    throw new Error(`week bucket ${bucketStart.toISOString()} is not aligned`);
  }
  return Array.from({ length: count }, (_, index) => dayKey(new Date(first + index * (span / count))));
}

export interface LedgerDay {
  day: string;
  epsilon: number;
  delta: number;
  /** Release families counted on that day. */
  families: number;
  /** True when a release made before participant-day accounting, read by a buyer, covers the day. */
  outsideGuarantee: boolean;
}

export type CapDecision =
  | { ok: true; days: LedgerDay[] }
  | {
      ok: false;
      day: string;
      /** What the day would hold with this release, or the day's total when it is outside the guarantee. */
      epsilonAfter: number;
      deltaAfter: number;
      reason: "cap" | "outside_guarantee";
      message: string;
    };

/**
 * Locks the ledger days a release covers (in day order, so two releases never deadlock), then
 * decides whether adding `epsilon` and `delta` to each keeps it at or under the cap. Run inside the
 * release's transaction and before anything is written, so a refusal writes nothing and two
 * releases covering one day are counted one after the other.
 */
export async function checkParticipantDayCap(
  query: QueryFn,
  days: readonly string[],
  release: { epsilon: number; delta: number },
  cap: PrivacyCap,
): Promise<CapDecision> {
  const sorted = [...new Set(days)].sort();
  for (const day of sorted) {
    await query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`ledger-day|${day}`]);
  }
  const totals = await ledgerTotals(query, sorted);
  for (const day of sorted) {
    const current = totals.get(day) ?? emptyDay(day);
    if (current.outsideGuarantee) {
      return {
        ok: false,
        day,
        epsilonAfter: current.epsilon,
        deltaAfter: current.delta,
        reason: "outside_guarantee",
        message: `${day} is covered by releases made before participant-day accounting (epsilon ${current.epsilon} that day); it gets no further release.`,
      };
    }
    const epsilonAfter = roundSum(current.epsilon + release.epsilon);
    const deltaAfter = current.delta + release.delta;
    if (
      epsilonAfter > cap.epsilonCap + EPSILON_TOLERANCE ||
      deltaAfter > cap.deltaCap * (1 + EPSILON_TOLERANCE)
    ) {
      return {
        ok: false,
        day,
        epsilonAfter,
        deltaAfter,
        reason: "cap",
        message: `This release would take ${day} to epsilon ${epsilonAfter} and delta ${deltaAfter.toExponential(2)} per participant-day; the cap is epsilon ${cap.epsilonCap} and delta ${cap.deltaCap.toExponential(2)}.`,
      };
    }
  }
  return { ok: true, days: sorted.map((day) => totals.get(day) ?? emptyDay(day)) };
}

/** Adds one release family's epsilon and delta to each day it covers (once per family and day). */
export async function recordLedgerDays(
  query: QueryFn,
  family: {
    familyId: string;
    granularity: TimeGranularity;
    geoType: GeoBucketType;
    level: string;
    version: number;
    epsilon: number;
    delta: number;
  },
  days: readonly string[],
  at: Date,
): Promise<void> {
  await query(
    `insert into privacy_ledger_days (family_id, day, granularity, geo_type, level, version, epsilon, delta, accounting, recorded_at)
     select $1::uuid, d::date, $3::time_granularity, $4::geo_bucket_type, $5, $6, $7, $8, 'participant_day', $9
     from unnest($2::text[]) as d`,
    [
      family.familyId,
      [...new Set(days)],
      family.granularity,
      family.geoType,
      family.level,
      family.version,
      family.epsilon,
      family.delta,
      at,
    ],
  );
}

/** Ledger totals of the given days (days without a row are absent). */
async function ledgerTotals(query: QueryFn, days: readonly string[]): Promise<Map<string, LedgerDay>> {
  const rows = await query<LedgerDayRow>(`${LEDGER_DAY_SELECT} where day = any($1::date[]) group by day`, [
    days,
  ]);
  return new Map(rows.map((row) => [row.day, ledgerDayOf(row)]));
}

/** Per-day ledger totals over [from, to) (UTC days; either bound may be absent), oldest first. */
export async function ledgerDays(
  query: QueryFn,
  range: { from?: Date; to?: Date } = {},
): Promise<LedgerDay[]> {
  const rows = await query<LedgerDayRow>(
    `${LEDGER_DAY_SELECT}
     where ($1::date is null or day >= $1::date) and ($2::date is null or day < $2::date)
     group by day order by day`,
    [
      range.from ? dayKey(bucketStartOf("day", range.from)) : null,
      range.to ? dayKey(ceilDay(range.to)) : null,
    ],
  );
  return rows.map(ledgerDayOf);
}

/** The day with the highest epsilon (ties: the earliest), or null when the ledger is empty there. */
export function highestDay(days: readonly LedgerDay[]): LedgerDay | null {
  let best: LedgerDay | null = null;
  for (const day of days) if (best === null || day.epsilon > best.epsilon + EPSILON_TOLERANCE) best = day;
  return best;
}

/** The UTC days covered by legacy releases buyers were charged for: outside the guarantee. */
export async function daysOutsideGuarantee(query: QueryFn): Promise<string[]> {
  const rows = await query<{ day: string }>(
    "select distinct day::text as day from privacy_ledger_days where accounting = 'legacy' order by day",
  );
  return rows.map((row) => row.day);
}

interface LedgerDayRow {
  day: string;
  epsilon: number;
  delta: number;
  families: number;
  legacy: boolean;
}

const LEDGER_DAY_SELECT = `select day::text as day, sum(epsilon)::float8 as epsilon, sum(delta)::float8 as delta,
  count(*)::int as families, bool_or(accounting = 'legacy') as legacy from privacy_ledger_days`;

function ledgerDayOf(row: LedgerDayRow): LedgerDay {
  return {
    day: row.day,
    epsilon: roundSum(Number(row.epsilon)),
    delta: Number(Number(row.delta).toPrecision(12)),
    families: row.families,
    outsideGuarantee: row.legacy,
  };
}

function emptyDay(day: string): LedgerDay {
  return { day, epsilon: 0, delta: 0, families: 0, outsideGuarantee: false };
}

/** The first day boundary at or after `at`. */
function ceilDay(at: Date): Date {
  const floor = bucketStartOf("day", at);
  return floor.getTime() === at.getTime() ? floor : new Date(floor.getTime() + DAY_MS);
}
