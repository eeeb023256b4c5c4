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

/** Whether a key names a denied field, remembered per key (a response repeats the same few keys). */
const deniedByKey = new Map<string, boolean>();
const MAX_REMEMBERED_KEYS = 10_000;
function isDenied(key: string): boolean {
  let denied = deniedByKey.get(key);
  if (denied === undefined) {
    denied = DENIED.has(normalise(key));
    if (deniedByKey.size < MAX_REMEMBERED_KEYS) deniedByKey.set(key, denied);
  }
  return denied;
}

/**
 * Every object key, at any depth, that names a denied field in any case style; with its path
 * (`a.b[0].c`). Scans every buyer response, so it walks without building a path until it finds one.
 */
export function findDeniedKeys(value: unknown, path = ""): string[] {
  const hits: string[] = [];
  const trail: Array<string | number> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let index = 0; index < node.length; index++) {
        trail.push(index);
        walk(node[index]);
        trail.pop();
      }
      return;
    }
    if (node === null || typeof node !== "object") return;
    const object = node as Record<string, unknown>;
    for (const key in object) {
      if (!Object.hasOwn(object, key)) continue;
      trail.push(key);
      if (isDenied(key)) hits.push(renderPath(path, trail));
      walk(object[key]);
      trail.pop();
    }
  };
  walk(value);
  return hits;
}

function renderPath(prefix: string, trail: ReadonlyArray<string | number>): string {
  let out = prefix;
  for (const part of trail)
    out = typeof part === "number" ? `${out}[${part}]` : out ? `${out}.${part}` : part;
  return out;
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
      if (isDenied(key)) hits.add(key);
    },
  });
  return [...hits];
}
