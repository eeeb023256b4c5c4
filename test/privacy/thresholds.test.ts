import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { TimeGranularity } from "../../src/db/schema/enums";
import { canonicalCellKey } from "../../src/privacy/cellKey";
import { dyadicFromDouble } from "../../src/privacy/exactExp";
import { keyedNoiseStream } from "../../src/privacy/noiseStream";
import { noiseScaleFor } from "../../src/privacy/rational";
import { type CellTotals, releaseCell, type SuppressionCause } from "../../src/privacy/releaseMechanism";
import {
  type ReleaseParameters,
  type ReleaseProfile,
  releaseParameters,
} from "../../src/privacy/releaseParameters";
import { CONTRACT_RELEASE_PROFILES, validateReleaseProfile } from "../../src/privacy/releaseProfiles";
import {
  noisyThresholdM,
  type ThresholdInputs,
  tailWithinPerPartitionDelta,
} from "../../src/privacy/thresholds";
import { binomialUpperQuantile, clopperPearson, discreteLaplaceUpperTail } from "../support/statistics";

const ALPHA = 1e-6;
const RUNS = 100_000;
const RAMP_RUNS = 20_000;
const BUCKET = new Date("2026-01-06T00:00:00Z");

const DAY = releaseParameters(CONTRACT_RELEASE_PROFILES.day);
const HOUR = releaseParameters(CONTRACT_RELEASE_PROFILES.hour);
const PROFILES = { day: DAY, hour: HOUR } as const;

/** delta_a, q and the discrete tail straight from the PRIVACY.md formulas, in plain floating point, nothing from src. */
function floatTail(scale: number, delta: number, l0: number, m: number) {
  const q = Math.exp(-1 / scale);
  // 1 - (1 - delta)^(1/L0) through log1p/expm1: the direct form loses every digit below delta ~ 1e-16.
  return { deltaA: -Math.expm1(Math.log1p(-delta) / l0), tail: q ** m / (1 + q) };
}

function thresholdInputs(parameters: ReleaseParameters): ThresholdInputs {
  return {
    scale: parameters.noiseScales.uniqueParticipants,
    delta: parameters.delta,
    maxPartitionsContributed: parameters.maxCellsPerParticipant,
  };
}

/** m's defining inequality, decided exactly: q^m / (1 + q) <= delta_a < q^(m-1) / (1 + q). */
function expectDefiningInequality(inputs: ThresholdInputs, m: number): void {
  expect(Number.isSafeInteger(m) && m >= 1).toBe(true);
  expect(tailWithinPerPartitionDelta(m, inputs)).toBe(true);
  if (m > 1) expect(tailWithinPerPartitionDelta(m - 1, inputs)).toBe(false);
}

/** A cell with `unique` true participants, 3 doors each and a top contributor far below the dominance share. */
function totalsWithUnique(unique: number): CellTotals {
  return {
    uniqueParticipants: unique,
    doorsOpened: 3 * unique,
    repeatParticipants: Math.floor(unique / 2),
    topContributorDoors: 5,
  };
}

interface RunTally {
  released: number;
  reasons: Map<SuppressionCause, number>;
}

/**
 * Releases one cell `runs` times, each run with fresh keyed noise streams (a random key per call
 * and the run number as the release version), exactly as precompute derives a cell's noise.
 */
function releaseRepeatedly(totals: CellTotals, parameters: ReleaseParameters, runs: number): RunTally {
  const key = randomBytes(32);
  const cellKey = canonicalCellKey("day", BUCKET, "city_code", {
    geoBucketId: "threshold-city",
    doorType: "spot",
    category: "coffee",
    context: "morning",
  });
  const tally: RunTally = { released: 0, reasons: new Map() };
  for (let run = 1; run <= runs; run++) {
    const cell = releaseCell(totals, parameters, (metric) => keyedNoiseStream(key, cellKey, metric, run));
    if (cell.suppressedReason === null) tally.released++;
    else tally.reasons.set(cell.suppressedReason, (tally.reasons.get(cell.suppressedReason) ?? 0) + 1);
  }
  return tally;
}

/** The release probability of a cell that passes the pre-threshold: P(count + X >= k + m). */
function exactReleaseRate(parameters: ReleaseParameters, unique: number): number {
  return discreteLaplaceUpperTail(uniqueScale(parameters), parameters.noisyThreshold - unique);
}

