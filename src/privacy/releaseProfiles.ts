import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import type { TimeGranularity } from "../db/schema/enums";
import { releaseProfiles } from "../db/schema/releases";

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

const EPSILON_SPLIT = { uniqueParticipants: 0.5, doorsOpened: 0.25, repeatParticipants: 0.25 };

/**
 * The contract's profiles (PRIVACY.md "Release profiles", 000/001 seeds). Stored in
 * release_profiles at start-up; operators may tighten a stored row, never loosen it below these.
 */
export const CONTRACT_RELEASE_PROFILES: Record<TimeGranularity, ReleaseProfile> = {
  day: {
    granularity: "day",
    reportingDelayHours: 72,
    kMin: 100,
    epsilon: 0.5,
    buyerCost: 0.5,
    delta: 1e-6,
    budgetWindowDays: 30,
    maxRangeBuckets: 90,
    maxGeoIds: 50,
    allowedGeoTypes: ["city_code", "geohash3"],
    maxSegmentDimensions: 3,
    maxCellsPerParticipant: 4,
    maxDoorsPerCell: 5,
    dominanceMaxShare: 0.05,
    epsilonSplit: EPSILON_SPLIT,
  },
  week: {
    granularity: "week",
    reportingDelayHours: 72,
    kMin: 100,
    epsilon: 0.5,
    buyerCost: 0.5,
    delta: 1e-6,
    budgetWindowDays: 30,
    maxRangeBuckets: 13,
    maxGeoIds: 50,
    allowedGeoTypes: ["city_code", "geohash3"],
    maxSegmentDimensions: 3,
    maxCellsPerParticipant: 4,
    maxDoorsPerCell: 5,
    dominanceMaxShare: 0.05,
    epsilonSplit: EPSILON_SPLIT,
  },
  hour: {
    granularity: "hour",
    reportingDelayHours: 168,
    kMin: 300,
    epsilon: 0.25,
    buyerCost: 0.25,
    delta: 1e-6,
    budgetWindowDays: 30,
    maxRangeBuckets: 48,
    maxGeoIds: 10,
    allowedGeoTypes: ["city_code"],
    maxSegmentDimensions: 1,
    maxCellsPerParticipant: 4,
    maxDoorsPerCell: 15,
    dominanceMaxShare: 0.05,
    epsilonSplit: EPSILON_SPLIT,
  },
};

type StoredProfile = Omit<ReleaseProfile, "epsilonSplit"> & { epsilonSplit: Record<string, number> };

/**
 * What a stored (operator-edited) profile is allowed to mean: each limit is the stricter of the
 * stored value and the contract's, so an edit can tighten a profile but never loosen it.
 */
export function effectiveProfile(stored: StoredProfile): ReleaseProfile {
  const contract = CONTRACT_RELEASE_PROFILES[stored.granularity];
  const split = stored.epsilonSplit;
  const splitValid =
    typeof split.uniqueParticipants === "number" &&
    typeof split.doorsOpened === "number" &&
    typeof split.repeatParticipants === "number" &&
    Math.abs(split.uniqueParticipants + split.doorsOpened + split.repeatParticipants - 1) < 1e-9;
  return {
    granularity: stored.granularity,
    reportingDelayHours: Math.max(stored.reportingDelayHours, contract.reportingDelayHours),
    kMin: Math.max(stored.kMin, contract.kMin),
    epsilon: Math.min(stored.epsilon, contract.epsilon),
    buyerCost: Math.max(stored.buyerCost, contract.buyerCost),
    delta: Math.min(stored.delta, contract.delta),
    budgetWindowDays: Math.max(stored.budgetWindowDays, contract.budgetWindowDays),
    maxRangeBuckets: Math.min(stored.maxRangeBuckets, contract.maxRangeBuckets),
    maxGeoIds: Math.min(stored.maxGeoIds, contract.maxGeoIds),
    allowedGeoTypes: contract.allowedGeoTypes.filter((type) => stored.allowedGeoTypes.includes(type)),
    maxSegmentDimensions: Math.min(stored.maxSegmentDimensions, contract.maxSegmentDimensions),
    maxCellsPerParticipant: Math.min(stored.maxCellsPerParticipant, contract.maxCellsPerParticipant),
    maxDoorsPerCell: Math.min(stored.maxDoorsPerCell, contract.maxDoorsPerCell),
    dominanceMaxShare: Math.min(stored.dominanceMaxShare, contract.dominanceMaxShare),
    epsilonSplit: splitValid
      ? {
          uniqueParticipants: split.uniqueParticipants as number,
          doorsOpened: split.doorsOpened as number,
          repeatParticipants: split.repeatParticipants as number,
        }
      : contract.epsilonSplit,
  };
}

/** The effective profile of a granularity, read from release_profiles. */
export async function loadReleaseProfile(
  db: Database,
  granularity: TimeGranularity,
): Promise<ReleaseProfile> {
  const [row] = await db.select().from(releaseProfiles).where(eq(releaseProfiles.granularity, granularity));
  return row === undefined ? CONTRACT_RELEASE_PROFILES[granularity] : effectiveProfile(row);
}
