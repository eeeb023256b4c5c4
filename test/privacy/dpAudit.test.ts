// Empirical DP audit of the DAY release on neighbouring datasets, through the real code path:
// contribution bounding in SQL (computeCellTotals), then releaseCell with keyed discrete Laplace noise.
// D' = D plus one participant at the caps. For every coordinate (cell x metric) the two datasets
// disagree on, the tail event "estimate >= D' value" maximises the likelihood ratio; its two
// probabilities get exact Clopper–Pearson bounds, Bonferroni-corrected over all bounds. Noise is
// independent per coordinate, so the joint event of several coordinates has the product of their
// ratios and the summed log-ratio lower bounds lower-bound the release's epsilon.
// The third mutation of PRIVACY.md (missing threshold) is a delta failure, not an epsilon one: it is
// covered by thresholds.test.ts ("mutation: the DAY threshold without m").
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeCellTotals } from "../../src/jobs/precompute/cellTotals";
import { type CellSegment, canonicalCellKey, segmentKey } from "../../src/privacy/cellKey";
import type { RationalScale } from "../../src/privacy/discreteLaplace";
import { keyedNoiseStream } from "../../src/privacy/noiseStream";
import { type CellTotals, releaseCell } from "../../src/privacy/releaseMechanism";
import {
  NOISED_METRICS,
  type NoisedMetric,
  type ReleaseParameters,
  releaseParameters,
} from "../../src/privacy/releaseParameters";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { clopperPearson } from "../support/statistics";

const ALPHA = 1e-6;
// 120k rather than 100k: the halved-noise mutation then clears 0.5 by ~8 standard deviations, not ~5.
const DRAWS = 120_000;
const PARAMETERS = releaseParameters(CONTRACT_RELEASE_PROFILES.day);
const CLAIMED_EPSILON = PARAMETERS.epsilon;
const BUCKET_START = new Date("2026-01-06T00:00:00Z");
// A Tuesday morning (UTC): every event lands in the "morning" context.
const EVENTS_FROM = "2026-01-06T08:00:00Z";
const CITY = "audit-city";
const PARTICIPANTS = 2_000;
const CELLS_PER_PARTICIPANT = 4;
const DOOR_TYPES = ["spot", "event"] as const;
const CATEGORIES = ["coffee", "music", "sports", "art"] as const;
const CANDIDATE_CELLS = DOOR_TYPES.length * CATEGORIES.length;
const EXTRA_DOORS_PER_CELL = 100;
const NO_CLAMP = 1_000_000;
const ESTIMATE_FIELD = {
  uniqueParticipants: "uniqueParticipantsEst",
  doorsOpened: "doorsOpenedEst",
  repeatParticipants: "repeatParticipantsEst",
} as const;
// Stored for a suppressed draw; released estimates are clamped at 0, so it never collides.
const SUPPRESSED = -1;

type TotalsBySegment = Map<string, { segment: CellSegment; totals: CellTotals }>;

function segmentOf(cell: number): CellSegment {
  return {
    geoBucketId: CITY,
    doorType: DOOR_TYPES[Math.floor(cell / CATEGORIES.length)]!,
    category: CATEGORIES[cell % CATEGORIES.length]!,
    context: "morning",
  };
}

/** D's participant p opens 1 + (7p + 3j) mod 5 doors in cell (p + j) mod 8, j < 4: never above C or L0. */
function expectedTotalsOfD(): Map<string, CellTotals> {
  const expected = new Map<string, CellTotals>();
  for (let p = 0; p < PARTICIPANTS; p++) {
    for (let j = 0; j < CELLS_PER_PARTICIPANT; j++) {
      const key = segmentKey(segmentOf((p + j) % CANDIDATE_CELLS));
      const doors = 1 + ((7 * p + 3 * j) % 5);
      const cell = expected.get(key) ?? {
        uniqueParticipants: 0,
        doorsOpened: 0,
        repeatParticipants: 0,
        topContributorDoors: 0,
      };
      cell.uniqueParticipants += 1;
      cell.doorsOpened += doors;
      cell.repeatParticipants += doors >= 2 ? 1 : 0;
      cell.topContributorDoors = Math.max(cell.topContributorDoors, doors);
      expected.set(key, cell);
    }
  }
  return expected;
}

async function insertCity(db: TestDatabase): Promise<void> {
  await db.query(
    `insert into city_definitions (code, name, country_code, center_lat, center_lng, radius_km)
     values ($1, 'Audit City', 'FR', 48.85, 2.35, 40)`,
    [CITY],
  );
  await db.query("insert into city_geohash3_map (geohash3, city_code) values ('u09', $1)", [CITY]);
}

const CELL_COLUMNS_SQL = `(array['spot', 'event'])[c / 4 + 1]::door_type, (array['coffee', 'music', 'sports', 'art'])[c % 4 + 1]::category`;

