import type { UserError } from "../errors";
import { listMonitors, type RunMonitorsCounts } from "../jobs/monitors";
import {
  type ActionRow,
  acknowledgeFeedItem,
  decideAction,
  type FeedItemRow,
  lastMonitorEvents,
  listActions,
  listFeed,
  type MonitorEventRow,
  type MonitorView,
  runMonitorsForOperator,
} from "../resolvers/ops/monitors";
import { upsertMonitor } from "../resolvers/ops/upsertMonitor";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { Severity } from "./anomalies";
import { builder } from "./builder";
import { connectionOf, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageRequest } from "./connection";
import { Ops } from "./ops";

const FeedStatusEnum = builder.enumType("FeedStatus", {
  description: "Where an ops feed item stands.",
  values: {
    NEW: { value: "new", description: "Not looked at yet." },
    READ: { value: "read", description: "Seen; the incident is still open (no new item for it)." },
    ARCHIVED: { value: "archived", description: "Closed; a persisting signal opens a new item." },
  } as const,
});

const AcknowledgeStatusEnum = builder.enumType("AcknowledgeStatus", {
  description: "What an operator marks a feed item as.",
  values: {
    READ: { value: "read", description: "Seen; the incident stays open." },
    ARCHIVED: { value: "archived", description: "Closed; a persisting signal opens a new item." },
  } as const,
});

const ApprovalStatusEnum = builder.enumType("ApprovalStatus", {
  description: "An operator's decision on a proposed action.",
  values: {
    PENDING: { value: "PENDING", description: "Awaiting a decision." },
    APPROVED: { value: "APPROVED", description: "Approved (and executed)." },
    REJECTED: { value: "REJECTED", description: "Rejected; nothing was done." },
  } as const,
});

const ActionStatusEnum = builder.enumType("ActionStatus", {
  description: "What became of a proposed action.",
  values: {
    PROPOSED: { value: "proposed", description: "Not executed (pending or rejected)." },
    EXECUTED: { value: "executed", description: "Approved and carried out." },
    FAILED: { value: "failed", description: "Approved, but it could not be carried out." },
  } as const,
});

const DecisionEnum = builder.enumType("ActionDecision", {
  description: "Approve or reject a proposed action.",
  values: {
    APPROVE: { value: "APPROVE", description: "Approve it: it is executed at once." },
    REJECT: { value: "REJECT", description: "Reject it: nothing is done." },
  } as const,
});

const MonitorEvent = builder.objectRef<MonitorEventRow>("MonitorEvent").implement({
  description: "One run of one monitor's check.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The event's id." }),
    occurredAt: t.field({ type: "DateTime", description: "When it ran.", resolve: (row) => row.occurredAt }),
    value: t.exposeFloat("value", { nullable: true, description: "The highest value returned, if any." }),
    fired: t.exposeBoolean("fired", { description: "Whether some target reached the threshold." }),
    firedTargets: t.exposeStringList("firedTargets", {
      description: "The targets that reached the threshold (* when the check names none).",
    }),
    error: t.exposeString("error", { nullable: true, description: "Why the check failed, if it did." }),
    durationMs: t.exposeInt("durationMs", { nullable: true, description: "How long the check took." }),
  }),
});

const Monitor = builder.objectRef<MonitorView>("Monitor").implement({
  description: "A read-only SQL check with a threshold, run on a schedule and by runMonitors.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The monitor's id." }),
    name: t.exposeString("name", { description: "Its unique name; also the feed items' source." }),
    description: t.exposeString("description", { description: "What it watches for." }),
    sql: t.exposeString("sql", {
      description:
        "The check: one SELECT returning `value` (and optionally `target`); $1 is the window start.",
    }),
    threshold: t.exposeFloat("threshold", { description: "A target fires when its value is at least this." }),
    windowMinutes: t.exposeInt("windowMinutes", { description: "The window the check looks back over." }),
    severity: t.field({
      type: Severity,
      description: "Severity of its feed items.",
      resolve: (row) => row.severity,
    }),
    enabled: t.exposeBoolean("enabled", { description: "Whether it runs." }),
    builtin: t.exposeBoolean("builtin", { description: "Whether it ships with the service." }),
    proposesAction: t.exposeString("proposesAction", {
      nullable: true,
      description: "The action it proposes when it fires (e.g. revoke_buyer_keys), if any.",
    }),
    lastEvent: t.field({
      type: MonitorEvent,
      nullable: true,
      description: "Its newest run.",
      resolve: (row) => row.lastEvent,
    }),
  }),
});

