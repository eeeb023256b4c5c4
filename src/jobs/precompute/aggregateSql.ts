import { WORK_MEM } from "../../config";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import type { GeoBucketType } from "../../privacy/cellKey";

/**
 * The contribution-bounded per-cell totals of a run of consecutive buckets, computed where the
 * events live (raw rows never reach Node), for one or both geo types in the same pass.
 *
 * The privacy unit is a participant-day (PRIVACY.md), so a participant's cells are ranked within
 * one (window unit, participant) partition: DAY, one day bucket (a participant-day already);
 * HOUR, one UTC day, whose (hour, cell) pairs are ranked together, so a participant-day keeps at
 * most L0 pairs over the whole day; WEEK, one UTC day of the week, whose week cells are ranked
 * per day.
 *
 * Per event, in SQL: one segment ordinal (0..134) for door type, category and context (stable across
 * databases, unlike enum OIDs), the bucket's index within the run (HOUR and WEEK: also the day's),
 * and a keyed 64-bit participant hash. Events are sorted once by (unit, participant, keyed
 * city-cell order, keyed geo-cell order); on that one order, window ranks give each participant's
 * L0 first cells per geo type and unit. DAY and HOUR: each event's position within its cell then
 * tells whether it counts as a door (positions <= C), as a participant (position 1) and as a
 * repeat participant (position 2). A final hash aggregate sums per cell, first into compact rows
 * (one per bucket, geo cell, city cell, segment and the two capped positions), so the grouping
 * sets read ~10^5 rows instead of one per event. WEEK: the events of the cells each day chose are
 * counted per (week, participant, week cell), n, in one hash aggregate; the participant counts
 * once, with min(n, C) doors (the clamp over the whole week; only the count matters, so no event
 * order is needed) and as a repeat participant when min(n, C) >= 2. The sort key leads with one
 * bigint that packs the unit index above the participant hash's high bits, so almost every
 * comparison ends on it; the participant's own id follows, so two participants whose hashes
 * collide are still bounded apart.
 *
 * HOUR reads whole UTC days ($4, $5 on day boundaries, `bucketCount` a multiple of 24), bounds each
 * day, and returns only the requested hours ($15, $16), so one hour computed alone keeps exactly
 * what its whole day keeps. The keyed order of an (hour, cell) pair also hashes the absolute hour,
 * so a participant's kept pairs spread over the day rather than following the clock. WEEK's keyed
 * cell order is the participant's own (as DAY's), the same on every day of the week.
 *
 * Parameters:
 *   $1 text[] geohash3 of the map, $2 int[] its geo index (1-based), $3 int[] its city index
 *   $4 timestamptz run start, $5 timestamptz run end, $6 bigint the run's first absolute bucket
 *   $7 bigint participant seed, $8 bigint city-order seed, $9 bigint geo-order seed
 *   $10 int C (doors per participant per cell), $11 int L0 (cells per participant per unit)
 *   $12 int participant partitions, $13 int this partition (participants split by hash, so
 *       partitions are disjoint and their totals add up; with `participantPartitioned` false they
 *       must be 1 and 0), $14 text[] the city code of each geohash3
 *   HOUR only: $15 int the first returned hour's index within the run, $16 int how many hours
 * Rows: bucket (index within the run; HOUR: minus $15), geo_type, geo_index, door, category,
 *   context (ordinals), unique_participants, doors_opened, repeat_participants, top_doors.
 */