function uniqueScale(parameters: ReleaseParameters): number {
  const { numerator, denominator } = parameters.noiseScales.uniqueParticipants;
  return Number(numerator) / Number(denominator);
}

/** Every tightening an operator may make, over a grid: k up, epsilon down, delta down, L0 down, share down. */
function tightenedProfiles(granularity: TimeGranularity): ReleaseProfile[] {
  const contract = CONTRACT_RELEASE_PROFILES[granularity];
  const profiles: ReleaseProfile[] = [];
  for (const kMin of [contract.kMin, contract.kMin + 1, 2 * contract.kMin, 1_000]) {
    for (const epsilon of [contract.epsilon, contract.epsilon * 0.6, 0.1, 0.01]) {
      for (const delta of [1e-6, 3e-7, 1e-9, 1e-15, 5e-324]) {
        for (const maxCellsPerParticipant of [4, 3, 2, 1]) {
          for (const dominanceMaxShare of [0.05, 0.03, 0.01]) {
            profiles.push({ ...contract, kMin, epsilon, delta, maxCellsPerParticipant, dominanceMaxShare });
          }
        }
      }
    }
  }
  return profiles;
}

describe("the exact noisy threshold m", () => {
  it("matches the PRIVACY.md worked example: eps_u 0.25, L0 1, delta 1e-6 gives m 53, so a DAY cell needs 153", () => {
    const inputs = { scale: noiseScaleFor(1, 0.25), delta: 1e-6, maxPartitionsContributed: 1 };
    const m = noisyThresholdM(inputs);
    expect(m).toBe(53);
    expectDefiningInequality(inputs, m);
    expect(CONTRACT_RELEASE_PROFILES.day.kMin + m).toBe(153);
  });

  it.each([
    ["day", 233, 333],
    ["week", 233, 333],
    ["hour", 465, 765],
  ] as const)(
    "the %s contract profile has m %i (noised unique count >= %i to release)",
    (granularity, m, bar) => {
      const profile = CONTRACT_RELEASE_PROFILES[granularity];
      const parameters = releaseParameters(profile);
      expect(parameters.thresholdM).toBe(m);
      expect(parameters.noisyThreshold).toBe(bar);
      expect(parameters.noisyThreshold).toBe(profile.kMin + m);
      expectDefiningInequality(thresholdInputs(parameters), m);
      // Independently, in floating point: the contract's margins (0.7% and more) dwarf its rounding.
      const scale = uniqueScale(parameters);
      const atM = floatTail(scale, profile.delta, profile.maxCellsPerParticipant, m);
      const belowM = floatTail(scale, profile.delta, profile.maxCellsPerParticipant, m - 1);
      expect(atM.tail).toBeLessThan(atM.deltaA * 0.995);
      expect(belowM.tail).toBeGreaterThan(atM.deltaA * 1.005);
      expect(parameters.deltaPerPartition / atM.deltaA).toBeCloseTo(1, 9);
    },
  );

  it("decides where floating point cannot: epsilon 1e-9 puts P(m) and P(m - 1) within 1e-10 of each other", () => {
    const inputs = { scale: noiseScaleFor(4, 1e-9), delta: 1e-6, maxPartitionsContributed: 4 };
    const m = noisyThresholdM(inputs);
    expectDefiningInequality(inputs, m);
    // ln(1 / (delta_a (1 + q))) x scale, with q ~ 1: about 4e9 x 14.51.
    expect(Math.abs(m - 4e9 * Math.log(1 / (2 * 2.500000937500547e-7)))).toBeLessThan(1e4);
  });

  it("holds at the edges: delta as small as a double goes, and delta_a near 1/2 (m = 1)", () => {
    const tiny = { scale: noiseScaleFor(4, 0.25), delta: 5e-324, maxPartitionsContributed: 4 };
    expectDefiningInequality(tiny, noisyThresholdM(tiny));
    const large = { scale: noiseScaleFor(1, 1), delta: 0.99, maxPartitionsContributed: 1 };
    expect(noisyThresholdM(large)).toBe(1);
    expect(tailWithinPerPartitionDelta(1, large)).toBe(true);
  });

  it("reads delta as the exact value of its double (1e-6 is slightly below one millionth)", () => {
    const half = dyadicFromDouble(0.5);
    expect(half.numerator * 2n).toBe(1n << half.shift);
    expect(dyadicFromDouble(5e-324)).toEqual({ numerator: 1n, shift: 1074n });
    const { numerator, shift } = dyadicFromDouble(1e-6);
    // numerator / 2^shift < 10^-6 exactly, and within one unit in the last place of it.
    expect(numerator * 10n ** 6n < 1n << shift).toBe(true);
    expect((numerator + 1n) * 10n ** 6n > 1n << shift).toBe(true);
    expect(() => dyadicFromDouble(Number.NaN)).toThrow(/finite positive/);
  });

  it("refuses inputs without a meaning: delta NaN, 0, 1 or negative, L0 0 or fractional, m 0", () => {
    const base = { scale: noiseScaleFor(4, 0.25), delta: 1e-6, maxPartitionsContributed: 4 };
    for (const delta of [Number.NaN, 0, 1, -1e-6, Number.POSITIVE_INFINITY]) {
      expect(() => noisyThresholdM({ ...base, delta })).toThrow(/delta must be a finite number in \(0, 1\)/);
    }
    for (const maxPartitionsContributed of [0, 1.5, -4]) {
      expect(() => noisyThresholdM({ ...base, maxPartitionsContributed })).toThrow(
        /L0 must be a positive integer/,
      );
    }
    expect(() => tailWithinPerPartitionDelta(0, base)).toThrow(/m must be an integer >= 1/);
  });

  it.each(["day", "week", "hour"] as const)(
    "satisfies its defining inequality exactly under every tightening of the %s profile (grid of 960)",
    (granularity) => {
      let floatChecked = 0;
      for (const profile of tightenedProfiles(granularity)) {
        const validation = validateReleaseProfile(profile);
        expect(validation.ok, JSON.stringify(profile)).toBe(true);
        const parameters = releaseParameters(profile);
        const m = parameters.thresholdM;
        expectDefiningInequality(thresholdInputs(parameters), m);
        expect(parameters.noisyThreshold).toBe(profile.kMin + m);
        expect(parameters.noisyThreshold).toBeGreaterThan(profile.kMin);
        // Where floating point has a clear margin (delta 5e-324 underflows it), it agrees with the exact decision.
        const scale = uniqueScale(parameters);
        const atM = floatTail(scale, profile.delta, profile.maxCellsPerParticipant, m);
        const belowM = floatTail(scale, profile.delta, profile.maxCellsPerParticipant, m - 1);
        const clear = (tail: number) => atM.deltaA > 0 && Math.abs(tail / atM.deltaA - 1) > 1e-6;
        if (m > 1 && clear(atM.tail) && clear(belowM.tail)) {
          expect(atM.tail).toBeLessThan(atM.deltaA);
          expect(belowM.tail).toBeGreaterThan(atM.deltaA);
          floatChecked++;
        }
      }
      expect(floatChecked).toBeGreaterThan(700);
    },
  );

  it("is monotone: the bar k + m rises with k, and m with L0 and as epsilon or delta fall", () => {
    const contract = CONTRACT_RELEASE_PROFILES.day;
    const bar = (change: Partial<ReleaseProfile>) => releaseParameters({ ...contract, ...change });
    const ks = [100, 101, 150, 400].map((kMin) => bar({ kMin }));
    for (let i = 1; i < ks.length; i++) {
      expect(ks[i]!.noisyThreshold).toBeGreaterThan(ks[i - 1]!.noisyThreshold);
      expect(ks[i]!.thresholdM).toBe(ks[0]!.thresholdM);
    }
    const mOf = (changes: Array<Partial<ReleaseProfile>>) => changes.map((change) => bar(change).thresholdM);
    const nonDecreasing = (values: number[]) => values.every((v, i) => i === 0 || v >= values[i - 1]!);
    expect(
      nonDecreasing(mOf([1, 2, 3, 4].map((maxCellsPerParticipant) => ({ maxCellsPerParticipant })))),
    ).toBe(true);
    expect(nonDecreasing(mOf([0.5, 0.4, 0.2, 0.05].map((epsilon) => ({ epsilon }))))).toBe(true);
    expect(nonDecreasing(mOf([1e-6, 1e-7, 1e-9, 1e-12].map((delta) => ({ delta }))))).toBe(true);
  });
});

