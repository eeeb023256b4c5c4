import type { DatabaseHandle, DatabaseKind, QueryFn } from "../db/client";

/** The 003 seed's "Database Health Check": more active connections than this is a warning. */
export const DEFAULT_ACTIVE_CONNECTIONS_WARNING = 150;
/** The built-in monitor that watches the sampled connection counts. */
export const CONNECTIONS_MONITOR = "database_connections";
/** How long connection samples are kept (they only feed the monitor's window). */
const SAMPLE_RETENTION_MS = 7 * 86_400_000;
const QUERY_TEXT_LIMIT = 300;

// Client connections only: background workers have no state and do not use max_connections slots
// a client could take. PGlite's one embedded connection is a "standalone backend".
const CLIENT_BACKENDS = "backend_type in ('client backend', 'standalone backend')";

export interface ConnectionStateCount {
  state: string;
  count: number;
}

export interface RunningStatement {
  pid: number;
  state: string;
  startedAt: Date;
  durationMs: number;
  waitEventType: string | null;
  query: string;
}

export interface StatementStatistic {
  query: string;
  calls: number;
  totalTimeMs: number;
  meanTimeMs: number;
  rows: number;
}

export interface StatementStatistics {
  available: boolean;
  /** Why they are not available, in plain words; null when they are. */
  reason: string | null;
  statements: StatementStatistic[];
}

export interface DatabaseHealth {
  backend: DatabaseKind;
  serverVersion: string;
  connectionsByState: ConnectionStateCount[];
  activeConnections: number;
  totalConnections: number;
  maxConnections: number;
  activeConnectionsWarning: number;
  status: "ok" | "warning";
  databaseSizeBytes: number;
  longestRunningStatements: RunningStatement[];
  statementStatistics: StatementStatistics;
  notes: string[];
}

interface ConnectionCounts {
  byState: ConnectionStateCount[];
  active: number;
  idle: number;
  idleInTransaction: number;
  total: number;
  maxConnections: number;
}

async function connectionCounts(query: QueryFn): Promise<ConnectionCounts> {
  const rows = await query<{ state: string; n: number }>(
    `select coalesce(state, 'unknown') as state, count(*)::int as n
     from pg_stat_activity where ${CLIENT_BACKENDS} group by 1 order by 1`,
  );
  const [setting] = await query<{ max: number }>("select current_setting('max_connections')::int as max");
  const count = (state: string) => rows.find((row) => row.state === state)?.n ?? 0;
  return {
    byState: rows.map((row) => ({ state: row.state, count: Number(row.n) })),
    active: count("active"),
    idle: count("idle"),
    idleInTransaction: count("idle in transaction") + count("idle in transaction (aborted)"),
    total: rows.reduce((sum, row) => sum + Number(row.n), 0),
    maxConnections: Number(setting?.max ?? 0),
  };
}

/** The threshold the built-in connections monitor holds now (operators may retune it), else the seed's. */
async function activeConnectionsWarning(database: DatabaseHandle): Promise<number> {
  const [row] = await database.query<{ threshold: number }>(
    "select threshold from monitors where name = $1",
    [CONNECTIONS_MONITOR],
  );
  return row === undefined ? DEFAULT_ACTIVE_CONNECTIONS_WARNING : Number(row.threshold);
}

/**
 * Records the client connection counts for the connections monitor (a check may not read
 * pg_stat_activity itself) and forgets samples older than a week, in one transaction.
 */
export async function sampleDatabaseHealth(database: DatabaseHandle, now: Date): Promise<void> {
  await database.transaction(async (query) => {
    const counts = await connectionCounts(query);
    await query(
      `insert into database_health_samples (sampled_at, active, idle, idle_in_transaction, total, max_connections)
       values ($1, $2, $3, $4, $5, $6)`,
      [now, counts.active, counts.idle, counts.idleInTransaction, counts.total, counts.maxConnections],
    );
    await query("delete from database_health_samples where sampled_at < $1", [
      new Date(now.getTime() - SAMPLE_RETENTION_MS),
    ]);
  });
}

const oneLine = (text: string) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > QUERY_TEXT_LIMIT ? `${flat.slice(0, QUERY_TEXT_LIMIT - 1)}…` : flat;
};

