import { createHash } from "node:crypto";
import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { QueryFn } from "../../db/client";
import { localityNameKey } from "../../db/schema/geo";
import type { AdminOutcome, UserError } from "../../errors";
import type { LocalityRow, PolygonShape } from "./cities";
import { checkPolygon, type GeoJsonPolygon } from "./polygon";

export type LocalityKind = "locality" | "neighbourhood";

export interface UpsertLocalityInput {
  code: string;
  cityCode: string;
  kind: LocalityKind;
  parentCode?: string | null;
  name: string;
  centerLat?: number | null;
  centerLng?: number | null;
  /** GeoJSON Polygon as JSON text; absent keeps the stored shape. */
  shape?: string | null;
}

/** upsertLocality's payload: the locality as it now stands, its outline (stored or new), whether it is new. */
export interface UpsertedLocality {
  locality: LocalityRow;
  shape: PolygonShape | null;
  created: boolean;
}

const CODE = /^[a-z0-9]+(?:-[a-z0-9]+)+$/;

/** The problems an input has on its own, before the database is asked; the shape parsed when valid. */
export function validateLocalityInput(input: UpsertLocalityInput): {
  userErrors: UserError[];
  shape: GeoJsonPolygon | null;
} {
  const userErrors: UserError[] = [];
  const bad = (field: Array<string | number>, code: string, message: string) =>
    userErrors.push({ field: ["input", ...field.map(String)], code, message });
  if (!CODE.test(input.code) || input.code.length > 100) {
    bad(
      ["code"],
      "INVALID_CODE",
      "code must be lowercase letters and digits in dash-separated parts, at most 100.",
    );
  } else if (!input.code.startsWith(`${input.cityCode}-`)) {
    bad(
      ["code"],
      "CODE_NOT_IN_CITY",
      `code must start with its city code and a dash, e.g. ${input.cityCode}-soho.`,
    );
  }
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100)
    bad(["name"], "INVALID_NAME", "name must be 1 to 100 characters.");
  const parent = input.parentCode?.trim() || null;
  if (input.kind === "neighbourhood" && parent === null)
    bad(["parentCode"], "PARENT_REQUIRED", "A neighbourhood needs the code of the locality it belongs to.");
  if (input.kind === "locality" && parent !== null)
    bad(["parentCode"], "PARENT_NOT_ALLOWED", "A locality belongs to its city only; leave parentCode out.");
  if (parent !== null && parent === input.code)
    bad(["parentCode"], "INVALID_PARENT", "A locality cannot be its own parent.");
  const lat = input.centerLat ?? null;
  const lng = input.centerLng ?? null;
  if ((lat === null) !== (lng === null))
    bad(
      [lat === null ? "centerLat" : "centerLng"],
      "CENTER_INCOMPLETE",
      "Give both centerLat and centerLng, or neither.",
    );
  if (lat !== null && !(lat >= -90 && lat <= 90))
    bad(["centerLat"], "OUT_OF_RANGE", "centerLat must be -90..90.");
  if (lng !== null && !(lng >= -180 && lng <= 180))
    bad(["centerLng"], "OUT_OF_RANGE", "centerLng must be -180..180.");
  let shape: GeoJsonPolygon | null = null;
  if (input.shape !== null && input.shape !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.shape);
    } catch {
      bad(["shape"], "INVALID_GEOJSON", "shape is not valid JSON; send a GeoJSON Polygon as JSON text.");
    }
    if (parsed !== undefined) {
      const checked = checkPolygon(parsed);
      if (checked.ok) shape = checked.polygon;
      else
        for (const problem of checked.problems)
          bad(["shape", ...problem.path], problem.code, problem.message);
    }
  }
  return { userErrors, shape };
}

interface StoredLocality {
  code: string;
  city_code: string;
  parent_code: string | null;
  kind: LocalityKind;
  name: string;
  center_lat: number | null;
  center_lng: number | null;
}

