import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import type { AdminOutcome, UserError } from "../../errors";
import {
  beginCheck,
  type CheckProblem,
  type CheckSettings,
  checkBody,
  checkRowsOf,
  statementCount,
  VETTED_CHECK,
  vetCheck,
} from "../../jobs/monitorSql";
import {
  MONITOR,
  type MonitorRow,
  type MonitorSeverity,
  monitorStatementTimeoutMs,
  REVOKE_BUYER_KEYS,
} from "../../jobs/monitors";
import { lastMonitorEvents, type MonitorView } from "./monitors";

/** Actions a monitor may propose into the action ledger ("none": it only raises feed items). */
export const MONITOR_ACTIONS = [REVOKE_BUYER_KEYS, "none"] as const;
export type MonitorAction = (typeof MONITOR_ACTIONS)[number];

export interface UpsertMonitorInput {
  name: string;
  description?: string | null;
  sql?: string | null;
  threshold?: number | null;
  windowMinutes?: number | null;
  severity?: MonitorSeverity | null;
  enabled?: boolean | null;
  proposesAction?: MonitorAction | null;
}

type StoredMonitor = AdminOutcome<{ monitor: MonitorRow; created: boolean }>;

const NAME = /^[a-z][a-z0-9_]{2,62}$/;
const MAX_SQL_LENGTH = 10_000;
const MAX_WINDOW_MINUTES = 43_200;
// The first word of a statement that writes or changes the schema; anything else that is not a
// query (BEGIN, COMMIT, SET, SHOW, EXPLAIN, ...) is refused as not a query.
const WRITING_VERBS =
  /^(insert|update|delete|merge|truncate|create|alter|drop|grant|revoke|copy|comment|lock|vacuum|analyze|reindex|cluster|refresh|call|do|import|security|reassign)$/i;
const QUERY_VERBS = /^(select|with|values|table)$/i;

/**
 * Every problem of an upsert, given the stored monitor of that name (null: it is created). A
 * built-in monitor may be retuned (description, threshold, window, severity, enabled) but keeps its
 * check and its proposed action: those are what the runbook's incident signals rely on.
 */
export function validateUpsertMonitor(input: UpsertMonitorInput, existing: MonitorRow | null): UserError[] {
  const errors: UserError[] = [];
  const bad = (field: string, code: string, message: string) =>
    errors.push({ field: ["input", field], code, message });
  if (!NAME.test(input.name))
    bad("name", "INVALID_NAME", "name must be 3 to 63 characters of a-z, 0-9 and _, starting with a letter.");
  if (existing === null) {
    for (const field of ["description", "sql", "threshold", "windowMinutes"] as const) {
      if (input[field] === null || input[field] === undefined)
        bad(field, "REQUIRED", `${field} is required to create a monitor.`);
    }
  }
  const description = input.description?.trim();
  if (description !== undefined && (description.length === 0 || description.length > 500))
    bad("description", "INVALID_DESCRIPTION", "description must be 1 to 500 characters.");
  if (input.threshold !== null && input.threshold !== undefined && !Number.isFinite(input.threshold))
    bad("threshold", "OUT_OF_RANGE", "threshold must be a finite number.");
  const window = input.windowMinutes;
  if (
    window !== null &&
    window !== undefined &&
    (!Number.isInteger(window) || window < 1 || window > MAX_WINDOW_MINUTES)
  )
    bad("windowMinutes", "OUT_OF_RANGE", `windowMinutes must be 1 to ${MAX_WINDOW_MINUTES} (30 days).`);
  if (input.sql !== null && input.sql !== undefined) {
    const body = checkBody(input.sql);
    const statements = statementCount(body);
    if (body.length > MAX_SQL_LENGTH) {
      bad("sql", "TOO_LONG", `sql may be at most ${MAX_SQL_LENGTH} characters.`);
    } else if (statements === 0) {
      bad("sql", "REQUIRED", "sql must be one SELECT returning a numeric value column.");
    } else if (statements > 1) {
      bad(
        "sql",
        "MONITOR_SQL_MULTIPLE_STATEMENTS",
        `sql holds ${statements} statements; a check is exactly one read-only query.`,
      );
    } else {
      const verb = firstWord(body);
      if (WRITING_VERBS.test(verb)) {
        bad("sql", "MONITOR_SQL_NOT_READ_ONLY", `A check may only read; ${verb.toUpperCase()} writes.`);
      } else if (!QUERY_VERBS.test(verb)) {
        bad(
          "sql",
          "MONITOR_SQL_NOT_A_QUERY",
          "A check is one query: SELECT, WITH ... SELECT, VALUES or TABLE.",
        );
      }
    }
    if (existing?.builtin && body !== checkBody(existing.sql))
      bad(
        "sql",
        "BUILTIN_MONITOR_LOCKED",
        `${existing.name} is built in: its check cannot be changed (retune its threshold, window or severity, or disable it).`,
      );
  }
  if (
    existing?.builtin &&
    input.proposesAction !== null &&
    input.proposesAction !== undefined &&
    input.proposesAction !== (existing.proposesAction ?? "none")
  ) {
    bad(
      "proposesAction",
      "BUILTIN_MONITOR_LOCKED",
      `${existing.name} is built in: its proposed action cannot be changed.`,
    );
  }
  return errors;
}

