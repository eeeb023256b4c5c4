import { createHmac } from "node:crypto";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import { BUCKET_MS } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import type { NoiseKey } from "../../privacy/noiseKey";
import type { ReleaseParameters } from "../../privacy/releaseParameters";
import { absoluteBucketIndex, cellTotalsSettings, cellTotalsSql } from "./aggregateSql";

/** True, contribution-bounded totals of one non-empty cell. */
export interface CellTotalsRow {
  geo_bucket_id: string;
  door_type: string;
  category: string;
  context: string;
  unique_participants: number;
  doors_opened: number;
  repeat_participants: number;
  top_doors: number;
}

/** Totals per bucket start (ms) and geo type; a missing cell had no bounded contribution. */
export type BucketTotals = Map<number, Map<GeoBucketType, CellTotalsRow[]>>;

export interface TotalsRange {
  granularity: TimeGranularity;
  geoTypes: readonly GeoBucketType[];
  /** First bucket start (aligned); the run covers `bucketCount` consecutive buckets. */
  start: Date;
  bucketCount: number;
  version: number;
  parameters: Pick<ReleaseParameters, "maxDoorsPerCell" | "maxCellsPerParticipant">;
}

/**
 * Participant partitions computed side by side on PostgreSQL (one connection each): the
 * per-participant sort dominates and splits cleanly, since a participant lives in one partition.
 * Two suits a small server that also serves the API; PGlite has a single connection.
 */
export const POSTGRES_TOTALS_PARTITIONS = 2;

interface TotalsSqlRow {
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
 * query) in one pass; otherwise, on PostgreSQL, participant partitions in parallel transactions.
 */
export async function computeCellTotals(
  database: DatabaseHandle,
  noiseKey: NoiseKey,
  range: TotalsRange,
  transaction?: QueryFn,
): Promise<BucketTotals> {
  const end = new Date(range.start.getTime() + range.bucketCount * BUCKET_MS[range.granularity]);
  const sql = cellTotalsSql(range.granularity, range.geoTypes, range.bucketCount);
  const seeds = boundingSeeds(noiseKey, range.granularity, range.version);
  const coveredHours = (range.bucketCount * BUCKET_MS[range.granularity]) / 3_600_000;
  const run = async (query: QueryFn, partitions: number, partition: number) => {
    const axis = await readGeoAxis(query);
    const settings = cellTotalsSettings(database.kind, coveredHours);
    for (const [name, value] of settings) await query(`set local ${name} = ${value}`);
    const rows = await query<TotalsSqlRow>(sql, [
      axis.geohashes,
      axis.geohashes.map((_, index) => index + 1),
      axis.cityIndexOfGeohash,
      range.start,
      end,
      absoluteBucketIndex(range.granularity, range.start).toString(),
      seeds.participant,
      seeds.cityOrder,
      seeds.geoOrder,
      range.parameters.maxDoorsPerCell,
      range.parameters.maxCellsPerParticipant,
      partitions,
      partition,
      axis.cityIndexOfGeohash.map((index) => axis.cities[index - 1] ?? ""),
    ]);
    // Inside a release's transaction the rest of its work runs with the usual settings.
    for (const [name] of settings) await query(`set local ${name} to default`);
    return { rows, axis };
  };
  const partitions =
    transaction === undefined && database.kind === "postgres" ? POSTGRES_TOTALS_PARTITIONS : 1;
  const parts =
    transaction !== undefined
      ? [await run(transaction, 1, 0)]
      : await Promise.all(
          Array.from({ length: partitions }, (_, partition) =>
            database.transaction((query) => run(query, partitions, partition)),
          ),
        );
  return mergePartitions(range, parts);
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
  parts: Array<{ rows: TotalsSqlRow[]; axis: GeoAxis }>,
): BucketTotals {
  const cells = new Map<string, { bucketMs: number; geoType: GeoBucketType; row: CellTotalsRow }>();
  for (const { rows, axis } of parts) {
    for (const row of rows) {
      // The grouping set of one geo type also groups rows only the other type kept: nothing to add.
      if (row.unique_participants === 0) continue;
      const geoBucketId =
        row.geo_type === "city_code" ? axis.cities[row.geo_index - 1] : axis.geohashes[row.geo_index - 1];
      const doorType = DOOR_TYPES[row.door - 1];
      const category = CATEGORIES[row.category - 1];
      const context = SEGMENT_CONTEXTS[row.context - 1];
      if (geoBucketId === undefined || !doorType || !category || !context) {
        throw new Error(`cell totals returned an unknown cell ${JSON.stringify(row)}`);
      }
      const bucketMs = range.start.getTime() + Number(row.bucket) * BUCKET_MS[range.granularity];
      const key = `${bucketMs}|${row.geo_type}|${geoBucketId}|${doorType}|${category}|${context}`;
      const seen = cells.get(key);
      if (seen === undefined) {
        cells.set(key, {
          bucketMs,
          geoType: row.geo_type,
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
    totals.set(bucketMs, new Map(range.geoTypes.map((geoType) => [geoType, []])));
  }
  for (const { bucketMs, geoType, row } of cells.values()) totals.get(bucketMs)?.get(geoType)?.push(row);
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
