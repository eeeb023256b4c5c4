import { createHmac } from "node:crypto";
import type { TotalsResources } from "../../config";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import { BUCKET_MS, bucketStartOf } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import type { NoiseKey } from "../../privacy/noiseKey";
import type { ReleaseParameters } from "../../privacy/releaseParameters";
import {
  absoluteBucketIndex,
  cellTotalsSettings,
  cellTotalsSql,
  MAX_ROLLUP_GEO_INDEX,
  type RollupSet,
} from "./aggregateSql";

/** True, contribution-bounded totals of one non-empty cell. */
export interface CellTotalsRow {
  geo_bucket_id: string;
  /** Null when the level rolls the dimension up ("all"). */
  door_type: string | null;
  category: string | null;
  context: string | null;
  unique_participants: number;
  doors_opened: number;
  repeat_participants: number;
  top_doors: number;
}

/**
 * Totals per bucket start (ms) and release set (`totalsKey`: the geo type for FULL, geo type and
 * level for a roll-up); a missing cell had no bounded contribution.
 */
export type BucketTotals = Map<number, Map<string, CellTotalsRow[]>>;

/** The key of one release set's rows in BucketTotals: the geo type alone for FULL. */
export function totalsKey(geoType: GeoBucketType, level: string): string {
  return level === "full" ? geoType : `${geoType}|${level}`;
}

export interface TotalsRange {
  granularity: TimeGranularity;
  /** Geo types whose FULL level the pass computes (may be empty when `rollups` has sets). */
  geoTypes: readonly GeoBucketType[];
  /** Roll-up releases computed in the same pass (PRIVACY.md "Breakdown levels"). */
  rollups?: readonly RollupSet[];
  /** First bucket start (aligned); the run covers `bucketCount` consecutive buckets. */
  start: Date;
  bucketCount: number;
  version: number;
  parameters: Pick<ReleaseParameters, "maxDoorsPerCell" | "maxCellsPerParticipant">;
}

/** Two parts with 1 GB each suits a small server that also serves the API. */
export const DEFAULT_TOTALS_RESOURCES: TotalsResources = { parallelism: 2, workMem: undefined };

interface TotalsSqlRow {
  /** "full" when absent (a FULL-only pass). */
  level?: string;
  bucket: string | number;
  geo_type: GeoBucketType;
  geo_index: number;
  door: number;
  category: number;
  context: number;
  unique_participants: number;
  doors_opened: number;
  repeat_participants: number;
  top_doors: number;
}

/**
 * Bounded per-cell totals of every bucket of the run. Inside a transaction (`transaction`, its
 * query) in one pass; otherwise, on PostgreSQL, `resources.parallelism` parts in parallel
 * transactions: consecutive ranges of the run's buckets when it has enough of them (each part
 * reads only its own time range; HOUR parts split only between days), else participant
 * partitions of one range.
 *
 * HOUR is bounded per participant-day: each part reads the whole UTC days holding its hours and
 * returns only its hours, so any aligned range of hours gets exactly the totals its days'
 * computation gives those hours.
 */
