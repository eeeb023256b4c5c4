import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Inputs for the geohash3 -> city map: a centre and a radius per city code. */
export const cityDefinitions = pgTable("city_definitions", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  countryCode: text("country_code").notNull(),
  centerLat: doublePrecision("center_lat").notNull(),
  centerLng: doublePrecision("center_lng").notNull(),
  radiusKm: doublePrecision("radius_km").notNull(),
  /** Higher wins when two cities' circles claim the same geohash3 cell. */
  priority: integer("priority").notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** geohash3 cell -> city code; the CITY_CODE geo bucket of an event. */
export const cityGeohash3Map = pgTable(
  "city_geohash3_map",
  {
    geohash3: text("geohash3").primaryKey(),
    cityCode: text("city_code")
      .notNull()
      .references(() => cityDefinitions.code, { onDelete: "cascade" }),
    source: text("source").notNull().default("circle"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("city_geohash3_map_city_idx").on(t.cityCode)],
);

/** Expert geo hierarchy: city -> locality -> neighbourhood. */
export const localities = pgTable(
  "localities",
  {
    code: text("code").primaryKey(),
    cityCode: text("city_code")
      .notNull()
      .references(() => cityDefinitions.code, { onDelete: "cascade" }),
    parentCode: text("parent_code"),
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** Lowercased, accent-stripped name for lookups. */
    nameKey: text("name_key").notNull(),
    centerLat: doublePrecision("center_lat"),
    centerLng: doublePrecision("center_lng"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("localities_city_idx").on(t.cityCode),
    index("localities_city_name_key_idx").on(t.cityCode, t.nameKey),
  ],
);

/** The localities.name_key of a name: lowercased, accent-stripped ("Reykjavík" -> "reykjavik"). */
export function localityNameKey(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Validated GeoJSON polygon per locality, for maps. */
export const localityShapes = pgTable("locality_shapes", {
  localityCode: text("locality_code")
    .primaryKey()
    .references(() => localities.code, { onDelete: "cascade" }),
  geojson: jsonb("geojson").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
