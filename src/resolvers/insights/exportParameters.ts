import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, TIME_GRANULARITIES } from "../../db/schema/enums";
import { SEGMENT_DIMENSIONS } from "../../privacy/releasePlan";

export const EXPORT_FORMATS = ["jsonl", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const GEO_BUCKET_TYPES = ["city_code", "geohash3"] as const;
const SCALAR_PARAMETERS = [
  "format",
  "time_granularity",
  "time_bucket_start_utc",
  "time_bucket_end_utc",
  "geo_bucket_type",
] as const;
const LIST_PARAMETERS = ["geo_bucket_ids", "door_types", "categories", "contexts", "breakdown"] as const;
const PARAMETERS: readonly string[] = [...SCALAR_PARAMETERS, ...LIST_PARAMETERS];
// The DateTime scalar's own rule (RFC 3339 with an explicit offset), checked here to name the parameter.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** The `InsightsFilter` variable of the export's GraphQL operation (enum values in GraphQL spelling). */
export interface ExportFilterVariable {
  granularity: string;
  timeBucketStartUtc: string;
  timeBucketEndUtc: string;
  geoBucketType: string;
  geoBucketIds?: string[];
  doorTypes?: string[];
  categories?: string[];
  contexts?: string[];
  /** [] = TOTAL; absent = the granularity's default level. */
  breakdown?: string[];
}

export interface ExportParameters {
  format: ExportFormat;
  filter: ExportFilterVariable;
}

/** A parameter the export cannot use: answered with HTTP 400 and BAD_USER_INPUT. */
export class ExportParameterError extends Error {
  override readonly name = "ExportParameterError";
}

type RawParameters = Map<string, string | string[]>;

/** `GET` query parameters; list parameters may be comma-separated, repeated, or both. */
export function parseExportQuery(search: URLSearchParams): ExportParameters {
  const raw: RawParameters = new Map();
  for (const [name, value] of search) {
    assertKnown(name);
    const previous = raw.get(name);
    if (previous === undefined) {
      raw.set(name, value);
    } else if ((LIST_PARAMETERS as readonly string[]).includes(name)) {
      raw.set(name, [...[previous].flat(), value]);
    } else {
      throw new ExportParameterError(`${name} is given more than once; give it once.`);
    }
  }
  return toExportParameters(raw);
}

/** A `POST` JSON body: the same names as the query parameters; lists may also be JSON arrays. */
export function parseExportBody(body: unknown): ExportParameters {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ExportParameterError("The body must be a JSON object of export parameters.");
  }
  const raw: RawParameters = new Map();
  for (const [name, value] of Object.entries(body)) {
    assertKnown(name);
    if (value === null || value === undefined) continue;
    const isList = (LIST_PARAMETERS as readonly string[]).includes(name);
    if (typeof value === "string") {
      raw.set(name, value);
    } else if (isList && Array.isArray(value) && value.every((item) => typeof item === "string")) {
      raw.set(name, value as string[]);
    } else {
      throw new ExportParameterError(
        `${name} must be a string${isList ? " (comma-separated) or an array of strings" : ""}.`,
      );
    }
  }
  return toExportParameters(raw);
}

function assertKnown(name: string): void {
  if (!PARAMETERS.includes(name)) {
    throw new ExportParameterError(
      `Unknown parameter ${JSON.stringify(name)}; expected ${PARAMETERS.join(", ")}.`,
    );
  }
}

function toExportParameters(raw: RawParameters): ExportParameters {
  const scalar = (name: (typeof SCALAR_PARAMETERS)[number]) => {
    const value = raw.get(name);
    return typeof value === "string" ? value.trim() : undefined;
  };
  const format = oneOf("format", scalar("format") ?? "jsonl", EXPORT_FORMATS);
  const filter: ExportFilterVariable = {
    granularity: oneOf(
      "time_granularity",
      scalar("time_granularity") ?? "day",
      TIME_GRANULARITIES,
    ).toUpperCase(),
    timeBucketStartUtc: instant("time_bucket_start_utc", scalar("time_bucket_start_utc")),
    timeBucketEndUtc: instant("time_bucket_end_utc", scalar("time_bucket_end_utc")),
    geoBucketType: oneOf(
      "geo_bucket_type",
      scalar("geo_bucket_type") ?? "city_code",
      GEO_BUCKET_TYPES,
    ).toUpperCase(),
  };
  const geoBucketIds = list(raw, "geo_bucket_ids");
  if (geoBucketIds !== undefined) filter.geoBucketIds = geoBucketIds;
  const enumList = (name: (typeof LIST_PARAMETERS)[number], allowed: readonly string[]) =>
    list(raw, name)?.map((value) => oneOf(name, value, allowed).toUpperCase());
  const doorTypes = enumList("door_types", DOOR_TYPES);
  if (doorTypes !== undefined) filter.doorTypes = doorTypes;
  const categories = enumList("categories", CATEGORIES);
  if (categories !== undefined) filter.categories = categories;
  const contexts = enumList("contexts", SEGMENT_CONTEXTS);
  if (contexts !== undefined) filter.contexts = contexts;
  // `breakdown=` (empty) is the TOTAL level, one cell per geo bucket; absent, the default level.
  const breakdown = raw.get("breakdown");
  if (breakdown !== undefined) {
    filter.breakdown = [breakdown].flat().every((item) => item.trim() === "")
      ? []
      : (list(raw, "breakdown") ?? []).map((value) =>
          oneOf("breakdown", value, SEGMENT_DIMENSIONS).toUpperCase(),
        );
  }
  return { format, filter };
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const lower = value.toLowerCase();
  const match = allowed.find((candidate) => candidate === lower);
  if (match === undefined) {
    throw new ExportParameterError(
      `${name}: ${JSON.stringify(value)} is not one of ${allowed.join(", ")} (lowercase).`,
    );
  }
  return match;
}

function instant(name: string, value: string | undefined): string {
  if (value === undefined || value === "") {
    throw new ExportParameterError(`${name} is required, e.g. 2026-01-01T00:00:00Z.`);
  }
  if (!RFC3339.test(value) || Number.isNaN(new Date(value).getTime())) {
    throw new ExportParameterError(
      `${name} must be an RFC 3339 instant such as 2026-01-01T00:00:00Z; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function list(raw: RawParameters, name: (typeof LIST_PARAMETERS)[number]): string[] | undefined {
  const value = raw.get(name);
  if (value === undefined) return undefined;
  const items = [value]
    .flat()
    .flatMap((item) => item.split(","))
    .map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === "")) {
    throw new ExportParameterError(`${name} has an empty value; list at least one, or leave ${name} out.`);
  }
  return items;
}
