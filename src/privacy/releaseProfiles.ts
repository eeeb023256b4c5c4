import type { TimeGranularity } from "../db/schema/enums";

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
