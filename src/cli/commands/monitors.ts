import { execute } from "../../client/opsClient";
import {
  type MonitorAction,
  OpsMonitorsDocument,
  OpsRunMonitorsDocument,
  OpsUpsertMonitorDocument,
  type Severity,
} from "../../generated/graphql/graphql";
import { booleanOf, inlineOrFile, numberOf, oneOf, text } from "../framework";
import { type OpsCommand, outcomeOf, recordOf, round } from "../opsCommand";

const SEVERITIES = ["ERROR", "WARNING", "INFO"] as const satisfies readonly Severity[];

const MONITOR_ACTIONS = ["REVOKE_BUYER_KEYS", "NONE"] as const satisfies readonly MonitorAction[];

/** `npm run ops` commands. Monitors: list, run, create or change. */
export const monitorsCommands: OpsCommand[] = [
  {
    path: ["monitors", "list"],
    summary: "Every monitor with its newest run.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsMonitorsDocument, {});
      const rows = data.ops.monitors.map((monitor) => ({
        name: monitor.name,
        enabled: monitor.enabled,
        builtin: monitor.builtin,
        threshold: monitor.threshold,
        windowMinutes: monitor.windowMinutes,
        severity: monitor.severity,
        proposes: monitor.proposesAction ?? null,
        lastRun: monitor.lastEvent?.occurredAt ?? null,
        lastValue:
          monitor.lastEvent?.value === null || monitor.lastEvent?.value === undefined
            ? null
            : round(monitor.lastEvent.value),
        fired: monitor.lastEvent?.fired ?? null,
        error: monitor.lastEvent?.error ?? null,
      }));
      return { kind: "rows", rows, json: data.ops.monitors };
    },
  },
  {
    path: ["monitors", "run"],
    summary: "Run every enabled monitor now, or the --name'd ones.",
    options: {
      name: { type: "string", value: "NAME", multiple: true, description: "Only this monitor (repeatable)." },
    },
    async run({ endpoint, values }) {
      const names = values.name as string[] | undefined;
      const data = await execute(endpoint, OpsRunMonitorsDocument, {
        input: names === undefined ? null : { names },
      });
      return recordOf(data.runMonitors, ({ userErrors: _none, ...counts }) => counts);
    },
  },
  {
    path: ["monitors", "upsert"],
    summary: "Create or change a monitor by name; its check is run once, read-only, before it is saved.",
    details:
      "A new monitor needs --description, --sql (or --sql-file), --threshold and --window-minutes; on a change,\n" +
      "options left out keep what is stored. Built-in monitors keep their check and proposed action.",
    options: {
      name: { type: "string", value: "NAME", required: true, description: "Its unique name (a-z, 0-9, _)." },
      description: { type: "string", value: "TEXT", description: "What it watches for." },
      sql: {
        type: "string",
        value: "SQL",
        description: "One read-only SELECT returning value (and target).",
      },
      "sql-file": { type: "string", value: "PATH", description: "Read the check from a file." },
      threshold: { type: "string", value: "X", description: "Fires at or above this value." },
      "window-minutes": { type: "string", value: "N", description: "The window $1 starts (1..43200)." },
      severity: { type: "string", value: "S", description: `${SEVERITIES.join(", ")}.` },
      enabled: { type: "string", value: "BOOL", description: "true or false." },
      "proposes-action": { type: "string", value: "A", description: `${MONITOR_ACTIONS.join(" or ")}.` },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertMonitorDocument, {
        input: {
          name: text(values, "name") ?? "",
          description: text(values, "description") ?? null,
          sql: inlineOrFile(values, "sql") ?? null,
          threshold: numberOf("threshold", text(values, "threshold")) ?? null,
          windowMinutes: numberOf("window-minutes", text(values, "window-minutes"), true) ?? null,
          severity: oneOf("severity", text(values, "severity"), SEVERITIES) ?? null,
          enabled: booleanOf("enabled", text(values, "enabled")) ?? null,
          proposesAction: oneOf("proposes-action", text(values, "proposes-action"), MONITOR_ACTIONS) ?? null,
        },
      });
      return outcomeOf(data.upsertMonitor, (payload) => {
        const { lastEvent: _last, ...monitor } = payload.monitor ?? { lastEvent: null };
        return { kind: "record", record: { created: payload.created, ...monitor }, json: payload };
      });
    },
  },
];
