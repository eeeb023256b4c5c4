import type { QueryFn } from "../../db/client";
import type { TimeGranularity } from "../../db/schema/enums";
import { type CellMargins, releaseMargins } from "../../privacy/accuracy";
import type { GeoBucketType } from "../../privacy/cellKey";
import { planReleaseParameters } from "../../privacy/levelParameters";
import type { ReleaseProfile } from "../../privacy/releaseParameters";
import { loadReleasePlan, type PlanEntry, planEntryFor, type ReleaseLevel } from "../../privacy/releasePlan";

/** The margins a released cell of one (granularity, geo type, level) would carry. */
export interface LevelAccuracyRow extends CellMargins {
  granularity: TimeGranularity;
  geoType: GeoBucketType;
  level: ReleaseLevel;
}

/** What a request reads: one granularity and geo type, at these breakdown levels. */
export interface LevelsRead {
  granularity: TimeGranularity;
  geoType: GeoBucketType;
  levels: readonly ReleaseLevel[];
}

/**
 * The margins of each level a request reads, from the profile and the plan entry exactly as a
 * release derives its parameters (planReleaseParameters, as precompute does). A level the plan does not release is left out (no release will carry it).
 */
export async function levelAccuracies(
  query: QueryFn,
  profile: ReleaseProfile,
  read: LevelsRead,
  /** The plan already read for this request, if any (else it is read here). */
  loadedPlan?: readonly PlanEntry[],
): Promise<LevelAccuracyRow[]> {
  const plan = loadedPlan ?? (await loadReleasePlan(query));
  return read.levels.flatMap((level) => {
    const entry = planEntryFor(plan, read.granularity, read.geoType, level);
    if (entry === undefined) return [];
    const parameters = planReleaseParameters(profile, entry);
    return [
      {
        granularity: read.granularity,
        geoType: read.geoType,
        level,
        ...releaseMargins(parameters.noiseScales),
      },
    ];
  });
}