async function statementStatistics(database: DatabaseHandle, first: number): Promise<StatementStatistics> {
  const unavailable = (reason: string): StatementStatistics => ({ available: false, reason, statements: [] });
  if (database.kind === "pglite") {
    return unavailable(
      "The embedded database (PGlite) has no pg_stat_statements extension, so there are no statement statistics; run on PostgreSQL with pg_stat_statements to see the slowest statements.",
    );
  }
  const [installed] = await database.query<{ version: string }>(
    "select extversion as version from pg_extension where extname = 'pg_stat_statements'",
  );
  if (installed === undefined) {
    return unavailable(
      "pg_stat_statements is not installed in this database, so there are no statement statistics. To enable it: add pg_stat_statements to shared_preload_libraries, restart PostgreSQL, then run CREATE EXTENSION pg_stat_statements in this database.",
    );
  }
  // PostgreSQL 13 renamed total_time and mean_time to total_exec_time and mean_exec_time.
  for (const [total, mean] of [
    ["total_exec_time", "mean_exec_time"],
    ["total_time", "mean_time"],
  ] as const) {
    try {
      const rows = await database.query<{
        query: string;
        calls: number;
        total: number;
        mean: number;
        rows: number;
      }>(
        `select query, calls::float8 as calls, ${total}::float8 as total, ${mean}::float8 as mean, rows::float8 as rows
         from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
         order by ${total} desc limit $1`,
        [first],
      );
      return {
        available: true,
        reason: null,
        statements: rows.map((row) => ({
          query: oneLine(row.query ?? ""),
          calls: Number(row.calls),
          totalTimeMs: Number(row.total),
          meanTimeMs: Number(row.mean),
          rows: Number(row.rows),
        })),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/column .* does not exist/i.test(message)) continue;
      return unavailable(
        `pg_stat_statements is installed but cannot be read: ${message.slice(0, 200)} (it must be in shared_preload_libraries).`,
      );
    }
  }
  return unavailable(
    "pg_stat_statements has neither total_exec_time nor total_time; its version is not supported.",
  );
}

/**
 * The 003 seed's health, performance and connection checks, on either backend: client connections
 * by state against the warning threshold, the database size, the longest-running statements of
 * other connections to this database, and the slowest statements by total time where
 * pg_stat_statements is available (and why not where it is not).
 */
export async function databaseHealth(
  database: DatabaseHandle,
  options: { first: number },
): Promise<DatabaseHealth> {
  const counts = await connectionCounts(database.query);
  const warning = await activeConnectionsWarning(database);
  const [size] = await database.query<{ bytes: number; version: string }>(
    "select pg_database_size(current_database())::float8 as bytes, current_setting('server_version') as version",
  );
  const running = await database.query<{
    pid: number;
    state: string;
    started_at: Date;
    duration_ms: number;
    wait_event_type: string | null;
    query: string | null;
  }>(
    `select pid, coalesce(state, 'unknown') as state, query_start as started_at,
            (extract(epoch from (clock_timestamp() - query_start)) * 1000)::float8 as duration_ms,
            wait_event_type, query
     from pg_stat_activity
     where ${CLIENT_BACKENDS} and datname = current_database() and pid <> pg_backend_pid()
       and state is not null and state <> 'idle' and query_start is not null
     order by query_start limit $1`,
    [options.first],
  );
  const notes: string[] = [];
  if (database.kind === "pglite") {
    notes.push(
      "Embedded database (PGlite): one connection in this process; max_connections does not apply and no other connection can run a statement.",
    );
  }
  return {
    backend: database.kind,
    serverVersion: size?.version ?? "",
    connectionsByState: counts.byState,
    activeConnections: counts.active,
    totalConnections: counts.total,
    maxConnections: counts.maxConnections,
    activeConnectionsWarning: warning,
    // The monitor's rule (value >= threshold), so the view warns exactly when the monitor fires.
    status: counts.active >= warning ? "warning" : "ok",
    databaseSizeBytes: Number(size?.bytes ?? 0),
    longestRunningStatements: running.map((row) => ({
      pid: Number(row.pid),
      state: row.state,
      startedAt: new Date(row.started_at),
      durationMs: Math.max(0, Number(row.duration_ms)),
      waitEventType: row.wait_event_type,
      query: oneLine(row.query ?? ""),
    })),
    statementStatistics: await statementStatistics(database, options.first),
    notes,
  };
}
