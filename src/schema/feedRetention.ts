import type { UserError } from "../errors";
import { type FeedRetentionResult, runFeedRetention } from "../jobs/feedRetention";
import { listRetentionCounts, type RetentionCountRow } from "../resolvers/ops/retentionCounts";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { Severity } from "./anomalies";
import { builder } from "./builder";
import { Ops } from "./ops";

const RunFeedRetentionInput = builder.inputType("RunFeedRetentionInput", {
  description:
    "Ages for one run of the ops feed retention; each left out is the ops_feed_retention_v1 policy's. Validated as runRetention's: 0..3650 days, 0 only with confirm.",
  fields: (t) => ({
    archiveReadDays: t.int({
      required: false,
      description: "Archive READ feed items older than this many days (0..3650; policy default 30).",
    }),
    deleteDays: t.int({
      required: false,
      description:
        "Delete feed items of any status older than this many days (0..3650; policy default 90), their counts kept.",
    }),
    monitorEventsDays: t.int({
      required: false,
      description:
        "Delete monitor events older than this many days (0..3650; policy default 180), except each monitor's newest, their counts kept.",
    }),
    confirm: t.boolean({
      required: false,
      defaultValue: false,
      description: "Must be true to run with an age of 0 (every row of that kind, however new).",
    }),
  }),
});

const RunFeedRetentionPayload = mutationPayload<{
  result: FeedRetentionResult | null;
  userErrors: UserError[];
}>(
  "RunFeedRetentionPayload",
  "The result of runFeedRetention: what was archived and deleted (the deleted rows' counts are kept in ops.retentionCounts).",
  (t) => ({
    archiveReadDays: t.int({
      nullable: true,
      description: "The archive age used, in days.",
      resolve: (p) => p.result?.archiveReadDays ?? null,
    }),
    deleteDays: t.int({
      nullable: true,
      description: "The feed item deletion age used, in days.",
      resolve: (p) => p.result?.deleteDays ?? null,
    }),
    monitorEventsDays: t.int({
      nullable: true,
      description: "The monitor event deletion age used, in days.",
      resolve: (p) => p.result?.monitorEventsDays ?? null,
    }),
    feedItemsArchived: t.int({
      nullable: true,
      description: "READ feed items archived.",
      resolve: (p) => p.result?.feedItemsArchived ?? null,
    }),
    feedItemsDeleted: t.int({
      nullable: true,
      description: "Feed items deleted.",
      resolve: (p) => p.result?.feedItemsDeleted ?? null,
    }),
    monitorEventsDeleted: t.int({
      nullable: true,
      description: "Monitor events deleted.",
      resolve: (p) => p.result?.monitorEventsDeleted ?? null,
    }),
  }),
);

adminMutationField("runFeedRetention", {
  payload: RunFeedRetentionPayload,
  description:
    "Archive old READ feed items and delete old feed items and monitor events now, whether or not the daily job is enabled; the deleted rows' counts per day, monitor and severity are kept in the same transaction (operators only); audited.",
  input: {
    type: RunFeedRetentionInput,
    description: "The ages; each left out is the policy's.",
    required: false,
  },
  auditTarget: () => "ops_feed",
  run: runFeedRetention,
  refused: { result: null },
});

const RetentionCountKindEnum = builder.enumType("RetentionCountKind", {
  description: "What kind of deleted rows a retention count is about.",
  values: {
    FEED_ITEM: { value: "feed_item", description: "Ops feed items." },
    MONITOR_EVENT: { value: "monitor_event", description: "Monitor runs (monitor events)." },
  } as const,
});

const RetentionCount = builder.objectRef<RetentionCountRow>("RetentionCount").implement({
  description: "How many rows of one kind, day, monitor and severity the feed retention deleted.",
  fields: (t) => ({
    kind: t.field({
      type: RetentionCountKindEnum,
      description: "Feed items or monitor events.",
      resolve: (row) => row.kind,
    }),
    day: t.exposeString("day", {
      description:
        "The UTC day (YYYY-MM-DD) the rows were created (feed items) or occurred (monitor events).",
    }),
    monitor: t.exposeString("monitor", { description: "The monitor's name (a feed item's source)." }),
    severity: t.field({
      type: Severity,
      description: "The feed items' severity, or the monitor's.",
      resolve: (row) => row.severity,
    }),
    deleted: t.exposeInt("deleted", { description: "Rows deleted." }),
    fired: t.exposeInt("fired", { description: "Monitor events among them that fired (0 for feed items)." }),
    failed: t.exposeInt("failed", {
      description: "Monitor events among them whose check failed (0 for feed items).",
    }),
  }),
});

builder.objectFields(Ops, (t) => ({
  retentionCounts: t.field({
    type: [RetentionCount],
    description:
      "What the feed retention deleted, per UTC day of the deleted rows, monitor and severity, oldest first (at most 400 days per read).",
    args: {
      kind: t.arg({ type: RetentionCountKindEnum, required: false, description: "Only this kind." }),
      fromDay: t.arg.string({
        required: false,
        description: "First UTC day, YYYY-MM-DD (default: 399 days before toDay).",
      }),
      toDay: t.arg.string({ required: false, description: "Last UTC day, YYYY-MM-DD (default: today)." }),
    },
    resolve: (_ops, args, context) => listRetentionCounts(context.database, args, context.clock.now()),
  }),
}));
