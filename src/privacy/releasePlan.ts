import { z } from "zod";
import type { QueryFn } from "../db/client";
import { columnsOf } from "../db/rows";
import { TIME_GRANULARITIES, type TimeGranularity } from "../db/schema/enums";
import { releasePlan } from "../db/schema/releases";
import type { GeoBucketType } from "./cellKey";
import { CONTRACT_RELEASE_PROFILES } from "./releaseProfiles";

/**
 * The release plan and the participant-day cap (PRIVACY.md "The guarantee: participant-days" and
 * "Release plan and profiles"). A plan entry is one (granularity, geo type, breakdown level) and the
 * epsilon and delta of each of its releases; the HOUR entry is a family per day. A participant-day
 * is read by exactly one release of each enabled entry (its day, its ISO week, its day's HOUR
 * family), so the plan's epsilon_day is the sum of the enabled entries, and likewise delta_day.
 */

/** The contract ceiling: operators may lower the cap, never raise it above this. */
export const CONTRACT_CAP = { epsilon: 3.0, delta: 2e-5 } as const;

/** The segment dimensions a breakdown level keeps, in lattice order. */
export const SEGMENT_DIMENSIONS = ["door_type", "category", "context"] as const;
export type SegmentDimension = (typeof SEGMENT_DIMENSIONS)[number];

/** Every breakdown level, finest first: FULL, each pair, each single dimension, TOTAL. */
export const ALL_LEVELS = [
  "full",
  "door_type+category",
  "door_type+context",
  "category+context",
  "door_type",
  "category",
  "context",
  "total",
] as const;
export type ReleaseLevel = string;

/** Levels a granularity may release (PRIVACY.md): HOUR only single-dimension and TOTAL levels. */
export function levelsAllowed(granularity: TimeGranularity): readonly ReleaseLevel[] {
  return granularity === "hour"
    ? ALL_LEVELS.filter((level) => level === "total" || dimensionsOf(level).length === 1)
    : ALL_LEVELS;
}

/**
 * L0 of a level's release: how many of its cells one participant-day may reach. A coarser level
 * has fewer cells a participant-day touches (a day is almost always one city, one or two door
 * types or categories), so bounding it at the FULL lattice's L0 would only multiply its noise:
 * DAY and WEEK keep at most 1 cell per participant-day at TOTAL, 2 at a single dimension, 3 at a
 * pair (never more than the profile's), and exactly the profile's L0 at FULL (the L0 FULL's SQL
 * bounds with, so a batch's totals are checked against the L0 they really have). HOUR keeps the profile's L0
 * at every level: its cells are (hour, cell) pairs, and a participant-day spans several hours.
 * The sensitivity, noise and threshold of the release follow this L0 (it is in the receipt).
 */
export function levelMaxCells(
  granularity: TimeGranularity,
  level: ReleaseLevel,
  profileMaxCells: number,
): number {
  if (granularity === "hour" || level === "full") return profileMaxCells;
  return Math.min(profileMaxCells, dimensionsOf(level).length + 1);
}

/** The stored name of a level: "full" (every dimension), "total" (none), else the kept dimensions joined by "+". */
export function levelOf(dimensions: readonly SegmentDimension[]): ReleaseLevel {
  const kept = SEGMENT_DIMENSIONS.filter((dimension) => dimensions.includes(dimension));
  if (kept.length === SEGMENT_DIMENSIONS.length) return "full";
  if (kept.length === 0) return "total";
  return kept.join("+");
}

/** The dimensions a stored level keeps. */
export function dimensionsOf(level: ReleaseLevel): SegmentDimension[] {
  if (level === "full") return [...SEGMENT_DIMENSIONS];
  if (level === "total") return [];
  return level
    .split("+")
    .filter((part): part is SegmentDimension => (SEGMENT_DIMENSIONS as readonly string[]).includes(part));
}

export interface PlanEntry {
  granularity: TimeGranularity;
  geoType: GeoBucketType;
  level: ReleaseLevel;
  epsilon: number;
  delta: number;
  enabled: boolean;
}

export interface PrivacyCap {
  epsilonCap: number;
  deltaCap: number;
}

/**
 * The default plan (PRIVACY.md "Default plan"; chosen with `npm run bench:utility`, see docs/privacy.md):
 * the seeds' per-release epsilon 0.5 for FULL DAY and WEEK at both geo types, the market-level
 * roll-ups buyers mostly want (city totals and single dimensions per day, totals per week and per
 * geohash3 day), and the HOUR family at CATEGORY and TOTAL; delta 1e-6 per entry.
 */
