import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle } from "../../db/client";
import { localityNameKey } from "../../db/schema/geo";
import type { AdminOutcome, UserError } from "../../errors";
import { checkPolygon, type GeoJsonPolygon } from "./polygon";

export interface CityDefinitionInput {
  code: string;
  name: string;
  countryCode: string;
  centerLat: number;
  centerLng: number;
  radiusKm: number;
  priority?: number | null;
}

export interface CityRow {
  code: string;
  name: string;
  countryCode: string;
  centerLat: number;
  centerLng: number;
  radiusKm: number;
  priority: number;
  geohash3Cells: number;
}

const CITY_CODE = /^[a-z]{2}-[a-z0-9]{2,8}$/;

export function validateCityDefinition(input: CityDefinitionInput): UserError[] {
  const errors: UserError[] = [];
  const bad = (field: string, code: string, message: string) =>
    errors.push({ field: ["input", field], code, message });
  if (!CITY_CODE.test(input.code))
    bad("code", "INVALID_CODE", "code must look like us-nyc: country, dash, 2-8 letters or digits.");
  if (!input.name.trim() || input.name.length > 100)
    bad("name", "INVALID_NAME", "name must be 1 to 100 characters.");
  if (!/^[A-Z]{2}$/.test(input.countryCode))
    bad("countryCode", "INVALID_COUNTRY", "countryCode must be two capital letters (ISO 3166-1).");
  if (!(input.centerLat >= -90 && input.centerLat <= 90))
    bad("centerLat", "OUT_OF_RANGE", "centerLat must be -90..90.");
  if (!(input.centerLng >= -180 && input.centerLng <= 180))
    bad("centerLng", "OUT_OF_RANGE", "centerLng must be -180..180.");
  if (!(input.radiusKm >= 1 && input.radiusKm <= 300))
    bad("radiusKm", "OUT_OF_RANGE", "radiusKm must be 1..300.");
  const priority = input.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > 100)
    bad("priority", "OUT_OF_RANGE", "priority must be an integer 0..100.");
  return errors;
}

/** Creates or changes a city definition (run populateCityGeohashMap afterwards); audited in the same transaction. */
export async function upsertCityDefinition(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: CityDefinitionInput,
): Promise<AdminOutcome<{ city: CityRow }>> {
  const userErrors = validateCityDefinition(input);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const at = clock.now();
  await database.transaction(async (query) => {
    const [before] = await query("select * from city_definitions where code = $1 for update", [input.code]);
    const [after] = await query(
      `insert into city_definitions (code, name, country_code, center_lat, center_lng, radius_km, priority, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (code) do update set name = excluded.name, country_code = excluded.country_code,
         center_lat = excluded.center_lat, center_lng = excluded.center_lng, radius_km = excluded.radius_km,
         priority = excluded.priority, updated_at = excluded.updated_at
       returning *`,
      [
        input.code,
        input.name.trim(),
        input.countryCode,
        input.centerLat,
        input.centerLng,
        input.radiusKm,
        input.priority ?? 0,
        at,
      ],
    );
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "upsertCityDefinition",
      target: input.code,
      outcome: "OK",
      before: before ?? null,
      after,
    });
  });
  const city = (await listCities(database)).find((row) => row.code === input.code);
  if (city === undefined) throw new Error("upserted city not found");
  return { ok: true, value: { city } };
}

export async function listCities(database: DatabaseHandle): Promise<CityRow[]> {
  const rows = await database.query<{
    code: string;
    name: string;
    country_code: string;
    center_lat: number;
    center_lng: number;
    radius_km: number;
    priority: number;
    cells: number;
  }>(
    `select d.code, d.name, d.country_code, d.center_lat, d.center_lng, d.radius_km, d.priority, count(m.geohash3)::int as cells
     from city_definitions d left join city_geohash3_map m on m.city_code = d.code
     group by d.code order by d.code`,
  );
  return rows.map((row) => ({
    code: row.code,
    name: row.name,
    countryCode: row.country_code,
    centerLat: row.center_lat,
    centerLng: row.center_lng,
    radiusKm: row.radius_km,
    priority: row.priority,
    geohash3Cells: row.cells,
  }));
}

/** City code by name, case- and accent-insensitive ("São Paulo" = "sao paulo"). */
export async function lookupCityCode(database: DatabaseHandle, name: string): Promise<string | null> {
  const key = localityNameKey(name);
  const cities = await database.query<{ code: string; name: string }>(
    "select code, name from city_definitions order by code",
  );
  return cities.find((city) => localityNameKey(city.name) === key || city.code === key)?.code ?? null;
}

export interface LocalityRow {
  code: string;
  cityCode: string;
  parentCode: string | null;
  kind: string;
  name: string;
}

export async function cityLocalities(database: DatabaseHandle, cityCode: string): Promise<LocalityRow[]> {
  const rows = await database.query<{
    code: string;
    city_code: string;
    parent_code: string | null;
    kind: string;
    name: string;
  }>(
    "select code, city_code, parent_code, kind, name from localities where city_code = $1 order by kind, name",
    [cityCode],
  );
  return rows.map((row) => ({
    code: row.code,
    cityCode: row.city_code,
    parentCode: row.parent_code,
    kind: row.kind,
    name: row.name,
  }));
}

/** Locality (or neighbourhood) code by name within a city, case- and accent-insensitive. */
export async function lookupLocalityCode(
  database: DatabaseHandle,
  cityCode: string,
  name: string,
): Promise<string | null> {
  const [row] = await database.query<{ code: string }>(
    "select code from localities where city_code = $1 and name_key = $2 order by kind limit 1",
    [cityCode, localityNameKey(name)],
  );
  return row?.code ?? null;
}

export interface PolygonShape extends GeoJsonPolygon {
  localityCode: string;
}

/** The locality's polygon as GeoJSON, checked as upsertLocality checks it: closed rings of [lng, lat] in range. */
export async function localityShape(
  database: DatabaseHandle,
  localityCode: string,
): Promise<PolygonShape | null> {
  const [row] = await database.query<{ geojson: unknown }>(
    "select geojson from locality_shapes where locality_code = $1",
    [localityCode],
  );
  if (row === undefined) return null;
  const checked = checkPolygon(row.geojson);
  if (!checked.ok) throw new Error(`locality ${localityCode} has an invalid stored shape`);
  return { localityCode, ...checked.polygon };
}
