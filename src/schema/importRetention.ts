import type { UserError } from "../errors";
import { type RetentionResult, runRetention } from "../jobs/retention";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";

// The operator's run of the import retention (staging rows and anomalies); the daily job runs the
// same deletion on the imports_retention_v1 policy's days.

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
  run: runRetention,
  refused: { result: null },
});
