import { execute } from "../../client/opsClient";
import { OpsDatabaseHealthDocument } from "../../generated/graphql/graphql";
import { numberOf, text, UsageError } from "../framework";
import { type OpsCommand, round } from "../opsCommand";

/** `npm run ops` commands. Database health. */
export const healthCommands: OpsCommand[] = [
  {
    path: ["db-health"],
    summary:
      "Database health: connections by state against the warning threshold, size, the longest-running and the slowest statements.",
    details:
      "The summary prints as a record; the longest-running statements and the slowest ones (pg_stat_statements, or why it is not available) follow on stderr.",
    options: {
      first: {
        type: "string",
        value: "N",
        description: "How many statements of each list (1 to 50; default 10).",
      },
    },
    async run({ endpoint, values }) {
      const count = numberOf("first", text(values, "first"), true) ?? 10;
      if (count < 1 || count > 50) throw new UsageError("--first must be from 1 to 50");
      const data = await execute(endpoint, OpsDatabaseHealthDocument, { first: count });
      const health = data.ops.databaseHealth;
      const stats = health.statementStatistics;
      const lines = [
        ...health.notes,
        `Longest-running statements of other connections: ${health.longestRunningStatements.length === 0 ? "none" : ""}`,
        ...health.longestRunningStatements.map(
          (row) =>
            `  pid ${row.pid} ${row.state} ${round(row.durationMs)} ms${row.waitEventType ? ` (waits: ${row.waitEventType})` : ""}: ${row.query}`,
        ),
        stats.available
          ? `Slowest statements by total time (pg_stat_statements):${stats.statements.length === 0 ? " none" : ""}`
          : `Slowest statements: not available. ${stats.reason ?? ""}`,
        ...stats.statements.map(
          (row) =>
            `  ${round(row.totalTimeMs)} ms in ${row.calls} calls (mean ${round(row.meanTimeMs)} ms): ${row.query}`,
        ),
      ];
      return {
        kind: "record",
        record: {
          backend: health.backend,
          serverVersion: health.serverVersion,
          status: health.status,
          activeConnections: health.activeConnections,
          activeConnectionsWarning: health.activeConnectionsWarning,
          totalConnections: health.totalConnections,
          maxConnections: health.maxConnections,
          connectionsByState: health.connectionsByState.map((row) => `${row.state} ${row.count}`).join(", "),
          databaseSizeMb: round(health.databaseSizeBytes / 1_048_576),
          slowStatements: stats.available ? stats.statements.length : "not available",
        },
        json: health,
        note: lines.join("\n"),
      };
    },
  },
];
