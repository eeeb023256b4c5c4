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
    return query<Record<string, unknown>>(wrappedCheck(body), checkParams(body, settings));
  });
  return checkRowsOf(raw);
}
