import type { TimeGranularity } from "../db/schema/enums";
import { bucketKey } from "./buckets";

export type GeoBucketType = "city_code" | "geohash3";

/** A cell's geo bucket and segment; a dimension its level rolls up is null ("all"). */
export interface CellSegment {
  geoBucketId: string;
  doorType: string | null;
  category: string | null;
  context: string | null;
}

/**
 * The canonical cell key that seeds a cell's noise: the (granularity, bucket, geo, level, segment)
 * tuple, never the query or the buyer, so every read of a cell sees the same numbers. FULL cells
 * keep the key they always had (existing releases and golden vectors stay valid); a roll-up cell
 * reads "all" for each rolled-up dimension and adds its level: the sorted kept dimensions, or
 * TOTAL (PRIVACY.md "Noise").
 */
export function canonicalCellKey(
  granularity: TimeGranularity,
  bucketStart: Date,
  geoType: GeoBucketType,
  segment: CellSegment,
): string {
  const parts = [granularity, bucketKey(bucketStart), geoType, segment.geoBucketId];
  const dimensions = [
    ["door_type", segment.doorType],
    ["category", segment.category],
    ["context", segment.context],
  ] as const;
  const kept = dimensions.filter(([, value]) => value !== null).map(([name]) => name);
  const key = [...parts, ...dimensions.map(([, value]) => value ?? "all")];
  if (kept.length === dimensions.length) return key.join("|");
  return [...key, kept.length === 0 ? "TOTAL" : [...kept].sort().join(",")].join("|");
}

/** The cell's position within its release, the same across buckets (for trend lookups). */
export function segmentKey(segment: CellSegment): string {
  return [
    segment.geoBucketId,
    segment.doorType ?? "all",
    segment.category ?? "all",
    segment.context ?? "all",
  ].join("|");
}