export function cellTotalsSql(
  granularity: TimeGranularity,
  geoTypes: readonly GeoBucketType[],
  bucketCount: number,
  participantPartitioned = true,
  rollups: readonly RollupSet[] = [],
): string {
  if (!Number.isSafeInteger(bucketCount) || bucketCount < 1)
    throw new Error(`bad bucket count ${bucketCount}`);
  if (granularity === "hour" && bucketCount % 24 !== 0)
    throw new Error(`an HOUR run reads whole days, not ${bucketCount} hours`);
  const withCity = geoTypes.includes("city_code");
  const withGeo = geoTypes.includes("geohash3");
  if (!withCity && !withGeo && rollups.length === 0)
    throw new Error("cellTotalsSql needs at least one geo type or roll-up level");
  for (const set of rollups) {
    if (set.level === "full" || !/^[a-z_+]+$/.test(set.level))
      throw new Error(`bad roll-up level ${JSON.stringify(set.level)}`);
  }
  const hourly = granularity === "hour";
  const weekly = granularity === "week";
  // Window units (participant-day partitions) in the run.
  const units = hourly ? bucketCount / 24 : weekly ? bucketCount * 7 : bucketCount;
  const unitBits = Math.max(1, Math.ceil(Math.log2(units + 1)));
  const shift = 63 - unitBits;
  const mask = (1n << BigInt(shift)) - 1n;
  // A cell's keyed order hashes stable ids (the geo id's text hash and the segment ordinal; HOUR:
  // the absolute hour too), so adding a city elsewhere in the map changes no other cell's order.
  // Ties (64-bit) fall back to the cell itself, so two cells never share a rank.
  const orderSalt = hourly ? "bucket + $6::bigint" : "0";
  const cellOrder = (key: string, seed: string) =>
    `hashint8extended(participant_hash # hashint8extended(${key} # segment, ${orderSalt}), ${seed})`;
  // The segment ordinal orders like (door, category, context), so it breaks ties as they would.
  const cityCell = hourly ? "city_order, bucket, city_index, segment" : "city_order, city_index, segment";
  const ranks = weekly
    ? [
        withGeo && "dense_rank() over by_geo as geo_rank",
        withCity && "dense_rank() over by_city as city_rank",
      ].filter(Boolean)
    : [
        withGeo &&
          "dense_rank() over by_geo as geo_rank, rank() over by_geo as geo_first, row_number() over by_geo as position",
        withCity && "dense_rank() over by_city as city_rank, rank() over by_city as city_first",
        withCity && !withGeo && "row_number() over by_city as position",
      ].filter(Boolean);
  const windows = [
    withCity && `by_city as (partition by k, participant_id order by ${cityCell})`,
    // The geo order refines the city order (a geo cell lies in one city cell): one sort serves both.
    withGeo && `by_geo as (partition by k, participant_id order by ${cityCell}, geo_order, geo_index)`,
  ].filter(Boolean);
  const rankedFilter = [withGeo && "geo_rank <= $11::int", withCity && "city_rank <= $11::int"]
    .filter(Boolean)
    .join(" or ");
  const columns = ["unique_participants", "doors_opened", "repeat_participants", "top_doors"];
  const segmentColumns = `segment / ${CATEGORIES.length * SEGMENT_CONTEXTS.length} + 1 as door,
           segment / ${SEGMENT_CONTEXTS.length} % ${CATEGORIES.length} + 1 as category,
           segment % ${SEGMENT_CONTEXTS.length} + 1 as context`;
  const single = withGeo !== withCity ? (withGeo ? "geo" : "city") : undefined;
  const unitColumn = hourly
    ? `s.sec / 3600 - $6::bigint as bucket`
    : weekly
      ? // The day's index within the run; ISO week w starts on shifted day 7w - 3.
        `s.sec / 86400 + 3 - 7 * $6::bigint as day`
      : `${BUCKET_INDEX_SQL[granularity]} - $6::bigint as bucket`;
  const unitKey = hourly ? "(bucket / 24)" : weekly ? "day" : "bucket";
  const eventsHead = `
    with geo_map as (
      select u.*, hashtextextended(u.geohash3, 0) as geo_key, hashtextextended(u.city_code, 0) as city_key
      from unnest($1::text[], $2::int[], $3::int[], $14::text[]) as u(geohash3, geo_index, city_index, city_code)
    ),
    events as (
      select e.participant_id, s.participant_hash, m.geo_index, m.city_index, m.geo_key, m.city_key,
             ((${ordinalCase("e.door_type", DOOR_TYPES)} * ${CATEGORIES.length}
               + ${ordinalCase("e.category", CATEGORIES)}) * ${SEGMENT_CONTEXTS.length}
               + ${CONTEXT_ORDINAL_SQL})::bigint as segment,
             ${unitColumn}
      from interaction_events e
      join geo_map m on m.geohash3 = e.geohash3
      cross join lateral (
        select floor(date_part('epoch', e.occurred_at))::bigint + ${EPOCH_SHIFT_SECONDS} as sec,
               hashtextextended(e.participant_id, $7::bigint) as participant_hash
      ) s
      where e.occurred_at >= $4::timestamptz and e.occurred_at < $5::timestamptz
        and ${
          // Unpartitioned, the filter is a constant true, which the planner folds away; a hash
          // filter would have it guess a tiny row count and pick a worse plan.
          participantPartitioned
            ? "(s.participant_hash & 1023) % $12::int = $13::int"
            : "$12::int = 1 and $13::int = 0"
        }
    ),${rollups.length > 0 ? rollupCtes(granularity, rollups) : ""}`;
  // Roll-ups alone: the CTE list ends at rollup_totals.
  if (!withCity && !withGeo)
    return `${eventsHead.replace(/,\s*$/, "")}
    select * from rollup_totals`;
  const head = `${eventsHead}
    keyed as (
      select (${unitKey} << ${shift}) | ((participant_hash >> ${unitBits + 1}) & ${mask}) as k, participant_id,
             geo_index, city_index, segment,${hourly ? " bucket," : weekly ? " day / 7 as bucket," : ""}
             ${cellOrder("city_key", "$8::bigint")} as city_order,
             ${withGeo ? cellOrder("geo_key", "$9::bigint") : "$9::bigint"} as geo_order
      from events
    ),
    ranked as (
      select ${weekly ? "bucket, participant_id" : hourly ? "k, bucket" : "k"}, geo_index, city_index, segment, ${ranks.join(", ")}
      from keyed
      window ${windows.join(", ")}
    ),`;
  if (weekly) {
    const [ctes, select] = weekTotalsSql(withGeo, withCity, rankedFilter, segmentColumns);
    return withRollups(head + ctes, select, rollups);
  }

  // Position of the event within its cell, capped at C + 1 (the totals only tell 1, 2, <= C and
  // the largest up to C apart), for cells among the participant's first L0; else null.
  const positions = [
    withGeo
      ? "case when geo_rank <= $11::int then least(position - geo_first + 1, $10::int + 1) end as geo_position"
      : "null::bigint as geo_position",
    withCity
      ? "case when city_rank <= $11::int then least(position - city_first + 1, $10::int + 1) end as city_position"
      : "null::bigint as city_position",
  ];
  // Over the compact rows: n events of one (bucket, geo cell, segment) at one capped position per geo type.
  const totals = (position: string) => [
    `coalesce(sum(n) filter (where ${position} = 1), 0)`,
    `coalesce(sum(n) filter (where ${position} <= $10::int), 0)`,
    `coalesce(sum(n) filter (where ${position} = 2 and ${position} <= $10::int), 0)`,
    // Positions run 1..n within a cell, so the largest one up to C is min(n, C).
    `coalesce(max(${position}) filter (where ${position} <= $10::int), 0)`,
  ];
  // Both geo types: one hash aggregate with two grouping sets over the compact rows; each output
  // row keeps its own set's totals.
  const output = single
    ? `'${single === "geo" ? "geohash3" : "city_code"}' as geo_type, ${single}_index as geo_index, ${segmentColumns},
           ${totals(`${single}_position`)
             .map((total, index) => `${total}::int as ${columns[index]}`)
             .join(", ")}
    from compact
    where ${single}_position is not null
    group by bucket, ${single}_index, segment`
    : `case when grouping(geo_index) = 0 then 'geohash3' else 'city_code' end as geo_type,
           coalesce(geo_index, city_index) as geo_index, ${segmentColumns},
           ${totals("geo_position")
             .map(
               (total, index) =>
                 `(case when grouping(geo_index) = 0 then ${total} else ${totals("city_position")[index]} end)::int as ${columns[index]}`,
             )
             .join(", ")}
    from compact
    group by grouping sets ((bucket, geo_index, segment), (bucket, city_index, segment))`;
  return withRollups(
    `${head}
    positioned as (
      select ${hourly ? "bucket - $15::int as bucket" : `k >> ${shift} as bucket`}, geo_index, city_index, segment, ${positions.join(", ")}
      from ranked
      where ${hourly ? `(${rankedFilter}) and bucket >= $15::int and bucket < $15::int + $16::int` : rankedFilter}
    ),
    compact as (
      select bucket, geo_index, city_index, segment, geo_position, city_position, count(*) as n
      from positioned
      group by bucket, geo_index, city_index, segment, geo_position, city_position
    )`,
    `select bucket, ${output}`,
    rollups,
  );
}

