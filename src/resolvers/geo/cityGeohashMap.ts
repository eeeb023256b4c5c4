import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import { type Clock, systemClock } from "../../clock";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { type AdminOutcome, refused } from "../../errors";
import { coverCircleWithGeohash, geohashCenter, haversineKm } from "./geohash";

const CIRCLE_SOURCE = "circle";

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
 * Rebuilds the circle-derived rows of city_geohash3_map from city_definitions inside the caller's
 * transaction. Rows with another source (operator overrides) are left alone; unchanged rows keep
 * their updated_at, so running it twice writes nothing the second time.
 */
export async function rebuildCityGeohashMap(query: QueryFn, now: Date): Promise<CityGeohashMapResult> {
  const cities = await query<{
    code: string;
    center_lat: number;
    center_lng: number;
    radius_km: number;
    priority: number;
  }>("select code, center_lat, center_lng, radius_km, priority from city_definitions order by code");
  const assignment = assignGeohash3ToCities(
    cities.map((city) => ({
      code: city.code,
      centerLat: Number(city.center_lat),
      centerLng: Number(city.center_lng),
      radiusKm: Number(city.radius_km),
      priority: Number(city.priority),
    })),
  );
  const cells = [...assignment.keys()];
  const owners = [...assignment.values()];
  // One statement whatever the cell count: the arrays travel as two parameters.
  await query(
    `insert into city_geohash3_map (geohash3, city_code, source, updated_at)
     select cell.geohash3, cell.city_code, $3, $4::timestamptz
       from unnest($1::text[], $2::text[]) as cell(geohash3, city_code)
     on conflict (geohash3) do update set city_code = excluded.city_code, updated_at = excluded.updated_at
      where city_geohash3_map.source = $3 and city_geohash3_map.city_code <> excluded.city_code`,
    [cells, owners, CIRCLE_SOURCE, now],
  );
  await query("delete from city_geohash3_map where source = $1 and not (geohash3 = any($2::text[]))", [
    CIRCLE_SOURCE,
    cells,
  ]);
  return { cells: assignment.size, cities: cities.length };
}

/** The rebuild in a transaction of its own (demo data, tests). */
export function populateCityGeohashMap(
  database: DatabaseHandle,
  clock: Clock = systemClock,
): Promise<CityGeohashMapResult> {
  return database.transaction((query) => rebuildCityGeohashMap(query, clock.now()));
}

/**
 * The operator's rebuild: the map and its audit entry commit together or not at all. `dryRun` is
 * reserved in the contract and refused until a preview exists.
 */
export async function populateCityGeohashMapAudited(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { dryRun?: boolean | null } | null | undefined,
): Promise<AdminOutcome<CityGeohashMapResult>> {
  if (input?.dryRun === true) {
    return refused(
      ["input", "dryRun"],
      "DRY_RUN_NOT_SUPPORTED",
      "dryRun is reserved and not supported yet; send false or leave it out.",
    );
  }
  const now = clock.now();
  const value = await database.transaction(async (query) => {
    const result = await rebuildCityGeohashMap(query, now);
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "populateCityGeohashMap",
      target: "city_geohash3_map",
      outcome: "OK",
      after: result,
    });
    return result;
  });
  return { ok: true, value };
}