function firstWord(body: string): string {
  const stripped = body.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/, "");
  return /^[A-Za-z]+/.exec(stripped)?.[0] ?? "";
}

class ProbeFinished extends Error {}

/**
 * Runs a check once, as a run would, inside a READ ONLY transaction under the statement timeout,
 * and rolls it back: first it is vetted from PostgreSQL's parse of it (vetCheck: no volatile
 * function, no system-information function, only readable tables), so a check that is refused
 * never runs; then the vetted view runs (the transaction refuses any write besides), then for
 * its `value` column, then as a run reads it. Returns the problem as a userError on `sql`, or
 * null when the check is fine.
 */
export async function probeMonitorSql(
  database: DatabaseHandle,
  sql: string,
  settings: CheckSettings,
): Promise<UserError | null> {
  const body = checkBody(sql);
  let step = "run";
  let vetted: CheckProblem | null = null;
  try {
    await database.transaction(async (query: QueryFn) => {
      vetted = await vetCheck(query, body);
      if (vetted !== null) throw new ProbeFinished();
      await beginCheck(query, settings);
      const started = performance.now();
      await query(VETTED_CHECK);
      // PGlite runs in-process and cannot interrupt a statement: a check slower than the timeout
      // is refused once it returns, so that no run of it holds the one connection that long.
      if (database.kind === "pglite" && performance.now() - started > settings.statementTimeoutMs) {
        throw Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
      }
      step = "value";
      await query(`select value from (${VETTED_CHECK}) as monitor_check limit 0`);
      step = "rows";
      checkRowsOf(await query<Record<string, unknown>>(VETTED_CHECK));
      throw new ProbeFinished();
    });
  } catch (error) {
    if (error instanceof ProbeFinished) {
      // Assigned inside the transaction's callback, which the compiler cannot follow.
      const refused = vetted as CheckProblem | null;
      return refused === null
        ? null
        : { field: ["input", "sql"], code: refused.code, message: refused.message };
    }
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const problem = (errorCode: string, text: string): UserError => ({
      field: ["input", "sql"],
      code: errorCode,
      message: text,
    });
    if (code === "25006") return problem("MONITOR_SQL_NOT_READ_ONLY", `The check tried to write: ${message}`);
    if (code === "57014")
      return problem(
        "MONITOR_SQL_TIMEOUT",
        `The check ran longer than ${settings.statementTimeoutMs} ms (ops_monitors_v1.statement_timeout_ms).`,
      );
    if (step === "value" && code === "42703")
      return problem("MONITOR_SQL_NO_VALUE_COLUMN", "The check must return a numeric column named value.");
    if (step === "rows" && code === undefined)
      return problem("MONITOR_SQL_VALUE_NOT_NUMERIC", `The check's value must be a number: ${message}`);
    return problem("MONITOR_SQL_INVALID", `The check failed: ${message.slice(0, 300)}`);
  }
  return null;
}

