import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { ensureReferenceData } from "../../src/db/referenceData";
import { MONITOR_HIDDEN_TABLES, MONITOR_READABLE_TABLES, statementCount } from "../../src/jobs/monitorSql";
import { flushRequestLogs, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

const clock = fixedClock("2026-02-01T12:00:00Z");
let db: TestDatabase;
let operatorKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  await testApp(db, clock).graphql("{ viewer { role } }", { key: operatorKey });
});
afterAll(async () => {
  await db?.destroy();
});

const UPSERT = `mutation($input: UpsertMonitorInput!) {
  upsertMonitor(input: $input) {
    created
    monitor { name description sql threshold windowMinutes severity enabled builtin proposesAction }
    userErrors { field code message }
  }
}`;

interface UpsertPayload {
  created: boolean;
  monitor: Record<string, unknown> | null;
  userErrors: Array<{ field: string[]; code: string; message: string }>;
}

async function upsert(input: Record<string, unknown>) {
  const { body } = await testApp(db, clock).graphql(UPSERT, { key: operatorKey, variables: { input } });
  expect(body.errors).toBeUndefined();
  return body.data?.upsertMonitor as UpsertPayload;
}

/** Advisory locks held by any session of this database. */
async function advisoryLocks(): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    "select count(*)::int as count from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())",
  );
  return row?.count ?? 0;
}

const NEW_MONITOR = {
  name: "request_volume",
  description: "A role sent many requests in the window.",
  sql: "select role::text as target, count(*)::float8 as value from request_logs where at >= $1::timestamptz group by role",
  threshold: 1000,
  windowMinutes: 60,
  severity: "INFO",
};

