import { and, eq, notInArray, sql } from "drizzle-orm";
import { type Clock, systemClock } from "../../clock";
import type { Database } from "../../db/client";
import { cityDefinitions, cityGeohash3Map } from "../../db/schema/geo";
import { coverCircleWithGeohash, geohashCenter, haversineKm } from "./geohash";

const CIRCLE_SOURCE = "circle";
const INSERT_CHUNK_ROWS = 1000;

export interface CityCircle {
  code: string;
  centerLat: number;
  centerLng: number;
  radiusKm: number;
  priority: number;
}

export interface CityGeohashMapResult {
  /** geohash3 cells assigned from circles. */
  cells: number;
  /** City definitions read. */
  cities: number;
}

interface Claim {
  city: CityCircle;
  distanceKm: number;
}

/** True when claim a beats claim b: higher priority, then nearer centre, then lower code. */
function outranks(a: Claim, b: Claim): boolean {
  if (a.city.priority !== b.city.priority) return a.city.priority > b.city.priority;
  if (a.distanceKm !== b.distanceKm) return a.distanceKm < b.distanceKm;
  return a.city.code < b.city.code;
}

/** geohash3 -> winning city code for a set of city circles. */
export function assignGeohash3ToCities(cities: readonly CityCircle[]): Map<string, string> {
  const winners = new Map<string, Claim>();
  for (const city of cities) {
    for (const cell of coverCircleWithGeohash(city.centerLat, city.centerLng, city.radiusKm, 3)) {
      const center = geohashCenter(cell);
      const claim = { city, distanceKm: haversineKm(city.centerLat, city.centerLng, center.lat, center.lng) };
      const current = winners.get(cell);
      if (current === undefined || outranks(claim, current)) winners.set(cell, claim);
    }
  }
  return new Map([...winners].map(([cell, claim]) => [cell, claim.city.code]));
}

/**
 * Rebuilds the circle-derived rows of city_geohash3_map from city_definitions in one transaction.
 * Rows with another source (operator overrides) are left alone; unchanged rows keep their
 * updated_at, so running it twice writes nothing the second time.
 */
export async function populateCityGeohashMap(
  db: Database,
  clock: Clock = systemClock,
): Promise<CityGeohashMapResult> {
  return db.transaction(async (tx) => {
    const cities = await tx
      .select({
        code: cityDefinitions.code,
        centerLat: cityDefinitions.centerLat,
        centerLng: cityDefinitions.centerLng,
        radiusKm: cityDefinitions.radiusKm,
        priority: cityDefinitions.priority,
      })
      .from(cityDefinitions);
    const assignment = assignGeohash3ToCities(cities);
    const now = clock.now();
    const rows = [...assignment].map(([geohash3, cityCode]) => ({
      geohash3,
      cityCode,
      source: CIRCLE_SOURCE,
      updatedAt: now,
    }));

    for (let start = 0; start < rows.length; start += INSERT_CHUNK_ROWS) {
      await tx
        .insert(cityGeohash3Map)
        .values(rows.slice(start, start + INSERT_CHUNK_ROWS))
        .onConflictDoUpdate({
          target: cityGeohash3Map.geohash3,
          set: { cityCode: sql`excluded.city_code`, updatedAt: sql`excluded.updated_at` },
          setWhere: sql`${cityGeohash3Map.source} = ${CIRCLE_SOURCE} and ${cityGeohash3Map.cityCode} <> excluded.city_code`,
        });
    }

    const covered = [...assignment.keys()];
    await tx
      .delete(cityGeohash3Map)
      .where(
        covered.length === 0
          ? eq(cityGeohash3Map.source, CIRCLE_SOURCE)
          : and(eq(cityGeohash3Map.source, CIRCLE_SOURCE), notInArray(cityGeohash3Map.geohash3, covered)),
      );

    return { cells: assignment.size, cities: cities.length };
  });
}
