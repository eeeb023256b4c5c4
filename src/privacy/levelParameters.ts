import type { ReleaseProfile } from "./releaseParameters";
import { type ReleaseParameters, releaseParameters } from "./releaseParameters";
import { levelMaxCells, type PlanEntry } from "./releasePlan";

/**
 * The parameters of one release of a plan entry, exactly as precompute derives them and as the
 * quote's margins report them: the entry's epsilon and delta, never looser than the (possibly
 * tightened) profile's, and the level's own L0 (levelMaxCells).
 */
export function planReleaseParameters(
  profile: ReleaseProfile,
  entry: Pick<PlanEntry, "granularity" | "level" | "epsilon" | "delta">,
): ReleaseParameters {
  return releaseParameters({
    ...profile,
    epsilon: Math.min(entry.epsilon, profile.epsilon),
    delta: Math.min(entry.delta, profile.delta),
    maxCellsPerParticipant: levelMaxCells(entry.granularity, entry.level, profile.maxCellsPerParticipant),
  });
}
