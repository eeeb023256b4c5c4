import type { DatabaseHandle, QueryFn } from "../../db/client";

/** What a check returns per row: a numeric value and, optionally, what it is about. */
export interface CheckRow {
  value: number;
  target: string | null;
}

export interface CheckSettings {
  now: Date;
  windowMinutes: number;
  statementTimeoutMs: number;
}

/** A check as it runs: trimmed, trailing semicolons dropped. */
export function checkBody(sql: string): string {
  return sql.trim().replace(/[;\s]+$/, "");
}

/**
 * How many statements a piece of SQL holds: semicolons outside quoted strings, quoted identifiers,
 * dollar-quoted bodies and comments separate statements (an empty trailing one is not counted).
 */
export function statementCount(sql: string): number {
  let count = 0;
  let pending = false;
  let index = 0;
  while (index < sql.length) {
    const char = sql[index] ?? "";
    const next = sql[index + 1] ?? "";
    if (char === "-" && next === "-") {
      const end = sql.indexOf("\n", index);
      index = end === -1 ? sql.length : end + 1;
    } else if (char === "/" && next === "*") {
      let depth = 1;
      index += 2;
      while (index < sql.length && depth > 0) {
        const pair = sql.slice(index, index + 2);
        depth += pair === "/*" ? 1 : pair === "*/" ? -1 : 0;
        index += pair === "/*" || pair === "*/" ? 2 : 1;
      }
    } else if (char === "'" || char === '"') {
      pending = true;
      index += 1;
      while (index < sql.length) {
        if (sql[index] === char && sql[index + 1] === char) index += 2;
        else if (sql[index] === char) break;
        else index += 1;
      }
      index += 1;
    } else if (char === "$" && /^\$[A-Za-z_]?\w*\$/.test(sql.slice(index))) {
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(sql.slice(index))?.[0] ?? "$$";
      const end = sql.indexOf(tag, index + tag.length);
      pending = true;
      index = end === -1 ? sql.length : end + tag.length;
    } else if (char === ";") {
      if (pending) count += 1;
      pending = false;
      index += 1;
    } else {
      if (!/\s/.test(char)) pending = true;
      index += 1;
    }
  }
  return pending ? count + 1 : count;
}

/**
 * Opens a check's transaction: READ ONLY, under a statement timeout, with `monitor.now` and
 * `monitor.window_minutes` set for the check to read.
 */
export async function beginCheck(query: QueryFn, settings: CheckSettings): Promise<void> {
  const timeoutMs = Math.max(100, Math.min(60_000, Math.trunc(settings.statementTimeoutMs)));
  await query("set transaction read only");
  await query(`set local statement_timeout = ${timeoutMs}`);
  await query("select set_config('monitor.now', $1, true)", [settings.now.toISOString()]);
  await query("select set_config('monitor.window_minutes', $1, true)", [String(settings.windowMinutes)]);
}

/** The check's parameters: $1 is the window start, bound only when the check uses it. */
export function checkParams(body: string, settings: CheckSettings): unknown[] {
  const windowStart = new Date(settings.now.getTime() - settings.windowMinutes * 60_000);
  return /\$1(?!\d)/.test(body) ? [windowStart.toISOString()] : [];
}

// Wrapped as a subquery: only a query can stand there (no data-modifying WITH), and the
// transaction is read only besides.
export const wrappedCheck = (body: string) => `select * from (${body}\n) as monitor_check`;

/** Reads a check's rows as a run does: a numeric `value` (null rows skipped) and an optional target. */
export function checkRowsOf(raw: Array<Record<string, unknown>>): CheckRow[] {
  const rows: CheckRow[] = [];
  for (const row of raw) {
    if (!("value" in row)) throw new Error("a monitor check must return a numeric `value` column");
    if (row.value === null || row.value === undefined) continue;
    const value = Number(row.value);
    if (!Number.isFinite(value))
      throw new Error(`the check returned a non-numeric value: ${String(row.value)}`);
    const target = row.target === null || row.target === undefined ? null : String(row.target);
    rows.push({ value, target });
  }
  return rows;
}

/**
 * Tables a check may read: operational records (requests, budgets, shapes, imports' outcomes,
 * releases, jobs, the ops surface itself) and reference data. A check's `target` is shown in the
 * feed, so it must never reach per-person rows, secrets or the people directories.
 */
export const MONITOR_READABLE_TABLES: ReadonlySet<string> = new Set([
  "action_ledger",
  "alert_deliveries",
  "audit_logs",
  "budget_charges",
  "buyer_budgets",
  "city_definitions",
  "city_geohash3_map",
  "import_anomalies",
  "import_retention_stats",
  "insight_cells",
  "job_runs",
  "localities",
  "locality_shapes",
  "monitor_events",
  "monitors",
  "ops_feed",
  "org_memberships",
  "partner_normalization",
  "privacy_ledger",
  "projects",
  "query_fingerprints",
  "release_profiles",
  "release_receipts",
  "releases",
  "request_logs",
  "spots",
  "tenants",
  "timing_policies",
]);