describe("the doors-per-cell cap C and the dominance share", () => {
  it("derives C = min(contract C, floor(share x k)): 5 for DAY, 15 for HOUR", () => {
    expect(DAY.maxDoorsPerCell).toBe(5);
    expect(HOUR.maxDoorsPerCell).toBe(15);
  });

  it("gives a smaller C for a tightened share, and a C of at least 1 or no profile at all", () => {
    const day = CONTRACT_RELEASE_PROFILES.day;
    expect(releaseParameters({ ...day, dominanceMaxShare: 0.03 }).maxDoorsPerCell).toBe(3);
    expect(releaseParameters({ ...day, dominanceMaxShare: 0.01 }).maxDoorsPerCell).toBe(1);
    expect(releaseParameters({ ...day, dominanceMaxShare: 0.029, kMin: 1_000 }).maxDoorsPerCell).toBe(5);
    expect(
      releaseParameters({ ...CONTRACT_RELEASE_PROFILES.hour, dominanceMaxShare: 0.02 }).maxDoorsPerCell,
    ).toBe(6);
    // The share is read as its decimal: 0.015 x 200 is 3 (the double 0.015 lies just below 0.015).
    expect(releaseParameters({ ...day, kMin: 200, dominanceMaxShare: 0.015 }).maxDoorsPerCell).toBe(3);
    expect(releaseParameters({ ...day, maxDoorsPerCell: 2 }).maxDoorsPerCell).toBe(2);
    expect(() => releaseParameters({ ...day, dominanceMaxShare: 0.009 })).toThrow(/C must be at least 1/);
    expect(validateReleaseProfile({ ...day, dominanceMaxShare: 0.009 })).toMatchObject({
      ok: false,
      errors: [{ field: "dominanceMaxShare", code: "PROFILE_DOOR_CAP_BELOW_ONE" }],
    });
  });

  it("never suppresses for dominance: a cell whose top contributor holds half its doors is released, the share kept", () => {
    const parameters = releaseParameters({ ...CONTRACT_RELEASE_PROFILES.day, dominanceMaxShare: 0.01 });
    const totals: CellTotals = {
      uniqueParticipants: 2_000,
      doorsOpened: 2_000,
      repeatParticipants: 0,
      topContributorDoors: 1_000,
    };
    const tally = releaseRepeatedly(totals, parameters, 200);
    expect(tally.released).toBe(200);
    const key = randomBytes(32);
    const cell = releaseCell(totals, parameters, (metric) => keyedNoiseStream(key, "dominance", metric, 1));
    expect(cell).toMatchObject({ suppressed: false, suppressedReason: null, topContributorShare: 0.5 });
  });

  it("bounds the top contributor of any cell that reaches k by the share, with C doors at most", () => {
    for (const parameters of [DAY, HOUR]) {
      const k = parameters.kMin;
      // The least doors a cell at k can have is k (one each); the most its top contributor can add is C.
      expect(parameters.maxDoorsPerCell / k).toBeLessThanOrEqual(parameters.dominanceMaxShare);
    }
  });
});