const FeedItem = builder.objectRef<FeedItemRow>("FeedItem").implement({
  description: "One incident in the operators' feed (one open item per incident).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The item's id." }),
    createdAt: t.field({
      type: "DateTime",
      description: "When it was raised.",
      resolve: (row) => row.createdAt,
    }),
    severity: t.field({ type: Severity, description: "How serious it is.", resolve: (row) => row.severity }),
    source: t.exposeString("source", { description: "What raised it: the monitor's name." }),
    title: t.exposeString("title", { description: "One line: what fired, for what, at what value." }),
    body: t.exposeString("body", { nullable: true, description: "The details." }),
    status: t.field({
      type: FeedStatusEnum,
      description: "New, read or archived.",
      resolve: (row) => row.status,
    }),
    incidentKey: t.exposeString("incidentKey", {
      nullable: true,
      description: "monitor:target; while an item with this key is open, no new one is raised.",
    }),
    acknowledgedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When an operator last marked it.",
      resolve: (row) => row.acknowledgedAt,
    }),
    acknowledgedBy: t.exposeString("acknowledgedBy", { nullable: true, description: "Who marked it." }),
  }),
});

const FeedConnection = builder.connectionObject(
  {
    type: FeedItem,
    name: "FeedItemConnection",
    description: "A page of feed items, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: "All items with the requested status.",
        resolve: (connection) => (connection as { totalCount?: number }).totalCount ?? 0,
      }),
    }),
  },
  { name: "FeedItemEdge", description: "A feed item with its cursor." },
);

const Action = builder.objectRef<ActionRow>("ProposedAction").implement({
  description: "An action a monitor proposed (e.g. revoke a buyer's keys), and its decision.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The action's id (for decideAction)." }),
    createdAt: t.field({
      type: "DateTime",
      description: "When it was proposed.",
      resolve: (row) => row.createdAt,
    }),
    actionType: t.exposeString("actionType", { description: "What to do, e.g. revoke_buyer_keys." }),
    target: t.exposeString("target", { description: "What to do it to, e.g. the buyer's partner id." }),
    reason: t.exposeString("reason", { description: "Why it was proposed." }),
    proposedBy: t.exposeString("proposedBy", { description: "Who proposed it: monitor:<name>." }),
    approvalStatus: t.field({
      type: ApprovalStatusEnum,
      description: "Pending, approved or rejected.",
      resolve: (row) => row.approvalStatus,
    }),
    status: t.field({
      type: ActionStatusEnum,
      description: "Whether it was carried out.",
      resolve: (row) => row.status,
    }),
    decidedBy: t.exposeString("decidedBy", { nullable: true, description: "The operator who decided." }),
    decidedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When it was decided.",
      resolve: (row) => row.decidedAt,
    }),
    decisionReason: t.exposeString("decisionReason", {
      nullable: true,
      description: "Why it was decided so.",
    }),
    result: t.string({
      nullable: true,
      description: "What executing it did, as JSON (e.g. the revoked key ids).",
      resolve: (row) => (row.result === null || row.result === undefined ? null : JSON.stringify(row.result)),
    }),
    feedItemId: t.exposeID("feedItemId", { nullable: true, description: "The feed item it came with." }),
  }),
});