export async function computeCellTotals(
  database: DatabaseHandle,
  noiseKey: NoiseKey,
  range: TotalsRange,
  transaction?: QueryFn,
  resources: TotalsResources = DEFAULT_TOTALS_RESOURCES,
): Promise<BucketTotals> {
  const seeds = boundingSeeds(noiseKey, range.granularity, range.version);
  const bucketMs = BUCKET_MS[range.granularity];
  const hourly = range.granularity === "hour";
  const run = async (query: QueryFn, part: TotalsPart) => {
    const start = new Date(range.start.getTime() + part.firstBucket * bucketMs);
    const end = new Date(start.getTime() + part.bucketCount * bucketMs);
    // HOUR: the whole UTC days holding the part's hours.
    const scanStart = hourly ? bucketStartOf("day", start) : start;
    const scanEnd = hourly
      ? new Date(bucketStartOf("day", new Date(end.getTime() - 1)).getTime() + BUCKET_MS.day)
      : end;
    const scanBuckets = (scanEnd.getTime() - scanStart.getTime()) / bucketMs;
    const axis = await readGeoAxis(query);
    if ((range.rollups?.length ?? 0) > 0 && axis.geohashes.length > MAX_ROLLUP_GEO_INDEX) {
      throw new Error(
        `the geohash3 map has ${axis.geohashes.length} cells; a roll-up cell packs at most ${MAX_ROLLUP_GEO_INDEX}`,
      );
    }
    const settings = cellTotalsSettings(
      database.kind,
      (scanBuckets * bucketMs) / 3_600_000,
      resources.workMem,
    );
    for (const [name, value] of settings) await query(`set local ${name} = ${value}`);
    const rows = await query<TotalsSqlRow>(
      cellTotalsSql(
        range.granularity,
        range.geoTypes,
        scanBuckets,
        part.participantPartitions > 1,
        range.rollups,
      ),
      [
        axis.geohashes,
        axis.geohashes.map((_, index) => index + 1),
        axis.cityIndexOfGeohash,
        scanStart,
        scanEnd,
        absoluteBucketIndex(range.granularity, scanStart).toString(),
        seeds.participant,
        seeds.cityOrder,
        seeds.geoOrder,
        range.parameters.maxDoorsPerCell,
        range.parameters.maxCellsPerParticipant,
        part.participantPartitions,
        part.participantPartition,
        axis.cityIndexOfGeohash.map((index) => axis.cities[index - 1] ?? ""),
        ...(hourly ? [(start.getTime() - scanStart.getTime()) / bucketMs, part.bucketCount] : []),
      ],
    );
    // Inside a release's transaction the rest of its work runs with the usual settings.
    for (const [name] of settings) await query(`set local ${name} to default`);
    return { rows, axis, firstBucket: part.firstBucket };
  };
  const parallel = transaction === undefined && database.kind === "postgres" ? resources.parallelism : 1;
  const parts = hourly
    ? totalsParts(
        range.bucketCount,
        parallel,
        24,
        (range.start.getTime() - bucketStartOf("day", range.start).getTime()) / bucketMs,
      )
    : totalsParts(range.bucketCount, parallel);
  // Inside a transaction `parallel` is 1, so there is exactly one part.
  const results = await Promise.all(
    parts.map((part) =>
      transaction !== undefined ? run(transaction, part) : database.transaction((query) => run(query, part)),
    ),
  );
  return mergePartitions(range, results);
}

/** One parallel part of a run: a range of its buckets, and one participant partition of those. */
export interface TotalsPart {
  firstBucket: number;
  bucketCount: number;
  participantPartitions: number;
  participantPartition: number;
}

/**
 * Splits a run of `bucketCount` buckets into `parallel` parts: consecutive bucket ranges of near
 * equal length when the run spans at least as many units as parts (so no part reads another's
 * events), else participant partitions of the whole run. Ranges split only between units of
 * `unit` buckets (HOUR: 24, a day, which is bounded as one; else 1), the run starting `lead`
 * buckets into its first unit; lengths are balanced in units, so a part's hours are whole days
 * except at the run's ends.
 */
export function totalsParts(bucketCount: number, parallel: number, unit = 1, lead = 0): TotalsPart[] {
  if (!Number.isSafeInteger(unit) || unit < 1 || !Number.isSafeInteger(lead) || lead < 0 || lead >= unit)
    throw new Error(`bad totals part unit ${unit} (lead ${lead})`);
  if (parallel <= 1)
    return [{ firstBucket: 0, bucketCount, participantPartitions: 1, participantPartition: 0 }];
  const units = Math.ceil((lead + bucketCount) / unit);
  if (units >= parallel) {
    return Array.from({ length: parallel }, (_, part) => {
      const firstBucket = Math.max(0, Math.floor((units * part) / parallel) * unit - lead);
      const next = Math.min(bucketCount, Math.floor((units * (part + 1)) / parallel) * unit - lead);
      return {
        firstBucket,
        bucketCount: next - firstBucket,
        participantPartitions: 1,
        participantPartition: 0,
      };
    });
  }
  return Array.from({ length: parallel }, (_, part) => ({
    firstBucket: 0,
    bucketCount,
    participantPartitions: parallel,
    participantPartition: part,
  }));
}

interface GeoAxis {
  geohashes: string[];
  cityIndexOfGeohash: number[];
  cities: string[];
}

