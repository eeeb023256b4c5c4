import type { UserError } from "../errors";
import {
  type AlertDeliveryRow,
  type AlertResult,
  listAlertDeliveries,
  sendAnomalyAlertsNow,
} from "../jobs/anomalyAlerts";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { Severity } from "./anomalies";
import { builder } from "./builder";
import { connectionOf, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest } from "./connection";

const AlertOutcomeEnum = builder.enumType("AlertOutcome", {
  description: "What sendAnomalyAlerts did.",
  values: {
    SENT: { value: "SENT", description: "The alert was delivered (a 2xx answer)." },
    NO_WEBHOOK: {
      value: "NO_WEBHOOK",
      description: "Thresholds reached, but no webhook is configured: nothing was sent.",
    },
    BELOW_THRESHOLD: {
      value: "BELOW_THRESHOLD",
      description: "The window holds too few anomalies: nothing was sent.",
    },
    SUPPRESSED: {
      value: "SUPPRESSED",
      description:
        "Thresholds reached only by (tenant, type) pairs alerted within the suppression window: nothing was sent.",
    },
    FAILED: { value: "FAILED", description: "Every attempt failed, or the receiver refused it with a 4xx." },
  } as const,
});

const AlertGroup = builder
  .objectRef<{
    tenantId: string;
    anomalyType: string;
    severity: "error" | "warning" | "info";
    count: number;
  }>("AlertGroup")
  .implement({
    description: "One line of an alert: a count per tenant, type and severity (never a payload).",
    fields: (t) => ({
      tenantId: t.exposeString("tenantId", { description: "The tenant." }),
      anomalyType: t.exposeString("anomalyType", { description: "The anomaly type." }),
      severity: t.field({ type: Severity, description: "Its severity.", resolve: (g) => g.severity }),
      count: t.exposeInt("count", { description: "How many in the window." }),
    }),
  });

const SendAnomalyAlertsInput = builder.inputType("SendAnomalyAlertsInput", {
  description: "Options of a manual alert check (the policy anomaly_alerts_v1 sets window and thresholds).",
  fields: (t) => ({
    dryRun: t.boolean({
      required: false,
      defaultValue: false,
      description: "Report what would be sent without sending it.",
    }),
  }),
});

const SendAnomalyAlertsPayload = mutationPayload<{ result: AlertResult | null; userErrors: UserError[] }>(
  "SendAnomalyAlertsPayload",
  "The result of sendAnomalyAlerts.",
  (t) => ({
    outcome: t.field({
      type: AlertOutcomeEnum,
      nullable: true,
      description: "What happened.",
      resolve: (p) => p.result?.outcome ?? null,
    }),
    sent: t.boolean({
      description: "True when an alert was delivered.",
      resolve: (p) => p.result?.sent ?? false,
    }),
    webhookId: t.string({
      nullable: true,
      description: "The webhook-id header of the alert (the same on every retry).",
      resolve: (p) => p.result?.webhookId ?? null,
    }),
    attempts: t.int({ description: "Delivery attempts made.", resolve: (p) => p.result?.attempts ?? 0 }),
    responseStatus: t.int({
      nullable: true,
      description: "HTTP status of the last attempt.",
      resolve: (p) => p.result?.responseStatus ?? null,
    }),
    windowHours: t.int({ description: "The window checked.", resolve: (p) => p.result?.windowHours ?? 0 }),
    totalCount: t.int({
      description: "Anomalies in the window not alerted recently.",
      resolve: (p) => p.result?.total ?? 0,
    }),
    errorCount: t.int({
      description: "ERROR anomalies among them.",
      resolve: (p) => p.result?.errors ?? 0,
    }),
    groups: t.field({
      type: [AlertGroup],
      description: "The counts the alert carried (or would carry).",
      resolve: (p) => p.result?.groups ?? [],
    }),
  }),
);

adminMutationField("sendAnomalyAlerts", {
  payload: SendAnomalyAlertsPayload,
  description:
    "Check the alert window now and, past the thresholds, post a signed aggregate to the configured webhook (operators only); audited.",
  input: { type: SendAnomalyAlertsInput, description: "Options of the check." },
  auditTarget: () => null,
  run: sendAnomalyAlertsNow,
  refused: { result: null },
});

const AlertDelivery = builder.objectRef<AlertDeliveryRow>("AlertDelivery").implement({
  description: "One attempt to deliver an anomaly alert to the webhook.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The attempt's id." }),
    webhookId: t.exposeString("webhookId", {
      description: "The alert's webhook-id (shared by its retries).",
    }),
    status: t.exposeString("status", {
      description: "delivered, retrying (another attempt followed) or failed.",
    }),
    attempt: t.exposeInt("attempts", { description: "Which attempt of the alert this was, from 1." }),
    responseStatus: t.exposeInt("responseStatus", {
      nullable: true,
      description: "The receiver's HTTP status; null when it could not be reached.",
    }),
    error: t.exposeString("error", { nullable: true, description: "Why the receiver could not be reached." }),
    targetUrl: t.exposeString("targetUrl", { description: "The webhook URL, without query string." }),
    createdAt: t.field({
      type: "DateTime",
      description: "When the attempt was made.",
      resolve: (d) => d.createdAt,
    }),
    deliveredAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was delivered, for a delivered attempt.",
      resolve: (d) => d.deliveredAt,
    }),
  }),
});

const AlertDeliveryConnection = builder.connectionObject(
  {
    type: AlertDelivery,
    name: "AlertDeliveryConnection",
    description: "A page of alert delivery attempts, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many attempts are recorded.",
        resolve: (connection) => (connection as { totalCount?: number }).totalCount ?? 0,
      }),
    }),
  },
  { name: "AlertDeliveryEdge", description: "A delivery attempt with its cursor." },
);

builder.queryField("alertDeliveries", (t) =>
  t.field({
    type: AlertDeliveryConnection,
    description: "Every anomaly-alert delivery attempt, newest first (INTERNAL and OPERATOR only).",
    authScopes: { internal: true },
    args: {
      first: t.arg.int({ defaultValue: DEFAULT_PAGE_SIZE, description: `Page size, 0..${MAX_PAGE_SIZE}.` }),
      after: t.arg.string({
        required: false,
        description: "Cursor of the last attempt of the previous page.",
      }),
    },
    resolve: async (_root, args, context) => {
      const request = pageRequest("alertDeliveries", args);
      const page = await listAlertDeliveries(context.database, request);
      return connectionOf(request, page, (delivery) => ({ at: delivery.createdAt, id: delivery.id }));
    },
  }),
);