/** Tables no check may read, and why. Every table of the schema is in one of the two lists (a test holds this). */
export const MONITOR_HIDDEN_TABLES: Readonly<Record<string, string>> = {
  interaction_events: "it holds per-person events",
  staging_imports: "it holds tenants' raw import batches",
  api_keys: "it holds key hashes",
  user_memberships: "it ties people to projects",
  ds_directory: "it is a directory of people",
  rm_directory: "it is a directory of people",
};

// Stable functions that read a table named by a string, which a plan shows as a call, not a scan.
const TABLE_BY_NAME_FUNCTION = /^(?:table|schema|database|cursor|query)_to_xml/;

export interface CheckProblem {
  code: "MONITOR_SQL_NOT_READ_ONLY" | "MONITOR_SQL_TABLE_NOT_ALLOWED";
  message: string;
}

/**
 * Vets a check before it runs, from its plan (EXPLAIN VERBOSE plans without executing, and shows
 * views expanded, every relation scanned and every function called): no writing node, no volatile
 * function (those are the ones that can change state even in a READ ONLY transaction:
 * pg_advisory_lock, set_config, pg_terminate_backend, nextval, pg_sleep, ...), and no relation
 * outside MONITOR_READABLE_TABLES. Run inside the check's transaction, before the check itself.
 */
export async function vetCheck(
  query: QueryFn,
  body: string,
  params: unknown[],
): Promise<CheckProblem | null> {
  const [row] = await query<{ "QUERY PLAN": unknown }>(`explain (verbose, format json) ${body}`, params);
  const raw = row?.["QUERY PLAN"];
  const plan: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
  const relations = new Set<string>();
  const texts: string[] = [];
  let writes: string | null = null;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== "object") {
      if (typeof node === "string") texts.push(node);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record["Node Type"] === "ModifyTable") writes = String(record.Operation ?? "a write");
    if (typeof record["Relation Name"] === "string") {
      relations.add(`${String(record.Schema ?? "public")}.${record["Relation Name"]}`);
    }
    for (const value of Object.values(record)) walk(value);
  };
  walk(plan);
  if (writes !== null) {
    return { code: "MONITOR_SQL_NOT_READ_ONLY", message: `A check may only read; its plan holds ${writes}.` };
  }
  const called = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(/(?:"((?:[^"]|"")+)"|([A-Za-z_][\w$]*))\s*\(/g)) {
      called.add(match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] ?? "").toLowerCase());
    }
  }
  if (called.size > 0) {
    const volatile = await query<{ name: string }>(
      "select distinct proname::text as name from pg_proc where provolatile = 'v' and proname = any($1::text[]) order by 1",
      [[...called]],
    );
    const byName = [...called].filter((name) => TABLE_BY_NAME_FUNCTION.test(name)).sort();
    const names = [...volatile.map((entry) => entry.name), ...byName];
    if (volatile.length > 0) {
      return {
        code: "MONITOR_SQL_NOT_READ_ONLY",
        message: `A check may call only stable and immutable functions; ${names.join(", ")} can change state (volatile).`,
      };
    }
    if (byName.length > 0) {
      return {
        code: "MONITOR_SQL_TABLE_NOT_ALLOWED",
        message: `A check may not read tables by name (${byName.join(", ")}); select from the tables it needs.`,
      };
    }
  }
  for (const relation of [...relations].sort()) {
    const [schema, table = ""] = relation.split(".");
    if (schema === "public" && MONITOR_READABLE_TABLES.has(table)) continue;
    const why = schema === "public" ? MONITOR_HIDDEN_TABLES[table] : undefined;
    return {
      code: "MONITOR_SQL_TABLE_NOT_ALLOWED",
      message: `A check may not read ${schema === "public" ? table : relation}${why ? `: ${why}` : ""}. It may read ${[...MONITOR_READABLE_TABLES].join(", ")}.`,
    };
  }
  return null;
}

/** Runs one check in its own READ ONLY transaction under the statement timeout. */
export async function runCheck(
  database: DatabaseHandle,
  sql: string,
  settings: CheckSettings,
): Promise<CheckRow[]> {
  const body = checkBody(sql);
  if (statementCount(body) !== 1) throw new Error("a monitor check must be a single SELECT statement");
  const raw = await database.transaction(async (query) => {
    await beginCheck(query, settings);
    const params = checkParams(body, settings);
    const problem = await vetCheck(query, body, params);
    if (problem !== null) throw new Error(`${problem.code}: ${problem.message}`);
    return query<Record<string, unknown>>(wrappedCheck(body), params);
  });
  return checkRowsOf(raw);
}
