import { apiError } from "../errors";
import {
  dimensionsOf,
  levelOf,
  levelsAllowed,
  type PlanEntry,
  planEntryFor,
  type ReleaseLevel,
  SEGMENT_DIMENSIONS,
  type SegmentDimension,
} from "../privacy/releasePlan";
import type { InsightsFilter } from "./insightsFilter";

/** The filter field that restricts each segment dimension. */
export const FILTER_FIELD_OF = {
  door_type: "doorTypes",
  category: "categories",
  context: "contexts",
} as const satisfies Record<SegmentDimension, keyof InsightsFilter>;

/** The dimensions a filter restricts (doorTypes, categories, contexts given), in lattice order. */
export function filteredDimensions(filter: InsightsFilter): SegmentDimension[] {
  return SEGMENT_DIMENSIONS.filter((dimension) => {
    const values = filter[FILTER_FIELD_OF[dimension]];
    return values !== null && values !== undefined;
  });
}

/**
 * The breakdown level a filter reads (CONTRACT.md `InsightsFilter.breakdown`): the given breakdown;
 * absent, FULL for DAY and WEEK, and for HOUR the dimension of its one segment filter, or TOTAL
 * without one. Undefined when HOUR filters on several dimensions without a breakdown (no HOUR level
 * keeps two). Depends on the filter alone, so the fingerprint can hash it.
 */
export function levelOfFilter(filter: InsightsFilter): ReleaseLevel | undefined {
  if (filter.breakdown !== null && filter.breakdown !== undefined) return levelOf(filter.breakdown);
  if (filter.granularity !== "hour") return "full";
  const filtered = filteredDimensions(filter);
  return filtered.length <= 1 ? levelOf(filtered) : undefined;
}

/** A level as a buyer writes it: `[DOOR_TYPE, CATEGORY]`, with (FULL) or (TOTAL) named. */
export function breakdownName(level: ReleaseLevel): string {
  const list = `[${breakdownValues(level).join(", ")}]`;
  return level === "full" ? `${list} (FULL)` : level === "total" ? `${list} (TOTAL)` : list;
}

/** The GraphQL enum values of a level's kept dimensions. */
export function breakdownValues(level: ReleaseLevel): string[] {
  return dimensionsOf(level).map((dimension) => dimension.toUpperCase());
}

/**
 * The level a filter may read under the plan, or the refusal: HOUR with several filtered dimensions
 * and no breakdown, a level the plan does not release for this granularity and geo type
 * (LEVEL_NOT_AVAILABLE, naming those it releases), or a filter on a dimension the level rolls up.
 */
export function readableLevel(filter: InsightsFilter, plan: readonly PlanEntry[]): ReleaseLevel {
  const granularity = filter.granularity.toUpperCase();
  const level = levelOfFilter(filter);
  if (level === undefined) {
    const fields = filteredDimensions(filter).map((dimension) => FILTER_FIELD_OF[dimension]);
    throw apiError(
      "FILTER_NOT_ALLOWED",
      `HOUR cells are released per single segment dimension or as totals, and this request filters on ${fields.join(", ")} without a breakdown. Filter on one of doorTypes, categories and contexts, or give breakdown naming the one dimension to read (its filter only).`,
      { field: "breakdown", limit: 1, actual: fields.length },
    );
  }
  const released = levelsAllowed(filter.granularity).filter(
    (candidate) => planEntryFor(plan, filter.granularity, filter.geoBucketType, candidate) !== undefined,
  );
  if (!released.includes(level)) {
    throw apiError(
      "LEVEL_NOT_AVAILABLE",
      `${granularity} ${filter.geoBucketType.toUpperCase()} cells are not released at breakdown ${breakdownName(level)}. The release plan releases ${released.length === 0 ? "no level" : released.map(breakdownName).join(", ")} for them; choose one of those. Nothing was charged.`,
      { field: "breakdown", released: released.map(breakdownValues) },
    );
  }
  const kept = dimensionsOf(level);
  const rolledUp = filteredDimensions(filter).filter((dimension) => !kept.includes(dimension));
  const [firstRolledUp] = rolledUp;
  if (firstRolledUp !== undefined) {
    const fields = rolledUp.map((dimension) => FILTER_FIELD_OF[dimension]);
    throw apiError(
      "FILTER_NOT_ALLOWED",
      `breakdown ${breakdownName(level)} rolls up ${rolledUp.map((dimension) => dimension.toUpperCase()).join(", ")} (its cells read all of them), so the filter ${fields.join(", ")} cannot apply. Drop ${fields.length === 1 ? "that filter" : "those filters"}, or read a level that keeps ${rolledUp.length === 1 ? "that dimension" : "them"}. Nothing was charged.`,
      { field: FILTER_FIELD_OF[firstRolledUp], breakdown: breakdownValues(level) },
    );
  }
  return level;
}
