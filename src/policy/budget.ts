import type { DatabaseHandle, QueryFn } from "../db/client";
import { apiError } from "../errors";
import { appendAuditEntry } from "../resolvers/admin/audit";

/** What a buyer without a stored budget gets (operators change it with setBuyerBudget). */
export const DEFAULT_BUYER_BUDGET = { epsilonLimit: 10, windowDays: 30, dailyQueryLimit: 50 };
const EPSILON_TOLERANCE = 1e-9;
const DAY_MS = 86_400_000;

export interface BuyerBudget {
  partnerId: string;
  epsilonLimit: number;
  windowDays: number;
  dailyQueryLimit: number;
}

export interface ReleaseCost {
  releaseId: string;
  epsilon: number;
}

export interface ChargeRequest {
  partnerId: string;
  /** Distinct shapes of the request, in document order. */
  fingerprints: string[];
  fingerprintVersion: number;
  releases: ReleaseCost[];
  now: Date;
  requestId: string;
}

export interface BudgetState {
  epsilonLimit: number;
  epsilonSpent: number;
  epsilonRemaining: number;
  windowDays: number;
  windowStart: Date;
  dailyQueryLimit: number;
  shapesUsedToday: number;
  quotaResetsAt: Date;
}

export interface ChargeResult extends BudgetState {
  epsilonCharged: number;
  newReleaseIds: string[];
}

export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Steps 4 and 5 of the buyer policy in one transaction, under a lock on the buyer's budget row (so
 * any number of API processes serialise per buyer): new shapes count against today's quota, and
 * releases not charged in the current window are charged at their cost. Either refusal rolls the
 * whole transaction back: nothing is counted, nothing is charged.
 */
export async function chargeBuyer(database: DatabaseHandle, request: ChargeRequest): Promise<ChargeResult> {
  return database.transaction(async (query) => {
    const budget = await lockBudget(query, request.partnerId);
    const day = utcDay(request.now);
    const shapes = [...new Set(request.fingerprints)];
    const todays = await query<{ fingerprint: string }>(
      "select fingerprint from query_fingerprints where partner_id = $1 and day = $2",
      [request.partnerId, day],
    );
    const known = new Set(todays.map((row) => row.fingerprint).filter((shape) => shapes.includes(shape)));
    const fresh = shapes.filter((shape) => !known.has(shape));
    const usedToday = todays.length;
    if (fresh.length > 0 && usedToday + fresh.length > budget.dailyQueryLimit) {
      throw apiError(
        "QUERY_BUDGET_EXCEEDED",
        `This request would be query shape ${usedToday + fresh.length} today; the limit is ${budget.dailyQueryLimit} distinct shapes per UTC day. Reuse a shape you already ran today, or wait until ${nextDay(request.now).toISOString()}.`,
        { limit: budget.dailyQueryLimit, used: usedToday, resetsAtUtc: nextDay(request.now).toISOString() },
      );
    }

    const windowStart = new Date(request.now.getTime() - budget.windowDays * DAY_MS);
    const { spent, newReleases } = await windowCharges(
      query,
      request.partnerId,
      windowStart,
      request.releases,
    );
    const cost = newReleases.reduce((sum, release) => sum + release.epsilon, 0);
    // A request that costs nothing is never refused for budget, even after the limit was lowered below what was spent.
    if (cost > 0 && spent + cost > budget.epsilonLimit + EPSILON_TOLERANCE) {
      throw apiError(
        "PRIVACY_BUDGET_EXCEEDED",
        `This request costs epsilon ${round(cost)} (${newReleases.length} release(s) not yet charged in your ${budget.windowDays}-day window), but only ${round(Math.max(0, budget.epsilonLimit - spent))} of your ${budget.epsilonLimit} remain. Narrow the range, or re-read releases you were already charged for (free).`,
        {
          limit: budget.epsilonLimit,
          spent: round(spent),
          cost: round(cost),
          remaining: round(Math.max(0, budget.epsilonLimit - spent)),
        },
      );
    }

    if (fresh.length > 0) {
      await query(
        `insert into query_fingerprints (partner_id, day, fingerprint, algorithm_version, first_seen_at, hits)
         select $1, $2, f, $4, $5, 1 from unnest($3::text[]) as f`,
        [request.partnerId, day, fresh, request.fingerprintVersion, request.now],
      );
    }
    if (known.size > 0) {
      await query(
        "update query_fingerprints set hits = hits + 1 where partner_id = $1 and day = $2 and fingerprint = any($3::text[])",
        [request.partnerId, day, [...known]],
      );
    }
    if (newReleases.length > 0) {
      await query(
        `insert into budget_charges (partner_id, release_id, epsilon, charged_at, request_id)
         select $1, r, e, $4, $5 from unnest($2::uuid[], $3::float8[]) as u(r, e)`,
        [
          request.partnerId,
          newReleases.map((release) => release.releaseId),
          newReleases.map((release) => release.epsilon),
          request.now,
          request.requestId,
        ],
      );
      await alertOnThresholds(query, budget, spent, spent + cost, request);
    }
    return {
      epsilonCharged: round(cost),
      newReleaseIds: newReleases.map((release) => release.releaseId),
      ...state(budget, spent + cost, windowStart, usedToday + fresh.length, request.now),
    };
  });
}

