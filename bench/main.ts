// `npm run bench` (full) and `npm run bench -- --quick`: the side-by-side API benchmark (bench/api.ts),
// then bench:precompute and bench:imports as child processes, all against the local PostgreSQL
// (TEST_DATABASE_URL, DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres), each in a
// throwaway database created and dropped by the run. Prints a table and writes bench/results/latest.json.
// Options: --quick (50 connections only, shorter runs, smaller precompute), --only a,b (systems),
// --skip-precompute, --skip-imports, --keep (keep the API data set's database), --out FILE. See bench/README.md.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { redactUrl } from "../src/db/client";
import { type ApiReport, runApiBenchmark } from "./api";
import { POOL_SIZE } from "./systems/common";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    quick: { type: "boolean" },
    only: { type: "string" },
    "skip-precompute": { type: "boolean" },
    "skip-imports": { type: "boolean" },
    out: { type: "string" },
    keep: { type: "boolean" },
  },
});
const quick = values.quick === true;
const adminUrl =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
const settings = quick
  ? {
      connections: [50],
      warmUpSeconds: 8,
      seconds: 10,
      rounds: 2,
      apiEvents: 2_000_000,
      precomputeEvents: 2_000_000,
      importRuns: 5,
    }
  : {
      connections: [1, 10, 50],
      warmUpSeconds: 8,
      seconds: 10,
      rounds: 3,
      apiEvents: 2_000_000,
      precomputeEvents: 10_000_000,
      importRuns: 11,
    };
const outFile = values.out ?? path.join(ROOT, "bench/results/latest.json");
const started = Date.now();

function log(line: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[${seconds} s] ${line}\n`);
}

/** Runs a bench script with --json against the same server and returns its last JSON line. */
async function runScript<T>(file: string, args: string[]): Promise<T> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, file), "--json", ...args], {
    cwd: ROOT,
    env: { ...process.env, TEST_DATABASE_URL: adminUrl, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const out: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  const text = Buffer.concat(out).toString("utf8");
  if (code !== 0) throw new Error(`${file} exited ${code}: ${text.slice(-500)}`);
  const line = text
    .trim()
    .split("\n")
    .reverse()
    .find((candidate) => candidate.startsWith("{"));
  if (line === undefined) throw new Error(`${file} printed no JSON summary`);
  return JSON.parse(line) as T;
}

async function machine() {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const [row] = await sql<Array<{ server_version: string }>>`show server_version`;
  await sql.end();
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "?",
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((value) => Number(value.toFixed(2))),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: row?.server_version ?? "?",
    database: redactUrl(adminUrl),
    mode: quick ? "quick" : "full",
    poolSize: POOL_SIZE,
    warmUpSeconds: settings.warmUpSeconds,
    seconds: settings.seconds,
    rounds: settings.rounds,
    date: new Date().toISOString(),
    note: "Shared 2-core machine: the load generator, every server and PostgreSQL run on the same cores, and other developers' work may run alongside.",
  };
}

function table(api: ApiReport): string {
  const lines: string[] = [];
  for (const row of api.rows) {
    const floor = row.systems.find((system) => system.name === "http_sql_floor")?.rps;
    lines.push(`${row.scenario}, ${row.connections} connection(s)`);
    lines.push(
      `  ${"system".padEnd(18)} ${"req/s".padStart(9)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"errors".padStart(7)} ${"x floor".padStart(8)}`,
    );
    for (const system of [...row.systems].sort((a, b) => b.rps - a.rps)) {
      lines.push(
        `  ${system.name.padEnd(18)} ${system.rps.toFixed(1).padStart(9)} ${String(system.p50Ms).padStart(8)} ${String(system.p99Ms).padStart(8)} ${String(system.errors).padStart(7)} ${(floor ? (system.rps / floor).toFixed(2) : "-").padStart(8)}`,
      );
    }
  }
  return lines.join("\n");
}

/** The targets at 50 connections: the project's throughput over each other system's. */
function targets(api: ApiReport): string[] {
  const wanted: Record<string, number> = {
    http_sql_floor: 0.5,
    apollo_server: 1.0,
    postgraphile: 1.0,
    mercurius: 0.8,
    bare_yoga: 0.7,
  };
  const lines: string[] = [];
  for (const row of api.rows.filter((candidate) => candidate.connections === 50)) {
    const project = row.systems.find((system) => system.name === "project")?.rps;
    if (project === undefined) continue;
    for (const [name, target] of Object.entries(wanted)) {
      const other = row.systems.find((system) => system.name === name)?.rps;
      if (other === undefined || other === 0) continue;
      const ratio = project / other;
      lines.push(
        `  ${row.scenario.padEnd(15)} project / ${name.padEnd(15)} ${ratio.toFixed(2)}x (target >= ${target.toFixed(1)}x)${ratio >= target ? "" : "  BELOW TARGET"}`,
      );
    }
  }
  return lines;
}

const machineInfo = await machine();
log(`${quick ? "quick" : "full"} run on ${machineInfo.database} (PostgreSQL ${machineInfo.postgres})`);
const api = await runApiBenchmark({
  adminUrl,
  connections: settings.connections,
  warmUpSeconds: settings.warmUpSeconds,
  seconds: settings.seconds,
  rounds: settings.rounds,
  events: settings.apiEvents,
  only: values.only ? values.only.split(",").map((name) => name.trim()) : [],
  keep: values.keep === true,
  log,
});

let precompute: unknown = null;
if (!values["skip-precompute"]) {
  log(`precompute: bench/precompute.ts --events ${settings.precomputeEvents}`);
  const result = await runScript<{
    events: number;
    eventsPerSecond: number;
    distinctFloorEventsPerSecond: number;
    ratioToDistinctFloor: number;
  }>("bench/precompute.ts", ["--events", String(settings.precomputeEvents)]);
  precompute = {
    events: result.events,
    eventsPerSecond: result.eventsPerSecond,
    distinctFloorEventsPerSecond: result.distinctFloorEventsPerSecond,
    ratioToDistinctFloor: result.ratioToDistinctFloor,
  };
}
let imports: unknown = null;
if (!values["skip-imports"]) {
  log(`imports: bench/imports.ts --runs ${settings.importRuns}`);
  const result = await runScript<{ rows: number; p50Ms: number; baselineInsertP50Ms: number; ratio: number }>(
    "bench/imports.ts",
    ["--runs", String(settings.importRuns)],
  );
  imports = {
    rows: result.rows,
    p50Ms: result.p50Ms,
    baselineInsertP50Ms: result.baselineInsertP50Ms,
    ratio: result.ratio,
  };
}

const report = {
  machine: { ...machineInfo, loadAverageAtEnd: os.loadavg().map((value) => Number(value.toFixed(2))) },
  api: api.rows,
  precompute,
  imports,
  dataSet: api.data,
  responseBytes: api.responseBytes,
  failures: api.failures,
};
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);

process.stdout.write(
  [
    "",
    table(api),
    "",
    "targets (50 connections, for reference):",
    ...targets(api),
    ...(api.failures.length > 0
      ? [
          "",
          "systems that did not run:",
          ...api.failures.map((failure) => `  ${failure.name}: ${failure.error}`),
        ]
      : []),
    "",
    `precompute: ${JSON.stringify(precompute)}`,
    `imports:    ${JSON.stringify(imports)}`,
    `written to ${path.relative(ROOT, outFile)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    "",
  ].join("\n"),
);
