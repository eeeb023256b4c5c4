import { type DocumentNode, Kind, visit } from "graphql";

/** The data contract's forbidden fields (001 seed, section 5.1). */
export const DENIED_KEYS = [
  "user_id",
  "agent_id",
  "ai_signature",
  "latitude",
  "longitude",
  "location_history",
  "visited_locations",
  "current_location",
  "device_id",
  "advertising_id",
  "ip_address",
  "message",
  "text",
  "transcript",
  "embedding",
  "vector",
] as const;

// userId, user_id, USER-ID and UserID all normalise to "userid".
const normalise = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, "");
const DENIED = new Set(DENIED_KEYS.map(normalise));

/** Every object key, at any depth, that names a denied field in any case style; with its path. */
export function findDeniedKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => findDeniedKeys(item, `${path}[${index}]`));
  if (value === null || typeof value !== "object") return [];
  const hits: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (DENIED.has(normalise(key))) hits.push(childPath);
    hits.push(...findDeniedKeys(child, childPath));
  }
  return hits;
}

/**
 * The response keys (alias, else field name) of a document that name a denied field, in document
 * order and without repeats. They are known before execution, so a request with one is refused
 * before anything is charged; findDeniedKeys stays as the check of the response itself.
 */
export function findDeniedResponseKeys(document: DocumentNode): string[] {
  const hits = new Set<string>();
  visit(document, {
    [Kind.FIELD](field) {
      const key = field.alias?.value ?? field.name.value;
      if (DENIED.has(normalise(key))) hits.add(key);
    },
  });
  return [...hits];
}
