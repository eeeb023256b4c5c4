import type { DatabaseHandle, QueryFn } from "../db/client";

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

// A dollar-quote tag: $$ or $name$, where a name does not start with a digit ($1 is a parameter).
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * How many statements a piece of SQL holds: semicolons outside quoted strings, quoted identifiers,
 * dollar-quoted bodies and comments separate statements (an empty trailing one is not counted).
 * A friendly first check only: the check's text reaches PostgreSQL as one extended-protocol
 * statement, which refuses a second one whatever this counts.
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
      // An E'' string (E right before the quote, not ending a longer word) takes backslash escapes.
      const escapes =
        char === "'" && /[Ee]/.test(sql[index - 1] ?? "") && !/[\w$]/.test(sql[index - 2] ?? "");
      pending = true;
      index += 1;
      while (index < sql.length) {
        if (escapes && sql[index] === "\\") index += 2;
        else if (sql[index] === char && sql[index + 1] === char) index += 2;
        else if (sql[index] === char) break;
        else index += 1;
      }
      index += 1;
    } else if (char === "$" && !/[\w$]/.test(sql[index - 1] ?? "") && DOLLAR_TAG.test(sql.slice(index))) {
      const tag = DOLLAR_TAG.exec(sql.slice(index))?.[0] ?? "$$";
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
 * Turns a check's transaction READ ONLY (after vetCheck, whose probe view needs it writable),
 * under a statement timeout, with `monitor.now`, `monitor.window_minutes` and
 * `monitor.window_start` (what the check's $1 reads) set for the check.
 */
export async function beginCheck(query: QueryFn, settings: CheckSettings): Promise<void> {
  const timeoutMs = Math.max(100, Math.min(60_000, Math.trunc(settings.statementTimeoutMs)));
  const windowStart = new Date(settings.now.getTime() - settings.windowMinutes * 60_000);
  await query("set transaction read only");
  await query(`set local statement_timeout = ${timeoutMs}`);
  await query("select set_config('monitor.now', $1, true)", [settings.now.toISOString()]);
  await query("select set_config('monitor.window_minutes', $1, true)", [String(settings.windowMinutes)]);
  await query("select set_config('monitor.window_start', $1, true)", [windowStart.toISOString()]);
}

/** Reads the vetted check (the probe view vetCheck left in this transaction), as written by its author. */
export const VETTED_CHECK = "select * from pg_temp.monitor_check_probe";

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
  "businesses",
  "city_definitions",
  "city_geohash3_map",
  "contract_violations",
  "database_health_samples",
  "deleted_event_days",
  "import_anomalies",
  "import_retention_stats",
  "insight_cells",
  "job_runs",
  "localities",
  "locality_shapes",
  "monitor_events",
  "monitors",
  "ops_feed",
  "ops_retention_counts",
  "org_memberships",
  "partner_normalization",
  "privacy_cap",
  "privacy_ledger_days",
  "projects",
  "query_fingerprints",
  "release_plan",
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

/**
 * Functions a check may not call although they change nothing: system information (every pg_*
 * function: server files, settings, other sessions' queries, statistics of hidden tables),
 * tables read by a name in a string, catalog comments and privilege probes. User-defined
 * functions are refused as well (they could read anything inside).
 */
const HIDDEN_FUNCTION =
  /^(?:pg_.*|.*_to_xml.*|.*_xmlschema|obj_description|col_description|shobj_description|has_.*_privilege|.*_validator|txid_.*)$/;

/**
 * Object-identifier types (regclass, regrole, regproc, ...): their casts look names up in the
 * catalogs through I/O functions that the query tree does not name, so a check may not use them.
 */
const REG_TYPES = new Set([
  "24",
  "2202",
  "2203",
  "2204",
  "2205",
  "2206",
  "3734",
  "3769",
  "4089",
  "4096",
  "4191",
]);

/** The text of a text constant's datum as the query tree prints it (`[ b0 b1 ... ]`, varlena). */
function constText(bytes: string): string {
  const values = bytes.trim().split(/\s+/).map(Number);
  const header = ((values[0] ?? 0) & 3) === 0 ? 4 : 1;
  return Buffer.from(values.slice(header)).toString("utf8");
}

export interface CheckProblem {
  code:
    | "MONITOR_SQL_NOT_READ_ONLY"
    | "MONITOR_SQL_TABLE_NOT_ALLOWED"
    | "MONITOR_SQL_FUNCTION_NOT_ALLOWED"
    | "MONITOR_SQL_INVALID";
  message: string;
}

const PROBE_VIEW = "pg_temp.monitor_check_probe";

/**
 * Vets a check before it runs, from PostgreSQL's own parse of it rather than from its text: the
 * check becomes a temporary view (nothing runs), and the view's stored query tree names, by oid,
 * every function, aggregate, window function, operator and relation it uses, wherever they are
 * (select list, LIMIT, window frames, subqueries, CTEs). What then runs is that view
 * (VETTED_CHECK), never the text again, so nothing can read differently the second time; the
 * callers roll the transaction back afterwards, which drops it.
 * Refused: any volatile function (the ones that can change state even in a READ ONLY
 * transaction: pg_advisory_lock, set_config, pg_terminate_backend, nextval, lo_import, ...),
 * any HIDDEN_FUNCTION or function outside pg_catalog, and any relation outside
 * MONITOR_READABLE_TABLES. Must run before the transaction turns READ ONLY (a view cannot be
 * created after), so the callers vet first, then beginCheck, then read VETTED_CHECK.
 */
export async function vetCheck(query: QueryFn, body: string): Promise<CheckProblem | null> {
  let tree = "";
  let viewOid = "";
  await query(`drop view if exists ${PROBE_VIEW}`);
  await query("savepoint monitor_vet");
  try {
    // A view takes no parameters: the window start ($1) is read from the transaction's setting
    // instead. One statement only (extended protocol), so no text can smuggle a second one in.
    await query(
      `create temp view ${PROBE_VIEW} as ${body.replace(/(?<![\w$])\$1(?![\w$])/g, "(current_setting('monitor.window_start')::timestamptz)")}`,
      [],
      { single: true },
    );
    const [row] = await query<{ tree: string; view: string }>(
      `select ev_action::text as tree, ev_class::oid::text as view from pg_rewrite where ev_class = '${PROBE_VIEW}'::regclass`,
    );
    tree = row?.tree ?? "";
    viewOid = row?.view ?? "";
  } catch (error) {
    await query("rollback to savepoint monitor_vet");
    const message = error instanceof Error ? error.message : String(error);
    return /SELECT INTO|data-modifying/i.test(message)
      ? { code: "MONITOR_SQL_NOT_READ_ONLY", message: `A check may only read: ${message}` }
      : { code: "MONITOR_SQL_INVALID", message: `The check failed: ${message.slice(0, 300)}` };
  }
  if (tree === "" || viewOid === "")
    return { code: "MONITOR_SQL_INVALID", message: "The check could not be parsed." };
  const oids = (pattern: RegExp) => [...new Set([...tree.matchAll(pattern)].map((match) => match[1] ?? ""))];
  // Node fields in the tree's text form: FuncExpr :funcid, Aggref :aggfnoid, WindowFunc :winfnoid,
  // OpExpr and friends :opno / :opfuncid (and RowCompareExpr :opnos (o ...)), RangeTblEntry :relid.
  const functions = oids(/:(?:funcid|aggfnoid|winfnoid|opfuncid) (\d+)/g).filter((oid) => oid !== "0");
  const operators = [
    ...oids(/:opno (\d+)/g),
    ...[...tree.matchAll(/:opnos \(o((?: \d+)*)\)/g)].flatMap((match) =>
      (match[1] ?? "").trim().split(/\s+/),
    ),
  ].filter((oid) => oid !== "" && oid !== "0");
  const relations = oids(/:relid (\d+)/g).filter((oid) => oid !== "0" && oid !== viewOid);
  const called = await query<{ oid: string; name: string; schema: string; volatile: boolean }>(
    `select distinct p.oid::text as oid, p.proname::text as name, n.nspname::text as schema, p.provolatile = 'v' as volatile
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.oid = any($1::oid[]) or p.oid in (select oprcode from pg_operator where oid = any($2::oid[]))
     order by 1`,
    [functions, operators],
  );
  const volatile = called.filter((fn) => fn.volatile).map((fn) => fn.name);
  if (volatile.length > 0) {
    return {
      code: "MONITOR_SQL_NOT_READ_ONLY",
      message: `A check may call only stable and immutable functions; ${volatile.join(", ")} are volatile (they can change state or reach outside the database).`,
    };
  }
  const hidden = called
    .filter((fn) => fn.schema !== "pg_catalog" || HIDDEN_FUNCTION.test(fn.name))
    .map((fn) => (fn.schema === "pg_catalog" ? fn.name : `${fn.schema}.${fn.name}`));
  // current_setting only for the run's own settings, named by a literal: monitor.now, ...
  for (const fn of called.filter((candidate) => candidate.name === "current_setting")) {
    const calls = tree.split(`:funcid ${fn.oid} `).length - 1;
    const literal = new RegExp(
      `:funcid ${fn.oid} [^{]*?:args \\(\\{CONST :consttype 25 [^}]*?:constisnull false [^}]*?:constvalue \\d+ \\[([\\d ]+)\\]`,
      "g",
    );
    const monitorOnly = [...tree.matchAll(literal)].filter((match) =>
      constText(match[1] ?? "").startsWith("monitor."),
    );
    if (monitorOnly.length !== calls)
      hidden.push("current_setting (other than a literal 'monitor.*' setting)");
  }
  const typed = [...tree.matchAll(/:(?:resulttype|consttype|funcresulttype|vartype|typeId) (\d+)/g)];
  if (typed.some((match) => REG_TYPES.has(match[1] ?? "")))
    hidden.push("object-identifier types (regclass, regrole, ...)");
  if (hidden.length > 0) {
    return {
      code: "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
      message: `A check may not use ${hidden.join(", ")}: system information, server settings, tables read by name and functions outside pg_catalog are out of a monitor's reach.`,
    };
  }
  const read = await query<{ name: string; schema: string }>(
    `select c.relname::text as name, n.nspname::text as schema
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.oid = any($1::oid[]) order by 2, 1`,
    [relations],
  );
  for (const { name, schema } of read) {
    if (schema === "public" && MONITOR_READABLE_TABLES.has(name)) continue;
    const why = schema === "public" ? MONITOR_HIDDEN_TABLES[name] : undefined;
    return {
      code: "MONITOR_SQL_TABLE_NOT_ALLOWED",
      message: `A check may not read ${schema === "public" ? name : `${schema}.${name}`}${why ? `: ${why}` : ""}. It may read ${[...MONITOR_READABLE_TABLES].join(", ")}.`,
    };
  }
  return null;
}

class CheckFinished extends Error {
  constructor(readonly rows: Array<Record<string, unknown>>) {
    super("check finished");
  }
}

/**
 * Runs one check: vetted, then read from its probe view in a READ ONLY transaction under the
 * statement timeout, and rolled back (a check changes nothing, and the view goes with it).
 */
export async function runCheck(
  database: DatabaseHandle,
  sql: string,
  settings: CheckSettings,
): Promise<CheckRow[]> {
  const body = checkBody(sql);
  if (statementCount(body) !== 1) throw new Error("a monitor check must be a single SELECT statement");
  try {
    await database.transaction(async (query) => {
      const problem = await vetCheck(query, body);
      if (problem !== null) throw new Error(`${problem.code}: ${problem.message}`);
      await beginCheck(query, settings);
      throw new CheckFinished(await query<Record<string, unknown>>(VETTED_CHECK));
    });
  } catch (error) {
    if (error instanceof CheckFinished) return checkRowsOf(error.rows);
    throw error;
  }
  throw new Error("unreachable: a check always finishes by rolling back");
}
