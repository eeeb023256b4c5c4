import type { DatabaseHandle } from "../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../db/schema/enums";
import { apiError } from "../errors";
import { bucketKey } from "../privacy/buckets";
import type { GeoBucketType } from "../privacy/cellKey";
import {
  dimensionsOf,
  type ReleaseLevel,
  SEGMENT_DIMENSIONS,
  type SegmentDimension,
} from "../privacy/releasePlan";
import type { InsightsFilter } from "./insightsFilter";
import { type TrendReader, trendScore } from "./trendScores";

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
    { prepare: true },
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

/** The where clause (over insight_cells c) and parameters selecting a filter's segment and geo cells, numbered after `params`. */
function segmentFilter(filter: InsightsFilter, params: unknown[]): string[] {
  const where: string[] = [];
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
  return where;
}

/** How many cells of the given releases match the filter, across all pages: one statement. */
export async function countInsightCells(
  database: DatabaseHandle,
  filter: InsightsFilter,
  releases: ReleaseRef[],
): Promise<number> {
  if (releases.length === 0) return 0;
  const params: unknown[] = [releases.map((release) => release.id)];
  const where = ["c.release_id = any($1::uuid[])", ...segmentFilter(filter, params)];
  const [count] = await database.query<{ n: number }>(
    `select count(*)::int as n from insight_cells c where ${where.join(" and ")}`,
    params,
  );
  return count?.n ?? 0;
}

/** The interval from a bucket to the previous one, in hours (exact whatever the session's time zone). */
const PREVIOUS_BUCKET = { hour: "1 hour", day: "24 hours", week: "168 hours" } as const;

/** How the previous cell's segment column matches: equal on a kept dimension, null on a rolled-up one. */
const PREVIOUS_SEGMENT = {
  door_type: { equal: "v.door_type = p.door_type", rolledUp: "v.door_type is null" },
  category: { equal: "v.category = p.category", rolledUp: "v.category is null" },
  context: { equal: "v.context = p.context", rolledUp: "v.context is null" },
} as const;

export interface InsightsPageRequest {
  filter: InsightsFilter;
  level: ReleaseLevel;
  /** The buckets of the filter's range (from validateInsightsFilter), to name those without a release. */
  buckets: Date[];
  /** The releases to read (a buyer's, fixed and charged by the policy); absent: the current ones of the range. */
  releases?: ReleaseRef[];
  page: { first: number; after?: string | null };
  trendReader: TrendReader;
  /** Count the filter's cells across all pages in the same statement. */
  withTotal: boolean;
}

export interface InsightsPageResult {
  releases: ReleaseRef[];
  missingBuckets: Date[];
  rows: InsightCellRow[];
  hasNextPage: boolean;
  /** Present when asked for (withTotal). */
  totalCount?: number;
}

/**
 * A page of cells at one breakdown level, in one statement: the releases (the given ones, or the
 * current ones of the range), the page ordered by (bucket, geo, then the level's kept dimensions
 * among door type, category, context: its rolled-up ones are null in every cell) and keyset-paginated,
 * each cell's trend against the same cell of the previous bucket's current release of the level
 * (for a buyer only where it was charged for that release's family in its budget window), and the
 * total when asked for. The result comes back as JSON in one row: one round trip whatever the page size.
 */
