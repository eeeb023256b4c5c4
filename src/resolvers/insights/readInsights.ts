import type { DatabaseHandle } from "../../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import { apiError } from "../../errors";
import { bucketKey } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import { dimensionsOf, type ReleaseLevel, type SegmentDimension } from "../../privacy/releasePlan";
import type { InsightsFilter } from "./insightsFilter";
import { type TrendReader, trendScores } from "./trendScores";

export interface ReleaseRef {
  id: string;
  bucketStart: Date;
  version: number;
  /** What a buyer is charged for: the release itself, or for HOUR its family (one day, bounded together). */
  familyId: string;
  /** The release's epsilon: its buyer cost, once per family. */
  epsilon: number;
}

/** One stored cell with what its record needs from its release. */
export interface InsightCellRow {
  releaseId: string;
  bucketStart: Date;
  granularity: TimeGranularity;
  geoType: GeoBucketType;
  geoBucketId: string;
  /** Null when the release's level rolls the dimension up ("all"). */
  doorType: string | null;
  category: string | null;
  context: string | null;
  uniqueParticipantsEst: number | null;
  doorsOpenedEst: number | null;
  repeatRateEst: number | null;
  /** Computed at read time for this reader (see trendScores), never stored. */
  trendScoreEst: number | null;
  suppressed: boolean;
  suppressedReason: string | null;
  trueUniqueParticipants: number;
  trueDoorsOpened: number;
  topContributorShare: number;
}

export interface InsightsPage {
  rows: InsightCellRow[];
  totalCount: number;
  hasNextPage: boolean;
  releases: ReleaseRef[];
  missingBuckets: Date[];
}

/** The current release of each bucket in the range at one breakdown level; buckets without one are "missing". */
export async function currentReleases(
  database: DatabaseHandle,
  filter: InsightsFilter,
  level: ReleaseLevel,
  buckets: Date[],
): Promise<{ releases: ReleaseRef[]; missingBuckets: Date[] }> {
  const rows = await database.query<{
    id: string;
    bucket_start: Date;
    version: number;
    family_id: string;
    epsilon: number;
  }>(
    `select id, bucket_start, version, family_id, epsilon from releases
     where granularity = $1 and geo_type = $2 and level = $3 and current and retired_at is null
       and bucket_start >= $4 and bucket_start < $5
     order by bucket_start`,
    [filter.granularity, filter.geoBucketType, level, filter.timeBucketStartUtc, filter.timeBucketEndUtc],
  );
  const releases = rows.map((row) => ({
    id: row.id,
    bucketStart: new Date(row.bucket_start),
    version: row.version,
    familyId: row.family_id,
    epsilon: Number(row.epsilon),
  }));
  const have = new Set(releases.map((release) => release.bucketStart.getTime()));
  return { releases, missingBuckets: buckets.filter((bucket) => !have.has(bucket.getTime())) };
}

/** A cell's position in the order; a rolled-up dimension is null (constant within a level). */
interface CursorKey {
  bucketStart: string;
  geoBucketId: string;
  doorType: string | null;
  category: string | null;
  context: string | null;
}

/** Each segment dimension's cell column, cursor key, enum type and values. */
const DIMENSION_COLUMNS = {
  door_type: { column: "c.door_type", key: "doorType", type: "door_type", values: DOOR_TYPES },
  category: { column: "c.category", key: "category", type: "category", values: CATEGORIES },
  context: { column: "c.context", key: "context", type: "segment_context", values: SEGMENT_CONTEXTS },
} as const satisfies Record<
  SegmentDimension,
  { column: string; key: keyof CursorKey; type: string; values: readonly string[] }
>;

