import type { TimeGranularity } from "../../db/schema/enums";
import type { GeoBucketType } from "../../privacy/cellKey";

// Contexts on the UTC clock, as small integers while sorting (1 morning, 2 midday, 3 evening,
// 4 weekend, 5 unknown), named only in the final, small result.
const CONTEXT_CODE_SQL = `case
    when date_part('isodow', e.occurred_at at time zone 'UTC') >= 6 then 4
    when date_part('hour', e.occurred_at at time zone 'UTC') >= 6 and date_part('hour', e.occurred_at at time zone 'UTC') < 11 then 1
    when date_part('hour', e.occurred_at at time zone 'UTC') >= 11 and date_part('hour', e.occurred_at at time zone 'UTC') < 16 then 2
    when date_part('hour', e.occurred_at at time zone 'UTC') >= 16 and date_part('hour', e.occurred_at at time zone 'UTC') < 23 then 3
    else 5 end`;
const CONTEXT_NAME_SQL = "(array['morning', 'midday', 'evening', 'weekend', 'unknown'])[context_code]";

// date_trunc('week') is the ISO week (Monday 00:00), the same buckets as src/privacy/buckets.ts.
const BUCKET_SQL: Record<TimeGranularity, string> = {
  hour: "date_trunc('hour', e.occurred_at at time zone 'UTC') at time zone 'UTC'",
  day: "date_trunc('day', e.occurred_at at time zone 'UTC') at time zone 'UTC'",
  week: "date_trunc('week', e.occurred_at at time zone 'UTC') at time zone 'UTC'",
};

export interface CellTotalsRow {
  bucket_start: Date;
  geo_bucket_id: string;
  door_type: string;
  category: string;
  context: string;
  unique_participants: number;
  doors_opened: number;
  repeat_participants: number;
  top_doors: number;
}

/**
 * Per-cell totals of every bucket in [$1, $2), computed where the events live (raw rows never
 * reach Node), in one pass however many buckets. Per participant and bucket: doors per cell
 * clamped to C ($4), then at most L0 ($5) cells kept in keyed-hash order ($3 is a secret 64-bit
 * seed derived from the noise key, so the choice is reproducible but not predictable).
 */
export function cellTotalsSql(granularity: TimeGranularity, geoType: GeoBucketType): string {
  const geo = geoType === "city_code" ? "m.city_code" : "m.geohash3";
  return `
    with per_cell as (
      select ${BUCKET_SQL[granularity]} as bucket_start, e.participant_id, ${geo} as geo_bucket_id,
             e.door_type::text as door_type, e.category::text as category, ${CONTEXT_CODE_SQL} as context_code,
             count(*) as doors
      from interaction_events e
      join city_geohash3_map m on m.geohash3 = e.geohash3
      where e.occurred_at >= $1::timestamptz and e.occurred_at < $2::timestamptz
      group by 1, 2, 3, 4, 5, 6
    ),
    bounded as (
      select bucket_start, geo_bucket_id, door_type, category, context_code, least(doors, $4::int) as doors,
             row_number() over (
               partition by bucket_start, participant_id
               order by hashtextextended(participant_id || '|' || geo_bucket_id || '|' || door_type || '|' || category || '|' || context_code, $3::bigint)
             ) as cell_rank
      from per_cell
    )
    select bucket_start, geo_bucket_id, door_type, category, ${CONTEXT_NAME_SQL} as context,
           count(*)::int as unique_participants,
           sum(doors)::int as doors_opened,
           (count(*) filter (where doors >= 2))::int as repeat_participants,
           max(doors)::int as top_doors
    from bounded
    where cell_rank <= $5::int
    group by bucket_start, geo_bucket_id, door_type, category, context_code`;
}

/** Session settings for the totals query: room to sort in memory, and no JIT compile (it costs more than it saves here). */
export const CELL_TOTALS_SETTINGS = ["set local work_mem = '256MB'", "set local jit = off"];

/** The public lattice's geo axis: every city code, or every mapped geohash3 cell. */
export function geoBucketsSql(geoType: GeoBucketType): string {
  return geoType === "city_code"
    ? "select code as id from city_definitions order by code"
    : "select geohash3 as id from city_geohash3_map order by geohash3";
}
