import { pgEnum } from "drizzle-orm/pg-core";

// Closed sets shared by several domains. Stored lowercase (the canonical record's spelling);
// the GraphQL layer maps them to UPPER_CASE enum values.
export const apiRole = pgEnum("api_role", ["buyer", "internal", "operator", "tenant", "business"]);
export const timeGranularity = pgEnum("time_granularity", ["hour", "day", "week"]);
export const geoBucketType = pgEnum("geo_bucket_type", ["city_code", "geohash3"]);
export const doorType = pgEnum("door_type", ["spot", "event", "community"]);
export const category = pgEnum("category", [
  "coffee",
  "music",
  "sports",
  "art",
  "food",
  "outdoor",
  "tech",
  "community",
  "other",
]);
export const segmentContext = pgEnum("segment_context", [
  "morning",
  "midday",
  "evening",
  "weekend",
  "unknown",
]);
export const suppressionReason = pgEnum("suppression_reason", ["k_min", "dominance", "noisy_threshold"]);
export const severity = pgEnum("severity", ["error", "warning", "info"]);

export const API_ROLES = apiRole.enumValues;
export type ApiRole = (typeof API_ROLES)[number];
export const TIME_GRANULARITIES = timeGranularity.enumValues;
export type TimeGranularity = (typeof TIME_GRANULARITIES)[number];
export const DOOR_TYPES = doorType.enumValues;
export type DoorType = (typeof DOOR_TYPES)[number];
export const CATEGORIES = category.enumValues;
export type Category = (typeof CATEGORIES)[number];
export const SEGMENT_CONTEXTS = segmentContext.enumValues;
export type SegmentContext = (typeof SEGMENT_CONTEXTS)[number];
