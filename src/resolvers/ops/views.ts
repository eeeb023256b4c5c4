import type { DatabaseHandle } from "../../db/client";
import { TIME_GRANULARITIES, type TimeGranularity } from "../../db/schema/enums";
import { apiError } from "../../errors";
import { BUCKET_MS } from "../../privacy/buckets";
import { highestDay, type LedgerDay, ledgerDays } from "../../privacy/participantDays";
import { loadPrivacyCap, loadReleasePlan, planTotals } from "../../privacy/releasePlan";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface BudgetUsageRow {
  partnerId: string;
  epsilonLimit: number;
  epsilonSpent: number;
  epsilonRemaining: number;
  windowDays: number;
  lastChargeAt: Date | null;
}

/** Per buyer: limit, spent and remaining in its rolling window, last charge. */
export async function privacyBudgetUsage(database: DatabaseHandle, now: Date): Promise<BudgetUsageRow[]> {
  const rows = await database.query<{
    partner_id: string;
    epsilon_limit: number;
    window_days: number;
    spent: number;
    last_charge_at: Date | null;
  }>(
    `select b.partner_id, b.epsilon_limit, b.window_days,
            coalesce(sum(c.epsilon) filter (where c.charged_at > $1::timestamptz - make_interval(days => b.window_days)), 0)::float8 as spent,
            max(c.charged_at) as last_charge_at
     from buyer_budgets b left join budget_charges c on c.partner_id = b.partner_id
     group by b.partner_id, b.epsilon_limit, b.window_days
     order by b.partner_id`,
    [now],
  );
  return rows.map((row) => ({
    partnerId: row.partner_id,
    epsilonLimit: row.epsilon_limit,
    epsilonSpent: row.spent,
    epsilonRemaining: Math.max(0, row.epsilon_limit - row.spent),
    windowDays: row.window_days,
    lastChargeAt: row.last_charge_at === null ? null : new Date(row.last_charge_at),
  }));
}

export interface BudgetChargeDayRow {
  partnerId: string;
  day: string;
  epsilon: number;
  charges: number;
}

/** Per buyer per UTC day: the epsilon charged to its budget and how many releases it was charged for. */
export async function budgetChargesPerDay(
  database: DatabaseHandle,
  now: Date,
  days: number,
): Promise<BudgetChargeDayRow[]> {
  const since = new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
  const rows = await database.query<{ partner_id: string; day: string; epsilon: number; charges: number }>(
    `select partner_id, to_char(charged_at at time zone 'UTC', 'YYYY-MM-DD') as day,
            sum(epsilon)::float8 as epsilon, count(*)::int as charges
     from budget_charges where charged_at >= $1::date and charged_at <= $2::timestamptz
     group by 1, 2 order by 2 desc, 1`,
    [since, now],
  );
  return rows.map((row) => ({
    partnerId: row.partner_id,
    day: row.day,
    epsilon: row.epsilon,
    charges: row.charges,
  }));
}

export interface RequestStatsRow {
  day: string;
  requests: number;
  byOutcome: Array<{ code: string; count: number }>;
  p50LatencyMs: number;
  p99LatencyMs: number;
}

/** Buyer requests (GraphQL and export) per UTC day: count, outcome codes, latency percentiles. */
export async function exportRequestStats(
  database: DatabaseHandle,
  now: Date,
  days: number,
): Promise<RequestStatsRow[]> {
  const since = new Date(now.getTime() - days * DAY_MS);
  const totals = await database.query<{ day: string; requests: number; p50: number; p99: number }>(
    `select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as requests,
            percentile_cont(0.5) within group (order by latency_ms)::float8 as p50,
            percentile_cont(0.99) within group (order by latency_ms)::float8 as p99
     from request_logs where role = 'buyer' and at >= $1 group by 1 order by 1 desc`,
    [since],
  );
  const outcomes = await database.query<{ day: string; code: string; count: number }>(
    `select to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, outcome_code as code, count(*)::int as count
     from request_logs where role = 'buyer' and at >= $1 group by 1, 2 order by 1, 2`,
    [since],
  );
  return totals.map((row) => ({
    day: row.day,
    requests: row.requests,
    byOutcome: outcomes
      .filter((outcome) => outcome.day === row.day)
      .map(({ code, count }) => ({ code, count })),
    p50LatencyMs: row.p50,
    p99LatencyMs: row.p99,
  }));
}

export interface FingerprintStatsRow {
  partnerId: string;
  day: string;
  distinctShapes: number;
  quotaRefusals: number;
}