async function insertDatasetD(db: TestDatabase): Promise<void> {
  await db.query(
    `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category)
     select 'p' || lpad(p::text, 5, '0'), $1::timestamptz + make_interval(mins => (p + 7 * j + n) % 180),
            48.85, 2.35, 'u09tvw0', 'u09', ${CELL_COLUMNS_SQL}
     from generate_series(0, $2::int - 1) p, generate_series(0, $3::int - 1) j,
          lateral (select (p + j) % 8 as c) cell, generate_series(1, 1 + (7 * p + 3 * j) % 5) n`,
    [EVENTS_FROM, PARTICIPANTS, CELLS_PER_PARTICIPANT],
  );
}

/** The neighbour's one extra participant: far more than C doors in every one of the 8 cells (> L0). */
async function insertExtraParticipant(db: TestDatabase): Promise<void> {
  await db.query(
    `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category)
     select 'extra', $1::timestamptz + make_interval(mins => n), 48.85, 2.35, 'u09tvw0', 'u09', ${CELL_COLUMNS_SQL}
     from generate_series(0, 7) c, generate_series(1, $2::int) n`,
    [EVENTS_FROM, EXTRA_DOORS_PER_CELL],
  );
}

async function cellTotals(db: TestDatabase, salt: Buffer, maxDoorsPerCell: number): Promise<TotalsBySegment> {
  const totals = await computeCellTotals(
    db,
    { key: salt, id: "nk_audit" },
    {
      granularity: "day",
      geoTypes: ["city_code"],
      start: BUCKET_START,
      bucketCount: 1,
      version: 1,
      parameters: { maxDoorsPerCell, maxCellsPerParticipant: PARAMETERS.maxCellsPerParticipant },
    },
  );
  const rows = totals.get(BUCKET_START.getTime())?.get("city_code") ?? [];
  return new Map(
    rows.map((row) => {
      const segment = {
        geoBucketId: row.geo_bucket_id,
        doorType: row.door_type,
        category: row.category,
        context: row.context,
      };
      const totals = {
        uniqueParticipants: row.unique_participants,
        doorsOpened: row.doors_opened,
        repeatParticipants: row.repeat_participants,
        topContributorDoors: row.top_doors,
      };
      return [segmentKey(segment), { segment, totals }];
    }),
  );
}

function plainTotals(totals: TotalsBySegment): Map<string, CellTotals> {
  return new Map([...totals].map(([key, cell]) => [key, cell.totals]));
}

interface Coordinate {
  segment: CellSegment;
  metric: NoisedMetric;
  valueD: number;
  valueDPrime: number;
}

/** Every cell x metric whose true (bounded) value differs between D and D'. */
function differingCoordinates(d: TotalsBySegment, dPrime: TotalsBySegment): Coordinate[] {
  const coordinates: Coordinate[] = [];
  for (const key of new Set([...d.keys(), ...dPrime.keys()])) {
    const segment = (dPrime.get(key) ?? d.get(key))!.segment;
    for (const metric of NOISED_METRICS) {
      const valueD = d.get(key)?.totals[metric] ?? 0;
      const valueDPrime = dPrime.get(key)?.totals[metric] ?? 0;
      if (valueD !== valueDPrime) coordinates.push({ segment, metric, valueD, valueDPrime });
    }
  }
  return coordinates;
}

type CellSamples = Record<NoisedMetric, Int32Array>;

/**
 * DRAWS releases of one cell, each from a fresh keyed stream: keyedNoiseStream(key, canonical cell
 * key, ., version) with the run number as the version. One stream per run feeds the three metrics
 * in turn (consecutive draws are independent), 2.5x cheaper than three stream set-ups per run.
 */
function sampleCell(
  totals: CellTotals,
  segment: CellSegment,
  parameters: ReleaseParameters,
  key: Buffer,
): CellSamples {
  const cellKey = canonicalCellKey("day", BUCKET_START, "city_code", segment);
  const samples: CellSamples = {
    uniqueParticipants: new Int32Array(DRAWS),
    doorsOpened: new Int32Array(DRAWS),
    repeatParticipants: new Int32Array(DRAWS),
  };
  for (let run = 0; run < DRAWS; run++) {
    const stream = keyedNoiseStream(key, cellKey, "all-metrics", run + 1);
    const cell = releaseCell(totals, parameters, () => stream);
    for (const metric of NOISED_METRICS) samples[metric][run] = cell[ESTIMATE_FIELD[metric]] ?? SUPPRESSED;
  }
  return samples;
}