/** What a request would cost now, without counting or charging anything. */
export async function quoteBuyer(
  database: DatabaseHandle,
  request: Omit<ChargeRequest, "requestId">,
): Promise<
  BudgetState & { epsilonCost: number; newReleaseCount: number; wouldCountTowardQueryQuota: boolean }
> {
  const budget = await readBudget(database.query, request.partnerId);
  const windowStart = new Date(request.now.getTime() - budget.windowDays * DAY_MS);
  const { spent, newReleases } = await windowCharges(
    database.query,
    request.partnerId,
    windowStart,
    request.releases,
  );
  const day = utcDay(request.now);
  const shapes = [...new Set(request.fingerprints)];
  const [row] = await database.query<{ used: number; known: number }>(
    `select count(*)::int as used, (count(*) filter (where fingerprint = any($3::text[])))::int as known
     from query_fingerprints where partner_id = $1 and day = $2`,
    [request.partnerId, day, shapes],
  );
  return {
    epsilonCost: round(newReleases.reduce((sum, release) => sum + release.epsilon, 0)),
    newReleaseCount: newReleases.length,
    wouldCountTowardQueryQuota: (row?.known ?? 0) < shapes.length,
    ...state(budget, spent, windowStart, row?.used ?? 0, request.now),
  };
}

/** The buyer's budget and quota as they stand (viewer). */
export async function readBudgetState(
  database: DatabaseHandle,
  partnerId: string,
  now: Date,
): Promise<BudgetState> {
  const quote = await quoteBuyer(database, {
    partnerId,
    fingerprints: [],
    fingerprintVersion: 0,
    releases: [],
    now,
  });
  return quote;
}

export async function readBudget(query: QueryFn, partnerId: string): Promise<BuyerBudget> {
  const [row] = await query<{ epsilon_limit: number; window_days: number; daily_query_limit: number }>(
    "select epsilon_limit, window_days, daily_query_limit from buyer_budgets where partner_id = $1",
    [partnerId],
  );
  return row === undefined
    ? { partnerId, ...DEFAULT_BUYER_BUDGET }
    : {
        partnerId,
        epsilonLimit: row.epsilon_limit,
        windowDays: row.window_days,
        dailyQueryLimit: row.daily_query_limit,
      };
}