describe("upsertMonitor", () => {
  it("creates a monitor whose check ran once read-only, and audits it", async () => {
    const payload = await upsert(NEW_MONITOR);
    expect(payload).toEqual({
      created: true,
      monitor: {
        name: "request_volume",
        description: NEW_MONITOR.description,
        sql: NEW_MONITOR.sql,
        threshold: 1000,
        windowMinutes: 60,
        severity: "INFO",
        enabled: true,
        builtin: false,
        proposesAction: null,
      },
      userErrors: [],
    });
    const [audit] = await db.query<{ outcome: string; before: unknown; after: { sql: string } }>(
      "select outcome, before, after from audit_logs where action = 'upsertMonitor' and target = 'request_volume'",
    );
    expect(audit).toMatchObject({ outcome: "OK", before: null, after: { sql: NEW_MONITOR.sql } });
  });

  it("changes only the fields given, and a later run uses them", async () => {
    const payload = await upsert({
      name: "request_volume",
      threshold: 1,
      proposesAction: "REVOKE_BUYER_KEYS",
    });
    expect(payload.created).toBe(false);
    expect(payload.monitor).toMatchObject({
      threshold: 1,
      windowMinutes: 60,
      severity: "INFO",
      proposesAction: "revoke_buyer_keys",
    });
    // The monitor reads request_logs, which the apps write in batches after the responses.
    await flushRequestLogs();
    const { body } = await testApp(db, clock).graphql(
      `mutation { runMonitors(input: { names: ["request_volume"] }) { checked fired failed proposedActions userErrors { code } } }`,
      { key: operatorKey },
    );
    expect(body.data?.runMonitors).toEqual({
      checked: 1,
      fired: 1,
      failed: 0,
      proposedActions: 0,
      userErrors: [],
    });
    // The operator's own requests fired it; a revoke is only proposed for a buyer's partner id.
    const feed = await db.query<{ incident_key: string }>("select incident_key from ops_feed");
    expect(feed).toEqual([{ incident_key: "request_volume:operator" }]);
  });

  it.each([
    ["a DELETE", "delete from api_keys", "MONITOR_SQL_NOT_READ_ONLY"],
    [
      "an UPDATE behind a comment",
      "/* harmless */ update api_keys set name = 'x'",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "a data-modifying WITH",
      "with gone as (delete from api_keys returning 1) select count(*)::float8 as value from gone",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "SELECT INTO (creates a table)",
      "select 1::float8 as value into monitor_copy",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "a function that writes",
      "select nextval('audit_logs_id_seq')::float8 as value",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "a session advisory lock (outlives the transaction)",
      "select pg_advisory_lock(42)::text as target, 1::float8 as value",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "a session setting (outlives the transaction)",
      "select set_config('search_path', 'nowhere', false) as target, 1::float8 as value",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "ending other sessions",
      "select pg_terminate_backend(pid)::int::float8 as value from pg_stat_activity where pid <> pg_backend_pid()",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "raw events (a per-person table)",
      "select participant_id as target, count(*)::float8 as value from interaction_events group by 1",
      "MONITOR_SQL_TABLE_NOT_ALLOWED",
    ],
    [
      "key hashes in a subquery",
      "select 1::float8 as value where exists (select 1 from api_keys where key_hash like 'a%')",
      "MONITOR_SQL_TABLE_NOT_ALLOWED",
    ],
    [
      "a table read by name",
      "select length(table_to_xml('interaction_events', true, false, '')::text)::float8 as value",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    [
      "a volatile call hidden between double quotes in a string",
      `select 1 as value, ('"'::text || query_to_xml('select key_hash from api_keys', true, false, '')::text || '"(') as target`,
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "an advisory lock in LIMIT",
      "select 1::float8 as value limit case when pg_try_advisory_lock(4242) then 1 else 1 end",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "an advisory lock in a window frame",
      "select sum(1) over (rows between case when pg_try_advisory_lock(9) then 1 else 1 end preceding and current row)::float8 as value",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "a server file",
      "select 1::float8 as value, pg_read_file('/etc/hostname', 0, 10) as target",
      "MONITOR_SQL_NOT_READ_ONLY",
    ],
    [
      "other sessions' queries",
      "select 1::float8 as value, query as target from pg_stat_get_activity(null)",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    [
      "the server's settings (a catalog view)",
      "select 1::float8 as value, name || '=' || setting as target from pg_settings",
      "MONITOR_SQL_TABLE_NOT_ALLOWED",
    ],
    [
      "row counts of a hidden table",
      "select pg_stat_get_live_tuples('api_keys'::regclass)::float8 as value",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    ["a system catalog", "select count(*)::float8 as value from pg_authid", "MONITOR_SQL_TABLE_NOT_ALLOWED"],
    [
      "a $1 inside a dollar quote, which a text replacement would read differently",
      "select $1::timestamptz as w, $a$1$a$ as x, (select count(*) from api_keys) as value, (select key_hash from api_keys limit 1) as target --$a$1$",
      "MONITOR_SQL_TABLE_NOT_ALLOWED",
    ],
    [
      "a second statement behind an E'' string (backslash escapes)",
      "select 1 as value, E'\\'' as t; copy (select 1) to program 'touch /tmp/monitor_vet_pwned'; select 1 as value, '' as t",
      "MONITOR_SQL_MULTIPLE_STATEMENTS",
    ],
    [
      "a server setting (current_setting is only for monitor.*)",
      "select 1::float8 as value, current_setting('data_directory') as target",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    [
      "a setting named at run time",
      "select 1::float8 as value, current_setting(code) as target from city_definitions",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    [
      "role names through a regrole cast",
      "select count(*)::float8 as value, string_agg(g::oid::regrole::text, ',') as target from generate_series(1, 20000) g",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    [
      "a validator that loads a library into the session",
      "select 1::float8 as value, fmgr_c_validator('utf8_to_koi8r'::regproc)::text as target",
      "MONITOR_SQL_FUNCTION_NOT_ALLOWED",
    ],
    ["two statements", "select 1 as value; delete from api_keys", "MONITOR_SQL_MULTIPLE_STATEMENTS"],
    ["transaction control", "commit", "MONITOR_SQL_NOT_A_QUERY"],
    ["no value column", "select 1 as amount", "MONITOR_SQL_NO_VALUE_COLUMN"],
    ["a value that is not a number", "select 'many' as value", "MONITOR_SQL_VALUE_NOT_NUMERIC"],
    ["a check that fails", "select value from no_such_table", "MONITOR_SQL_INVALID"],
  ])("refuses %s at save time, saving and writing nothing", async (_what, sql, code) => {
    const before = await stateDigest(db);
    const [sequence] = await db.query<{ value: string }>(
      "select last_value::text as value from audit_logs_id_seq",
    );
    const lastId = await lastAuditId(db);
    const payload = await upsert({ ...NEW_MONITOR, name: "refused_check", sql });
    expect(payload.monitor).toBeNull();
    expect(payload.userErrors.map(({ field, code }) => ({ field, code }))).toEqual([
      { field: ["input", "sql"], code },
    ]);
    expect(await stateDigest(db)).toEqual(before);
    // Only the refusal's own audit row took a value of the sequence: the check's nextval was rolled back.
    const [after] = await db.query<{ value: string }>(
      "select last_value::text as value from audit_logs_id_seq",
    );
    expect(Number(after?.value)).toBe(Number(sequence?.value) + 1);
    const audit = await db.query<{ action: string; outcome: string }>(
      "select action, outcome from audit_logs where id > $1",
      [lastId],
    );
    expect(audit).toEqual([{ action: "upsertMonitor", outcome: code }]);
  });

  it("never runs a refused check: no advisory lock and no session setting is left behind", async () => {
    const lockedBefore = await advisoryLocks();
    for (const sql of [
      "select pg_advisory_lock(4242)::text as target, 1::float8 as value",
      "select set_config('statement_timeout', '1', false) as target, 1::float8 as value",
    ]) {
      const payload = await upsert({ ...NEW_MONITOR, name: "sneaky_check", sql });
      expect(payload.userErrors.map((error) => error.code)).toEqual(["MONITOR_SQL_NOT_READ_ONLY"]);
      expect(payload.userErrors[0]?.message).toMatch(/pg_advisory_lock|set_config/);
    }
    expect(await advisoryLocks()).toBe(lockedBefore);
    // A setting leaked into a pooled session would make this 1 ms.
    const [setting] = await db.query<{ value: string }>(
      "select current_setting('statement_timeout') as value",
    );
    expect(setting?.value).not.toBe("1ms");
  });

  it("refuses to run a stored check that the vetting refuses, recording why, with no side effect", async () => {
    // A check stored before vetting existed (or edited in the table): the run vets it again.
    await db.query(
      `insert into monitors (name, description, sql, threshold, window_minutes, severity, enabled, builtin)
       values ('stored_lock', 'Takes a lock.', 'select pg_advisory_lock(77)::text as target, 1::float8 as value', 1, 60, 'info', true, false),
              ('stored_events', 'Reads raw events.', 'select count(*)::float8 as value from interaction_events', 1, 60, 'info', true, false)`,
    );
    const lockedBefore = await advisoryLocks();
    const { body } = await testApp(db, clock).graphql(
      `mutation { runMonitors(input: { names: ["stored_lock", "stored_events"] }) { checked fired failed userErrors { code } } }`,
      { key: operatorKey },
    );
    expect(body.data?.runMonitors).toEqual({ checked: 2, fired: 0, failed: 2, userErrors: [] });
    const events = await db.query<{ name: string; error: string }>(
      `select m.name, e.error from monitor_events e join monitors m on m.id = e.monitor_id
       where m.name in ('stored_lock', 'stored_events') order by m.name`,
    );
    expect(events.map((event) => [event.name, event.error.split(":")[0]])).toEqual([
      ["stored_events", "MONITOR_SQL_TABLE_NOT_ALLOWED"],
      ["stored_lock", "MONITOR_SQL_NOT_READ_ONLY"],
    ]);
    expect(await advisoryLocks()).toBe(lockedBefore);
    expect(await db.query("select 1 from ops_feed where incident_key like 'stored_%'")).toEqual([]);
  });

  it("classifies every table of the schema as readable by checks or hidden from them", async () => {
    const tables = await db.query<{ name: string }>(
      "select table_name::text as name from information_schema.tables where table_schema = 'public' order by 1",
    );
    const readable = tables
      .filter((table) => MONITOR_READABLE_TABLES.has(table.name))
      .map((table) => table.name);
    const hidden = tables.filter((table) => table.name in MONITOR_HIDDEN_TABLES).map((table) => table.name);
    expect([...readable, ...hidden].sort()).toEqual(tables.map((table) => table.name));
    expect(readable.filter((name) => hidden.includes(name))).toEqual([]);
    // No stale entries either.
    expect([...MONITOR_READABLE_TABLES, ...Object.keys(MONITOR_HIDDEN_TABLES)].sort()).toEqual(
      tables.map((table) => table.name),
    );
    expect(hidden).toContain("interaction_events");
  });

  it("sends a check's text as one statement, so a second one is refused even when the count misses it", async () => {
    // The count's lexer is a courtesy; PostgreSQL's parser decides. Two statements sent `single`
    // fail as a whole, and nothing of them runs.
    const lockedBefore = await advisoryLocks();
    await expect(
      db.transaction((query) =>
        query("create temp view monitor_two as select 1; select pg_advisory_lock(4343)", [], {
          single: true,
        }),
      ),
    ).rejects.toThrow(/multiple commands|cannot insert multiple/);
    expect(await advisoryLocks()).toBe(lockedBefore);
  });

  it("counts statements outside strings, quoted names, dollar quotes and comments", () => {
    expect(statementCount("select ';' as target, 1 as value")).toBe(1);
    expect(statementCount('select 1 as "a;b" -- c;d\n')).toBe(1);
    expect(statementCount("select $x$;$x$ as t, 1 as value /* ; */;")).toBe(1);
    expect(statementCount("select 1; select 2")).toBe(2);
    expect(statementCount("  ;  ")).toBe(0);
    expect(statementCount("select E'\\'' as t; select 2")).toBe(2);
    expect(statementCount("select 'it''s' as t; select 2")).toBe(2);
    expect(statementCount("select $1 as a, $b$;$b$ as t")).toBe(1);
    expect(statementCount("select $1$x; select 2")).toBe(2);
  });

  it("needs every field of a new monitor and reports each missing one", async () => {
    const payload = await upsert({ name: "half_made" });
    expect(payload.userErrors.map((error) => [error.field[1], error.code])).toEqual([
      ["description", "REQUIRED"],
      ["sql", "REQUIRED"],
      ["threshold", "REQUIRED"],
      ["windowMinutes", "REQUIRED"],
    ]);
    expect(
      (await upsert({ ...NEW_MONITOR, name: "Bad Name" })).userErrors.map((error) => error.code),
    ).toEqual(["INVALID_NAME"]);
  });

  it("lets operators retune a built-in monitor but not replace its check or action, and a restart keeps the tuning", async () => {
    const retuned = await upsert({ name: "buyer_fingerprint_growth", threshold: 40, severity: "WARNING" });
    expect(retuned.userErrors).toEqual([]);
    expect(retuned.monitor).toMatchObject({
      threshold: 40,
      severity: "WARNING",
      builtin: true,
      proposesAction: "revoke_buyer_keys",
    });
    const before = await stateDigest(db);
    const replaced = await upsert({ name: "buyer_fingerprint_growth", sql: "select 0::float8 as value" });
    expect(replaced.userErrors.map(({ field, code }) => ({ field, code }))).toEqual([
      { field: ["input", "sql"], code: "BUILTIN_MONITOR_LOCKED" },
    ]);
    const silenced = await upsert({ name: "buyer_fingerprint_growth", proposesAction: "NONE" });
    expect(silenced.userErrors.map((error) => error.code)).toEqual(["BUILTIN_MONITOR_LOCKED"]);
    expect(await stateDigest(db)).toEqual(before);
    // Sending the stored check back unchanged is not a change.
    const [stored] = await db.query<{ sql: string }>(
      "select sql from monitors where name = 'buyer_fingerprint_growth'",
    );
    expect(
      (await upsert({ name: "buyer_fingerprint_growth", sql: stored?.sql, enabled: false })).userErrors,
    ).toEqual([]);
    await ensureReferenceData(db);
    const [row] = await db.query<{ threshold: number; enabled: boolean; builtin: boolean }>(
      "select threshold, enabled, builtin from monitors where name = 'buyer_fingerprint_growth'",
    );
    expect(row).toEqual({ threshold: 40, enabled: false, builtin: true });
  });

  it("refuses a check that outlives the statement timeout (PostgreSQL interrupts it; PGlite refuses it once it returns)", async () => {
    await db.query(
      `update timing_policies set payload = jsonb_set(payload, '{statement_timeout_ms}', '200') where policy_key = 'ops_monitors_v1'`,
    );
    const before = await stateDigest(db);
    const started = Date.now();
    const payload = await upsert({
      ...NEW_MONITOR,
      name: "slow_check",
      // Half a billion rows on PostgreSQL (interrupted at 200 ms); enough for well over 200 ms on PGlite.
      sql: `select count(*)::float8 as value from generate_series(1, ${db.kind === "postgres" ? 500_000_000 : 3_000_000})`,
    });
    expect(payload.userErrors.map((error) => error.code)).toEqual(["MONITOR_SQL_TIMEOUT"]);
    if (db.kind === "postgres") expect(Date.now() - started).toBeLessThan(1900);
    expect(await stateDigest(db)).toEqual(before);
  });
});
