import type { TimeGranularity } from "../db/schema/enums";
import type { RationalScale } from "./discreteLaplace";
import { noiseScaleFor, rationalFromDecimal, rationalToNumber } from "./rational";
import { noisyThresholdM, perPartitionDelta } from "./thresholds";

/** A release profile (PRIVACY.md "Release plan and profiles"): what a release's parameters derive from; stored, checked and loaded by releaseProfiles.ts. */
export interface ReleaseProfile {
  granularity: TimeGranularity;
  reportingDelayHours: number;
  kMin: number;
  epsilon: number;
  buyerCost: number;
  delta: number;
  budgetWindowDays: number;
  maxRangeBuckets: number;
  maxGeoIds: number;
  allowedGeoTypes: Array<"city_code" | "geohash3">;
  maxSegmentDimensions: number;
  maxCellsPerParticipant: number;
  maxDoorsPerCell: number;
  dominanceMaxShare: number;
  epsilonSplit: Record<"uniqueParticipants" | "doorsOpened" | "repeatParticipants", number>;
}

export const NOISED_METRICS = ["uniqueParticipants", "doorsOpened", "repeatParticipants"] as const;
export type NoisedMetric = (typeof NOISED_METRICS)[number];

/** Everything the mechanism needs for one release, derived once from the profile and written to the receipt. */
export interface ReleaseParameters {
  kMin: number;
  epsilon: number;
  delta: number;
  /** L0: cells one participant may count in per release. */
  maxCellsPerParticipant: number;
  /** C = min(the profile's door cap, floor(dominance share x k)): doors one participant may add to one cell. */
  maxDoorsPerCell: number;
  dominanceMaxShare: number;
  epsilonSplit: Record<NoisedMetric, number>;
  /** Per-cell sensitivity times L0: how much one participant can move each metric over the release. */
  sensitivity: Record<NoisedMetric, number>;
  noiseScales: Record<NoisedMetric, RationalScale>;
  /** m: the smallest integer with P(X >= m) <= delta_a for the unique count's noise X (thresholds.ts). */
  thresholdM: number;
  /** delta_a in floating point, for display; m was decided exactly. */
  deltaPerPartition: number;
  /** A cell is released only if its noised unique count is at least this: k + m. */
  noisyThreshold: number;
}

/**
 * C = min(cap, floor(share x k)), so a released cell's top contributor (at most C doors of at least
 * k) holds at most the share. The share is read as its decimal, like epsilon (0.015 x 200 is 3).
 */
export function doorsPerCellCap(
  profile: Pick<ReleaseProfile, "maxDoorsPerCell" | "dominanceMaxShare" | "kMin">,
): number {
  const share = rationalFromDecimal(profile.dominanceMaxShare);
  const byShare = Number((share.numerator * BigInt(profile.kMin)) / share.denominator);
  return Math.min(profile.maxDoorsPerCell, byShare);
}

/** What the noise scales derive from; a release receipt stores each of these. */
export type ScaleInputs = Pick<
  ReleaseParameters,
  "epsilon" | "epsilonSplit" | "maxCellsPerParticipant" | "maxDoorsPerCell"
>;

/** One participant touches at most L0 cells: +1 unique and +1 repeat in each, at most C doors in each. */
function sensitivityOf(inputs: ScaleInputs): Record<NoisedMetric, number> {
  const l0 = inputs.maxCellsPerParticipant;
  return { uniqueParticipants: l0, doorsOpened: l0 * inputs.maxDoorsPerCell, repeatParticipants: l0 };
}

/** The exact noise scales sensitivity / (epsilon x split) of a release, from its receipt's inputs. */
export function noiseScalesOf(inputs: ScaleInputs): Record<NoisedMetric, RationalScale> {
  const sensitivity = sensitivityOf(inputs);
  return Object.fromEntries(
    NOISED_METRICS.map((metric) => [
      metric,
      noiseScaleFor(sensitivity[metric], inputs.epsilon * inputs.epsilonSplit[metric]),
    ]),
  ) as Record<NoisedMetric, RationalScale>;
}

export function releaseParameters(profile: ReleaseProfile): ReleaseParameters {
  const l0 = profile.maxCellsPerParticipant;
  const c = doorsPerCellCap(profile);
  if (!Number.isSafeInteger(c) || c < 1) {
    throw new Error(
      `the ${profile.granularity} profile allows C = ${c} doors per cell (min(${profile.maxDoorsPerCell}, floor(${profile.dominanceMaxShare} x ${profile.kMin}))); C must be at least 1: raise k-min or the dominance share`,
    );
  }
  const split = profile.epsilonSplit;
  const total = NOISED_METRICS.reduce((sum, metric) => sum + split[metric], 0);
  if (Math.abs(total - 1) > 1e-9) throw new Error(`epsilon split must sum to 1, got ${total}`);
  const bounds = {
    epsilon: profile.epsilon,
    epsilonSplit: split,
    maxCellsPerParticipant: l0,
    maxDoorsPerCell: c,
  };
  const sensitivity = sensitivityOf(bounds);
  const noiseScales = noiseScalesOf(bounds);
  const thresholdM = noisyThresholdM({
    scale: noiseScales.uniqueParticipants,
    delta: profile.delta,
    maxPartitionsContributed: l0,
  });
  const noisyThreshold = profile.kMin + thresholdM;
  if (!Number.isSafeInteger(noisyThreshold) || !(noisyThreshold > profile.kMin)) {
    throw new Error(
      `the ${profile.granularity} profile derives the noisy threshold ${noisyThreshold} (k ${profile.kMin} + m ${thresholdM}); it must be a finite integer above k`,
    );
  }
  return {
    kMin: profile.kMin,
    epsilon: profile.epsilon,
    delta: profile.delta,
    maxCellsPerParticipant: l0,
    maxDoorsPerCell: c,
    dominanceMaxShare: profile.dominanceMaxShare,
    epsilonSplit: { ...split },
    sensitivity,
    noiseScales,
    thresholdM,
    deltaPerPartition: perPartitionDelta(profile.delta, l0),
    noisyThreshold,
  };
}

export function noiseScalesAsNumbers(parameters: ReleaseParameters): Record<NoisedMetric, number> {
  return Object.fromEntries(
    NOISED_METRICS.map((metric) => [metric, rationalToNumber(parameters.noiseScales[metric])]),
  ) as Record<NoisedMetric, number>;
}

/**
 * The exact scales a receipt published as numbers: derived again from the receipt's epsilon, split,
 * L0 and C where they give the published number, else the published decimal itself (a receipt
 * written under other rules: its number is all there is).
 */
export function publishedNoiseScales(
  inputs: ScaleInputs,
  published: Record<string, number>,
): Record<NoisedMetric, RationalScale> {
  const derived = noiseScalesOf(inputs);
  return Object.fromEntries(
    NOISED_METRICS.map((metric) => {
      const number = published[metric];
      if (number === undefined) throw new Error(`the receipt publishes no noise scale for ${metric}`);
      const exact = derived[metric];
      return [metric, rationalToNumber(exact) === number ? exact : rationalFromDecimal(number)];
    }),
  ) as Record<NoisedMetric, RationalScale>;
}
