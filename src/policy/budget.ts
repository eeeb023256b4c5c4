import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle, QueryFn } from "../db/client";
import { apiError } from "../errors";
import { WriteBehind } from "./writeBehind";

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
 * Steps 4 and 5 of the buyer policy. A request that costs nothing (every shape already used today,
 * every release already charged in the window) is decided by one read, without a transaction:
 * both facts only grow within their day and window, so no concurrent request can make the answer
 * wrong, and such a request is never refused (see freeDecision). Any other request runs in one
 * transaction, under a lock on the buyer's budget row (so any number of API processes serialise per
 * buyer): new shapes count against today's quota, and releases not charged in the current window
 * are charged at their cost. Either refusal rolls the whole transaction back: nothing is counted,
 * nothing is charged. The use of a known shape is counted in `hits` (in batches, off the request path).
 */
export async function chargeBuyer(
  database: DatabaseHandle,
  request: ChargeRequest,
  hits: ShapeHits,
): Promise<ChargeResult> {
  const free = await freeDecision(database, request);
  if (free !== undefined) {
    hits.record(request.partnerId, utcDay(request.now), free.shapes);
    return free.result;
  }
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

/**
 * The decision for a request that costs nothing, in one read: the budget row, today's shapes among
 * the request's, the request's releases charged in the window and the window's spend. Undefined
 * when a shape is new today or a release is not charged in the window (or the buyer has no budget
 * row yet): then the request may be counted or charged, and chargeBuyer's transaction decides.
 *
 * Exact under races: a shape used today stays used today, and a charge inside the window as of
 * `now` stays inside it; the quota and the budget only refuse a request that adds a shape or a
 * charge. What it reports (spent, shapes used) may trail a concurrent charge by that charge only.
 */
async function freeDecision(
  database: DatabaseHandle,
  request: ChargeRequest,
): Promise<{ result: ChargeResult; shapes: string[] } | undefined> {
  const shapes = [...new Set(request.fingerprints)];
  const releaseIds = [...new Set(request.releases.map((release) => release.releaseId))];
  const [row] = await database.query<{
    epsilon_limit: number;
    window_days: number;
    daily_query_limit: number;
    used: number;
    known: number;
    charged: number;
    spent: number;
  }>(
    `select b.epsilon_limit, b.window_days, b.daily_query_limit,
            (select count(*)::int from query_fingerprints f where f.partner_id = $1 and f.day = $2) as used,
            (select count(*)::int from query_fingerprints f
              where f.partner_id = $1 and f.day = $2 and f.fingerprint = any($3::text[])) as known,
            (select count(distinct c.release_id)::int from budget_charges c
              where c.partner_id = $1 and c.charged_at > $4::timestamptz - make_interval(secs => b.window_days * 86400)
                and c.release_id = any($5::uuid[])) as charged,
            (select coalesce(sum(c.epsilon), 0)::float8 from budget_charges c
              where c.partner_id = $1 and c.charged_at > $4::timestamptz - make_interval(secs => b.window_days * 86400)) as spent
     from buyer_budgets b where b.partner_id = $1`,
    [request.partnerId, utcDay(request.now), shapes, request.now, releaseIds],
    { prepare: true },
  );
  if (row === undefined || row.known < shapes.length || row.charged < releaseIds.length) return undefined;
  const budget: BuyerBudget = {
    partnerId: request.partnerId,
    epsilonLimit: row.epsilon_limit,
    windowDays: row.window_days,
    dailyQueryLimit: row.daily_query_limit,
  };
  const windowStart = new Date(request.now.getTime() - budget.windowDays * DAY_MS);
  return {
    shapes,
    result: {
      epsilonCharged: 0,
      newReleaseIds: [],
      ...state(budget, Number(row.spent), windowStart, row.used, request.now),
    },
  };
}

/**
 * Uses of already-counted shapes (query_fingerprints.hits), kept in memory and added in one
 * statement once a minute and at shutdown: the free path writes nothing on the request path.
 * A crash loses at most one interval's counts (hits is a usage statistic; no decision reads it).
 */
export class ShapeHits {
  private readonly counts: WriteBehind<string, number>;

  constructor(database: DatabaseHandle, onError: (error: unknown) => void, intervalMs = 60_000) {
    this.counts = new WriteBehind({
      intervalMs,
      onError,
      merge: (pending, count) => pending + count,
      write: async (batch) => {
        const rows = batch.map(([key, count]) => [...(JSON.parse(key) as string[]), count] as const);
        await database.query(
          `update query_fingerprints f set hits = f.hits + u.n
           from unnest($1::text[], $2::date[], $3::text[], $4::int[]) as u(partner_id, day, fingerprint, n)
           where f.partner_id = u.partner_id and f.day = u.day and f.fingerprint = u.fingerprint`,
          [rows.map((b) => b[0]), rows.map((b) => b[1]), rows.map((b) => b[2]), rows.map((b) => b[3])],
        );
      },
    });
  }

  record(partnerId: string, day: string, fingerprints: readonly string[]): void {
    for (const fingerprint of fingerprints) {
      this.counts.record(JSON.stringify([partnerId, day, fingerprint]), 1);
    }
  }

  /** Adds the counted uses to their rows, in one statement. */
  flush(): Promise<void> {
    return this.counts.flush();
  }

  close(): Promise<void> {
    return this.counts.close();
  }
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
