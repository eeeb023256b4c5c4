import pino from "pino";
import { expect } from "vitest";
import { createApp } from "../../src/app";
import type { Clock } from "../../src/clock";
import { configFrom } from "../../src/config";
import type { DatabaseHandle, QueryFn } from "../../src/db/client";
import { DENIED_KEYS } from "../../src/policy/denyList";
import { flushRequestLogs, type GraphQLBody, issueTestKey, trackRequestLogs } from "./app";

/** The DAY range [Jan `from`, Jan `to`) of 2026, as filter fields. */
export const days = (from: number, to: number) => ({
  timeBucketStartUtc: `2026-01-${String(from).padStart(2, "0")}T00:00:00Z`,
  timeBucketEndUtc: `2026-01-${String(to).padStart(2, "0")}T00:00:00Z`,
});

export interface PolicyExtension {
  fingerprint: string | string[];
  epsilonCharged: number;
  epsilonRemaining: number | null;
  strippedFields: string[];
  releaseIds: string[];
  missingBuckets: string[];
}

export const policyOf = (body: GraphQLBody): PolicyExtension => {
  const policy = (body.extensions as { policy?: PolicyExtension } | undefined)?.policy;
  if (policy === undefined) throw new Error(`no extensions.policy in ${JSON.stringify(body).slice(0, 500)}`);
  return policy;
};

export const codeOf = (body: GraphQLBody): unknown => body.errors?.[0]?.extensions?.code;

/**
 * Like testApp, with configuration overrides (strip mode, rate limits). The clock stands still, so
 * the per-minute rate limit never refills: it is raised unless a test sets it.
 */
export function redteamApp(db: DatabaseHandle, clock: Clock, env: Record<string, string> = {}) {
  const app = trackRequestLogs(
    createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", RATE_LIMIT_BUYER_PER_MINUTE: "100000", ...env }),
      clock,
      logger: pino({ level: "silent" }),
    }),
  );
  return {
    app,
    async graphql(
      query: string,
      options: { key?: string; variables?: Record<string, unknown>; operationName?: string } = {},
    ) {
      const response = await app.fetch("http://yoga/graphql", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        },
        body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as GraphQLBody };
    },
  };
}

export type RedteamApi = ReturnType<typeof redteamApp>;

/** Sets a buyer's budget (and quota) as the operator and checks it took. */
export async function setBudget(
  api: RedteamApi,
  operatorKey: string,
  partnerId: string,
  epsilonLimit: number,
  dailyQueryLimit?: number,
): Promise<void> {
  const { body } = await api.graphql(
    `mutation($input: SetBuyerBudgetInput!) { setBuyerBudget(input: $input) { budget { epsilonLimit } userErrors { code message } } }`,
    { key: operatorKey, variables: { input: { partnerId, epsilonLimit, dailyQueryLimit } } },
  );
  expect(body.errors).toBeUndefined();
  expect(body.data?.setBuyerBudget).toEqual({ budget: { epsilonLimit }, userErrors: [] });
}

export async function buyerKey(db: DatabaseHandle, clock: Clock, partnerId: string): Promise<string> {
  return (await issueTestKey(db, "buyer", { clock, partnerId })).apiKey;
}

/** The request_logs rows, once every test app's queued rows are written. */
export async function requestLogCount(db: DatabaseHandle): Promise<number> {
  await flushRequestLogs();
  const [row] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
  return row?.n ?? 0;
}

export async function partnerSpend(db: DatabaseHandle, partnerId: string) {
  const [row] = await db.query<{ charges: number; spent: number; shapes: number }>(
    `select (select count(*)::int from budget_charges where partner_id = $1) as charges,
            (select coalesce(sum(epsilon), 0)::float8 from budget_charges where partner_id = $1) as spent,
            (select count(*)::int from query_fingerprints where partner_id = $1) as shapes`,
    [partnerId],
  );
  if (row === undefined) throw new Error("no row");
  return row;
}

/**
 * A handle that records every statement the app sends: raw SQL (query and inside transactions) and
 * every drizzle builder call (select, insert, update, delete, execute, transaction) by name.
 */
export function recordingHandle(inner: DatabaseHandle) {
  let log: string[] = [];
  const record =
    (run: QueryFn): QueryFn =>
    async <Row>(text: string, params?: unknown[]) => {
      log.push(text);
      return run<Row>(text, params);
    };
  const tracked = new Set([
    "select",
    "selectDistinct",
    "insert",
    "update",
    "delete",
    "execute",
    "transaction",
  ]);
  const db = new Proxy(inner.db, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property === "string" && tracked.has(property) && typeof value === "function") {
        return (...args: unknown[]) => {
          log.push(`drizzle:${property}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  const handle: DatabaseHandle = {
    ...inner,
    db,
    query: record(inner.query),
    transaction: (work) => inner.transaction((query) => work(record(query))),
  };
  return {
    handle,
    reset: () => {
      log = [];
    },
    statements: () => [...log],
    touching: (table: string) => log.filter((text) => new RegExp(`\\b${table}\\b`, "i").test(text)),
  };
}

// An implementation of the deny list check independent of src/policy/denyList: split camelCase and
// PascalCase words, lower-case, join with underscores, and compare both that and the squashed form.
const DENIED_SNAKE = new Set<string>(DENIED_KEYS);
const DENIED_SQUASHED = new Set<string>(DENIED_KEYS.map((key) => key.replaceAll("_", "")));
export function isDeniedKeyIndependent(key: string): boolean {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  return DENIED_SNAKE.has(snake) || DENIED_SQUASHED.has(snake.replaceAll("_", ""));
}

/** Every object key at any depth, with its path. */
export function allKeys(value: unknown, path = ""): Array<{ key: string; path: string }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => allKeys(item, `${path}[${index}]`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return [{ key, path: childPath }, ...allKeys(child, childPath)];
  });
}

/** Every field of InsightCell a buyer may select. */
export const BUYER_CELL_FIELDS = `schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
  geoBucket { type id name } segment { doorType category context }
  metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
  privacy { kMinEnforced suppressed suppressedReason dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } }`;

/** `data[key]` of a response, or a failure naming what came back instead. */
export function dataField<T>(body: GraphQLBody, key: string): T {
  const value = body.data?.[key];
  if (value === undefined || value === null) {
    throw new Error(`no data.${key} in ${JSON.stringify(body).slice(0, 300)}`);
  }
  return value as T;
}
