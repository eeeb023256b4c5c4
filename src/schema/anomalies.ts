import {
  type AnomalySeverity,
  byTypeAndSeverity,
  MAX_WINDOW_HOURS,
  readAnomalyStats,
} from "../jobs/anomalyStats";
import { type AnomalyRow, listAnomalies } from "../resolvers/anomalies/listAnomalies";
import { builder } from "./builder";
import { connectionOf, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest } from "./connection";

export const Severity = builder.enumType("Severity", {
  description:
    "How serious an import anomaly, a monitor or an ops feed item is (dbt/Soda-style severity bands).",
  values: {
    ERROR: {
      value: "error",
      description:
        "Needs action: for an import row, a membership could not be made (unknown DS or RM); for a monitor, an abuse or outage signal.",
    },
    WARNING: {
      value: "warning",
      description:
        "Needs a look: for an import row, imported but not normalised (unknown delivery partner); for a monitor, a drift worth checking.",
    },
    INFO: { value: "info", description: "Worth knowing; nothing is missing or broken." },
  } as const,
});

const Anomaly = builder.objectRef<AnomalyRow>("Anomaly").implement({
  description: "One problem found in one row of a tenant's import batch.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The anomaly's id." }),
    anomalyType: t.exposeString("anomalyType", {
      description:
        "What went wrong, as named in the import runbook: UNKNOWN_DELIVERY_PARTNER, UNKNOWN_DS, UNKNOWN_RM.",
    }),
    severity: t.field({ type: Severity, description: "How serious it is.", resolve: (row) => row.severity }),
    tenantId: t.exposeString("tenantId", { description: "The tenant whose batch it came from." }),
    batchId: t.exposeID("batchId", { description: "The batch (staging batch id, a UUID)." }),
    rowIndex: t.exposeInt("rowIndex", { description: "Index of the row in the batch, from 0." }),
    projectKey: t.exposeString("projectKey", {
      nullable: true,
      description: "The row's stage_application (project key), when it had one.",
    }),
    correlationId: t.exposeID("correlationId", {
      description: "The batch's correlation id, for logs and tickets.",
    }),
    payloadExcerpt: t.exposeString("payloadExcerpt", {
      description: "At most 500 characters of this row only; never the whole batch.",
    }),
    createdAt: t.field({
      type: "DateTime",
      description: "When it was recorded.",
      resolve: (row) => row.createdAt,
    }),
  }),
});

const AnomalyConnection = builder.connectionObject(
  {
    type: Anomaly,
    name: "AnomalyConnection",
    description: "A page of anomalies, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many anomalies match the filters across all pages.",
        resolve: (connection) => (connection as { totalCount?: number }).totalCount ?? 0,
      }),
    }),
  },
  { name: "AnomalyEdge", description: "An anomaly with its cursor." },
);

builder.queryField("anomalies", (t) =>
  t.field({
    type: AnomalyConnection,
    description:
      "Import anomalies created in the last windowHours, newest first (INTERNAL and OPERATOR only).",
    authScopes: { internal: true },
    args: {
      windowHours: t.arg.int({
        defaultValue: 24,
        description: `How many hours back to look (1..${MAX_WINDOW_HOURS}, default 24).`,
      }),
      tenant: t.arg.string({ required: false, description: "Only this tenant's anomalies." }),
      severity: t.arg({ type: [Severity], required: false, description: "Only these severities." }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: `Page size, at most ${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string({
        required: false,
        description: "Cursor of the last anomaly of the previous page.",
      }),
    },
    resolve: async (_root, args, context) => {
      const request = pageRequest("anomalies", args);
      const page = await listAnomalies(
        context.database,
        {
          windowHours: args.windowHours ?? 24,
          tenant: args.tenant,
          severities: args.severity as AnomalySeverity[] | null | undefined,
        },
        request,
        context.clock.now(),
      );
      return connectionOf(request, page, (row) => ({ at: row.createdAt, id: row.id }));
    },
  }),
);

interface TypeSeverityCount {
  anomalyType: string;
  severity: AnomalySeverity;
  count: number;
}

const AnomalyTypeCount = builder.objectRef<TypeSeverityCount>("AnomalyTypeCount").implement({
  description: "How many anomalies of one type and severity the window holds.",
  fields: (t) => ({
    anomalyType: t.exposeString("anomalyType", { description: "The anomaly type, e.g. UNKNOWN_DS." }),
    severity: t.field({ type: Severity, description: "Its severity.", resolve: (row) => row.severity }),
    count: t.exposeInt("count", { description: "How many, across tenants." }),
  }),
});

const AnomalyStats = builder
  .objectRef<{
    windowHours: number;
    since: Date;
    total: number;
    errors: number;
    warnings: number;
    infos: number;
    byType: TypeSeverityCount[];
  }>("AnomalyStats")
  .implement({
    description: "Counts of the anomalies created in a window, per type and severity.",
    fields: (t) => ({
      windowHours: t.exposeInt("windowHours", { description: "The window's length in hours." }),
      since: t.field({
        type: "DateTime",
        description: "Start of the window (now - windowHours).",
        resolve: (s) => s.since,
      }),
      totalCount: t.exposeInt("total", { description: "All anomalies in the window." }),
      errorCount: t.exposeInt("errors", { description: "ERROR anomalies in the window." }),
      warningCount: t.exposeInt("warnings", { description: "WARNING anomalies in the window." }),
      infoCount: t.exposeInt("infos", { description: "INFO anomalies in the window." }),
      byTypeAndSeverity: t.field({
        type: [AnomalyTypeCount],
        description: "Per (type, severity), largest first.",
        resolve: (s) => s.byType,
      }),
    }),
  });

builder.queryField("anomalyStats", (t) =>
  t.field({
    type: AnomalyStats,
    description:
      "Anomaly counts per type and severity for the last windowHours (INTERNAL and OPERATOR only).",
    authScopes: { internal: true },
    args: {
      windowHours: t.arg.int({
        defaultValue: 24,
        description: `How many hours back to count (1..${MAX_WINDOW_HOURS}, default 24).`,
      }),
    },
    resolve: async (_root, args, context) => {
      const stats = await readAnomalyStats(
        context.database.query,
        args.windowHours ?? 24,
        context.clock.now(),
      );
      return { ...stats, byType: byTypeAndSeverity(stats.groups) };
    },
  }),
);