/** Creates the buyer's budget row if needed and locks it, in one statement (the no-op update takes the row lock). */
async function lockBudget(query: QueryFn, partnerId: string): Promise<BuyerBudget> {
  const [row] = await query<{ epsilon_limit: number; window_days: number; daily_query_limit: number }>(
    `insert into buyer_budgets (partner_id, epsilon_limit, window_days, daily_query_limit)
     values ($1, $2, $3, $4)
     on conflict (partner_id) do update set partner_id = excluded.partner_id
     returning epsilon_limit, window_days, daily_query_limit`,
    [
      partnerId,
      DEFAULT_BUYER_BUDGET.epsilonLimit,
      DEFAULT_BUYER_BUDGET.windowDays,
      DEFAULT_BUYER_BUDGET.dailyQueryLimit,
    ],
  );
  if (row === undefined) throw new Error("buyer_budgets upsert returned no row");
  return {
    partnerId,
    epsilonLimit: row.epsilon_limit,
    windowDays: row.window_days,
    dailyQueryLimit: row.daily_query_limit,
  };
}

/**
 * Which of `releaseIds` the buyer was charged for in the window starting after `windowStart`: what
 * a request need not pay for again, and the previous buckets whose estimates its trend may use.
 * Charges are keyed by release family (`releases.family_id`: the release itself for DAY and WEEK,
 * the day's first hour for an HOUR family), so pass family ids.
 */
export async function chargedReleaseIds(
  query: QueryFn,
  partnerId: string,
  windowStart: Date,
  releaseIds: readonly string[],
): Promise<Set<string>> {
  // Always one statement, even for no ids: whether a buyer's page had previous estimates to check
  // must not show in how long its request took.
  const rows = await query<{ release_id: string }>(
    "select distinct release_id from budget_charges where partner_id = $1 and charged_at > $2 and release_id = any($3::uuid[])",
    [partnerId, windowStart, [...new Set(releaseIds)]],
  );
  return new Set(rows.map((row) => row.release_id));
}

async function windowCharges(query: QueryFn, partnerId: string, windowStart: Date, releases: ReleaseCost[]) {
  const [spentRow] = await query<{ spent: number }>(
    "select coalesce(sum(epsilon), 0)::float8 as spent from budget_charges where partner_id = $1 and charged_at > $2",
    [partnerId, windowStart],
  );
  const unique = [...new Map(releases.map((release) => [release.releaseId, release])).values()];
  const charged = await chargedReleaseIds(
    query,
    partnerId,
    windowStart,
    unique.map((release) => release.releaseId),
  );
  return {
    spent: spentRow?.spent ?? 0,
    newReleases: unique.filter((release) => !charged.has(release.releaseId)),
  };
}

async function alertOnThresholds(
  query: QueryFn,
  budget: BuyerBudget,
  before: number,
  after: number,
  request: ChargeRequest,
): Promise<void> {
  for (const share of [0.8, 1]) {
    const threshold = budget.epsilonLimit * share;
    if (before < threshold - EPSILON_TOLERANCE && after >= threshold - EPSILON_TOLERANCE) {
      await appendAuditEntry(query, {
        at: request.now,
        type: "outside_buyer_privacy_budget",
        actor: "policy",
        action: `budget_${Math.round(share * 100)}_percent`,
        target: request.partnerId,
        outcome: "ALERT",
        details: {
          epsilonLimit: budget.epsilonLimit,
          epsilonSpent: round(after),
          windowDays: budget.windowDays,
        },
        requestId: request.requestId,
      });
    }
  }
}

function state(
  budget: BuyerBudget,
  spent: number,
  windowStart: Date,
  usedToday: number,
  now: Date,
): BudgetState {
  return {
    epsilonLimit: budget.epsilonLimit,
    epsilonSpent: round(spent),
    epsilonRemaining: round(Math.max(0, budget.epsilonLimit - spent)),
    windowDays: budget.windowDays,
    windowStart,
    dailyQueryLimit: budget.dailyQueryLimit,
    shapesUsedToday: usedToday,
    quotaResetsAt: nextDay(now),
  };
}

function nextDay(now: Date): Date {
  return new Date((Math.floor(now.getTime() / DAY_MS) + 1) * DAY_MS);
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}
