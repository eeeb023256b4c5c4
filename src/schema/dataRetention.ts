import type { UserError } from "../errors";
import { type DataRetentionResult, runDataRetention } from "../jobs/dataRetention";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";

const RunDataRetentionInput = builder.inputType("RunDataRetentionInput", {
  description:
    "Ages for one run of the events and logs retention; each left out is the data_retention_v1 policy's.",
  fields: (t) => ({
    eventsDays: t.int({
      required: false,
      description:
        "Delete raw events of whole UTC days older than this (1..3650), and only days no release will read again.",
    }),
    requestLogsDays: t.int({
      required: false,
      description: "Delete request logs older than this (1..3650).",
    }),
    alertDeliveriesDays: t.int({
      required: false,
      description: "Delete alert deliveries older than this (1..3650), except those still retrying.",
    }),
  }),
});

const RunDataRetentionPayload = mutationPayload<{
  result: DataRetentionResult | null;
  userErrors: UserError[];
}>(
  "RunDataRetentionPayload",
  "The result of runDataRetention: what was deleted (its counts are kept in the retention stats).",
  (t) => ({
    eventsDeleted: t.int({
      nullable: true,
      description: "Raw interaction events deleted.",
      resolve: (p) => p.result?.eventsDeleted ?? null,
    }),
    eventDays: t.stringList({
      nullable: true,
      description: "The UTC days (YYYY-MM-DD) whose events were deleted.",
      resolve: (p) => p.result?.eventDays ?? null,
    }),
    eventDaysKept: t.stringList({
      nullable: true,
      description: "UTC days older than the age kept because a release that will read them is not made yet.",
      resolve: (p) => p.result?.eventDaysKept ?? null,
    }),
    requestLogsDeleted: t.int({
      nullable: true,
      description: "Request log rows deleted.",
      resolve: (p) => p.result?.requestLogsDeleted ?? null,
    }),
    alertDeliveriesDeleted: t.int({
      nullable: true,
      description: "Alert delivery rows deleted.",
      resolve: (p) => p.result?.alertDeliveriesDeleted ?? null,
    }),
    statDate: t.string({
      nullable: true,
      description: "The UTC day (YYYY-MM-DD) of import_retention_stats the counts were added to.",
      resolve: (p) => p.result?.statDate ?? null,
    }),
  }),
);

adminMutationField("runDataRetention", {
  payload: RunDataRetentionPayload,
  description:
    "Delete raw events of days every release has read, and old request logs and alert deliveries, now (monitor events: runFeedRetention), whether or not the daily job is enabled; counts kept in the retention stats in the same transaction (operators only); audited.",
  input: {
    type: RunDataRetentionInput,
    description: "The ages; each left out is the policy's.",
    required: false,
  },
  auditTarget: (input) => (input?.eventsDays == null ? null : `events ${input.eventsDays}d`),
  run: runDataRetention,
  refused: { result: null },
});