/**
 * WEEK after the per-day ranks: the events of the cells a day chose, counted per (week,
 * participant, week cell) and geo type (n), then per cell: participants, min(n, C) doors, repeats.
 */
function weekTotalsSql(
  withGeo: boolean,
  withCity: boolean,
  rankedFilter: string,
  segmentColumns: string,
): [ctes: string, select: string] {
  const perParticipant =
    withGeo && withCity
      ? `select bucket, grouping(geo_index) = 0 as is_geo, coalesce(geo_index, city_index) as cell_index, segment,
             case when grouping(geo_index) = 0 then count(*) filter (where geo_rank <= $11::int)
                  else count(*) filter (where city_rank <= $11::int) end as n
      from chosen
      group by grouping sets ((bucket, participant_id, geo_index, segment), (bucket, participant_id, city_index, segment))`
      : `select bucket, ${withGeo} as is_geo, ${withGeo ? "geo" : "city"}_index as cell_index, segment, count(*) as n
      from chosen
      group by bucket, participant_id, ${withGeo ? "geo" : "city"}_index, segment`;
  const clamped = "least(n, $10::int)";
  return [
    `
    chosen as (
      select bucket, participant_id, geo_index, city_index, segment, ${[withGeo && "geo_rank", withCity && "city_rank"].filter(Boolean).join(", ")}
      from ranked
      where ${rankedFilter}
    ),
    per_participant as (
      ${perParticipant}
    )`,
    `select bucket, case when is_geo then 'geohash3' else 'city_code' end as geo_type, cell_index as geo_index,
           ${segmentColumns},
           count(*)::int as unique_participants, sum(${clamped})::int as doors_opened,
           count(*) filter (where ${clamped} >= 2)::int as repeat_participants, max(${clamped})::int as top_doors
    from per_participant
    where n > 0
    group by bucket, is_geo, cell_index, segment`,
  ];
}

