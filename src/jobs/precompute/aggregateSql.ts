import type { GeoBucketType } from "../../privacy/cellKey";

// Contexts on the UTC clock: weekend first, then the time of day.
const CONTEXT_SQL = `case
    when extract(isodow from e.occurred_at at time zone 'UTC') >= 6 then 'weekend'
    when extract(hour from e.occurred_at at time zone 'UTC') >= 6 and extract(hour from e.occurred_at at time zone 'UTC') < 11 then 'morning'
    when extract(hour from e.occurred_at at time zone 'UTC') >= 11 and extract(hour from e.occurred_at at time zone 'UTC') < 16 then 'midday'
    when extract(hour from e.occurred_at at time zone 'UTC') >= 16 and extract(hour from e.occurred_at at time zone 'UTC') < 23 then 'evening'
    else 'unknown' end`;

/**
 * Per-cell totals of one bucket, computed where the events live (never pulling raw rows into
 * Node). Per participant: doors per cell clamped to C ($4), then at most L0 ($5) cells kept in
 * keyed-hash order ($3 is a secret salt derived from the noise key, so the choice is reproducible
 * but not predictable). Params: $1 bucket start, $2 bucket end.
 */
export function cellTotalsSql(geoType: GeoBucketType): string {
  const geo = geoType === "city_code" ? "m.city_code" : "m.geohash3";
  return `
    with per_cell as (
      select e.participant_id, ${geo} as geo_bucket_id, e.door_type::text as door_type,
             e.category::text as category, ${CONTEXT_SQL} as context, count(*) as doors
      from interaction_events e
      join city_geohash3_map m on m.geohash3 = e.geohash3
      where e.occurred_at >= $1::timestamptz and e.occurred_at < $2::timestamptz
      group by 1, 2, 3, 4, 5
    ),
    bounded as (
      select geo_bucket_id, door_type, category, context, least(doors, $4::int) as doors,
             row_number() over (
               partition by participant_id
               order by md5($3::text || participant_id || '|' || geo_bucket_id || '|' || door_type || '|' || category || '|' || context)
             ) as cell_rank
      from per_cell
    )
    select geo_bucket_id, door_type, category, context,
           count(*)::int as unique_participants,
           sum(doors)::int as doors_opened,
           (count(*) filter (where doors >= 2))::int as repeat_participants,
           max(doors)::int as top_doors
    from bounded
    where cell_rank <= $5::int
    group by 1, 2, 3, 4`;
}

/** The public lattice's geo axis: every city code, or every mapped geohash3 cell. */
export function geoBucketsSql(geoType: GeoBucketType): string {
  return geoType === "city_code"
    ? "select code as id from city_definitions order by code"
    : "select geohash3 as id from city_geohash3_map order by geohash3";
}
