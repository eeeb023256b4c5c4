import { adminActorOf } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import { isUuid } from "../db/uuid";
import { apiError, type UserError } from "../errors";
import {
  type AlertDeliveryRow,
  type AlertResult,
  alertTargetOf,
  listAlertDeliveries,
  loadAlertPolicy,
  sendAnomalyAlerts,
} from "../jobs/anomalyAlerts";
import { type RetentionResult, runRetention } from "../jobs/retention";
import { type BackfillCounts, backfillMemberships } from "../resolvers/imports/backfill";
import {
  type DirectoryEntry,
  type PartnerNormalizationEntry,
  partnerKey,
  upsertDirectoryEntry,
  upsertPartnerNormalization,
} from "../resolvers/imports/directories";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { Severity } from "./anomalies";
import { builder } from "./builder";

// ---- partner normalization ----------------------------------------------------------------------

const PartnerNormalization = builder.objectRef<PartnerNormalizationEntry>("PartnerNormalization").implement({
  description: "How one raw delivery-partner spelling maps to its canonical organisation.",
  fields: (t) => ({
    rawKey: t.exposeString("rawKey", {
      description: "The raw spelling, trimmed and lowercased (the lookup key).",
    }),
    canonicalName: t.exposeString("canonicalName", { description: "The canonical organisation name." }),
    updatedAt: t.field({
      type: "DateTime",
      description: "When it was last set.",
      resolve: (e) => e.updatedAt,
    }),
  }),
});

const UpsertPartnerNormalizationInput = builder.inputType("UpsertPartnerNormalizationInput", {
  description: "A delivery-partner spelling and the organisation it stands for.",
  fields: (t) => ({
    rawName: t.string({
      required: true,
      description: "The spelling as tenants send it (matched trimmed, case-insensitively).",
    }),
    canonicalName: t.string({ required: true, description: "The canonical organisation name." }),
  }),
});

const UpsertPartnerNormalizationPayload = mutationPayload<{
  partnerNormalization: PartnerNormalizationEntry | null;
  userErrors: UserError[];
}>("UpsertPartnerNormalizationPayload", "The result of upsertPartnerNormalization.", (t) => ({
  partnerNormalization: t.field({
    type: PartnerNormalization,
    nullable: true,
    description: "The mapping as it now stands.",
    resolve: (p) => p.partnerNormalization,
  }),
}));

adminMutationField("upsertPartnerNormalization", {
  payload: UpsertPartnerNormalizationPayload,
  description: "Add or correct a delivery-partner normalization (operators only); audited.",
  input: { type: UpsertPartnerNormalizationInput, description: "The mapping." },
  auditTarget: (input) => partnerKey(input.rawName),
  resolve: async (input, context) => {
    const result = await upsertPartnerNormalization(
      context.database,
      context.principal!,
      input,
      context.clock.now(),
      context.requestId,
    );
    return result.ok
      ? { partnerNormalization: result.value, userErrors: [] }
      : { partnerNormalization: null, userErrors: result.userErrors };
  },
});

// ---- DS and RM directories ----------------------------------------------------------------------

const DirectoryKind = builder.enumType("DirectoryKind", {
  description: "Which user directory an entry belongs to.",
  values: {
    DS: { value: "ds", description: "Deployment specialists (matched on preferred username)." },
    RM: {
      value: "rm",
      description: "Relationship managers (matched on preferred username or display name).",
    },
  } as const,
});

const DirectoryEntryType = builder.objectRef<DirectoryEntry>("DirectoryEntry").implement({
  description: "A deployment specialist or relationship manager that imports may link projects to.",
  fields: (t) => ({
    directory: t.field({ type: DirectoryKind, description: "Which directory.", resolve: (e) => e.directory }),
    preferredUsername: t.exposeString("preferredUsername", { description: "The user's preferred username." }),
    displayName: t.exposeString("displayName", { nullable: true, description: "The user's display name." }),
    active: t.exposeBoolean("active", {
      description: "Only active entries are matched by imports and backfill.",
    }),
    updatedAt: t.field({
      type: "DateTime",
      description: "When it was last set.",
      resolve: (e) => e.updatedAt,
    }),
  }),
});