builder.objectFields(Ops, (t) => ({
  monitors: t.field({
    type: [Monitor],
    description: "Every monitor with its newest run.",
    resolve: async (_ops, _args, context) => {
      const [monitors, events] = await Promise.all([
        listMonitors(context.database),
        lastMonitorEvents(context.database),
      ]);
      return monitors.map((monitor) => ({ ...monitor, lastEvent: events.get(monitor.id) ?? null }));
    },
  }),
  feed: t.field({
    type: FeedConnection,
    description: "The operators' feed, newest first.",
    args: {
      status: t.arg({ type: FeedStatusEnum, required: false, description: "Only items with this status." }),
      first: t.arg.int({
        defaultValue: DEFAULT_PAGE_SIZE,
        description: `Page size, at most ${MAX_PAGE_SIZE}.`,
      }),
      after: t.arg.string({ required: false, description: "Cursor of the last item of the previous page." }),
    },
    resolve: async (_ops, { status, first, after }, context) => {
      const request = pageRequest("feed", { first, after });
      const page = await listFeed(context.database, { status: status ?? null, ...request });
      return connectionOf(request, { ...page, rows: page.items }, (item) => ({
        at: item.createdAt,
        id: item.id,
      }));
    },
  }),
  actions: t.field({
    type: [Action],
    description: "Proposed actions, newest first (at most 500).",
    args: {
      approvalStatus: t.arg({
        type: ApprovalStatusEnum,
        required: false,
        description: "Only these decisions.",
      }),
    },
    resolve: (_ops, { approvalStatus }, context) =>
      listActions(context.database, approvalStatus ?? null, 500),
  }),
}));

const RunMonitorsPayload = mutationPayload<RunMonitorsCounts & { userErrors: UserError[] }>(
  "RunMonitorsPayload",
  "The result of runMonitors.",
  (t) => ({
    checked: t.exposeInt("checked", { description: "Enabled monitors whose check ran." }),
    fired: t.exposeInt("fired", {
      description: "Monitors with at least one target at or above the threshold.",
    }),
    newFeedItems: t.exposeInt("newFeedItems", { description: "Feed items opened (one per new incident)." }),
    proposedActions: t.exposeInt("proposedActions", { description: "Actions proposed into the ledger." }),
    failed: t.exposeInt("failed", { description: "Checks that failed or timed out (recorded as events)." }),
  }),
);

const RunMonitorsInput = builder.inputType("RunMonitorsInput", {
  description: "Which monitors to run now.",
  fields: (t) => ({
    names: t.stringList({
      required: false,
      description: "Only these monitors (each must exist and be enabled); every enabled one when absent.",
    }),
  }),
});

adminMutationField("runMonitors", {
  payload: RunMonitorsPayload,
  description: "Run every enabled monitor now, or the named ones (what the scheduled job does). Audited.",
  input: {
    type: RunMonitorsInput,
    description: "Which monitors; all enabled ones when absent.",
    required: false,
  },
  auditTarget: (input) => input?.names?.join(",") ?? null,
  run: runMonitorsForOperator,
  refused: { checked: 0, fired: 0, newFeedItems: 0, proposedActions: 0, failed: 0 },
});

const AcknowledgeFeedItemPayload = mutationPayload<{ item: FeedItemRow | null; userErrors: UserError[] }>(
  "AcknowledgeFeedItemPayload",
  "The result of acknowledgeFeedItem.",
  (t) => ({
    item: t.field({
      type: FeedItem,
      nullable: true,
      description: "The item as it now stands.",
      resolve: (p) => p.item,
    }),
  }),
);

const AcknowledgeFeedItemInput = builder.inputType("AcknowledgeFeedItemInput", {
  description: "Which feed item, and what to mark it.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The feed item." }),
    status: t.field({ type: AcknowledgeStatusEnum, required: true, description: "READ or ARCHIVED." }),
  }),
});

adminMutationField("acknowledgeFeedItem", {
  payload: AcknowledgeFeedItemPayload,
  description: "Mark a feed item read or archived (archived items stay archived). Audited.",
  input: { type: AcknowledgeFeedItemInput, description: "Which item, and its status." },
  auditTarget: (input) => String(input.id),
  run: acknowledgeFeedItem,
  refused: { item: null },
});

