import { describe, expect, it } from "vitest";
import { releaseParameters } from "../../src/privacy/releaseParameters";
import {
  CONTRACT_RELEASE_PROFILES,
  type ProfileError,
  validateReleaseProfile,
} from "../../src/privacy/releaseProfiles";

const DAY = CONTRACT_RELEASE_PROFILES.day;
const HOUR = CONTRACT_RELEASE_PROFILES.hour;

function errorsOf(input: unknown): ProfileError[] {
  const result = validateReleaseProfile(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return result.errors;
}

/** The single error a change to the DAY profile produces, as [field, code]. */
function refusal(change: Record<string, unknown>, base: object = DAY): [string, string] {
  const errors = errorsOf({ ...base, ...change });
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return [errors[0]!.field, errors[0]!.code];
}

const NUMERIC_FIELDS = [
  "reportingDelayHours",
  "kMin",
  "epsilon",
  "buyerCost",
  "delta",
  "budgetWindowDays",
  "maxRangeBuckets",
  "maxGeoIds",
  "maxSegmentDimensions",
  "maxCellsPerParticipant",
  "maxDoorsPerCell",
  "dominanceMaxShare",
] as const;

describe("validateReleaseProfile", () => {
  it.each(["day", "week", "hour"] as const)("accepts the %s contract profile unchanged", (granularity) => {
    const profile = CONTRACT_RELEASE_PROFILES[granularity];
    expect(validateReleaseProfile(profile)).toEqual({ ok: true, profile });
  });

  it("keeps every legitimate tightening: larger k, longer delay, smaller epsilon and delta, smaller share, fewer geo types, smaller limits", () => {
    const tightened = {
      ...DAY,
      kMin: 150,
      reportingDelayHours: 96,
      epsilon: 0.3,
      buyerCost: 0.75,
      delta: 1e-8,
      budgetWindowDays: 60,
      dominanceMaxShare: 0.03,
      allowedGeoTypes: ["city_code"],
      maxRangeBuckets: 30,
      maxGeoIds: 10,
      maxSegmentDimensions: 1,
      maxCellsPerParticipant: 2,
      maxDoorsPerCell: 3,
      epsilonSplit: { uniqueParticipants: 0.6, doorsOpened: 0.2, repeatParticipants: 0.2 },
    };
    const result = validateReleaseProfile(tightened);
    expect(result).toEqual({ ok: true, profile: tightened });
    // C = min(3, floor(0.03 x 150)) = 3; the threshold stays an integer above k.
    const parameters = releaseParameters(tightened as typeof DAY);
    expect(parameters.maxDoorsPerCell).toBe(3);
    expect(parameters.noisyThreshold).toBeGreaterThan(150);
  });

  it("ignores columns that are not limits (a stored row's updatedAt) and orders geo types as the contract does", () => {
    const result = validateReleaseProfile({
      ...DAY,
      allowedGeoTypes: ["geohash3", "city_code"],
      updatedAt: new Date(),
    });
    expect(result).toEqual({ ok: true, profile: DAY });
  });

  it.each(
    NUMERIC_FIELDS.flatMap((field) =>
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(
        (value) => [field, value] as const,
      ),
    ),
  )("refuses %s = %s as not finite, naming the field", (field, value) => {
    const errors = errorsOf({ ...DAY, [field]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ field, code: "PROFILE_VALUE_NOT_FINITE" });
    expect(errors[0]!.message).toContain(`${field} must be a finite number, got ${value}`);
  });

  it("refuses zero and negative epsilon and delta, and delta at or above 1", () => {
    for (const epsilon of [0, -0.5, -Number.MIN_VALUE]) {
      expect(refusal({ epsilon })).toEqual(["epsilon", "PROFILE_VALUE_OUT_OF_RANGE"]);
    }
    for (const delta of [0, -1e-6, 1, 1.5]) {
      expect(refusal({ delta })).toEqual(["delta", "PROFILE_VALUE_OUT_OF_RANGE"]);
    }
    expect(errorsOf({ ...DAY, delta: -1e-6 })[0]!.message).toBe("delta must lie strictly between 0 and 1");
  });

  it("refuses every value looser than the contract, with the contract's limit in the message", () => {
    expect(refusal({ epsilon: 0.6 })).toEqual(["epsilon", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(errorsOf({ ...DAY, epsilon: 0.6 })[0]!.message).toBe(
      "epsilon must be at most the contract's 0.5 for DAY; set 0.5 or less",
    );
    expect(refusal({ delta: 2e-6 })).toEqual(["delta", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ kMin: 99 })).toEqual(["kMin", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(errorsOf({ ...DAY, kMin: 99 })[0]!.message).toBe(
      "kMin must be at least the contract's 100 participants; set 100 or more",
    );
    expect(refusal({ kMin: 299 }, HOUR)).toEqual(["kMin", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ kMin: -100 })).toEqual(["kMin", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ reportingDelayHours: 71 })).toEqual([
      "reportingDelayHours",
      "PROFILE_LOOSER_THAN_CONTRACT",
    ]);
    expect(refusal({ reportingDelayHours: 72 }, HOUR)).toEqual([
      "reportingDelayHours",
      "PROFILE_LOOSER_THAN_CONTRACT",
    ]);
    expect(refusal({ budgetWindowDays: 29 })).toEqual(["budgetWindowDays", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ buyerCost: 0.4 })).toEqual(["buyerCost", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ maxRangeBuckets: 91 })).toEqual(["maxRangeBuckets", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ maxGeoIds: 51 })).toEqual(["maxGeoIds", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ maxCellsPerParticipant: 5 })).toEqual([
      "maxCellsPerParticipant",
      "PROFILE_LOOSER_THAN_CONTRACT",
    ]);
    expect(refusal({ maxDoorsPerCell: 6 })).toEqual(["maxDoorsPerCell", "PROFILE_LOOSER_THAN_CONTRACT"]);
    expect(refusal({ maxSegmentDimensions: 2 }, HOUR)).toEqual([
      "maxSegmentDimensions",
      "PROFILE_LOOSER_THAN_CONTRACT",
    ]);
    expect(refusal({ dominanceMaxShare: 0.06 })).toEqual([
      "dominanceMaxShare",
      "PROFILE_LOOSER_THAN_CONTRACT",
    ]);
    expect(refusal({ allowedGeoTypes: ["city_code", "geohash3"] }, HOUR)).toEqual([
      "allowedGeoTypes",
      "PROFILE_GEO_TYPE_NOT_ALLOWED",
    ]);
  });

  it("refuses zero, negative and fractional integer limits, and a zero or negative dominance share", () => {
    for (const field of [
      "maxRangeBuckets",
      "maxGeoIds",
      "maxSegmentDimensions",
      "maxCellsPerParticipant",
      "maxDoorsPerCell",
    ]) {
      expect(refusal({ [field]: 0 })).toEqual([field, "PROFILE_VALUE_OUT_OF_RANGE"]);
      expect(refusal({ [field]: -1 })).toEqual([field, "PROFILE_VALUE_OUT_OF_RANGE"]);
      expect(refusal({ [field]: 1.5 })).toEqual([field, "PROFILE_VALUE_NOT_INTEGER"]);
    }
    expect(refusal({ kMin: 100.5 })).toEqual(["kMin", "PROFILE_VALUE_NOT_INTEGER"]);
    expect(refusal({ dominanceMaxShare: 0 })).toEqual(["dominanceMaxShare", "PROFILE_VALUE_OUT_OF_RANGE"]);
    expect(refusal({ dominanceMaxShare: -0.05 })).toEqual([
      "dominanceMaxShare",
      "PROFILE_VALUE_OUT_OF_RANGE",
    ]);
    expect(refusal({ allowedGeoTypes: [] })).toEqual(["allowedGeoTypes", "PROFILE_INVALID"]);
  });

  it("refuses a share so small that C = floor(share x k) would be 0", () => {
    expect(refusal({ dominanceMaxShare: 0.009 })).toEqual([
      "dominanceMaxShare",
      "PROFILE_DOOR_CAP_BELOW_ONE",
    ]);
    expect(errorsOf({ ...DAY, dominanceMaxShare: 0.009 })[0]!.message).toContain(
      "raise dominanceMaxShare or kMin",
    );
    // The same share is enough once k is large enough: floor(0.009 x 200) = 1.
    expect(validateReleaseProfile({ ...DAY, dominanceMaxShare: 0.009, kMin: 200 }).ok).toBe(true);
  });

  it("refuses an epsilon split with a missing, extra, zero, negative or non-finite share, or not summing to 1", () => {
    const split = DAY.epsilonSplit;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ uniqueParticipants: 0.5, doorsOpened: 0.5 }, "epsilonSplit.repeatParticipants"],
      [{ ...split, unique: 0.5 }, "epsilonSplit"],
      [{ ...split, doorsOpened: 0, repeatParticipants: 0.5 }, "epsilonSplit.doorsOpened"],
      [{ ...split, doorsOpened: -0.25, repeatParticipants: 0.75 }, "epsilonSplit.doorsOpened"],
      [{ ...split, repeatParticipants: 0.15 }, "epsilonSplit"],
    ];
    for (const [epsilonSplit, field] of cases) {
      expect(refusal({ epsilonSplit })).toEqual([field, "PROFILE_SPLIT_INVALID"]);
    }
    expect(refusal({ epsilonSplit: null })).toEqual(["epsilonSplit", "PROFILE_SPLIT_INVALID"]);
    expect(refusal({ epsilonSplit: { ...split, repeatParticipants: Number.NaN } })).toEqual([
      "epsilonSplit.repeatParticipants",
      "PROFILE_VALUE_NOT_FINITE",
    ]);
  });

  it("reports every error at once", () => {
    const errors = errorsOf({ ...DAY, epsilon: Number.NaN, delta: -1, kMin: 50, maxGeoIds: 0 });
    expect(errors.map((error) => [error.field, error.code])).toEqual([
      ["kMin", "PROFILE_LOOSER_THAN_CONTRACT"],
      ["epsilon", "PROFILE_VALUE_NOT_FINITE"],
      ["delta", "PROFILE_VALUE_OUT_OF_RANGE"],
      ["maxGeoIds", "PROFILE_VALUE_OUT_OF_RANGE"],
    ]);
  });

  it("refuses what is not a profile: an unknown granularity, a string for a number, nothing", () => {
    expect(errorsOf({ ...DAY, granularity: "month" })).toEqual([
      {
        field: "granularity",
        code: "PROFILE_INVALID",
        message: 'granularity must be one of day, week, hour, got "month"',
      },
    ]);
    expect(refusal({ epsilon: "0.5" })).toEqual(["epsilon", "PROFILE_INVALID"]);
    expect(errorsOf(null)[0]).toMatchObject({ field: "granularity", code: "PROFILE_INVALID" });
    expect(refusal({ kMin: undefined })).toEqual(["kMin", "PROFILE_INVALID"]);
  });

  it("refuses a profile whose threshold cannot be derived as a safe integer (epsilon 1e-300)", () => {
    expect(refusal({ epsilon: 1e-300 })).toEqual(["profile", "PROFILE_THRESHOLD_INVALID"]);
  });
});