/** 0-based position of an enum value in `values` (the lattice order), compared as enum constants. */
function ordinalCase(column: string, values: readonly string[]): string {
  return `case ${column} ${values.map((value, index) => `when '${value}' then ${index}`).join(" ")} end`;
}

/**
 * Whole epoch seconds are shifted by this many (a whole number of weeks, about 7,670 years) before
 * integer division, so every timestamp PostgreSQL stores divides as a positive number (SQL division
 * truncates towards zero) while days, ISO weeks, hours and weekdays keep their boundaries.
 */
const EPOCH_SHIFT_SECONDS = 400_000n * 604_800n;

// 0-based context ordinals on the UTC clock, from shifted whole seconds (s.sec): 3 weekend (ISO
// Saturday and Sunday; 1970-01-01 was a Thursday), else by hour 0 morning [6, 11), 1 midday
// [11, 16), 2 evening [16, 23), 4 unknown.
const HOUR_CONTEXT = [4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 4];
const CONTEXT_ORDINAL_SQL = `case when (s.sec / 86400 + 3) % 7 >= 5 then 3
             else ('{${HOUR_CONTEXT.join(",")}}'::int[])[1 + (s.sec / 3600) % 24] end`;

/** Bucket index from shifted whole seconds; ISO weeks start on a Monday (day 4 after 1970-01-01). */
const BUCKET_INDEX_SQL: Record<TimeGranularity, string> = {
  hour: "s.sec / 3600",
  day: "s.sec / 86400",
  week: "(s.sec / 86400 + 3) / 7",
};

