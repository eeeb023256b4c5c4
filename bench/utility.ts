// Utility benchmark (PRIVACY.md "Breakdown levels", "Accuracy"): how much of the plan's releases a
// buyer can use. It builds the default demo data set (and/or bench:precompute's synthetic one) in a fresh database,
// computes every release the plan and the precompute window want, exactly as `npm start` does, and
// reports per (granularity, geo type, level): cells, cells whose bounded true count reaches k,
// cells released, the released share of those at k or above, the median and p90 relative error of
// the released unique counts, the median 95% margin of error relative to the estimate, and the
// plan's epsilon_day. Prints a table and writes bench/results/utility.json.
import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { fixedClock } from "../src/clock";
import { configFrom } from "../src/config";
import type { DatabaseHandle } from "../src/db/client";
import { migrateDatabase } from "../src/db/migrate";
import { ensureReferenceData } from "../src/db/referenceData";
import { precomputeDemoWindow, runDemoData } from "../src/demo/runDemoData";
import { PRECOMPUTE_POLICY_KEY } from "../src/jobs/precompute/planReleases";
import { marginOfError } from "../src/privacy/accuracy";
import { planReleaseParameters } from "../src/privacy/levelParameters";
import { loadReleasePlan, type PlanEntry, planTotals } from "../src/privacy/releasePlan";
import { CONTRACT_RELEASE_PROFILES } from "../src/privacy/releaseProfiles";
import { insertCities, insertEvents, type SyntheticWorld } from "./syntheticEvents";
import { openThrowawayDatabase } from "./throwawayDatabase";

const HELP = `npm run bench:utility [-- options]

Builds the demo data set in a fresh database (PGlite in memory; a throwaway database on the
PostgreSQL of DATABASE_URL or TEST_DATABASE_URL when set), computes the plan's releases over it,
and reports how usable they are per (granularity, geo type, level). Writes bench/results/utility.json.

Options:
  --data SET    demo (default), synthetic (bench:precompute's generator), or both
  --events N    synthetic events (default 1,000,000)
  --days N      demo days (default: DEMO_DAYS's default)
  --scale S     demo scale (default: DEMO_SCALE's default)
  --seed N      demo seed (default: DEMO_SEED's default)
  --keep        keep the throwaway PostgreSQL database
  --help        this text
`;

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    events: { type: "string" },
    days: { type: "string" },
    scale: { type: "string" },
    seed: { type: "string" },
    keep: { type: "boolean" },
    help: { type: "boolean" },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const dataSets =
  values.data === undefined || values.data === "demo"
    ? ["demo"]
    : values.data === "synthetic"
      ? ["synthetic"]
      : values.data === "both"
        ? ["demo", "synthetic"]
        : [];
const syntheticEvents = values.events === undefined ? 1_000_000 : Number(values.events);
if (dataSets.length === 0 || !Number.isSafeInteger(syntheticEvents) || syntheticEvents < 1) {
  process.stderr.write(`--data must be demo, synthetic or both and --events a positive integer\n\n${HELP}`);
  process.exit(2);
}
let config: ReturnType<typeof configFrom>;
try {
  config = configFrom({
    LOG_LEVEL: "silent",
    ...(values.days === undefined ? {} : { DEMO_DAYS: values.days }),
    ...(values.scale === undefined ? {} : { DEMO_SCALE: values.scale }),
    ...(values.seed === undefined ? {} : { DEMO_SEED: values.seed }),
  });
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
  process.exit(2);
}

/** One (granularity, geo type, level) of the plan, measured. */
export interface UtilityRow {
  granularity: string;
  geoType: string;
  level: string;
  epsilon: number;
  releases: number;
  cells: number;
  cellsAtLeastK: number;
  cellsReleased: number;
  /** Released cells over cells whose bounded true count is at least k. */
  releasedShareOfAtLeastK: number | null;
  /** Released cells over all cells. */
  releasedShare: number | null;
  medianRelativeError: number | null;
  p90RelativeError: number | null;
  /** 95% margin of error of the unique count over the estimate, median over released cells. */
  medianRelativeMargin: number | null;
  margin95: number;
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? null;
}