/** Samples of every cell that holds a differing coordinate, for one dataset under one mechanism. */
function sampleDataset(
  totals: TotalsBySegment,
  coordinates: Coordinate[],
  parameters: ReleaseParameters,
): Map<string, CellSamples> {
  const key = randomBytes(32);
  const samples = new Map<string, CellSamples>();
  for (const { segment } of coordinates) {
    const cellKey = segmentKey(segment);
    if (samples.has(cellKey)) continue;
    const cell = totals.get(cellKey)?.totals ?? {
      uniqueParticipants: 0,
      doorsOpened: 0,
      repeatParticipants: 0,
      topContributorDoors: 0,
    };
    samples.set(cellKey, sampleCell(cell, segment, parameters, key));
  }
  return samples;
}

interface CoordinateBound extends Coordinate {
  hitsD: number;
  hitsDPrime: number;
  /** ln(lower bound of P_D'(event) / upper bound of P_D(event)). */
  logRatioLower: number;
}

interface AuditResult {
  coordinates: CoordinateBound[];
  /** Lower bound (confidence 1 - ALPHA) on the epsilon of an (epsilon, delta) guarantee. */
  epsilonLowerBound: number;
  suppressedDraws: number;
}

function audit(
  coordinates: Coordinate[],
  samplesD: Map<string, CellSamples>,
  samplesDPrime: Map<string, CellSamples>,
  delta: number,
): AuditResult {
  // Two one-sided bounds per coordinate, all simultaneously valid (Bonferroni).
  const alphaEach = ALPHA / (2 * coordinates.length);
  let suppressedDraws = 0;
  let logNumerator = 0;
  let logDenominator = 0;
  const bounds = coordinates.map((coordinate): CoordinateBound => {
    const up = coordinate.valueDPrime > coordinate.valueD;
    // The likelihood-ratio-maximising tail: beyond D''s true value, on the side it moved to.
    const inEvent = (estimate: number) =>
      estimate !== SUPPRESSED &&
      (up ? estimate >= coordinate.valueDPrime : estimate <= coordinate.valueDPrime);
    const count = (samples: Map<string, CellSamples>) => {
      const values = samples.get(segmentKey(coordinate.segment))![coordinate.metric];
      let hits = 0;
      for (const value of values) {
        if (inEvent(value)) hits++;
        if (value === SUPPRESSED) suppressedDraws++;
      }
      return hits;
    };
    const hitsD = count(samplesD);
    const hitsDPrime = count(samplesDPrime);
    const pDPrimeLower = clopperPearson(hitsDPrime, DRAWS, alphaEach).lower;
    const pDUpper = clopperPearson(hitsD, DRAWS, alphaEach).upper;
    const logRatioLower = Math.log(pDPrimeLower) - Math.log(pDUpper);
    // With every bound holding at once, any subset of coordinates gives a valid joint event; the
    // best one keeps exactly those whose own lower bound is positive.
    if (logRatioLower > 0) {
      logNumerator += Math.log(pDPrimeLower);
      logDenominator += Math.log(pDUpper);
    }
    return { ...coordinate, hitsD, hitsDPrime, logRatioLower };
  });
  // (epsilon, delta)-DP: P_D'(E) <= e^epsilon P_D(E) + delta, so epsilon >= ln((P_D'(E) - delta) / P_D(E)).
  const jointDPrime = Math.exp(logNumerator);
  const epsilonLowerBound = jointDPrime > delta ? Math.log(jointDPrime - delta) - logDenominator : 0;
  return { coordinates: bounds, epsilonLowerBound, suppressedDraws };
}

function summary(result: AuditResult): string {
  const perMetric = NOISED_METRICS.map((metric) => {
    const sum = result.coordinates
      .filter((c) => c.metric === metric)
      .reduce((acc, c) => acc + Math.max(0, c.logRatioLower), 0);
    return `${metric} ${sum.toFixed(4)}`;
  });
  return `epsilon lower bound ${result.epsilonLowerBound.toFixed(4)} (claimed ${CLAIMED_EPSILON}; ${perMetric.join(", ")})`;
}

function halved(scale: RationalScale): RationalScale {
  return { numerator: scale.numerator, denominator: scale.denominator * 2n };
}

