import { sampleDiscreteLaplace } from "./discreteLaplace";
import type { UniformSource } from "./noiseStream";
import type { NoisedMetric, ReleaseParameters } from "./releaseParameters";

/** True, contribution-bounded totals of one cell (after L0 and C were applied). */
export interface CellTotals {
  uniqueParticipants: number;
  doorsOpened: number;
  repeatParticipants: number;
  /** Doors of the single largest contributor in the cell (at most C). */
  topContributorDoors: number;
}

export type SuppressionReason = "k_min" | "dominance" | "noisy_threshold";

export interface CellRelease {
  uniqueParticipantsEst: number | null;
  doorsOpenedEst: number | null;
  repeatParticipantsEst: number | null;
  repeatRateEst: number | null;
  suppressed: boolean;
  suppressedReason: SuppressionReason | null;
  topContributorShare: number;
}

/** Where a cell's noise comes from: one independent keyed stream per metric. */
export type NoiseSources = (metric: NoisedMetric) => UniformSource;

const RATIO_DIGITS = 1e4;

/**
 * Releases one cell: pre-threshold on the true count (k-min), dominance check, noised unique count
 * against k - 1 + tau, then the other metrics. Ratios are post-processing of noised values only.
 * The trend is not part of a release: it is computed at read time (PRIVACY.md step 3).
 */
export function releaseCell(
  totals: CellTotals,
  parameters: ReleaseParameters,
  noise: NoiseSources,
): CellRelease {
  const topContributorShare = totals.doorsOpened === 0 ? 0 : totals.topContributorDoors / totals.doorsOpened;
  const suppressed = (reason: SuppressionReason): CellRelease => ({
    uniqueParticipantsEst: null,
    doorsOpenedEst: null,
    repeatParticipantsEst: null,
    repeatRateEst: null,
    suppressed: true,
    suppressedReason: reason,
    topContributorShare,
  });
  if (totals.uniqueParticipants < parameters.kMin) return suppressed("k_min");
  if (topContributorShare > parameters.dominanceMaxShare) return suppressed("dominance");

  const noised = (metric: NoisedMetric, value: number) =>
    value + Number(sampleDiscreteLaplace(parameters.noiseScales[metric], noise(metric)));
  const uniqueNoised = noised("uniqueParticipants", totals.uniqueParticipants);
  if (uniqueNoised < parameters.noisyThreshold) return suppressed("noisy_threshold");

  const uniqueEst = Math.max(0, uniqueNoised);
  const doorsEst = Math.max(0, noised("doorsOpened", totals.doorsOpened));
  const repeatEst = Math.max(0, noised("repeatParticipants", totals.repeatParticipants));
  return {
    uniqueParticipantsEst: uniqueEst,
    doorsOpenedEst: doorsEst,
    repeatParticipantsEst: repeatEst,
    repeatRateEst: uniqueEst === 0 ? null : roundRatio(Math.min(1, repeatEst / uniqueEst)),
    suppressed: false,
    suppressedReason: null,
    topContributorShare,
  };
}

function roundRatio(value: number): number {
  return Math.round(value * RATIO_DIGITS) / RATIO_DIGITS;
}