const UpsertDirectoryEntryInput = builder.inputType("UpsertDirectoryEntryInput", {
  description: "A directory entry to add or correct.",
  fields: (t) => ({
    directory: t.field({ type: DirectoryKind, required: true, description: "DS or RM." }),
    preferredUsername: t.string({ required: true, description: "The user's preferred username (the key)." }),
    displayName: t.string({
      required: false,
      description: "Display name; required for a new RM entry, unchanged when absent.",
    }),
    active: t.boolean({
      required: false,
      description: "Whether imports may match the entry; a new entry starts active, unchanged when absent.",
    }),
  }),
});

const UpsertDirectoryEntryPayload = mutationPayload<{
  entry: DirectoryEntry | null;
  userErrors: UserError[];
}>("UpsertDirectoryEntryPayload", "The result of upsertDirectoryEntry.", (t) => ({
  entry: t.field({
    type: DirectoryEntryType,
    nullable: true,
    description: "The entry as it now stands.",
    resolve: (p) => p.entry,
  }),
}));

adminMutationField("upsertDirectoryEntry", {
  payload: UpsertDirectoryEntryPayload,
  description:
    "Add or correct a DS or RM directory entry, including its active flag (operators only); audited.",
  input: { type: UpsertDirectoryEntryInput, description: "The entry." },
  auditTarget: (input) => `${input.directory}_directory:${input.preferredUsername.trim()}`,
  resolve: async (input, context) => {
    const result = await upsertDirectoryEntry(
      context.database,
      context.principal!,
      input,
      context.clock.now(),
      context.requestId,
    );
    return result.ok
      ? { entry: result.value, userErrors: [] }
      : { entry: null, userErrors: result.userErrors };
  },
});

// ---- membership backfill ------------------------------------------------------------------------

const BackfillMembershipsInput = builder.inputType("BackfillMembershipsInput", {
  description: "Which projects to backfill.",
  fields: (t) => ({
    tenantId: t.string({
      required: false,
      description: "Only this tenant's projects; absent = all tenants.",
    }),
  }),
});

const BackfillMembershipsPayload = mutationPayload<BackfillCounts & { userErrors: UserError[] }>(
  "BackfillMembershipsPayload",
  "The result of backfillMemberships: what changed (0 when everything was in place).",
  (t) => ({
    projectsScanned: t.exposeInt("projectsScanned", {
      description: "Projects whose canonical fields were read.",
    }),
    orgMembershipsUpserted: t.exposeInt("orgMembershipsUpserted", {
      description: "Delivery-partner memberships inserted or changed.",
    }),
    userMembershipsUpserted: t.exposeInt("userMembershipsUpserted", {
      description: "DS and RM memberships inserted or changed.",
    }),
  }),
);

adminMutationField("backfillMemberships", {
  payload: BackfillMembershipsPayload,
  description:
    "Materialise org and user memberships from projects' canonical fields through the current directories (operators only); idempotent, audited.",
  input: { type: BackfillMembershipsInput, description: "Which projects." },
  auditTarget: (input) => input.tenantId?.trim() || "all tenants",
  resolve: async (input, context) => {
    const result = await backfillMemberships(
      context.database,
      context.principal!,
      input,
      context.clock.now(),
      context.requestId,
    );
    return result.ok
      ? { ...result.counts, userErrors: [] }
      : {
          projectsScanned: 0,
          orgMembershipsUpserted: 0,
          userMembershipsUpserted: 0,
          userErrors: result.userErrors,
        };
  },
});

// ---- retention ----------------------------------------------------------------------------------