const DecideActionPayload = mutationPayload<{ action: ActionRow | null; userErrors: UserError[] }>(
  "DecideActionPayload",
  "The result of decideAction.",
  (t) => ({
    action: t.field({
      type: Action,
      nullable: true,
      description: "The action as it now stands.",
      resolve: (p) => p.action,
    }),
  }),
);

const DecideActionInput = builder.inputType("DecideActionInput", {
  description: "Which proposed action, the decision and why.",
  fields: (t) => ({
    id: t.id({ required: true, description: "The proposed action." }),
    decision: t.field({
      type: DecisionEnum,
      required: true,
      description: "APPROVE (executes it) or REJECT.",
    }),
    reason: t.string({ required: true, description: "Why (1 to 500 characters); kept with the decision." }),
  }),
});

adminMutationField("decideAction", {
  payload: DecideActionPayload,
  description:
    "Approve (and execute at once) or reject a PENDING proposed action; decided actions cannot be decided again. Audited.",
  input: { type: DecideActionInput, description: "The action, decision and reason." },
  auditTarget: (input) => String(input.id),
  run: decideAction,
  refused: { action: null },
});

const MonitorActionEnum = builder.enumType("MonitorAction", {
  description: "What a monitor proposes into the action ledger when it fires.",
  values: {
    REVOKE_BUYER_KEYS: {
      value: "revoke_buyer_keys",
      description:
        "Revoke every active key of the buyer a firing row names (targets starting outside_buyer_).",
    },
    NONE: { value: "none", description: "Nothing: it only raises feed items." },
  } as const,
});

const UpsertMonitorInput = builder.inputType("UpsertMonitorInput", {
  description:
    "A monitor to create or change, by name; absent fields keep what is stored. Built-in monitors keep their check and proposed action.",
  fields: (t) => ({
    name: t.string({
      required: true,
      description: "Its unique name (3-63 of a-z, 0-9, _); also the feed items' source.",
    }),
    description: t.string({ required: false, description: "What it watches for; required to create." }),
    sql: t.string({
      required: false,
      description:
        "The check: one read-only SELECT returning `value` (and optionally `target`); $1 is the window start. Run once, read-only and rolled back, before it is saved. Required to create.",
    }),
    threshold: t.float({
      required: false,
      description: "A target fires when its value is at least this; required to create.",
    }),
    windowMinutes: t.int({
      required: false,
      description: "The window the check looks back over, 1 to 43200; required to create.",
    }),
    severity: t.field({
      type: Severity,
      required: false,
      description: "Severity of its feed items (WARNING when created without one).",
    }),
    enabled: t.boolean({ required: false, description: "Whether it runs (true when created without one)." }),
    proposesAction: t.field({
      type: MonitorActionEnum,
      required: false,
      description: "What it proposes when it fires (NONE when created without one).",
    }),
  }),
});

const UpsertMonitorPayload = mutationPayload<{
  monitor: MonitorView | null;
  created: boolean;
  userErrors: UserError[];
}>("UpsertMonitorPayload", "The result of upsertMonitor.", (t) => ({
  monitor: t.field({
    type: Monitor,
    nullable: true,
    description: "The monitor as it now stands.",
    resolve: (p) => p.monitor,
  }),
  created: t.exposeBoolean("created", { description: "True when it did not exist before." }),
}));

adminMutationField("upsertMonitor", {
  payload: UpsertMonitorPayload,
  description:
    "Create or change a monitor (operators). A check that is not one read-only query, calls a volatile or system-information function, or reads a table outside the monitors' list is refused before it runs (MONITOR_SQL_NOT_READ_ONLY, MONITOR_SQL_FUNCTION_NOT_ALLOWED, MONITOR_SQL_TABLE_NOT_ALLOWED and others). Audited.",
  input: { type: UpsertMonitorInput, description: "The monitor." },
  auditTarget: (input) => input.name,
  run: upsertMonitor,
  refused: { monitor: null, created: false },
});
