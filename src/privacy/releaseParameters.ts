import type { RationalScale } from "./discreteLaplace";
import { noiseScaleFor, rationalToNumber } from "./rational";
import type { ReleaseProfile } from "./releaseProfiles";
import { noisyThresholdTau, perPartitionDelta } from "./thresholds";

export const NOISED_METRICS = ["uniqueParticipants", "doorsOpened", "repeatParticipants"] as const;
export type NoisedMetric = (typeof NOISED_METRICS)[number];

/** Everything the mechanism needs for one release, derived once from the profile and written to the receipt. */
export interface ReleaseParameters {
  kMin: number;
  epsilon: number;
  delta: number;
  /** L0: cells one participant may count in per release. */
  maxCellsPerParticipant: number;
  /** C: doors one participant may add to one cell. */
  maxDoorsPerCell: number;
  dominanceMaxShare: number;
  epsilonSplit: Record<NoisedMetric, number>;
  /** Per-cell sensitivity times L0: how much one participant can move each metric over the release. */
  sensitivity: Record<NoisedMetric, number>;
  noiseScales: Record<NoisedMetric, RationalScale>;
  tau: number;
  deltaPerPartition: number;
  /** A cell is released only if its noised unique count is at least this. */
  noisyThreshold: number;
}

export function releaseParameters(profile: ReleaseProfile): ReleaseParameters {
  const l0 = profile.maxCellsPerParticipant;
  const c = profile.maxDoorsPerCell;
  const split = profile.epsilonSplit;
  const total = NOISED_METRICS.reduce((sum, metric) => sum + split[metric], 0);
  if (Math.abs(total - 1) > 1e-9) throw new Error(`epsilon split must sum to 1, got ${total}`);
  const epsilonOf = (metric: NoisedMetric) => profile.epsilon * split[metric];
  // One participant touches at most L0 cells: +1 unique and +1 repeat in each, at most C doors in each.
  const sensitivity: Record<NoisedMetric, number> = {
    uniqueParticipants: l0,
    doorsOpened: l0 * c,
    repeatParticipants: l0,
  };
  const noiseScales = Object.fromEntries(
    NOISED_METRICS.map((metric) => [metric, noiseScaleFor(sensitivity[metric], epsilonOf(metric))]),
  ) as Record<NoisedMetric, RationalScale>;
  const tau = noisyThresholdTau({
    epsilonUnique: epsilonOf("uniqueParticipants"),
    delta: profile.delta,
    maxPartitionsContributed: l0,
  });
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
    tau,
    deltaPerPartition: perPartitionDelta(profile.delta, l0),
    noisyThreshold: profile.kMin - 1 + tau,
  };
}

export function noiseScalesAsNumbers(parameters: ReleaseParameters): Record<NoisedMetric, number> {
  return Object.fromEntries(
    NOISED_METRICS.map((metric) => [metric, rationalToNumber(parameters.noiseScales[metric])]),
  ) as Record<NoisedMetric, number>;
}