describe("empirical DP audit of the DAY release: D vs D' = D + one participant at the caps", () => {
  let db: TestDatabase;
  let clampedD: TotalsBySegment;
  let clampedDPrime: TotalsBySegment;
  let unclampedD: TotalsBySegment;
  let unclampedDPrime: TotalsBySegment;
  let realSamplesD: Map<string, CellSamples> | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    await insertCity(db);
    await insertDatasetD(db);
    // One seed for both datasets: the bounding order of D's participants is the same in D'.
    const salt = randomBytes(32);
    clampedD = await cellTotals(db, salt, PARAMETERS.maxDoorsPerCell);
    unclampedD = await cellTotals(db, salt, NO_CLAMP);
    await insertExtraParticipant(db);
    clampedDPrime = await cellTotals(db, salt, PARAMETERS.maxDoorsPerCell);
    unclampedDPrime = await cellTotals(db, salt, NO_CLAMP);
  });

  afterAll(async () => {
    await db?.destroy();
  });

  it("bounding in SQL lets the extra participant move exactly L0 cells, each by +1 unique, +C doors, +1 repeat", () => {
    expect(plainTotals(clampedD)).toEqual(expectedTotalsOfD());
    const coordinates = differingCoordinates(clampedD, clampedDPrime);
    const cells = new Set(coordinates.map((c) => segmentKey(c.segment)));
    expect(cells.size).toBe(PARAMETERS.maxCellsPerParticipant);
    expect(coordinates).toHaveLength(PARAMETERS.maxCellsPerParticipant * NOISED_METRICS.length);
    for (const { metric, valueD, valueDPrime } of coordinates) {
      expect(valueDPrime - valueD).toBe(metric === "doorsOpened" ? PARAMETERS.maxDoorsPerCell : 1);
    }
    // Every audited cell sits 40 noise scales above k + m, so suppression cannot mask the noise.
    const { numerator, denominator } = PARAMETERS.noiseScales.uniqueParticipants;
    for (const cell of cells) {
      expect(clampedD.get(cell)!.totals.uniqueParticipants).toBeGreaterThanOrEqual(
        PARAMETERS.noisyThreshold + (40 * Number(numerator)) / Number(denominator),
      );
    }
  });

  it(`the real mechanism's empirical epsilon lower bound stays at or below the claimed ${CLAIMED_EPSILON} (${DRAWS.toLocaleString("en")} releases per dataset, alpha 1e-6)`, async ({
    annotate,
  }) => {
    const coordinates = differingCoordinates(clampedD, clampedDPrime);
    realSamplesD = sampleDataset(clampedD, coordinates, PARAMETERS);
    const result = audit(
      coordinates,
      realSamplesD,
      sampleDataset(clampedDPrime, coordinates, PARAMETERS),
      PARAMETERS.delta,
    );
    await annotate(summary(result));
    expect(result.suppressedDraws).toBe(0);
    expect(result.epsilonLowerBound).toBeLessThanOrEqual(CLAIMED_EPSILON);
    // Not vacuous: the audit finds a real share of the claimed epsilon (the true value is exactly 0.5).
    expect(result.epsilonLowerBound).toBeGreaterThan(0);
  });

  it(`mutation (a): with halved noise scales the lower bound rises above ${CLAIMED_EPSILON}`, async ({
    annotate,
  }) => {
    const halvedNoise: ReleaseParameters = {
      ...PARAMETERS,
      noiseScales: {
        uniqueParticipants: halved(PARAMETERS.noiseScales.uniqueParticipants),
        doorsOpened: halved(PARAMETERS.noiseScales.doorsOpened),
        repeatParticipants: halved(PARAMETERS.noiseScales.repeatParticipants),
      },
    };
    const coordinates = differingCoordinates(clampedD, clampedDPrime);
    const result = audit(
      coordinates,
      sampleDataset(clampedD, coordinates, halvedNoise),
      sampleDataset(clampedDPrime, coordinates, halvedNoise),
      PARAMETERS.delta,
    );
    await annotate(summary(result));
    expect(result.suppressedDraws).toBe(0);
    expect(result.epsilonLowerBound).toBeGreaterThan(CLAIMED_EPSILON);
  });

  it(`mutation (b): without the door clamp C the lower bound rises above ${CLAIMED_EPSILON}`, async ({
    annotate,
  }) => {
    // D has no participant above C, so its release is the same with or without the clamp.
    expect(plainTotals(unclampedD)).toEqual(plainTotals(clampedD));
    const coordinates = differingCoordinates(unclampedD, unclampedDPrime);
    const doors = coordinates.filter((c) => c.metric === "doorsOpened");
    expect(doors).toHaveLength(PARAMETERS.maxCellsPerParticipant);
    for (const c of doors) expect(c.valueDPrime - c.valueD).toBe(EXTRA_DOORS_PER_CELL);
    // Same cells as with the clamp (the salt, not the door count, picks the L0 kept), so D's samples are reused.
    const cells = (list: Coordinate[]) => [...new Set(list.map((c) => segmentKey(c.segment)))].sort();
    expect(cells(coordinates)).toEqual(cells(differingCoordinates(clampedD, clampedDPrime)));
    const samplesD = realSamplesD ?? sampleDataset(unclampedD, coordinates, PARAMETERS);
    const result = audit(
      coordinates,
      samplesD,
      sampleDataset(unclampedDPrime, coordinates, PARAMETERS),
      PARAMETERS.delta,
    );
    await annotate(summary(result));
    expect(result.suppressedDraws).toBe(0);
    expect(result.epsilonLowerBound).toBeGreaterThan(CLAIMED_EPSILON);
  });
});