/** The index of a bucket start, as BUCKET_INDEX_SQL computes it for its events. */
export function absoluteBucketIndex(granularity: TimeGranularity, bucketStart: Date): bigint {
  const seconds = BigInt(Math.floor(bucketStart.getTime() / 1000)) + EPOCH_SHIFT_SECONDS;
  if (granularity === "hour") return seconds / 3600n;
  if (granularity === "day") return seconds / 86400n;
  return (seconds / 86400n + 3n) / 7n;
}

/**
 * Session settings for the totals query: room to sort in memory; no parallel workers (participant
 * partitions already run side by side); no sort where a hash will do, because the planner cannot
 * estimate the partition filter and would otherwise sort the whole window output again for the
 * final grouping. JIT only for long runs: it saves about a fifth on millions of events and costs a
 * compile (a few hundred ms) on small ones.
 */
export function cellTotalsSettings(
  kind: "pglite" | "postgres",
  coveredHours: number,
  workMem?: string,
): Array<[setting: string, value: string]> {
  if (workMem !== undefined && !WORK_MEM.test(workMem))
    throw new Error(`bad work_mem ${JSON.stringify(workMem)}`);
  const settings: Array<[string, string]> = [
    ["work_mem", `'${workMem ?? (kind === "postgres" ? "1GB" : "256MB")}'`],
    ["max_parallel_workers_per_gather", "0"],
    ["enable_sort", "off"],
  ];
  if (kind === "postgres") {
    settings.push(["jit", coveredHours >= JIT_MIN_HOURS ? "on" : "off"], ["jit_above_cost", "0"]);
  }
  return settings;
}

const JIT_MIN_HOURS = 24 * 7;

/** The public lattice's geo axis: every city code, or every mapped geohash3 cell. */
export function geoBucketsSql(geoType: GeoBucketType): string {
  return geoType === "city_code"
    ? "select code as id from city_definitions order by code"
    : "select geohash3 as id from city_geohash3_map order by geohash3";
}

/** The largest geo index a packed roll-up cell holds (16 bits; geohash3 has 32^3 = 32,768 cells). */
export const MAX_ROLLUP_GEO_INDEX = 65_535;

/** One roll-up release a totals pass computes: a geo type and a level other than FULL (PRIVACY.md "Breakdown levels"). */
export interface RollupSet {
  geoType: GeoBucketType;
  level: string;
  /** L0 of this level's release (levelMaxCells); the pass's L0 ($11) when absent. */
  maxCells?: number;
}

/**
 * Roll-up levels in the same pass as FULL, from the same `events` (one scan): each level is its own
 * release, so each is bounded on its own cells. Events are first counted per (participant-day
 * unit, participant, bucket, geo cell, full segment); grouping those by every roll-up set (geo
 * type x level, rolled-up dimensions 0 = "all") gives a participant's events per level cell; a
 * participant-day keeps its first L0 level cells in a keyed order (the level's own L0, see
 * levelMaxCells; HOUR: (hour, cell) pairs over
 * the day; WEEK: per day of the week), and each kept participant counts once with min(n, C) doors
 * (WEEK: n summed over the days that kept the week cell, as FULL clamps over the week). Ties in the
 * keyed order fall back to the cell itself. Participants are ordered by their keyed 64-bit hash
 * first (so almost every comparison ends on a bigint) and told apart by their id after it, so two
 * participants whose hashes collide are still bounded apart, as in FULL.
 * Rows: as FULL's, plus `level`; a rolled-up dimension's ordinal is 0.
 */
