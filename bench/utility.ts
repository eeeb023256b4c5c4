// Utility benchmark (PRIVACY.md "Breakdown levels", "Accuracy"): how much of the plan's releases a
// buyer can use. It builds the default demo data set (or a synthetic one) in a fresh database,
// computes every release the plan and the precompute window want, exactly as `npm start` does, and
// reports per (granularity, geo type, level): cells, cells whose bounded true count reaches k,
// cells released, the released share of those at k or above, the median and p90 relative error of
// the released unique counts, the median 95% margin of error relative to the estimate, and the
// plan's epsilon_day. Prints a table and writes bench/results/utility.json.
import { mkdir, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { precomputeDemoWindow, runDemoData } from "../src/cli/demoData";
import { fixedClock } from "../src/clock";
import { configFrom } from "../src/config";
import { migrateDatabase } from "../src/db/migrate";
import { ensureReferenceData } from "../src/db/referenceData";
import { marginOfError } from "../src/privacy/accuracy";
import { planReleaseParameters } from "../src/privacy/levelParameters";
import { loadReleasePlan, planTotals } from "../src/privacy/releasePlan";
import { CONTRACT_RELEASE_PROFILES } from "../src/privacy/releaseProfiles";
import { openThrowawayDatabase } from "./throwawayDatabase";

const HELP = `npm run bench:utility [-- options]

Builds the demo data set in a fresh database (PGlite in memory; a throwaway database on the
PostgreSQL of DATABASE_URL or TEST_DATABASE_URL when set), computes the plan's releases over it,
and reports how usable they are per (granularity, geo type, level). Writes bench/results/utility.json.

Options:
  --days N      demo days (default: DEMO_DAYS's default)
  --scale S     demo scale (default: DEMO_SCALE's default)
  --seed N      demo seed (default: DEMO_SEED's default)
  --keep        keep the throwaway PostgreSQL database
  --help        this text
`;

const { values } = parseArgs({
  options: {
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

const target = await openThrowawayDatabase("bench_utility", values.keep === true);
try {
  const { database } = target;
  process.stderr.write(`database: ${target.label}\n`);
  await migrateDatabase(database);
  await ensureReferenceData(database.db);
  const clock = fixedClock(new Date());
  const demo = await runDemoData(database, { ...config, demoMode: true }, clock);
  const started = performance.now();
  const run = await precomputeDemoWindow({
    database,
    noiseKey: { key: Buffer.alloc(32, 7), id: "nk_bench" },
    clock,
  });
  const precomputeSeconds = (performance.now() - started) / 1000;
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
  process.stdout.write(`${markdown}\n\nplan epsilon_day ${epsilonDay}, delta_day ${deltaDay}\n`);
  const result = {
    machine: { node: process.version, database: target.label },
    demo: {
      seed: config.demoSeed,
      days: config.demoDays,
      scale: config.demoScale,
      events: demo?.events ?? null,
      participants: demo?.participants ?? null,
      cities: demo?.cities ?? null,
    },
    precompute: { releases: run.released, failed: run.failed, seconds: Number(precomputeSeconds.toFixed(1)) },
    plan: { epsilonDay, deltaDay, entries: plan },
    levels: rows,
  };
  await mkdir(new URL("./results/", import.meta.url), { recursive: true });
  await writeFile(new URL("./results/utility.json", import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  process.stderr.write("wrote bench/results/utility.json\n");
} finally {
  await target.dispose();
}
