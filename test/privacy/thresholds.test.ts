import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalCellKey } from "../../src/privacy/cellKey";
import { keyedNoiseStream } from "../../src/privacy/noiseStream";
import { type CellTotals, releaseCell, type SuppressionReason } from "../../src/privacy/releaseMechanism";
import { type ReleaseParameters, releaseParameters } from "../../src/privacy/releaseParameters";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";
import { noisyThresholdTau } from "../../src/privacy/thresholds";
import { binomialUpperQuantile, clopperPearson, discreteLaplaceUpperTail } from "../support/statistics";

const ALPHA = 1e-6;
const RUNS = 100_000;
const RAMP_RUNS = 20_000;
const BUCKET = new Date("2026-01-06T00:00:00Z");

const DAY = releaseParameters(CONTRACT_RELEASE_PROFILES.day);
const HOUR = releaseParameters(CONTRACT_RELEASE_PROFILES.hour);
const PROFILES = { day: DAY, hour: HOUR } as const;

/** delta_a and tau straight from the PRIVACY.md formula, with plain Math and nothing from src. */
function independentTau(epsilonUnique: number, l0: number, delta: number): { deltaA: number; tau: number } {
  const deltaA = 1 - (1 - delta) ** (1 / l0);
  return { deltaA, tau: 1 - (l0 / epsilonUnique) * Math.log(2 * deltaA) };
}

/** A cell with `unique` true participants, 3 doors each and a top contributor far below the dominance cap. */
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
  reasons: Map<SuppressionReason, number>;
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

/** The exact release probability of a cell that passes the pre-threshold: P(count + X >= k - 1 + tau). */
function exactReleaseRate(parameters: ReleaseParameters, unique: number): number {
  return discreteLaplaceUpperTail(uniqueScale(parameters), parameters.noisyThreshold - unique);
}

function uniqueScale(parameters: ReleaseParameters): number {
  const { numerator, denominator } = parameters.noiseScales.uniqueParticipants;
  return Number(numerator) / Number(denominator);
}

describe("noisy threshold tau", () => {
  it("matches the PRIVACY.md worked example: eps_u 0.25, L0 1, delta 1e-6 gives tau 53.5 and a DAY cell needs 153", () => {
    const tau = noisyThresholdTau({ epsilonUnique: 0.25, delta: 1e-6, maxPartitionsContributed: 1 });
    expect(tau.toFixed(1)).toBe("53.5");
    expect(tau).toBeCloseTo(independentTau(0.25, 1, 1e-6).tau, 9);
    expect(Math.ceil(CONTRACT_RELEASE_PROFILES.day.kMin - 1 + tau)).toBe(153);
  });

  it.each([
    ["day", "233.1", 333],
    ["week", "233.1", 333],
    ["hour", "465.3", 765],
  ] as const)(
    "the %s profile has tau %s (noised unique count >= %i to release)",
    (granularity, tauText, minimum) => {
      const profile = CONTRACT_RELEASE_PROFILES[granularity];
      const parameters = releaseParameters(profile);
      const expected = independentTau(
        profile.epsilon * profile.epsilonSplit.uniqueParticipants,
        profile.maxCellsPerParticipant,
        profile.delta,
      );
      expect(parameters.tau.toFixed(1)).toBe(tauText);
      expect(parameters.tau).toBeCloseTo(expected.tau, 6);
      expect(parameters.deltaPerPartition).toBeCloseTo(expected.deltaA, 15);
      expect(parameters.deltaPerPartition / expected.deltaA).toBeCloseTo(1, 6);
      expect(parameters.noisyThreshold).toBeCloseTo(profile.kMin - 1 + expected.tau, 6);
      // Noised counts are integers, so the effective bar is the next integer up.
      expect(Math.ceil(parameters.noisyThreshold)).toBe(minimum);
    },
  );
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
      // The exact rate sits just under delta_a: the statistical test below can only add evidence, not slack.
      const exact = exactReleaseRate(parameters, k);
      expect(exact).toBeLessThanOrEqual(deltaA);
      expect(exact).toBeGreaterThan(deltaA / 2);

      const bound = binomialUpperQuantile(RUNS, deltaA, ALPHA);
      expect(bound).toBe(4);
      const tally = releaseRepeatedly(totalsWithUnique(k), parameters, RUNS);
      expect(tally.released).toBeLessThan(bound);
      expect(tally.reasons.get("noisy_threshold")).toBe(RUNS - tally.released);
    });

    it("releases more often as the true count grows past k - 1 + tau (rates within exact binomial bounds)", () => {
      // 2.5 noise scales either side of k + tau: 40 for DAY (scale 16), 80 for HOUR (scale 32).
      const step = 2.5 * uniqueScale(parameters);
      const middle = Math.round(k + parameters.tau);
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
  },
);

describe("mutation: the DAY threshold without tau", () => {
  it("fails the rate-at-k test by orders of magnitude, so that test can catch a missing tau", () => {
    const withoutTau: ReleaseParameters = { ...DAY, tau: 0, noisyThreshold: DAY.kMin - 1 };
    const bound = binomialUpperQuantile(RUNS, DAY.deltaPerPartition, ALPHA);
    const tally = releaseRepeatedly(totalsWithUnique(DAY.kMin), withoutTau, RUNS);
    expect(tally.released).toBeGreaterThanOrEqual(bound);
    const rate = clopperPearson(tally.released, RUNS, ALPHA);
    // P(X >= -1) at scale 16: a cell at k is released more than half the time, 1e5 x delta_a and more.
    expect(rate.lower).toBeGreaterThan(100_000 * DAY.deltaPerPartition);
    expect(rate.lower).toBeLessThanOrEqual(exactReleaseRate(withoutTau, DAY.kMin));
    expect(rate.upper).toBeGreaterThanOrEqual(exactReleaseRate(withoutTau, DAY.kMin));
  });
});
