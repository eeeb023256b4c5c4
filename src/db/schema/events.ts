import { bigint, date, doublePrecision, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { category, doorType } from "./enums";

/** First-party businesses (001 seed, Appendix A2): each may read insights on its own spots only. */
export const businesses = pgTable("businesses", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Places a participant can "open a door" at; events reference them. */
export const spots = pgTable(
  "spots",
  {
    id: text("id").primaryKey(),
    /** The business that owns the spot, if any: only its BUSINESS keys read the spot's businessInsights. */
    businessId: text("business_id").references(() => businesses.id),
    cityCode: text("city_code").notNull(),
    name: text("name").notNull(),
    doorType: doorType("door_type").notNull(),
    category: category("category").notNull(),
    lat: doublePrecision("lat").notNull(),
    lng: doublePrecision("lng").notNull(),
    geohash: text("geohash").notNull(),
  },
  (t) => [index("spots_city_idx").on(t.cityCode), index("spots_business_idx").on(t.businessId)],
);

/**
 * Raw interaction events: the only table holding per-person rows. Precompute aggregates it with
 * set-based SQL; the one resolver that reads it is businessInsights (a business's own spots, counts
 * only). participant_id is pseudonymous.
 */
export const interactionEvents = pgTable(
  "interaction_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    participantId: text("participant_id").notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    lat: doublePrecision("lat").notNull(),
    lng: doublePrecision("lng").notNull(),
    geohash: text("geohash").notNull(),
    geohash3: text("geohash3").notNull(),
    doorType: doorType("door_type").notNull(),
    category: category("category").notNull(),
    spotId: text("spot_id"),
    ingestedAt: timestamp("ingested_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("interaction_events_occurred_at_idx").on(t.occurredAt),
    index("interaction_events_geohash3_occurred_at_idx").on(t.geohash3, t.occurredAt),
    index("interaction_events_spot_occurred_at_idx").on(t.spotId, t.occurredAt),
  ],
);

/**
 * UTC days whose raw events retention deleted: no release of them is planned or computed again,
 * since it would read an empty or partial day.
 */
export const deletedEventDays = pgTable("deleted_event_days", {
  day: date("day", { mode: "string" }).primaryKey(),
  eventsDeleted: integer("events_deleted").notNull().default(0),
  deletedAt: timestamp("deleted_at", { withTimezone: true }).notNull(),
});
