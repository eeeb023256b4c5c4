import { apiError } from "../errors";
import {
  type ConnectionStateCount,
  type DatabaseHealth,
  databaseHealth,
  type RunningStatement,
  type StatementStatistic,
  type StatementStatistics,
} from "../jobs/databaseHealth";
import { builder } from "./builder";
import { Ops } from "./ops";

const DatabaseBackendEnum = builder.enumType("DatabaseBackend", {
  description: "Which database engine serves the API.",
  values: {
    POSTGRES: { value: "postgres", description: "A PostgreSQL server (DATABASE_URL)." },
    PGLITE: { value: "pglite", description: "The embedded PGlite database (demo mode)." },
  } as const,
});

const HealthStatusEnum = builder.enumType("DatabaseHealthStatus", {
  description: "The 003 seed's verdict on active connections.",
  values: {
    OK: { value: "ok", description: "Active connections below the warning threshold." },
    WARNING: {
      value: "warning",
      description: "Active connections at or above the warning threshold (the connections monitor fires).",
    },
  } as const,
});

const ConnectionState = builder.objectRef<ConnectionStateCount>("ConnectionStateCount").implement({
  description: "How many client connections are in one state (pg_stat_activity.state).",
  fields: (t) => ({
    state: t.exposeString("state", {
      description:
        "active, idle, idle in transaction, idle in transaction (aborted), fastpath function call, disabled or unknown.",
    }),
    count: t.exposeInt("count", { description: "Client connections in that state." }),
  }),
});

const RunningStatementType = builder.objectRef<RunningStatement>("RunningStatement").implement({
  description: "A statement another connection to this database is running (or a transaction it holds open).",
  fields: (t) => ({
    pid: t.exposeInt("pid", { description: "The server process id of the connection." }),
    state: t.exposeString("state", { description: "Its state, e.g. active or idle in transaction." }),
    startedAt: t.field({
      type: "DateTime",
      description: "When its current statement started.",
      resolve: (row) => row.startedAt,
    }),
    durationMs: t.exposeFloat("durationMs", { description: "How long it has been running, in ms." }),
    waitEventType: t.exposeString("waitEventType", {
      nullable: true,
      description: "What it waits for (Lock, IO, Client, ...), or null when it is not waiting.",
    }),
    query: t.exposeString("query", {
      description: "Its statement text on one line, at most 300 characters (parameters stay $1, $2, ...).",
    }),
  }),
});

const StatementStatisticType = builder.objectRef<StatementStatistic>("StatementStatistic").implement({
  description: "One normalised statement's totals from pg_stat_statements.",
  fields: (t) => ({
    query: t.exposeString("query", {
      description: "The normalised statement on one line, at most 300 characters.",
    }),
    calls: t.exposeFloat("calls", { description: "Times it ran since the statistics were reset." }),
    totalTimeMs: t.exposeFloat("totalTimeMs", { description: "Total execution time, in ms." }),
    meanTimeMs: t.exposeFloat("meanTimeMs", { description: "Mean execution time per call, in ms." }),
    rows: t.exposeFloat("rows", { description: "Rows returned or affected, in total." }),
  }),
});

const StatementStatisticsType = builder.objectRef<StatementStatistics>("StatementStatistics").implement({
  description: "The slowest statements by total time, where pg_stat_statements is available.",
  fields: (t) => ({
    available: t.exposeBoolean("available", {
      description: "True when pg_stat_statements could be read in this database.",
    }),
    reason: t.exposeString("reason", {
      nullable: true,
      description: "Why there are no statistics, and how to enable them; null when available.",
    }),
    statements: t.field({
      type: [StatementStatisticType],
      description: "The statements with the highest total time, slowest first (empty when not available).",
      resolve: (row) => row.statements,
    }),
  }),
});

const DatabaseHealthType = builder.objectRef<DatabaseHealth>("DatabaseHealth").implement({
  description:
    "The 003 seed's database health, query performance and connection health checks, as they apply to this backend.",
  fields: (t) => ({
    backend: t.field({
      type: DatabaseBackendEnum,
      description: "PostgreSQL server or embedded PGlite.",
      resolve: (row) => row.backend,
    }),
    serverVersion: t.exposeString("serverVersion", { description: "The server's version (server_version)." }),
    status: t.field({
      type: HealthStatusEnum,
      description: "WARNING when active connections reach activeConnectionsWarning, else OK.",
      resolve: (row) => row.status,
    }),
    activeConnections: t.exposeInt("activeConnections", {
      description: "Client connections running a statement now (this one included).",
    }),
    activeConnectionsWarning: t.exposeFloat("activeConnectionsWarning", {
      description:
        "The warning threshold: the database_connections monitor's threshold (default 150, the 003 seed's).",
    }),
    totalConnections: t.exposeInt("totalConnections", { description: "Client connections in any state." }),
    maxConnections: t.exposeInt("maxConnections", {
      description: "The server's max_connections (PGlite reports its setting but serves one connection).",
    }),
    connectionsByState: t.field({
      type: [ConnectionState],
      description: "Client connections per state, by state name.",
      resolve: (row) => row.connectionsByState,
    }),
    databaseSizeBytes: t.exposeFloat("databaseSizeBytes", {
      description: "The size of this database on disk, in bytes (pg_database_size).",
    }),
    longestRunningStatements: t.field({
      type: [RunningStatementType],
      description:
        "Statements of other connections to this database that are not idle, longest-running first (at most `first`).",
      resolve: (row) => row.longestRunningStatements,
    }),
    statementStatistics: t.field({
      type: StatementStatisticsType,
      description:
        "The slowest statements by total time (pg_stat_statements), or why they are not available.",
      resolve: (row) => row.statementStatistics,
    }),
    notes: t.exposeStringList("notes", {
      description: "What does not apply on this backend, in plain words (empty on PostgreSQL).",
    }),
  }),
});

builder.objectFields(Ops, (t) => ({
  databaseHealth: t.field({
    type: DatabaseHealthType,
    description:
      "Database health now: connections by state against the warning threshold, size, the longest-running statements and, with pg_stat_statements, the slowest ones.",
    args: {
      first: t.arg.int({
        defaultValue: 10,
        description: "How many running and slowest statements to list (1..50).",
      }),
    },
    resolve: (_ops, { first }, context) => {
      const size = first ?? 10;
      if (!Number.isInteger(size) || size < 1 || size > 50)
        throw apiError("BAD_USER_INPUT", "first must be between 1 and 50.", { field: "first", limit: 50 });
      return databaseHealth(context.database, { first: size });
    },
  }),
}));