/** Per buyer per UTC day: distinct query shapes and QUERY_BUDGET_EXCEEDED refusals (intersection-attack signals). */
export async function queryFingerprintStats(
  database: DatabaseHandle,
  now: Date,
  days: number,
): Promise<FingerprintStatsRow[]> {
  const since = new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10);
  const rows = await database.query<{ partner_id: string; day: string; shapes: number; refusals: number }>(
    `with shapes as (
       select partner_id, day::text as day, count(*)::int as shapes from query_fingerprints where day >= $1::date group by 1, 2
     ), refusals as (
       select partner_id, to_char(at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as refusals
       from request_logs where outcome_code = 'QUERY_BUDGET_EXCEEDED' and at >= $1::date and partner_id is not null group by 1, 2
     )
     select coalesce(s.partner_id, r.partner_id) as partner_id, coalesce(s.day, r.day) as day,
            coalesce(s.shapes, 0) as shapes, coalesce(r.refusals, 0) as refusals
     from shapes s full join refusals r on r.partner_id = s.partner_id and r.day = s.day
     order by 2 desc, 1`,
    [since],
  );
  return rows.map((row) => ({
    partnerId: row.partner_id,
    day: row.day,
    distinctShapes: row.shapes,
    quotaRefusals: row.refusals,
  }));
}

export interface FreshnessRow {
  granularity: TimeGranularity;
  latestReleasedBucketUtc: Date | null;
  lagHours: number | null;
  stale: boolean;
}

/**
 * Per granularity: the newest released bucket and how far behind now it is. Expected lag is the
 * reporting delay plus two buckets (the bucket itself and the hourly cadence); past that plus
 * `marginHours` it is stale.
 */
export async function cacheFreshness(
  database: DatabaseHandle,
  now: Date,
  marginHours: number,
): Promise<FreshnessRow[]> {
  const rows = await database.query<{ granularity: TimeGranularity; latest: Date | null }>(
    "select granularity, max(bucket_start) as latest from releases where current group by granularity",
  );
  const latestBy = new Map(
    rows.map((row) => [row.granularity, row.latest === null ? null : new Date(row.latest)]),
  );
  const result: FreshnessRow[] = [];
  for (const granularity of TIME_GRANULARITIES) {
    const latest = latestBy.get(granularity) ?? null;
    const profile = await loadReleaseProfile(database, granularity);
    const lagHours =
      latest === null ? null : (now.getTime() - latest.getTime() - BUCKET_MS[granularity]) / HOUR_MS;
    const expected = profile.reportingDelayHours + (2 * BUCKET_MS[granularity]) / HOUR_MS;
    result.push({
      granularity,
      latestReleasedBucketUtc: latest,
      lagHours,
      stale: lagHours === null || lagHours > expected + marginHours,
    });
  }
  return result;
}

export interface CityCoverage {
  cities: Array<{ cityCode: string; name: string; geohash3Cells: number; events7d: number }>;
  unmappedEventShare7d: number;
}

/** Per city: mapped geohash3 cells and recent events; overall, the share of recent events no city claims. */
export async function cityCodeCoverage(database: DatabaseHandle, now: Date): Promise<CityCoverage> {
  const since = new Date(now.getTime() - 7 * DAY_MS);
  const cities = await database.query<{ code: string; name: string; cells: number; events: number }>(
    `select d.code, d.name, count(distinct m.geohash3)::int as cells,
            (select count(*)::int from interaction_events e join city_geohash3_map mm on mm.geohash3 = e.geohash3
              where mm.city_code = d.code and e.occurred_at >= $1) as events
     from city_definitions d left join city_geohash3_map m on m.city_code = d.code
     group by d.code, d.name order by d.code`,
    [since],
  );
  const [share] = await database.query<{ total: number; unmapped: number }>(
    `select count(*)::int as total, (count(*) filter (where m.geohash3 is null))::int as unmapped
     from interaction_events e left join city_geohash3_map m on m.geohash3 = e.geohash3 where e.occurred_at >= $1`,
    [since],
  );
  return {
    cities: cities.map((row) => ({
      cityCode: row.code,
      name: row.name,
      geohash3Cells: row.cells,
      events7d: row.events,
    })),
    unmappedEventShare7d: share && share.total > 0 ? share.unmapped / share.total : 0,
  };
}

export interface PrivacyLedgerView {
  days: LedgerDay[];
  highestDay: LedgerDay | null;
  epsilonCap: number;
  deltaCap: number;
  planEpsilonPerParticipantDay: number;
}

/** The participant-day ledger over [from, to) (default: the 30 days before now), against the cap and the plan. */
export async function privacyLedger(
  database: DatabaseHandle,
  now: Date,
  range: { from: Date | null; to: Date | null },
): Promise<PrivacyLedgerView> {
  const to = range.to ?? now;
  const from = range.from ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from >= to) throw apiError("BAD_USER_INPUT", "fromUtc must be before toUtc.", { field: "fromUtc" });
  const [days, cap, plan] = await Promise.all([
    ledgerDays(database.query, { from, to }),
    loadPrivacyCap(database.query),
    loadReleasePlan(database.query),
  ]);
  return {
    days,
    highestDay: highestDay(days),
    ...cap,
    planEpsilonPerParticipantDay: planTotals(plan).epsilonDay,
  };
}
