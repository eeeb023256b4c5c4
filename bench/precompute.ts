// Precompute throughput: every DAY release (CITY_CODE and GEOHASH3) over N synthetic events,
// against two floors measured in the same run: one bare GROUP BY over the same events, and the
// same GROUP BY counting distinct participants (the least exact work a release needs).
// PGlite in memory by default (1M events); with DATABASE_URL or TEST_DATABASE_URL, 10M events in a
// throwaway database on that server, created here and dropped at the end (kept with --keep, to
// study its plans). --events N overrides; --json adds one JSON summary line at the end.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { fixedClock } from "../src/clock";
import { migrateDatabase } from "../src/db/migrate";
import { ensureReferenceData } from "../src/db/referenceData";
import { runReleases } from "../src/jobs/precompute/runReleases";
import { BUCKET_MS, bucketsInRange } from "../src/privacy/buckets";
import type { GeoBucketType } from "../src/privacy/cellKey";
import { insertCities, insertEvents, type SyntheticWorld } from "./syntheticEvents";
import { openThrowawayDatabase } from "./throwawayDatabase";

const DAYS = 30;
const START = new Date("2026-01-01T00:00:00Z");
const WORLD: SyntheticWorld = {
  cities: 12,
  cellsPerCity: 3,
  eventsPerParticipant: 10,
  start: START,
  days: DAYS,
};
const GEO_TYPES: GeoBucketType[] = ["city_code", "geohash3"];

const { values } = parseArgs({
  options: { events: { type: "string" }, keep: { type: "boolean" }, json: { type: "boolean" } },
});
const serverUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
const eventCount = values.events === undefined ? (serverUrl ? 10_000_000 : 1_000_000) : Number(values.events);
if (!Number.isSafeInteger(eventCount) || eventCount < 1) {
  process.stderr.write(`--events must be a positive integer, got ${values.events}\n`);
  process.exit(2);
}

const TOTAL_STEPS = 6;
let stepNumber = 0;

/** Runs one step with a progress line before and its duration after. */
async function step<T>(label: string, work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  stepNumber++;
  process.stderr.write(`[${stepNumber}/${TOTAL_STEPS}] ${label} ...\n`);
  const started = performance.now();
  const result = await work();
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`[${stepNumber}/${TOTAL_STEPS}] ${label}: ${seconds.toFixed(1)} s\n`);
  return { result, seconds };
}

const target = await openThrowawayDatabase("bench_precompute", values.keep === true);
const { database } = target;
try {
  process.stderr.write(`${eventCount.toLocaleString("en")} events on ${target.label}\n`);
  await step("migrate and reference data", async () => {
    await migrateDatabase(database);
    await ensureReferenceData(database);
    await insertCities(database, WORLD);
  });
  const generated = await step(`generate ${eventCount.toLocaleString("en")} events`, () =>
    insertEvents(database, WORLD, eventCount, (done) =>
      process.stderr.write(`    ${done.toLocaleString("en")} / ${eventCount.toLocaleString("en")} events\n`),
    ),
  );
  await step("vacuum analyze", () => database.query("vacuum analyze interaction_events"));

  // The floor as the issue defines it: one scan of the events grouped by (day, geohash3, door type,
  // category). Its result is summed so the planner cannot drop the aggregate.
  const floor = await step("(a) bare GROUP BY over all events", () =>
    database.query<{ groups: number; events: number }>(
      `select count(*)::int as groups, sum(events)::bigint as events from (
         select date_trunc('day', e.occurred_at at time zone 'UTC') as day, m.geohash3, e.door_type, e.category,
                count(*) as events
         from interaction_events e join city_geohash3_map m on m.geohash3 = e.geohash3
         group by 1, 2, 3, 4
       ) g`,
    ),
  );
  // The least exact work a release needs: distinct participants per cell, one geo type, no bounds.
  const distinctFloor = await step("(a') the same GROUP BY with count(distinct participant)", () =>
    database.query<{ groups: number; participants: number }>(
      `select count(*)::int as groups, sum(participants)::bigint as participants from (
         select date_trunc('day', e.occurred_at at time zone 'UTC') as day, m.geohash3, e.door_type, e.category,
                count(distinct e.participant_id) as participants
         from interaction_events e join city_geohash3_map m on m.geohash3 = e.geohash3
         group by 1, 2, 3, 4
       ) g`,
    ),
  );

  const buckets = bucketsInRange("day", START, new Date(START.getTime() + DAYS * BUCKET_MS.day));
  const deps = {
    database,
    noiseKey: { key: randomBytes(32), id: "nk_bench" },
    // Far past every embargo, so every bucket is releasable.
    clock: fixedClock("2100-01-01T00:00:00Z"),
  };
  const releases = await step(
    `(b) ${buckets.length * GEO_TYPES.length} DAY releases (runReleases: one pass per batch of buckets)`,
    async () => {
      const planned = GEO_TYPES.flatMap((geoType) =>
        buckets.map((bucketStart) => ({ granularity: "day" as const, bucketStart, geoType, level: "full" })),
      );
      const summary = await runReleases(deps, planned, {
        createdBy: "bench",
        onProgress: (done, total) => {
          if (done % 10 === 0 || done === total) process.stderr.write(`    ${done} / ${total} releases\n`);
        },
      });
      if (summary.released !== planned.length)
        throw new Error(`released ${summary.released} of ${planned.length}: ${summary.errors.join("; ")}`);
      return { releasedCells: summary.releasedCells, suppressedCells: summary.suppressedCells };
    },
  );

  const { releasedCells, suppressedCells } = releases.result;
  process.stdout.write(
    [
      `database:        ${target.label}`,
      `events:          ${eventCount.toLocaleString("en")} over ${DAYS} days, ${WORLD.cities} cities, ${WORLD.cities * WORLD.cellsPerCity} geohash3 cells (generated in ${generated.seconds.toFixed(1)} s)`,
      `(a) GROUP BY:    ${floor.seconds.toFixed(2)} s, ${floor.result[0]?.groups ?? 0} groups`,
      `(a') + distinct: ${distinctFloor.seconds.toFixed(2)} s, ${distinctFloor.result[0]?.groups ?? 0} groups`,
      `(b) releases:    ${releases.seconds.toFixed(2)} s, ${buckets.length * GEO_TYPES.length} releases, ${(releasedCells + suppressedCells).toLocaleString("en")} cells (${releasedCells.toLocaleString("en")} released)`,
      `(b) throughput:  ${Math.round(eventCount / releases.seconds).toLocaleString("en")} events/s`,
      `(b) / (a):       ${(releases.seconds / floor.seconds).toFixed(2)}x`,
      `(b) / (a'):      ${(releases.seconds / distinctFloor.seconds).toFixed(2)}x`,
      "",
    ].join("\n"),
  );
  if (values.json) {
    // One machine-readable line for `npm run bench` (bench/main.ts), which runs this script as a child.
    process.stdout.write(
      `${JSON.stringify({
        events: eventCount,
        eventsPerSecond: Math.round(eventCount / releases.seconds),
        distinctFloorEventsPerSecond: Math.round(eventCount / distinctFloor.seconds),
        ratioToDistinctFloor: Number((releases.seconds / distinctFloor.seconds).toFixed(2)),
        database: target.label,
      })}\n`,
    );
  }
} finally {
  await target.dispose();
}