/** Every enabled plan entry measured over the releases in `database`. */
async function measure(
  database: DatabaseHandle,
): Promise<{ rows: UtilityRow[]; epsilonDay: number; deltaDay: number; plan: PlanEntry[] }> {
  const plan = await loadReleasePlan(database.query);
  const { epsilonDay, deltaDay } = planTotals(plan);
  const rows: UtilityRow[] = [];
  for (const entry of plan.filter((item) => item.enabled)) {
    const profile = CONTRACT_RELEASE_PROFILES[entry.granularity];
    const [stored] = await database.query<{ k_min: number }>(
      "select k_min from release_profiles where granularity = $1",
      [entry.granularity],
    );
    const kMin = stored?.k_min ?? profile.kMin;
    const [counts] = await database.query<{
      releases: number;
      cells: number;
      at_least_k: number;
      released: number;
    }>(
      `select count(distinct r.id)::int as releases, count(c.*)::int as cells,
              (count(*) filter (where c.true_unique_participants >= $4))::int as at_least_k,
              (count(*) filter (where not c.suppressed))::int as released
       from releases r join insight_cells c on c.release_id = r.id
       where r.granularity = $1 and r.geo_type = $2 and r.level = $3 and r.current and r.retired_at is null`,
      [entry.granularity, entry.geoType, entry.level, kMin],
    );
    const released = await database.query<{ est: number; truth: number }>(
      `select c.unique_participants_est as est, c.true_unique_participants as truth
       from releases r join insight_cells c on c.release_id = r.id
       where r.granularity = $1 and r.geo_type = $2 and r.level = $3 and r.current and r.retired_at is null
         and not c.suppressed`,
      [entry.granularity, entry.geoType, entry.level],
    );
    const parameters = planReleaseParameters(profile, entry);
    const margin = marginOfError(parameters.noiseScales.uniqueParticipants);
    const errors = released
      .filter((cell) => cell.truth > 0)
      .map((cell) => Math.abs(cell.est - cell.truth) / cell.truth)
      .sort((a, b) => a - b);
    const relativeMargins = released
      .filter((cell) => cell.est > 0)
      .map((cell) => margin / cell.est)
      .sort((a, b) => a - b);
    const cells = counts?.cells ?? 0;
    const atLeastK = counts?.at_least_k ?? 0;
    const releasedCells = counts?.released ?? 0;
    rows.push({
      granularity: entry.granularity,
      geoType: entry.geoType,
      level: entry.level,
      epsilon: entry.epsilon,
      releases: counts?.releases ?? 0,
      cells,
      cellsAtLeastK: atLeastK,
      cellsReleased: releasedCells,
      releasedShareOfAtLeastK: atLeastK > 0 ? releasedCells / atLeastK : null,
      releasedShare: cells > 0 ? releasedCells / cells : null,
      medianRelativeError: quantile(errors, 0.5),
      p90RelativeError: quantile(errors, 0.9),
      medianRelativeMargin: quantile(relativeMargins, 0.5),
      margin95: margin,
    });
  }
  return { rows, epsilonDay, deltaDay, plan };
}

function printTable(title: string, rows: UtilityRow[], epsilonDay: number, deltaDay: number): void {
  const percent = (value: number | null) => (value === null ? "-" : `${(value * 100).toFixed(1)}%`);
  const header = [
    "granularity",
    "geo type",
    "level",
    "epsilon",
    "releases",
    "cells",
    ">= k",
    "released",
    "released/>=k",
    "released/all",
    "median rel. err",
    "p90 rel. err",
    "median margin/est",
    "margin 95%",
  ];
  const table = [
    header,
    ...rows.map((row) => [
      row.granularity.toUpperCase(),
      row.geoType.toUpperCase(),
      row.level.toUpperCase(),
      String(row.epsilon),
      String(row.releases),
      String(row.cells),
      String(row.cellsAtLeastK),
      String(row.cellsReleased),
      percent(row.releasedShareOfAtLeastK),
      percent(row.releasedShare),
      percent(row.medianRelativeError),
      percent(row.p90RelativeError),
      percent(row.medianRelativeMargin),
      String(row.margin95),
    ]),
  ];
  const markdown = table
    .map((cells, index) =>
      [`| ${cells.join(" | ")} |`, ...(index === 0 ? [`|${cells.map(() => " --- |").join("")}`] : [])].join(
        "\n",
      ),
    )
    .join("\n");
  process.stdout.write(
    `\n${title}\n\n${markdown}\n\nplan epsilon_day ${epsilonDay}, delta_day ${deltaDay}\n`,
  );
}

const NOISE_KEY = { key: Buffer.alloc(32, 7), id: "nk_bench" };
const result: Record<string, unknown> = { machine: { node: process.version } };
for (const dataSet of dataSets) {
  const target = await openThrowawayDatabase("bench_utility", values.keep === true);
  try {
    const { database } = target;
    process.stderr.write(`${dataSet}: database ${target.label}\n`);
    (result.machine as Record<string, unknown>).database = target.label;
    await migrateDatabase(database);
    await ensureReferenceData(database);
    const clock = fixedClock(new Date());
    let described: Record<string, unknown>;
    if (dataSet === "demo") {
      const demo = await runDemoData(database, { ...config, demoMode: true }, clock);
      described = {
        seed: config.demoSeed,
        days: config.demoDays,
        scale: config.demoScale,
        events: demo?.events ?? null,
        participants: demo?.participants ?? null,
        cities: demo?.cities ?? null,
      };
    } else {
      // bench:precompute's generator over the 14 days that end just before the DAY delay.
      const days = 14;
      const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
      const world: SyntheticWorld = {
        cities: 12,
        cellsPerCity: 3,
        eventsPerParticipant: 10,
        start: new Date(today - (days + 4) * 86_400_000),
        days,
      };
      await insertCities(database, world);
      await insertEvents(database, world, syntheticEvents);
      await database.query(
        `update timing_policies set payload = payload || jsonb_build_object('day_buckets', $2::int,
           'week_buckets', 1, 'hour_buckets', 24 * ($2::int - 4)) where policy_key = $1`,
        [PRECOMPUTE_POLICY_KEY, days],
      );
      described = { events: syntheticEvents, cities: world.cities, days };
    }
    const started = performance.now();
    const run = await precomputeDemoWindow({ database, noiseKey: NOISE_KEY, clock });
    const precomputeSeconds = (performance.now() - started) / 1000;
    const measured = await measure(database);
    printTable(`${dataSet} data set`, measured.rows, measured.epsilonDay, measured.deltaDay);
    result.plan = { epsilonDay: measured.epsilonDay, deltaDay: measured.deltaDay, entries: measured.plan };
    result[dataSet] = {
      data: described,
      precompute: {
        releases: run.released,
        failed: run.failed,
        seconds: Number(precomputeSeconds.toFixed(1)),
      },
      levels: measured.rows,
    };
  } finally {
    await target.dispose();
  }
}
await mkdir(new URL("./results/", import.meta.url), { recursive: true });
await writeFile(new URL("./results/utility.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
process.stderr.write("wrote bench/results/utility.json\n");