describe.each(Object.keys(PROFILES) as Array<keyof typeof PROFILES>)(
  "the %s release threshold",
  (granularity) => {
    const parameters = PROFILES[granularity];
    const k = parameters.kMin;

    it(`never releases a cell whose true unique count is k - 1 (${RUNS.toLocaleString("en")} runs, fresh noise streams each)`, () => {
      const tally = releaseRepeatedly(totalsWithUnique(k - 1), parameters, RUNS);
      expect(tally.released).toBe(0);
      expect(Object.fromEntries(tally.reasons)).toEqual({ k_min: RUNS });
    });

    it(`releases a cell at true count exactly k at a rate of at most delta_a (${RUNS.toLocaleString("en")} runs, alpha 1e-6)`, () => {
      const deltaA = parameters.deltaPerPartition;
      // At true count k the release rate is P(X >= m) = q^m / (1 + q), exactly within delta_a.
      expect(tailWithinPerPartitionDelta(parameters.thresholdM, thresholdInputs(parameters))).toBe(true);
      const exact = exactReleaseRate(parameters, k);
      expect(exact).toBeLessThanOrEqual(deltaA);
      expect(exact).toBeGreaterThan(deltaA / 2);

      const bound = binomialUpperQuantile(RUNS, deltaA, ALPHA);
      expect(bound).toBe(4);
      const tally = releaseRepeatedly(totalsWithUnique(k), parameters, RUNS);
      expect(tally.released).toBeLessThan(bound);
      expect(tally.reasons.get("noisy_threshold")).toBe(RUNS - tally.released);
    });

    it("releases more often as the true count grows past k + m (rates within exact binomial bounds)", () => {
      // 2.5 noise scales either side of k + m: 40 for DAY (scale 16), 80 for HOUR (scale 32).
      const step = 2.5 * uniqueScale(parameters);
      const middle = parameters.noisyThreshold;
      const counts = [k, middle - step, middle, middle + step];
      const rates = counts.map((unique) => {
        const tally = releaseRepeatedly(totalsWithUnique(unique), parameters, RAMP_RUNS);
        const bounds = clopperPearson(tally.released, RAMP_RUNS, ALPHA / counts.length);
        const exact = exactReleaseRate(parameters, unique);
        expect(bounds.lower).toBeLessThanOrEqual(exact);
        expect(bounds.upper).toBeGreaterThanOrEqual(exact);
        return bounds;
      });
      for (let i = 1; i < rates.length; i++) expect(rates[i - 1]!.upper).toBeLessThan(rates[i]!.lower);
      // The ramp spans the threshold: rare below it, about a coin flip on it, near certain above it.
      expect(rates[1]!.upper).toBeLessThan(0.2);
      expect(rates[2]!.lower).toBeGreaterThan(0.4);
      expect(rates[3]!.lower).toBeGreaterThan(0.9);
    });

    it(`at a measurable delta_a (delta 0.04, L0 4: delta_a ~ 1e-2) releases a cell at k at rate q^m / (1 + q) (${RUNS.toLocaleString("en")} runs, alpha 1e-6)`, () => {
      // The contract's delta_a (2.5e-7) is too small to measure; the mechanism is the same at any delta.
      const inputs = { ...thresholdInputs(parameters), delta: 0.04 };
      const m = noisyThresholdM(inputs);
      expectDefiningInequality(inputs, m);
      const measurable: ReleaseParameters = {
        ...parameters,
        delta: 0.04,
        thresholdM: m,
        noisyThreshold: k + m,
      };
      const { deltaA, tail } = floatTail(uniqueScale(parameters), 0.04, parameters.maxCellsPerParticipant, m);
      expect(deltaA).toBeGreaterThan(0.01);
      expect(tail).toBeLessThanOrEqual(deltaA);
      expect(tail).toBeGreaterThan(0.009);

      const tally = releaseRepeatedly(totalsWithUnique(k), measurable, RUNS);
      const bounds = clopperPearson(tally.released, RUNS, ALPHA / 2);
      expect(bounds.lower).toBeLessThanOrEqual(tail);
      expect(bounds.upper).toBeGreaterThanOrEqual(tail);
      // Tight enough to mean something: the interval excludes both half and double the rate.
      expect(bounds.lower).toBeGreaterThan(tail / 2);
      expect(bounds.upper).toBeLessThan(tail * 2);
      // A true count of k - 1 stays unreleased at any delta: the pre-threshold uses no noise.
      expect(releaseRepeatedly(totalsWithUnique(k - 1), measurable, 2_000).released).toBe(0);
    });
  },
);

describe("mutation: the DAY threshold without m", () => {
  it("fails the rate-at-k test by orders of magnitude, so that test can catch a missing m", () => {
    const withoutM: ReleaseParameters = { ...DAY, thresholdM: 0, noisyThreshold: DAY.kMin };
    const bound = binomialUpperQuantile(RUNS, DAY.deltaPerPartition, ALPHA);
    const tally = releaseRepeatedly(totalsWithUnique(DAY.kMin), withoutM, RUNS);
    expect(tally.released).toBeGreaterThanOrEqual(bound);
    const rate = clopperPearson(tally.released, RUNS, ALPHA);
    // P(X >= 0) at scale 16: a cell at k is released more than half the time, 1e5 x delta_a and more.
    expect(rate.lower).toBeGreaterThan(100_000 * DAY.deltaPerPartition);
    expect(rate.lower).toBeLessThanOrEqual(exactReleaseRate(withoutM, DAY.kMin));
    expect(rate.upper).toBeGreaterThanOrEqual(exactReleaseRate(withoutM, DAY.kMin));
  });
});