export const DEFAULT_RELEASE_PLAN: readonly PlanEntry[] = [
  ...planRows("day", "city_code", { full: 0.5, door_type: 0.2, category: 0.2, context: 0.2, total: 0.1 }),
  ...planRows("day", "geohash3", { full: 0.5 }),
  ...planRows("week", "city_code", { full: 0.5, category: 0.1, total: 0.1 }),
  ...planRows("week", "geohash3", { full: 0.5 }),
  ...planRows("hour", "city_code", { total: 0.1 }),
];

function planRows(
  granularity: TimeGranularity,
  geoType: GeoBucketType,
  epsilons: Record<string, number>,
): PlanEntry[] {
  return Object.entries(epsilons).map(([level, epsilon]) => ({
    granularity,
    geoType,
    level,
    epsilon,
    delta: 1e-6,
    enabled: true,
  }));
}

/** Geo types each granularity may release (the profiles'; HOUR is city-level only). */
const PLAN_GEO_TYPES: Record<TimeGranularity, readonly GeoBucketType[]> = {
  day: ["city_code", "geohash3"],
  week: ["city_code", "geohash3"],
  hour: ["city_code"],
};

/** Tolerance for comparing sums of epsilons stored as doubles. */
export const EPSILON_TOLERANCE = 1e-9;

/** epsilon_day and delta_day of a plan: the sums over its enabled entries. */
export function planTotals(entries: readonly PlanEntry[]): { epsilonDay: number; deltaDay: number } {
  let epsilonDay = 0;
  let deltaDay = 0;
  for (const entry of entries) {
    if (!entry.enabled) continue;
    epsilonDay += entry.epsilon;
    deltaDay += entry.delta;
  }
  return { epsilonDay: roundSum(epsilonDay), deltaDay: roundSum(deltaDay) };
}

/** Sums of a few doubles, rounded so that 0.1 + 0.2 reads 0.3 (12 significant digits). */
export function roundSum(value: number): number {
  return Number(value.toPrecision(12));
}

export interface PlanProblem {
  field: string[];
  code: string;
  message: string;
}

const finite = (name: string) =>
  z.number({ error: `${name} must be a number` }).refine(Number.isFinite, `${name} must be finite`);

const planEntrySchema = z.object({
  granularity: z.enum(TIME_GRANULARITIES),
  geoType: z.enum(["city_code", "geohash3"]),
  level: z.string(),
  epsilon: finite("epsilon"),
  delta: finite("delta"),
  enabled: z.boolean(),
});

/** The rules one entry must keep on its own (PRIVACY.md): finite, epsilon > 0, 0 < delta, a released level and geo type. */
export function planEntryProblems(entry: PlanEntry): PlanProblem[] {
  const parsed = planEntrySchema.safeParse(entry);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      field: ["input", ...issue.path.map(String)],
      code: "PLAN_VALUE_INVALID",
      message: issue.message,
    }));
  }
  const problems: PlanProblem[] = [];
  // Per release, never looser than the contract profile of the granularity (DAY and WEEK 0.5, HOUR
  // 0.25; delta 1e-6): the plan moves epsilon between entries, it never weakens one release.
  const contract = CONTRACT_RELEASE_PROFILES[entry.granularity];
  if (!(entry.epsilon > 0)) {
    problems.push({
      field: ["input", "epsilon"],
      code: "PLAN_VALUE_INVALID",
      message: `epsilon must be above 0, got ${entry.epsilon}.`,
    });
  } else if (entry.epsilon > contract.epsilon) {
    problems.push({
      field: ["input", "epsilon"],
      code: "PLAN_LOOSER_THAN_CONTRACT",
      message: `epsilon per ${entry.granularity} release may be at most the contract's ${contract.epsilon}, got ${entry.epsilon}.`,
    });
  }
  if (!(entry.delta > 0)) {
    problems.push({
      field: ["input", "delta"],
      code: "PLAN_VALUE_INVALID",
      message: `delta must be above 0, got ${entry.delta}.`,
    });
  } else if (entry.delta > contract.delta) {
    problems.push({
      field: ["input", "delta"],
      code: "PLAN_LOOSER_THAN_CONTRACT",
      message: `delta per release may be at most the contract's ${contract.delta}, got ${entry.delta}.`,
    });
  }
  if (!levelsAllowed(entry.granularity).includes(entry.level)) {
    problems.push({
      field: ["input", "breakdown"],
      code: "LEVEL_NOT_AVAILABLE",
      message: `${entry.granularity} releases only these levels: ${levelsAllowed(entry.granularity).join(", ")}; got ${entry.level}.`,
    });
  }
  if (!PLAN_GEO_TYPES[entry.granularity].includes(entry.geoType)) {
    problems.push({
      field: ["input", "geoBucketType"],
      code: "FILTER_NOT_ALLOWED",
      message: `${entry.granularity} releases only ${PLAN_GEO_TYPES[entry.granularity].join(", ")} buckets.`,
    });
  }
  return problems;
}

