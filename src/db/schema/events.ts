import { bigint, date, doublePrecision, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { category, doorType } from "./enums";

/** Places a participant can "open a door" at; events reference them. */
export const spots = pgTable(
  "spots",
  {
    id: text("id").primaryKey(),
    cityCode: text("city_code").notNull(),
    name: text("name").notNull(),
    doorType: doorType("door_type").notNull(),
    category: category("category").notNull(),
    lat: doublePrecision("lat").notNull(),
    lng: doublePrecision("lng").notNull(),
    geohash: text("geohash").notNull(),
  },
  (t) => [index("spots_city_idx").on(t.cityCode)],
);

/**
 * Raw interaction events: the only table holding per-person rows. Never read by resolvers;
 * precompute aggregates it with set-based SQL. participant_id is pseudonymous.
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