export async function readInsightsPage(
  database: DatabaseHandle,
  request: InsightsPageRequest,
): Promise<InsightsPageResult> {
  const { filter, level, page, trendReader } = request;
  const params: unknown[] = [filter.granularity, filter.geoBucketType, level];
  let releaseWhere: string;
  if (request.releases === undefined) {
    params.push(filter.timeBucketStartUtc, filter.timeBucketEndUtc);
    releaseWhere = `granularity = $1 and geo_type = $2 and level = $3 and current and retired_at is null
       and bucket_start >= $4 and bucket_start < $5`;
  } else {
    params.push(request.releases.map((release) => release.id));
    releaseWhere = "id = any($4::uuid[])";
  }
  const where = segmentFilter(filter, params);
  const kept = dimensionsOf(level).map((dimension) => DIMENSION_COLUMNS[dimension]);
  const orderColumns = ["r.bucket_start", "c.geo_bucket_id", ...kept.map((dimension) => dimension.column)];
  const pageWhere = [...where];
  if (page.after) {
    const cursor = decodeCursor(page.after, level);
    params.push(cursor.bucketStart, cursor.geoBucketId);
    const bounds = [`$${params.length - 1}::timestamptz`, `$${params.length}`];
    for (const dimension of kept) {
      params.push(cursor[dimension.key]);
      bounds.push(`$${params.length}::${dimension.type}`);
    }
    pageWhere.push(`(${orderColumns.join(", ")}) > (${bounds.join(", ")})`);
  }
  params.push(page.first + 1);
  const limit = `$${params.length}`;
  params.push(PREVIOUS_BUCKET[filter.granularity]);
  const step = `$${params.length}::interval`;
  const keptNames = dimensionsOf(level);
  const previousSegment = SEGMENT_DIMENSIONS.map((dimension) =>
    keptNames.includes(dimension) ? PREVIOUS_SEGMENT[dimension].equal : PREVIOUS_SEGMENT[dimension].rolledUp,
  ).join(" and ");
  let trendVisible = "true";
  if (trendReader.kind === "buyer") {
    params.push(trendReader.partnerId, trendReader.budgetWindowStart);
    trendVisible = `exists (select 1 from budget_charges b where b.partner_id = $${params.length - 1}
       and b.charged_at > $${params.length}::timestamptz and b.release_id = q.family_id)`;
  }
  const and = (conditions: string[]) => (conditions.length === 0 ? "" : ` and ${conditions.join(" and ")}`);
  const [row] = await database.query<{ releases: ReleaseJson[]; cells: CellJson[]; total: number | null }>(
    `with rel as materialized (
       select id, bucket_start, version, family_id, epsilon from releases where ${releaseWhere}
     ),
     p as (
       select c.release_id, r.bucket_start, c.geo_bucket_id, c.door_type, c.category, c.context,
              c.unique_participants_est, c.doors_opened_est, c.repeat_rate_est, c.suppressed, c.suppressed_reason,
              c.true_unique_participants, c.true_doors_opened, c.top_contributor_share
       from insight_cells c join rel r on r.id = c.release_id
       where true${and(pageWhere)}
       order by ${orderColumns.join(", ")}
       limit ${limit}
     )
     select
       (select coalesce(json_agg(json_build_object('id', id, 'bucketStart', bucket_start, 'version', version,
                 'familyId', family_id, 'epsilon', epsilon) order by bucket_start), '[]'::json) from rel) as releases,
       (select coalesce(json_agg(json_build_object(
                 'releaseId', p.release_id, 'bucketStart', p.bucket_start, 'geoBucketId', p.geo_bucket_id,
                 'doorType', p.door_type, 'category', p.category, 'context', p.context,
                 'u', p.unique_participants_est, 'd', p.doors_opened_est, 'rr', p.repeat_rate_est,
                 's', p.suppressed, 'sr', p.suppressed_reason, 'tu', p.true_unique_participants,
                 'td', p.true_doors_opened, 'ts', p.top_contributor_share,
                 'prev', case when ${trendVisible} then q.estimate end)
               order by ${orderColumns.map((column) => column.replace(/^[rc]\./, "p.")).join(", ")}), '[]'::json)
        from p left join lateral (
          select v.unique_participants_est as estimate, w.family_id
          from releases w join insight_cells v on v.release_id = w.id
          where p.unique_participants_est is not null
            and w.granularity = $1 and w.geo_type = $2 and w.level = $3 and w.current and w.retired_at is null
            and w.bucket_start = p.bucket_start - ${step}
            and v.geo_bucket_id = p.geo_bucket_id and ${previousSegment}
            and v.unique_participants_est is not null
          limit 1
        ) q on true) as cells,
       ${
         request.withTotal
           ? `(select count(*)::int from insight_cells c join rel r on r.id = c.release_id where true${and(where)})`
           : "null::int"
       } as total`,
    params,
    { prepare: true },
  );
  const releases = (row?.releases ?? []).map(
    (release): ReleaseRef => ({
      id: release.id,
      bucketStart: new Date(release.bucketStart),
      version: release.version,
      familyId: release.familyId,
      epsilon: Number(release.epsilon),
    }),
  );
  const have = new Set(releases.map((release) => release.bucketStart.getTime()));
  const cells = row?.cells ?? [];
  const rows = cells.slice(0, page.first).map(
    (cell): InsightCellRow => ({
      releaseId: cell.releaseId,
      bucketStart: new Date(cell.bucketStart),
      granularity: filter.granularity,
      geoType: filter.geoBucketType,
      geoBucketId: cell.geoBucketId,
      doorType: cell.doorType,
      category: cell.category,
      context: cell.context,
      uniqueParticipantsEst: cell.u,
      doorsOpenedEst: cell.d,
      repeatRateEst: cell.rr,
      trendScoreEst: trendScore(cell.u, cell.prev),
      suppressed: cell.s,
      suppressedReason: cell.sr,
      trueUniqueParticipants: cell.tu,
      trueDoorsOpened: cell.td,
      topContributorShare: cell.ts,
    }),
  );
  return {
    releases,
    missingBuckets: request.buckets.filter((bucket) => !have.has(bucket.getTime())),
    rows,
    hasNextPage: cells.length > page.first,
    ...(row?.total === null || row?.total === undefined ? {} : { totalCount: row.total }),
  };
}

interface ReleaseJson {
  id: string;
  bucketStart: string;
  version: number;
  familyId: string;
  epsilon: number;
}

/** A cell as the page statement returns it (short keys: the JSON is built and parsed per cell). */
interface CellJson {
  releaseId: string;
  bucketStart: string;
  geoBucketId: string;
  doorType: string | null;
  category: string | null;
  context: string | null;
  u: number | null;
  d: number | null;
  rr: number | null;
  s: boolean;
  sr: string | null;
  tu: number;
  td: number;
  ts: number;
  /** The previous bucket's unique estimate of the same cell, when this reader may see the trend. */
  prev: number | null;
}
