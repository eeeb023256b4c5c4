import { sampleDiscreteLaplace } from "./discreteLaplace";
import type { UniformSource } from "./noiseStream";
import type { NoisedMetric, ReleaseParameters } from "./releaseParameters";

/** True, contribution-bounded totals of one cell (after L0 and C were applied). */
export interface CellTotals {
  uniqueParticipants: number;
  doorsOpened: number;
  repeatParticipants: number;
  /** Doors of the single largest contributor in the cell (at most C by bounding). */
  topContributorDoors: number;
}

/** Why a cell was withheld: the pre-threshold on the true count, or the noised count under k + m. */
export type SuppressionCause = "k_min" | "noisy_threshold";

export interface CellRelease {
  uniqueParticipantsEst: number | null;
  doorsOpenedEst: number | null;
  repeatParticipantsEst: number | null;
  repeatRateEst: number | null;
  suppressed: boolean;
  suppressedReason: SuppressionCause | null;
  topContributorShare: number;
}

/** What a buyer sees of why a cell is withheld: one value whatever the cause (PRIVACY.md step 4). */
export const BUYER_SUPPRESSION_REASON = "below_threshold";

/**
 * The buyer-visible suppression reason of a cell. The cause must not show: a buyer-visible k_min
 * would tell, without noise, whether the true count reached k (one participant-day apart).
 */
export function buyerSuppressionReason(suppressed: boolean): typeof BUYER_SUPPRESSION_REASON | null {
  return suppressed ? BUYER_SUPPRESSION_REASON : null;
}

/** Where a cell's noise comes from: one independent keyed stream per metric. */
export type NoiseSources = (metric: NoisedMetric) => UniformSource;

const RATIO_DIGITS = 1e4;

/**
 * Releases one cell: pre-threshold on the true count (k-min), noised unique count against k + m,
 * then the other metrics. Ratios are post-processing of noised values only. The top contributor's
 * share is only measured: with C <= floor(share x k) and at least k doors, it cannot exceed the share.
 * The trend is not part of a release: it is computed at read time (PRIVACY.md step 3).
 */
export function releaseCell(
  totals: CellTotals,
  parameters: ReleaseParameters,
  noise: NoiseSources,
): CellRelease {
  const topContributorShare = totals.doorsOpened === 0 ? 0 : totals.topContributorDoors / totals.doorsOpened;
  const suppressed = (reason: SuppressionCause): CellRelease => ({
    uniqueParticipantsEst: null,
    doorsOpenedEst: null,
    repeatParticipantsEst: null,
    repeatRateEst: null,
    suppressed: true,
    suppressedReason: reason,
    topContributorShare,
  });
  if (totals.uniqueParticipants < parameters.kMin) return suppressed("k_min");

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
