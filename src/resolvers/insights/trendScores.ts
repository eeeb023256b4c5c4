import type { DatabaseHandle } from "../../db/client";
import type { TimeGranularity } from "../../db/schema/enums";
import { chargedReleaseIds } from "../../policy/budget";
import { BUCKET_MS } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import { dimensionsOf, type ReleaseLevel, SEGMENT_DIMENSIONS } from "../../privacy/releasePlan";

/**
 * Who reads the trend: INTERNAL and OPERATOR see every trend; a buyer only trends whose previous
 * release it was charged for in its current budget window (PRIVACY.md, step 3).
 */
export type TrendReader =
  | { kind: "unrestricted" }
  | { kind: "buyer"; partnerId: string; budgetWindowStart: Date };

/** A cell of the page: where it is and its published unique estimate (null when suppressed). */
export interface TrendCell {
  bucketStart: Date;
  geoBucketId: string;
  /** Null when the level rolls the dimension up. */
  doorType: string | null;
  category: string | null;
  context: string | null;
  uniqueParticipantsEst: number | null;
}

const RATIO_DIGITS = 1e4;

/** 0.5 = as many participants as the previous bucket, towards 1 growing, towards 0 shrinking. */
export function trendScore(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || current + previous === 0) return null;
  return Math.round((current / (current + previous)) * RATIO_DIGITS) / RATIO_DIGITS;
}

/** How the previous cell's segment column matches: equal on a kept dimension, null on a rolled-up one. */
const SEGMENT_JOIN = {
  door_type: { equal: "c.door_type = k.door::door_type", rolledUp: "c.door_type is null" },
  category: { equal: "c.category = k.category::category", rolledUp: "c.category is null" },
  context: { equal: "c.context = k.context::segment_context", rolledUp: "c.context is null" },
} as const;

/** A rolled-up dimension's placeholder in the key arrays (never compared: the join tests is null). */
const ALL = "all";

/**
 * Each cell's trend against the same cell (granularity, geo type, level, geo bucket, segment) in
 * the previous bucket's current release of that level: one statement per page, plus one charge lookup for a buyer.
 * Post-processing of published estimates, so no privacy loss; the rule is that a buyer sees a trend
 * only from an estimate it paid for, so the trend cannot hand out the previous bucket for free.
 */
export async function trendScores(
  database: DatabaseHandle,
  release: { granularity: TimeGranularity; geoType: GeoBucketType; level: ReleaseLevel },
  cells: readonly TrendCell[],
  reader: TrendReader,
): Promise<Array<number | null>> {
  if (cells.length === 0) return [];
  const step = BUCKET_MS[release.granularity];
  const asked = cells.flatMap((cell, index) =>
    cell.uniqueParticipantsEst === null ? [] : [{ cell, index }],
  );
  // Enum columns travel as text and are cast on the key side, so the unique index still serves the
  // join (is null included); a rolled-up dimension is null in every cell of the level.
  // A buyer is charged per family (an HOUR day once): the previous release counts as paid for when its family is.
  const kept = dimensionsOf(release.level);
  const segmentJoin = SEGMENT_DIMENSIONS.map((dimension) =>
    kept.includes(dimension) ? SEGMENT_JOIN[dimension].equal : SEGMENT_JOIN[dimension].rolledUp,
  ).join(" and ");
  const previous = await database.query<{ ord: number; family_id: string; estimate: number }>(
    `select k.ord::int as ord, r.family_id, c.unique_participants_est as estimate
     from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) with ordinality
            as k(bucket_start, geo, door, category, context, ord)
     join releases r on r.granularity = $1 and r.geo_type = $2 and r.level = $8 and r.current
                     and r.retired_at is null
                     and r.bucket_start = k.bucket_start::timestamptz
     join insight_cells c on c.release_id = r.id and c.geo_bucket_id = k.geo and ${segmentJoin}
     where c.unique_participants_est is not null`,
    [
      release.granularity,
      release.geoType,
      asked.map(({ cell }) => new Date(cell.bucketStart.getTime() - step).toISOString()),
      asked.map(({ cell }) => cell.geoBucketId),
      asked.map(({ cell }) => cell.doorType ?? ALL),
      asked.map(({ cell }) => cell.category ?? ALL),
      asked.map(({ cell }) => cell.context ?? ALL),
      release.level,
    ],
  );
  const visible =
    reader.kind === "unrestricted"
      ? null
      : await chargedReleaseIds(
          database.query,
          reader.partnerId,
          reader.budgetWindowStart,
          previous.map((row) => row.family_id),
        );
  const trends: Array<number | null> = cells.map(() => null);
  for (const row of previous) {
    const target = asked[row.ord - 1];
    if (target === undefined || (visible !== null && !visible.has(row.family_id))) continue;
    trends[target.index] = trendScore(target.cell.uniqueParticipantsEst, row.estimate);
  }
  return trends;
}
