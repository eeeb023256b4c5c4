import { z } from "zod";
import type { DatabaseHandle } from "../db/client";
import { columnsOf } from "../db/rows";
import type { TimeGranularity } from "../db/schema/enums";
import { releaseProfiles } from "../db/schema/releases";
import { doorsPerCellCap, type ReleaseProfile, releaseParameters } from "./releaseParameters";

const EPSILON_SPLIT = { uniqueParticipants: 0.5, doorsOpened: 0.25, repeatParticipants: 0.25 };

/**
 * The contract's profiles (PRIVACY.md "Release plan and profiles", 000/001 seeds). Stored in
 * release_profiles at start-up; operators may tighten a stored row, never loosen it below these.
 * maxDoorsPerCell is the contract's cap on C; the C applied is min(cap, floor(share x k)).
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
    maxRangeBuckets: 12,
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

export type ProfileErrorCode =
  | "PROFILE_INVALID"
  | "PROFILE_VALUE_NOT_FINITE"
  | "PROFILE_VALUE_NOT_INTEGER"
  | "PROFILE_VALUE_OUT_OF_RANGE"
  | "PROFILE_LOOSER_THAN_CONTRACT"
  | "PROFILE_SPLIT_INVALID"
  | "PROFILE_GEO_TYPE_NOT_ALLOWED"
  | "PROFILE_DOOR_CAP_BELOW_ONE"
  | "PROFILE_THRESHOLD_INVALID";

/** One refused value: the field path (e.g. `epsilonSplit.doorsOpened`), a stable code, and what to do. */
export interface ProfileError {
  field: string;
  code: ProfileErrorCode;
  message: string;
}

export type ProfileValidation = { ok: true; profile: ReleaseProfile } | { ok: false; errors: ProfileError[] };

const GRANULARITIES = ["day", "week", "hour"] as const satisfies readonly TimeGranularity[];
const GEO_TYPES = ["city_code", "geohash3"] as const;
const SPLIT_SUM_TOLERANCE = 1e-9;
/** PRIVACY.md: the dominance share lies in (0, 0.05]. */
const MAX_DOMINANCE_SHARE = 0.05;
const NOT_FINITE = new Set(["NaN", "Infinity", "-Infinity"]);

function issue(code: ProfileErrorCode, message: string) {
  return { message, params: { code }, abort: true };
}

/** A finite number; NaN and infinities are reported as such, anything else as a type error. */
function finite(field: string) {
  return z.number({ error: (raw) => `${field} must be a finite number, got ${shown(raw.input)}` });
}

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function integer(field: string) {
  return finite(field).refine(
    Number.isInteger,
    issue("PROFILE_VALUE_NOT_INTEGER", `${field} must be an integer`),
  );
}

/** An integer the contract sets as a floor (delay, k, budget window): an operator may only raise it. */
function integerAtLeast(field: string, floor: number, what: string) {
  return integer(field).refine(
    (value) => value >= floor,
    issue(
      "PROFILE_LOOSER_THAN_CONTRACT",
      `${field} must be at least the contract's ${floor} ${what}; set ${floor} or more`,
    ),
  );
}

/** A positive integer limit the contract caps (range, geo ids, L0, C): an operator may only lower it. */
function positiveIntegerAtMost(field: string, cap: number) {
  return integer(field)
    .refine((value) => value >= 1, issue("PROFILE_VALUE_OUT_OF_RANGE", `${field} must be at least 1`))
    .refine(
      (value) => value <= cap,
      issue(
        "PROFILE_LOOSER_THAN_CONTRACT",
        `${field} must be at most the contract's ${cap}; set ${cap} or less`,
      ),
    );
}

function splitShare(field: string) {
  return finite(field).refine(
    (value) => value > 0,
    issue("PROFILE_SPLIT_INVALID", `${field} must be greater than 0`),
  );
}