/** The checks that need the database: the city, the parent, and what an existing locality may become. */
async function hierarchyErrors(
  query: QueryFn,
  input: UpsertLocalityInput,
  before: StoredLocality | undefined,
): Promise<UserError[]> {
  const userErrors: UserError[] = [];
  const bad = (field: string, code: string, message: string) =>
    userErrors.push({ field: ["input", field], code, message });
  const [city] = await query("select 1 from city_definitions where code = $1", [input.cityCode]);
  if (city === undefined)
    bad("cityCode", "UNKNOWN_CITY", `No city ${input.cityCode}; add it with upsertCityDefinition.`);
  const parentCode = input.parentCode?.trim() || null;
  if (parentCode !== null && input.kind === "neighbourhood" && parentCode !== input.code) {
    const [parent] = await query<{ city_code: string; kind: string }>(
      "select city_code, kind from localities where code = $1",
      [parentCode],
    );
    if (parent === undefined) bad("parentCode", "UNKNOWN_PARENT", `No locality ${parentCode}.`);
    else if (parent.kind !== "locality")
      bad(
        "parentCode",
        "PARENT_NOT_A_LOCALITY",
        "A neighbourhood's parent must be a locality, not a neighbourhood.",
      );
    else if (parent.city_code !== input.cityCode)
      bad(
        "parentCode",
        "PARENT_IN_ANOTHER_CITY",
        `${parentCode} is in ${parent.city_code}, not ${input.cityCode}.`,
      );
  }
  if (before !== undefined && before.city_code !== input.cityCode)
    bad(
      "cityCode",
      "CITY_CHANGE_NOT_ALLOWED",
      `${input.code} is in ${before.city_code}; a locality cannot move city.`,
    );
  if (before?.kind === "locality" && input.kind === "neighbourhood") {
    const [child] = await query("select 1 from localities where parent_code = $1 limit 1", [input.code]);
    if (child !== undefined)
      bad("kind", "HAS_NEIGHBOURHOODS", `${input.code} has neighbourhoods; move them before making it one.`);
  }
  return userErrors;
}

/**
 * Creates or changes a locality or neighbourhood (city -> locality -> neighbourhood) and, when given,
 * its outline. Any problem refuses the whole call with nothing written; a change is audited in
 * its transaction (the shape by its size and SHA-256, not its positions).
 */
export async function upsertLocality(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: UpsertLocalityInput,
): Promise<AdminOutcome<UpsertedLocality>> {
  const checked = validateLocalityInput(input);
  if (checked.userErrors.length > 0) return { ok: false, userErrors: checked.userErrors };
  const at = clock.now();
  return database.transaction(async (query): Promise<AdminOutcome<UpsertedLocality>> => {
    const [before] = await query<StoredLocality>(
      "select code, city_code, parent_code, kind, name, center_lat, center_lng from localities where code = $1 for update",
      [input.code],
    );
    const userErrors = await hierarchyErrors(query, input, before);
    if (userErrors.length > 0) return { ok: false, userErrors };
    const [beforeShape] = await query<{ geojson: GeoJsonPolygon }>(
      "select geojson from locality_shapes where locality_code = $1",
      [input.code],
    );
    const name = input.name.trim();
    const [after] = await query<StoredLocality>(
      `insert into localities (code, city_code, parent_code, kind, name, name_key, center_lat, center_lng, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (code) do update set parent_code = excluded.parent_code, kind = excluded.kind, name = excluded.name,
         name_key = excluded.name_key, center_lat = excluded.center_lat, center_lng = excluded.center_lng,
         updated_at = excluded.updated_at
       returning code, city_code, parent_code, kind, name, center_lat, center_lng`,
      [
        input.code,
        input.cityCode,
        input.parentCode?.trim() || null,
        input.kind,
        name,
        localityNameKey(name),
        input.centerLat ?? null,
        input.centerLng ?? null,
        at,
      ],
    );
    if (after === undefined) throw new Error("locality upsert returned no row");
    if (checked.shape !== null) {
      await query(
        `insert into locality_shapes (locality_code, geojson, updated_at) values ($1, $2, $3)
         on conflict (locality_code) do update set geojson = excluded.geojson, updated_at = excluded.updated_at`,
        [input.code, JSON.stringify(checked.shape), at],
      );
    }
    const shape = checked.shape ?? beforeShape?.geojson ?? null;
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "upsertLocality",
      target: input.code,
      outcome: "OK",
      before: before === undefined ? null : { ...before, shape: shapeSummary(beforeShape?.geojson ?? null) },
      after: { ...after, shape: shapeSummary(shape) },
    });
    return {
      ok: true,
      value: {
        created: before === undefined,
        shape: shape === null ? null : { localityCode: after.code, ...shape },
        locality: {
          code: after.code,
          cityCode: after.city_code,
          parentCode: after.parent_code,
          kind: after.kind,
          name: after.name,
        },
      },
    };
  });
}

function shapeSummary(shape: GeoJsonPolygon | null) {
  if (shape === null) return null;
  return {
    rings: shape.coordinates.length,
    positions: shape.coordinates.reduce((sum, ring) => sum + ring.length, 0),
    sha256: createHash("sha256").update(JSON.stringify(shape)).digest("hex"),
  };
}