/** The geohash3 -> city map as ordinals: geo index = position among mapped geohash3 cells, city index among city codes. */
async function readGeoAxis(query: QueryFn): Promise<GeoAxis> {
  const map = await query<{ geohash3: string; city_code: string }>(
    "select geohash3, city_code from city_geohash3_map order by geohash3",
  );
  const cities = [...new Set(map.map((row) => row.city_code))].sort();
  const cityIndex = new Map(cities.map((code, index) => [code, index + 1]));
  return {
    geohashes: map.map((row) => row.geohash3),
    cityIndexOfGeohash: map.map((row) => cityIndex.get(row.city_code) ?? 0),
    cities,
  };
}

function mergePartitions(
  range: TotalsRange,
  parts: Array<{ rows: TotalsSqlRow[]; axis: GeoAxis; firstBucket: number }>,
): BucketTotals {
  const cells = new Map<string, { bucketMs: number; set: string; row: CellTotalsRow }>();
  for (const { rows, axis, firstBucket } of parts) {
    for (const row of rows) {
      // The grouping set of one geo type also groups rows only the other type kept: nothing to add.
      if (row.unique_participants === 0) continue;
      const geoBucketId =
        row.geo_type === "city_code" ? axis.cities[row.geo_index - 1] : axis.geohashes[row.geo_index - 1];
      // Ordinal 0: the level rolls the dimension up.
      const door = Number(row.door);
      const categoryOrdinal = Number(row.category);
      const contextOrdinal = Number(row.context);
      const doorType = door === 0 ? null : DOOR_TYPES[door - 1];
      const category = categoryOrdinal === 0 ? null : CATEGORIES[categoryOrdinal - 1];
      const context = contextOrdinal === 0 ? null : SEGMENT_CONTEXTS[contextOrdinal - 1];
      const level = row.level ?? "full";
      if (
        geoBucketId === undefined ||
        doorType === undefined ||
        category === undefined ||
        context === undefined ||
        (level === "full" && (doorType === null || category === null || context === null))
      ) {
        throw new Error(`cell totals returned an unknown cell ${JSON.stringify(row)}`);
      }
      const bucketMs =
        range.start.getTime() + (firstBucket + Number(row.bucket)) * BUCKET_MS[range.granularity];
      const set = totalsKey(row.geo_type, level);
      const key = `${bucketMs}|${set}|${geoBucketId}|${doorType}|${category}|${context}`;
      const seen = cells.get(key);
      if (seen === undefined) {
        cells.set(key, {
          bucketMs,
          set,
          row: {
            geo_bucket_id: geoBucketId,
            door_type: doorType,
            category,
            context,
            unique_participants: row.unique_participants,
            doors_opened: row.doors_opened,
            repeat_participants: row.repeat_participants,
            top_doors: row.top_doors,
          },
        });
      } else {
        // Partitions hold disjoint participants, so their totals add up (the top contributor is the larger).
        seen.row.unique_participants += row.unique_participants;
        seen.row.doors_opened += row.doors_opened;
        seen.row.repeat_participants += row.repeat_participants;
        seen.row.top_doors = Math.max(seen.row.top_doors, row.top_doors);
      }
    }
  }
  const totals: BucketTotals = new Map();
  for (let index = 0; index < range.bucketCount; index++) {
    const bucketMs = range.start.getTime() + index * BUCKET_MS[range.granularity];
    const sets = [
      ...range.geoTypes.map((geoType) => totalsKey(geoType, "full")),
      ...(range.rollups ?? []).map((set) => totalsKey(set.geoType, set.level)),
    ];
    totals.set(bucketMs, new Map(sets.map((set) => [set, []])));
  }
  for (const { bucketMs, set, row } of cells.values()) totals.get(bucketMs)?.get(set)?.push(row);
  return totals;
}

/**
 * The secret seeds of the bounding order (per granularity and release version): which participant
 * hash, and in which keyed order a participant's cells are kept, reproducible but not predictable.
 */
export function boundingSeeds(
  noiseKey: NoiseKey,
  granularity: TimeGranularity,
  version: number,
): { participant: string; cityOrder: string; geoOrder: string } {
  const seed = (purpose: string) =>
    createHmac("sha256", noiseKey.key)
      .update(`bounding|${granularity}|${purpose}|${version}`)
      .digest()
      .readBigInt64BE(0)
      .toString();
  return { participant: seed("participant"), cityOrder: seed("city_code"), geoOrder: seed("geohash3") };
}