function profileSchema(contract: ReleaseProfile) {
  const name = contract.granularity.toUpperCase();
  return z
    .object({
      granularity: z.literal(contract.granularity),
      reportingDelayHours: integerAtLeast("reportingDelayHours", contract.reportingDelayHours, "hours"),
      kMin: integerAtLeast("kMin", contract.kMin, "participants"),
      epsilon: finite("epsilon")
        .refine((value) => value > 0, issue("PROFILE_VALUE_OUT_OF_RANGE", "epsilon must be greater than 0"))
        .refine(
          (value) => value <= contract.epsilon,
          issue(
            "PROFILE_LOOSER_THAN_CONTRACT",
            `epsilon must be at most the contract's ${contract.epsilon} for ${name}; set ${contract.epsilon} or less`,
          ),
        ),
      buyerCost: finite("buyerCost").refine(
        (value) => value >= contract.buyerCost,
        issue(
          "PROFILE_LOOSER_THAN_CONTRACT",
          `buyerCost must be at least the contract's ${contract.buyerCost} for ${name}; set ${contract.buyerCost} or more`,
        ),
      ),
      delta: finite("delta")
        .refine(
          (value) => value > 0 && value < 1,
          issue("PROFILE_VALUE_OUT_OF_RANGE", "delta must lie strictly between 0 and 1"),
        )
        .refine(
          (value) => value <= contract.delta,
          issue(
            "PROFILE_LOOSER_THAN_CONTRACT",
            `delta must be at most the contract's ${contract.delta}; set ${contract.delta} or less`,
          ),
        ),
      budgetWindowDays: integerAtLeast("budgetWindowDays", contract.budgetWindowDays, "days"),
      maxRangeBuckets: positiveIntegerAtMost("maxRangeBuckets", contract.maxRangeBuckets),
      maxGeoIds: positiveIntegerAtMost("maxGeoIds", contract.maxGeoIds),
      allowedGeoTypes: z
        .array(z.enum(GEO_TYPES, { error: "allowedGeoTypes holds an unknown geo type" }))
        .min(1, "allowedGeoTypes must list at least one geo type")
        .refine(
          (types) => types.every((type) => contract.allowedGeoTypes.includes(type)),
          issue(
            "PROFILE_GEO_TYPE_NOT_ALLOWED",
            `allowedGeoTypes may only list the contract's ${contract.allowedGeoTypes.join(", ")} for ${name}`,
          ),
        ),
      maxSegmentDimensions: positiveIntegerAtMost("maxSegmentDimensions", contract.maxSegmentDimensions),
      maxCellsPerParticipant: positiveIntegerAtMost(
        "maxCellsPerParticipant",
        contract.maxCellsPerParticipant,
      ),
      maxDoorsPerCell: positiveIntegerAtMost("maxDoorsPerCell", contract.maxDoorsPerCell),
      dominanceMaxShare: finite("dominanceMaxShare")
        .refine(
          (value) => value > 0,
          issue("PROFILE_VALUE_OUT_OF_RANGE", "dominanceMaxShare must be greater than 0"),
        )
        .refine(
          (value) => value <= MAX_DOMINANCE_SHARE,
          issue(
            "PROFILE_LOOSER_THAN_CONTRACT",
            `dominanceMaxShare must be at most the contract's ${MAX_DOMINANCE_SHARE}; set ${MAX_DOMINANCE_SHARE} or less`,
          ),
        ),
      epsilonSplit: z
        .strictObject(
          {
            uniqueParticipants: splitShare("epsilonSplit.uniqueParticipants"),
            doorsOpened: splitShare("epsilonSplit.doorsOpened"),
            repeatParticipants: splitShare("epsilonSplit.repeatParticipants"),
          },
          {
            error:
              "epsilonSplit must be an object with exactly uniqueParticipants, doorsOpened, repeatParticipants",
          },
        )
        .refine(
          (split) =>
            Math.abs(split.uniqueParticipants + split.doorsOpened + split.repeatParticipants - 1) <=
            SPLIT_SUM_TOLERANCE,
          issue("PROFILE_SPLIT_INVALID", "epsilonSplit shares must sum to 1"),
        ),
    })
    .superRefine((profile, context) => {
      // Zod still runs this after a non-aborting issue; C is only meaningful on valid inputs.
      if (!(Number.isSafeInteger(profile.kMin) && profile.dominanceMaxShare > 0)) return;
      const doors = doorsPerCellCap(profile);
      if (doors < 1) {
        context.addIssue({
          code: "custom",
          path: ["dominanceMaxShare"],
          params: { code: "PROFILE_DOOR_CAP_BELOW_ONE" },
          message: `C = min(maxDoorsPerCell ${profile.maxDoorsPerCell}, floor(dominanceMaxShare ${profile.dominanceMaxShare} x kMin ${profile.kMin})) is ${doors}; it must be at least 1: raise dominanceMaxShare or kMin`,
        });
      }
    });
}

