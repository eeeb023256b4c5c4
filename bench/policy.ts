// The buyer policy's cost: a small buyer insights query (1 day, 2 cities, one category) through the
// full pipeline (principal, armor, strip, bounds, fingerprint, budget transaction, output scan,
// request log), against the same Yoga app without the policy plugin (INTERNAL key), measured in the
// same run on embedded PGlite. Sequential requests after a warm-up; prints both throughputs, the
// ratio, and SQL statements and database time per request for each path.
import type { PGlite } from "@electric-sql/pglite";
import pino from "pino";
import { createApp } from "../src/app";
import { configFrom } from "../src/config";
import { createThrowawayDatabase } from "../src/db/throwawayDatabase";
import { buildBuyerWorld } from "../test/support/buyerWorld";

const REQUESTS = Number(process.argv[2] ?? 2_000);
const WARM_UP = 200;
const ROUNDS = 4;
const TARGET_RATIO = 0.6;

const QUERY = `query Bench($f: InsightsFilter!) { insights(filter: $f, first: 100) {
  totalCount
  nodes { schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
    geoBucket { type id } segment { doorType category context }
    metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
    privacy { kMinEnforced suppressed suppressedReason
      dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } } } } }`;
const FILTER = {
  timeBucketStartUtc: "2026-01-05T00:00:00Z",
  timeBucketEndUtc: "2026-01-06T00:00:00Z",
  geoBucketIds: ["us-nyc", "gb-lon"],
  categories: ["COFFEE"],
};
const EXPECTED_CELLS = 2 * 3 * 5;

// In memory: the profile below counts PGlite's statements.
const { handle: database } = await createThrowawayDatabase({ prefix: "bench_policy", migrate: true });
const world = await buildBuyerWorld({ ...database, destroy: () => database.close() });

// No rate limit in the way: both paths take a token per request, the benchmark must not hit the limit.
const config = configFrom({
  LOG_LEVEL: "silent",
  RATE_LIMIT_BUYER_PER_MINUTE: "1000000",
  RATE_LIMIT_PER_MINUTE: "1000000",
});
const logger = pino({ level: "silent" });
const withPolicy = createApp({ database: database, config, clock: world.clock, logger });
const withoutPolicy = createApp({ database: database, config, clock: world.clock, logger, policy: false });

function request(app: ReturnType<typeof createApp>, key: string) {
  return async () => {
    const response = await app.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: QUERY, variables: { f: FILTER } }),
    });
    const body = (await response.json()) as {
      data?: { insights?: { totalCount: number } };
      errors?: unknown;
    };
    if (body.data?.insights?.totalCount !== EXPECTED_CELLS) {
      throw new Error(`unexpected answer: ${JSON.stringify(body).slice(0, 300)}`);
    }
  };
}

const paths = [
  { name: "buyer, full policy", run: request(withPolicy, world.buyerKey), ms: 0, count: 0 },
  { name: "internal, no policy plugin", run: request(withoutPolicy, world.internalKey), ms: 0, count: 0 },
];

for (const path of paths) for (let i = 0; i < WARM_UP; i++) await path.run();

// Alternating rounds, so drift (GC, PGlite's heap growing with the request log) hits both paths alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const path of paths) {
    const n = Math.ceil(REQUESTS / ROUNDS);
    const started = performance.now();
    for (let i = 0; i < n; i++) await path.run();
    path.ms += performance.now() - started;
    path.count += n;
  }
}

// A short profile, counted only now so the timed rounds run unwrapped: statements and database time per request.
const statements = countStatements(database.pglite);
const profiles: Array<{ statements: number; dbMs: number; totalMs: number; byKind: Record<string, number> }> =
  [];
for (const path of paths) {
  const n = 100;
  statements.reset();
  const started = performance.now();
  for (let i = 0; i < n; i++) await path.run();
  const total = performance.now() - started;
  profiles.push({
    statements: statements.count / n,
    dbMs: statements.ms / n,
    totalMs: total / n,
    byKind: statements.byKind(n),
  });
}

const [policy, baseline] = paths.map((path) => (path.count / path.ms) * 1000) as [number, number];
const ratio = policy / baseline;
const lines = [
  `requests: ${paths[0]?.count} per path after ${WARM_UP} warm-up, sequential, embedded PGlite; ${EXPECTED_CELLS} cells each`,
  ...paths.map((path, index) => {
    const profile = profiles[index];
    return `${path.name.padEnd(28)} ${((path.count / path.ms) * 1000).toFixed(0).padStart(6)} req/s   ${profile?.statements.toFixed(1)} statements, ${profile?.dbMs.toFixed(2)} ms in the database of ${profile?.totalMs.toFixed(2)} ms per request`;
  }),
  `ratio (policy / no policy): ${ratio.toFixed(2)}x (target >= ${TARGET_RATIO}x)${ratio >= TARGET_RATIO ? "" : "  BELOW TARGET"}`,
  "",
  "statements per request by kind (policy | no policy):",
  ...mergeKinds(profiles[0]?.byKind ?? {}, profiles[1]?.byKind ?? {}),
  "",
];
process.stdout.write(lines.join("\n"));
await withPolicy.shutdown();
await withoutPolicy.shutdown();
await database.close();

/** Counts statements and the time spent awaiting them, on the PGlite client and in its transactions. */
function countStatements(client: PGlite | undefined) {
  if (client === undefined) throw new Error("the benchmark runs on embedded PGlite");
  const kinds = new Map<string, number>();
  const state = { count: 0, ms: 0 };
  const timed =
    <Args extends unknown[], R>(run: (...args: Args) => Promise<R>) =>
    async (...args: Args): Promise<R> => {
      state.count++;
      const kind = statementKind(String(args[0]));
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      const started = performance.now();
      try {
        return await run(...args);
      } finally {
        state.ms += performance.now() - started;
      }
    };
  const original = client.query.bind(client);
  client.query = timed(original) as typeof client.query;
  const originalTransaction = client.transaction.bind(client);
  client.transaction = (async (work: (tx: Parameters<Parameters<PGlite["transaction"]>[0]>[0]) => unknown) =>
    originalTransaction(async (tx) => {
      state.count += 2; // begin and commit
      kinds.set("begin/commit", (kinds.get("begin/commit") ?? 0) + 2);
      tx.query = timed(tx.query.bind(tx)) as typeof tx.query;
      return work(tx);
    })) as typeof client.transaction;
  return {
    get count() {
      return state.count;
    },
    get ms() {
      return state.ms;
    },
    reset() {
      state.count = 0;
      state.ms = 0;
      kinds.clear();
    },
    byKind(n: number) {
      return Object.fromEntries([...kinds].map(([kind, count]) => [kind, count / n]));
    },
  };
}

/** A short label for a statement: its verb and first table. */
function statementKind(text: string): string {
  const compact = text.replace(/\s+/g, " ").trim();
  const verb = compact.split(" ")[0]?.toLowerCase() ?? "?";
  const table = /\b(?:from|into|update)\s+"?([a-z_]+)"?/i.exec(compact)?.[1] ?? "";
  return `${verb} ${table}`.trim();
}

function mergeKinds(left: Record<string, number>, right: Record<string, number>): string[] {
  const names = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
  return names.map(
    (name) =>
      `  ${name.padEnd(36)} ${(left[name] ?? 0).toFixed(1).padStart(5)} | ${(right[name] ?? 0).toFixed(1)}`,
  );
}