function rollupCtes(granularity: TimeGranularity, rollups: readonly RollupSet[]): string {
  const hourly = granularity === "hour";
  const weekly = granularity === "week";
  const unit = hourly ? "bucket / 24" : weekly ? "day" : "bucket";
  const bucket = weekly ? "day / 7" : "bucket";
  const sets = rollups
    .map((set, index) => {
      const kept = set.level === "total" ? [] : set.level.split("+");
      if (set.maxCells !== undefined && (!Number.isSafeInteger(set.maxCells) || set.maxCells < 1))
        throw new Error(`bad L0 ${set.maxCells} for level ${set.level}`);
      return `(${index + 1}, '${set.geoType}', '${set.level}', ${set.geoType === "geohash3"}, ${kept.includes("door_type")}, ${kept.includes("category")}, ${kept.includes("context")}, ${set.maxCells ?? "null"}::int)`;
    })
    .join(", ");
  const perContext = SEGMENT_CONTEXTS.length;
  const perCategory = CATEGORIES.length * perContext;
  // A level cell packed in one bigint: bucket (run-relative) << 26 | cell index << 10 | level
  // segment (door x 100 + category x 10 + context, 0 = all), so it groups and sorts as one column
  // in the order of its parts.
  const cellBucket = "(cell >> 26)";
  const chosen = weekly
    ? `select set_id, participant_hash, participant_id, cell, least(sum(n), $10::int) as doors
      from lv_ranked join lv_sets using (set_id)
      where cell_rank <= coalesce(l0, $11::int)
      group by set_id, participant_hash, participant_id, cell`
    : `select set_id, participant_hash, participant_id, cell, least(n, $10::int) as doors
      from lv_ranked join lv_sets using (set_id)
      where cell_rank <= coalesce(l0, $11::int)${hourly ? ` and ${cellBucket} >= $15::int and ${cellBucket} < $15::int + $16::int` : ""}`;
  return `
    lv_sets(set_id, geo_type, level, is_geo, keep_door, keep_category, keep_context, l0) as (
      values ${sets}
    ),
    lv_participant_cells as (
      select ${unit} as unit, participant_hash, participant_id, ${bucket} as bucket, geo_index, city_index,
             geo_key, city_key, segment, count(*) as n
      from events
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9
    ),
    lv_rows as (
      select v.set_id, p.unit, p.participant_hash, p.participant_id,
             (p.bucket << 26) | ((case when v.is_geo then p.geo_index else p.city_index end)::bigint << 10)
               | ((case when v.keep_door then p.segment / ${perCategory} + 1 else 0 end) * 100
                  + (case when v.keep_category then p.segment / ${perContext} % ${CATEGORIES.length} + 1 else 0 end) * 10
                  + (case when v.keep_context then p.segment % ${perContext} + 1 else 0 end)) as cell,
             min(case when v.is_geo then p.geo_key else p.city_key end) as cell_key,
             bool_and(v.is_geo) as is_geo,
             sum(p.n) as n
      from lv_participant_cells p cross join lv_sets v
      group by 1, 2, 3, 4, 5
    ),
    lv_ranked as (
      select set_id, participant_hash, participant_id, cell, n,
             row_number() over (
               partition by set_id, unit, participant_hash, participant_id
               order by hashint8extended(participant_hash # hashint8extended(cell_key # (set_id * 1000 + (cell & 1023)), ${hourly ? `${cellBucket} + $6::bigint` : "0"}),
                                         case when is_geo then $9::bigint else $8::bigint end),
                        cell
             ) as cell_rank
      from lv_rows
    ),
    lv_chosen as (
      ${chosen}
    ),
    rollup_totals as (
      select ${hourly ? `${cellBucket.replace("cell", "c.cell")} - $15::int` : cellBucket.replace("cell", "c.cell")} as bucket,
             v.geo_type, (c.cell >> 10) & 65535 as geo_index,
             (c.cell & 1023) / 100 as door, (c.cell & 1023) / 10 % 10 as category, (c.cell & 1023) % 10 as context,
             count(*)::int as unique_participants, sum(c.doors)::int as doors_opened,
             count(*) filter (where c.doors >= 2)::int as repeat_participants, max(c.doors)::int as top_doors,
             v.level
      from lv_chosen c join lv_sets v using (set_id)
      group by c.cell, v.geo_type, v.level
    ),`;
}

/** FULL's totals followed by the roll-up levels' (same columns, plus `level`), or FULL's alone. */
function withRollups(ctes: string, select: string, rollups: readonly RollupSet[]): string {
  if (rollups.length === 0) return `${ctes}\n    ${select}`;
  return `${ctes}
    select f.*, 'full'::text as level from (${select}) f
    union all
    select * from rollup_totals`;
}
