import type { DatabaseHandle } from "../../src/db/client";
import { cityDefinitions } from "../../src/db/schema/geo";
import { DEMO_CITIES } from "../../src/demo/cities";
import { populateCityGeohashMap } from "../../src/resolvers/geo/cityGeohashMap";
import { encodeGeohash } from "../../src/resolvers/geo/geohash";

export const TEST_CITIES = DEMO_CITIES.filter((city) => city.code === "us-nyc" || city.code === "gb-lon");

/** Two real cities and their geohash3 map. */
export async function seedTestCities(database: DatabaseHandle): Promise<void> {
  await database.db
    .insert(cityDefinitions)
    .values(TEST_CITIES.map(({ weight: _weight, ...city }) => city))
    .onConflictDoNothing();
  await populateCityGeohashMap(database);
}

export interface EventGroup {
  city: "us-nyc" | "gb-lon";
  /** Participants p<offset>..p<offset+count-1> each open `doors` doors at `at` (+1 s each). */
  participants: number;
  participantOffset?: number;
  doors?: number;
  doorType: "spot" | "event" | "community";
  category: string;
  at: Date;
  ingestedAt?: Date;
}

/** Inserts events at each city's centre: one set-based statement per group. */
export async function insertEvents(database: DatabaseHandle, groups: EventGroup[]): Promise<void> {
  for (const group of groups) {
    const city = TEST_CITIES.find((candidate) => candidate.code === group.city);
    if (city === undefined) throw new Error(`unknown test city ${group.city}`);
    const geohash = encodeGeohash(city.centerLat, city.centerLng, 7);
    await database.query(
      `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category, spot_id, ingested_at)
       select 'p' || (p + $1), $2::timestamptz + make_interval(secs => d), $3, $4, $5, left($5, 3), $6::door_type, $7::category, null,
              coalesce($9::timestamptz, $2::timestamptz)
       from generate_series(0, $8 - 1) as p, generate_series(0, $10 - 1) as d`,
      [
        group.participantOffset ?? 0,
        group.at,
        city.centerLat,
        city.centerLng,
        geohash,
        group.doorType,
        group.category,
        group.participants,
        group.ingestedAt ?? null,
        group.doors ?? 1,
      ],
    );
  }
}
