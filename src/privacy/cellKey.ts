import type { TimeGranularity } from "../db/schema/enums";
import { bucketKey } from "./buckets";

export type GeoBucketType = "city_code" | "geohash3";

export interface CellSegment {
  geoBucketId: string;
  doorType: string;
  category: string;
  context: string;
}

/**
 * The canonical cell key that seeds a cell's noise: the (granularity, bucket, geo, segment)
 * tuple, never the query or the buyer, so every read of a cell sees the same numbers.
 */
export function canonicalCellKey(
  granularity: TimeGranularity,
  bucketStart: Date,
  geoType: GeoBucketType,
  segment: CellSegment,
): string {
  return [
    granularity,
    bucketKey(bucketStart),
    geoType,
    segment.geoBucketId,
    segment.doorType,
    segment.category,
    segment.context,
  ].join("|");
}

/** The cell's position within its release, the same across buckets (for trend lookups). */
export function segmentKey(segment: CellSegment): string {
  return [segment.geoBucketId, segment.doorType, segment.category, segment.context].join("|");
}