/**
 * Creates or changes a monitor by name (absent fields keep what is stored). A new or changed check
 * is run once, read-only and rolled back, under the policy's statement timeout, before anything is
 * saved. Audited with the change; returns the monitor with its newest run.
 */
export async function upsertMonitor(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: UpsertMonitorInput,
): Promise<AdminOutcome<{ monitor: MonitorView; created: boolean }>> {
  const statementTimeoutMs = await monitorStatementTimeoutMs(database);
  const now = clock.now();
  const stored = await storeMonitor(database, actor, input, { now, statementTimeoutMs });
  if (!stored.ok) return stored;
  const { monitor, created } = stored.value;
  const lastEvent = (await lastMonitorEvents(database)).get(monitor.id) ?? null;
  return { ok: true, value: { monitor: { ...monitor, lastEvent }, created } };
}

async function storeMonitor(
  database: DatabaseHandle,
  actor: AdminActor,
  input: UpsertMonitorInput,
  settings: { now: Date; statementTimeoutMs: number },
): Promise<StoredMonitor> {
  const [found] = await database.query(`select ${MONITOR.list} from monitors where name = $1`, [input.name]);
  const stored = found === undefined ? undefined : MONITOR.read(found);
  const userErrors = validateUpsertMonitor(input, stored ?? null);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const sql = input.sql ?? null;
  if (sql !== null && (stored === undefined || checkBody(sql) !== checkBody(stored.sql))) {
    const problem = await probeMonitorSql(database, sql, {
      now: settings.now,
      windowMinutes: input.windowMinutes ?? stored?.windowMinutes ?? 60,
      statementTimeoutMs: settings.statementTimeoutMs,
    });
    if (problem !== null) return { ok: false, userErrors: [problem] };
  }
  return database.transaction(async (query): Promise<StoredMonitor> => {
    const [locked] = await query(`select ${MONITOR.list} from monitors where name = $1 for update`, [
      input.name,
    ]);
    const before = locked === undefined ? undefined : MONITOR.read(locked);
    // Checked again under the lock: the row may have appeared or changed since the probe.
    const lockedErrors = validateUpsertMonitor(input, before ?? null);
    if (lockedErrors.length > 0) return { ok: false, userErrors: lockedErrors };
    const proposes =
      input.proposesAction === null || input.proposesAction === undefined
        ? (before?.proposesAction ?? null)
        : input.proposesAction === "none"
          ? null
          : input.proposesAction;
    const [upserted] = await query(
      `insert into monitors (name, description, sql, threshold, window_minutes, severity, enabled, builtin, proposes_action, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, false, $8, $9, $9)
       on conflict (name) do update set description = excluded.description, sql = excluded.sql,
         threshold = excluded.threshold, window_minutes = excluded.window_minutes, severity = excluded.severity,
         enabled = excluded.enabled, proposes_action = excluded.proposes_action, updated_at = excluded.updated_at
       returning ${MONITOR.list}`,
      [
        input.name,
        input.description?.trim() ?? before?.description,
        sql === null ? before?.sql : checkBody(sql),
        input.threshold ?? before?.threshold,
        input.windowMinutes ?? before?.windowMinutes,
        input.severity ?? before?.severity ?? "warning",
        input.enabled ?? before?.enabled ?? true,
        proposes,
        settings.now,
      ],
    );
    if (upserted === undefined) throw new Error("monitor upsert returned no row");
    const after = MONITOR.read(upserted);
    await appendAuditEntry(query, {
      at: settings.now,
      type: "admin_mutation",
      ...actor,
      action: "upsertMonitor",
      target: input.name,
      outcome: "OK",
      before: before === undefined ? null : auditView(before),
      after: auditView(after),
    });
    return { ok: true, value: { monitor: after, created: before === undefined } };
  });
}

function auditView(row: MonitorRow) {
  const { createdAt: _created, updatedAt: _updated, ...rest } = row;
  return rest;
}