export function encodeCursor(row: InsightCellRow): string {
  const key: CursorKey = {
    bucketStart: bucketKey(row.bucketStart),
    geoBucketId: row.geoBucketId,
    doorType: row.doorType,
    category: row.category,
    context: row.context,
  };
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/**
 * Decodes an `after` cursor, refusing anything this query could not have returned (checked before
 * any charge): the level's kept dimensions hold one of their values, its rolled-up ones are null.
 */
export function decodeCursor(cursor: string, level: ReleaseLevel): CursorKey {
  try {
    if (cursor.length > 512) throw new Error("too long");
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as Partial<CursorKey>;
    const kept = dimensionsOf(level);
    const segmentFits = (Object.keys(DIMENSION_COLUMNS) as SegmentDimension[]).every((dimension) => {
      const { key: name, values } = DIMENSION_COLUMNS[dimension];
      const value = key[name];
      return kept.includes(dimension)
        ? typeof value === "string" && (values as readonly string[]).includes(value)
        : value === null;
    });
    if (
      typeof key.bucketStart === "string" &&
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(key.bucketStart) &&
      !Number.isNaN(new Date(key.bucketStart).getTime()) &&
      typeof key.geoBucketId === "string" &&
      /^[a-z0-9-]{1,16}$/.test(key.geoBucketId) &&
      segmentFits
    ) {
      return key as CursorKey;
    }
  } catch {
    // fall through to the error below
  }
  throw apiError("BAD_USER_INPUT", "after is not a cursor returned by this query.", { field: "after" });
}

/** The where clause (over insight_cells c) and parameters selecting a filter's cells of the given releases. */
function cellFilter(filter: InsightsFilter, releases: ReleaseRef[]): { where: string[]; params: unknown[] } {
  const params: unknown[] = [releases.map((release) => release.id)];
  const where = ["c.release_id = any($1::uuid[])"];
  // Enum columns compare as text: PGlite cannot bind enum arrays.
  const addSet = (column: string, values: readonly string[] | null | undefined) => {
    if (values === null || values === undefined) return;
    params.push([...new Set(values)]);
    where.push(`${column}::text = any($${params.length}::text[])`);
  };
  addSet("c.geo_bucket_id", filter.geoBucketIds);
  addSet("c.door_type", filter.doorTypes);
  addSet("c.category", filter.categories);
  addSet("c.context", filter.contexts);
  return { where, params };
}

/** How many cells of the given releases match the filter, across all pages: one statement. */
export async function countInsightCells(
  database: DatabaseHandle,
  filter: InsightsFilter,
  releases: ReleaseRef[],
): Promise<number> {
  if (releases.length === 0) return 0;
  const { where, params } = cellFilter(filter, releases);
  const [count] = await database.query<{ n: number }>(
    `select count(*)::int as n from insight_cells c where ${where.join(" and ")}`,
    params,
  );
  return count?.n ?? 0;
}

/**
 * A page of cells over the given releases (all of one level), ordered by (bucket, geo, then the
 * level's kept dimensions among door type, category, context: its rolled-up ones are null in every
 * cell), keyset-paginated, with the reader's trend scores. Two statements (a buyer: up to three),
 * whatever the page size; the total is countInsightCells, run only when a client selects it.
 */
export async function readInsightCells(
  database: DatabaseHandle,
  filter: InsightsFilter,
  level: ReleaseLevel,
  releases: ReleaseRef[],
  page: { first: number; after?: string | null },
  trendReader: TrendReader,
): Promise<{ rows: InsightCellRow[]; hasNextPage: boolean }> {
  if (releases.length === 0) return { rows: [], hasNextPage: false };
  const { where, params } = cellFilter(filter, releases);
  const kept = dimensionsOf(level).map((dimension) => DIMENSION_COLUMNS[dimension]);
  const orderColumns = ["r.bucket_start", "c.geo_bucket_id", ...kept.map((dimension) => dimension.column)];
  if (page.after) {
    const cursor = decodeCursor(page.after, level);
    params.push(cursor.bucketStart, cursor.geoBucketId);
    const bounds = [`$${params.length - 1}::timestamptz`, `$${params.length}`];
    for (const dimension of kept) {
      params.push(cursor[dimension.key]);
      bounds.push(`$${params.length}::${dimension.type}`);
    }
    where.push(`(${orderColumns.join(", ")}) > (${bounds.join(", ")})`);
  }
  params.push(page.first + 1);
  const rows = await database.query<{
    release_id: string;
    bucket_start: Date;
    granularity: TimeGranularity;
    geo_type: GeoBucketType;
    geo_bucket_id: string;
    door_type: string | null;
    category: string | null;
    context: string | null;
    unique_participants_est: number | null;
    doors_opened_est: number | null;
    repeat_rate_est: number | null;
    suppressed: boolean;
    suppressed_reason: string | null;
    true_unique_participants: number;
    true_doors_opened: number;
    top_contributor_share: number;
  }>(
    `select c.release_id, r.bucket_start, r.granularity, r.geo_type, c.geo_bucket_id, c.door_type, c.category, c.context,
            c.unique_participants_est, c.doors_opened_est, c.repeat_rate_est, c.suppressed,
            c.suppressed_reason, c.true_unique_participants, c.true_doors_opened, c.top_contributor_share
     from insight_cells c join releases r on r.id = c.release_id
     where ${where.join(" and ")}
     order by ${orderColumns.join(", ")}
     limit $${params.length}`,
    params,
  );
  const pageRows = rows.slice(0, page.first).map(
    (row): InsightCellRow => ({
      releaseId: row.release_id,
      bucketStart: new Date(row.bucket_start),
      granularity: row.granularity,
      geoType: row.geo_type,
      geoBucketId: row.geo_bucket_id,
      doorType: row.door_type,
      category: row.category,
      context: row.context,
      uniqueParticipantsEst: row.unique_participants_est,
      doorsOpenedEst: row.doors_opened_est,
      repeatRateEst: row.repeat_rate_est,
      trendScoreEst: null,
      suppressed: row.suppressed,
      suppressedReason: row.suppressed_reason,
      trueUniqueParticipants: row.true_unique_participants,
      trueDoorsOpened: row.true_doors_opened,
      topContributorShare: row.top_contributor_share,
    }),
  );
  const trends = await trendScores(
    database,
    { granularity: filter.granularity, geoType: filter.geoBucketType, level },
    pageRows,
    trendReader,
  );
  return {
    rows: pageRows.map((row, index) => ({ ...row, trendScoreEst: trends[index] ?? null })),
    hasNextPage: rows.length > page.first,
  };
}