const PROFILE_SCHEMAS = Object.fromEntries(
  GRANULARITIES.map((granularity) => [granularity, profileSchema(CONTRACT_RELEASE_PROFILES[granularity])]),
) as Record<TimeGranularity, ReturnType<typeof profileSchema>>;

function codeOf(raw: z.core.$ZodIssue): ProfileErrorCode {
  const params = "params" in raw ? (raw.params as { code?: ProfileErrorCode } | undefined) : undefined;
  if (params?.code !== undefined) return params.code;
  if (raw.code === "invalid_type" && "received" in raw && NOT_FINITE.has(String(raw.received))) {
    return "PROFILE_VALUE_NOT_FINITE";
  }
  if (raw.path[0] === "epsilonSplit") return "PROFILE_SPLIT_INVALID";
  if (raw.path[0] === "allowedGeoTypes" && raw.code === "invalid_value")
    return "PROFILE_GEO_TYPE_NOT_ALLOWED";
  return "PROFILE_INVALID";
}

/**
 * Checks a profile as stored or as an operator proposes it (PRIVACY.md "Release plan and profiles"):
 * finite values, epsilon > 0, 0 < delta < 1, split shares > 0 summing to 1, dominance share in
 * (0, 0.05], positive integer limits, and nothing looser than the contract. Reports every error.
 */
export function validateReleaseProfile(input: unknown): ProfileValidation {
  const granularity =
    typeof input === "object" && input !== null
      ? (input as { granularity?: unknown }).granularity
      : undefined;
  if (!GRANULARITIES.includes(granularity as TimeGranularity)) {
    return {
      ok: false,
      errors: [
        {
          field: "granularity",
          code: "PROFILE_INVALID",
          message: `granularity must be one of ${GRANULARITIES.join(", ")}, got ${shown(granularity)}`,
        },
      ],
    };
  }
  const parsed = PROFILE_SCHEMAS[granularity as TimeGranularity].safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((raw) => ({
        field: raw.path.join(".") || "profile",
        code: codeOf(raw),
        message: raw.message,
      })),
    };
  }
  const contract = CONTRACT_RELEASE_PROFILES[parsed.data.granularity];
  const profile: ReleaseProfile = {
    ...parsed.data,
    // Contract order, each type once.
    allowedGeoTypes: contract.allowedGeoTypes.filter((type) => parsed.data.allowedGeoTypes.includes(type)),
    epsilonSplit: { ...parsed.data.epsilonSplit },
  };
  try {
    releaseParameters(profile);
  } catch (error) {
    return {
      ok: false,
      errors: [{ field: "profile", code: "PROFILE_THRESHOLD_INVALID", message: (error as Error).message }],
    };
  }
  return { ok: true, profile };
}

/** A stored profile that breaks the rules: never served, never silently replaced by the contract's. */
export class InvalidReleaseProfileError extends Error {
  constructor(
    readonly granularity: string,
    readonly errors: ProfileError[],
  ) {
    super(
      `the stored ${granularity} release profile is invalid (${errors
        .map((error) => `${error.field}: ${error.code}: ${error.message}`)
        .join("; ")}); correct the release_profiles row`,
    );
    this.name = "InvalidReleaseProfileError";
  }
}

const PROFILE = columnsOf(releaseProfiles);

/** The profile of a granularity, read from release_profiles and validated; the contract's if no row. */
export async function loadReleaseProfile(
  database: DatabaseHandle,
  granularity: TimeGranularity,
): Promise<ReleaseProfile> {
  const [row] = await database.query(`select ${PROFILE.list} from release_profiles where granularity = $1`, [
    granularity,
  ]);
  if (row === undefined) return CONTRACT_RELEASE_PROFILES[granularity];
  const validation = validateReleaseProfile(PROFILE.read(row));
  if (!validation.ok) throw new InvalidReleaseProfileError(granularity, validation.errors);
  return validation.profile;
}