const RunRetentionInput = builder.inputType("RunRetentionInput", {
  description: "How long to keep import staging rows and anomalies.",
  fields: (t) => ({
    stagingDays: t.int({
      required: true,
      description: "Delete staging rows older than this many days (0..3650).",
    }),
    anomaliesDays: t.int({
      required: true,
      description: "Delete anomalies older than this many days (0..3650).",
    }),
    confirm: t.boolean({
      required: false,
      defaultValue: false,
      description: "Must be true when either value is 0, which deletes every row.",
    }),
  }),
});

const RunRetentionPayload = mutationPayload<{ result: RetentionResult | null; userErrors: UserError[] }>(
  "RunRetentionPayload",
  "The result of runRetention: what was deleted (its counts are kept in the retention stats).",
  (t) => ({
    stagingDeleted: t.int({
      nullable: true,
      description: "Staging rows deleted.",
      resolve: (p) => p.result?.stagingDeleted ?? null,
    }),
    anomaliesDeleted: t.int({
      nullable: true,
      description: "Anomalies deleted.",
      resolve: (p) => p.result?.anomaliesDeleted ?? null,
    }),
    statDate: t.string({
      nullable: true,
      description: "The UTC day (YYYY-MM-DD) of import_retention_stats the counts were added to.",
      resolve: (p) => p.result?.statDate ?? null,
    }),
  }),
);

adminMutationField("runRetention", {
  payload: RunRetentionPayload,
  description:
    "Delete old import staging rows and anomalies now, adding their counts to the retention stats in the same transaction (operators only); audited.",
  input: { type: RunRetentionInput, description: "The retention periods." },
  auditTarget: (input) => `staging ${input.stagingDays}d, anomalies ${input.anomaliesDays}d`,
  resolve: async (input, context) => {
    const outcome = await runRetention(
      context.database,
      context.principal!,
      input,
      context.clock.now(),
      context.requestId,
    );
    return outcome.ok
      ? { result: outcome.result, userErrors: [] }
      : { result: null, userErrors: outcome.userErrors };
  },
});

// ---- anomaly alerts -----------------------------------------------------------------------------

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
  resolve: async (input, context) => {
    const policy = await loadAlertPolicy(context.database);
    const target = input.dryRun ? undefined : alertTargetOf(context.config);
    const result = await sendAnomalyAlerts(
      { database: context.database, clock: context.clock, target },
      policy,
    );
    // The attempts are recorded as they happen (each one must survive a later failure); the audit
    // row records what the operator's call amounted to.
    await context.database.transaction((query) =>
      appendAuditEntry(query, {
        at: context.clock.now(),
        type: "admin_mutation",
        ...adminActorOf(context),
        action: "sendAnomalyAlerts",
        target: result.webhookId,
        outcome: result.outcome,
        details: {
          dryRun: input.dryRun === true,
          total: result.total,
          errors: result.errors,
          attempts: result.attempts,
        },
      }),
    );
    return { result, userErrors: [] };
  },
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
    attempt: t.exposeInt("attempt", { description: "Which attempt of the alert this was, from 1." }),
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
      first: t.arg.int({ defaultValue: 50, description: "Page size, 0..500." }),
      after: t.arg.string({
        required: false,
        description: "Cursor of the last attempt of the previous page.",
      }),
    },
    resolve: async (_root, args, context) => {
      const first = Math.max(0, Math.min(args.first ?? 50, 500));
      const afterId = args.after ? Buffer.from(args.after, "base64url").toString("utf8") : null;
      if (afterId !== null && !isUuid(afterId)) {
        throw apiError("BAD_USER_INPUT", "after is not a cursor returned by alertDeliveries.", {
          field: "after",
        });
      }
      const page = await listAlertDeliveries(context.database, { first, afterId });
      const edges = page.rows.map((row) => ({
        cursor: Buffer.from(row.id).toString("base64url"),
        node: row,
      }));
      return {
        edges,
        totalCount: page.totalCount,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: Boolean(args.after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