/** The rules a cap must keep: finite, above 0, at most the contract ceiling. */
export function capProblems(cap: PrivacyCap): PlanProblem[] {
  const problems: PlanProblem[] = [];
  if (!Number.isFinite(cap.epsilonCap) || !(cap.epsilonCap > 0) || cap.epsilonCap > CONTRACT_CAP.epsilon) {
    problems.push({
      field: ["input", "epsilonCap"],
      code: "CAP_ABOVE_CEILING",
      message: `epsilonCap must be above 0 and at most the contract ceiling ${CONTRACT_CAP.epsilon}, got ${cap.epsilonCap}.`,
    });
  }
  if (!Number.isFinite(cap.deltaCap) || !(cap.deltaCap > 0) || cap.deltaCap > CONTRACT_CAP.delta) {
    problems.push({
      field: ["input", "deltaCap"],
      code: "CAP_ABOVE_CEILING",
      message: `deltaCap must be above 0 and at most the contract ceiling ${CONTRACT_CAP.delta}, got ${cap.deltaCap}.`,
    });
  }
  return problems;
}

/** A plan whose enabled entries sum above the cap, described; empty when it fits. */
export function planOverCap(entries: readonly PlanEntry[], cap: PrivacyCap): PlanProblem[] {
  const { epsilonDay, deltaDay } = planTotals(entries);
  const problems: PlanProblem[] = [];
  if (epsilonDay > cap.epsilonCap + EPSILON_TOLERANCE) {
    problems.push({
      field: ["input", "epsilon"],
      code: "PLAN_EXCEEDS_CAP",
      message: `The plan's epsilon per participant-day would be ${epsilonDay}, above the cap ${cap.epsilonCap}. Lower or disable other entries first.`,
    });
  }
  if (deltaDay > cap.deltaCap * (1 + EPSILON_TOLERANCE)) {
    problems.push({
      field: ["input", "delta"],
      code: "PLAN_EXCEEDS_CAP",
      message: `The plan's delta per participant-day would be ${deltaDay}, above the cap ${cap.deltaCap}.`,
    });
  }
  return problems;
}

const PLAN = columnsOf(releasePlan, { omit: ["updatedAt", "updatedBy"] });

/** The stored plan, each entry validated again on read (a row edited around the API fails loudly). */
export async function loadReleasePlan(query: QueryFn): Promise<PlanEntry[]> {
  const rows = await query(`select ${PLAN.list} from release_plan order by granularity, geo_type, level`);
  const entries: PlanEntry[] = rows.map(PLAN.read);
  for (const entry of entries) {
    const problems = planEntryProblems(entry);
    if (problems.length > 0) {
      throw new Error(
        `release plan entry ${entry.granularity}/${entry.geoType}/${entry.level} is invalid: ${problems.map((p) => p.message).join(" ")}`,
      );
    }
  }
  return entries;
}

/** The stored cap, validated on read; the contract ceiling when no row was stored yet. */
export async function loadPrivacyCap(query: QueryFn): Promise<PrivacyCap> {
  const [row] = await query<{ epsilon_cap: number; delta_cap: number }>(
    "select epsilon_cap, delta_cap from privacy_cap",
  );
  const cap =
    row === undefined
      ? { epsilonCap: CONTRACT_CAP.epsilon, deltaCap: CONTRACT_CAP.delta }
      : { epsilonCap: Number(row.epsilon_cap), deltaCap: Number(row.delta_cap) };
  const problems = capProblems(cap);
  if (problems.length > 0) {
    throw new Error(`the stored privacy cap is invalid: ${problems.map((p) => p.message).join(" ")}`);
  }
  return cap;
}

/** The enabled entry for one release, if the plan has it. */
export function planEntryFor(
  entries: readonly PlanEntry[],
  granularity: TimeGranularity,
  geoType: GeoBucketType,
  level: ReleaseLevel,
): PlanEntry | undefined {
  return entries.find(
    (entry) =>
      entry.enabled &&
      entry.granularity === granularity &&
      entry.geoType === geoType &&
      entry.level === level,
  );
}
