import { isUuid } from "../db/uuid";
import { apiError, type UserError } from "../errors";
import { manualPrecomputeTarget, startManualPrecompute } from "../jobs/precompute/manualPrecompute";
import { findJobRun, type JobRow, type JobRunRow, listJobs } from "../resolvers/ops/jobs";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import { TimeGranularity } from "./insights";
import { Ops } from "./ops";

const JobRun = builder.objectRef<JobRunRow>("JobRun").implement({
  description: "One run of a job, from job_runs.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The run's id." }),
    jobName: t.exposeString("jobName", { description: "The job." }),
    jobKey: t.exposeString("jobKey", {
      nullable: true,
      description: "What the run was for, e.g. a release's bucket or a manual run's range.",
    }),
    startedAt: t.field({ type: "DateTime", description: "Start.", resolve: (run) => run.startedAt }),
    finishedAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "End; null while running.",
      resolve: (run) => run.finishedAt,
    }),
    outcome: t.exposeString("outcome", {
      description: "running, failed, or how it ended (e.g. released, completed, enqueued).",
    }),
    rows: t.exposeInt("rows", {
      nullable: true,
      description: "Rows written, or for a manual precompute the releases done so far.",
    }),
    planned: t.exposeInt("planned", {
      nullable: true,
      description: "For a manual precompute: the releases it planned.",
    }),
    error: t.exposeString("error", { nullable: true, description: "The error of a failed run." }),
  }),
});

const Job = builder.objectRef<JobRow>("Job").implement({
  description: "A background job: its schedule, policy, last run and next due time.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "The job's name (its queue or job_runs name)." }),
    description: t.exposeString("description", { description: "What the job does." }),
    schedule: t.exposeString("schedule", {
      nullable: true,
      description: "Cron in UTC; null for jobs started by another job or by an operator.",
    }),
    policyKey: t.exposeString("policyKey", {
      nullable: true,
      description: "The timing policy it reads, if any.",
    }),
    lastRun: t.field({
      type: JobRun,
      nullable: true,
      description: "The most recent run.",
      resolve: (job) => job.lastRun,
    }),
    runs24h: t.exposeInt("runs24h", { description: "Runs started in the last 24 hours." }),
    failures24h: t.exposeInt("failures24h", { description: "Of those, the failed ones." }),
    nextDueAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "When the schedule fires next; null when it has none.",
      resolve: (job) => job.nextDueAt,
    }),
  }),
});

builder.objectFields(Ops, (t) => ({
  jobs: t.field({
    type: [Job],
    description: "Every job: schedule, policy, last run, runs and failures in 24 h, next due.",
    resolve: (_ops, _args, context) => listJobs(context.database, context.clock.now()),
  }),
  jobRun: t.field({
    type: JobRun,
    nullable: true,
    description: "One job run, e.g. the one runPrecompute returned; null when unknown.",
    args: { id: t.arg.id({ required: true, description: "The run's id." }) },
    resolve: (_ops, { id }, context) => {
      if (!isUuid(String(id))) throw apiError("BAD_USER_INPUT", "id is not a job run id.", { field: "id" });
      return findJobRun(context.database, String(id));
    },
  }),
}));

const RunPrecomputeInput = builder.inputType("RunPrecomputeInput", {
  description: "Which releases to compute: granularities and a range of bucket starts.",
  fields: (t) => ({
    granularities: t.field({
      type: [TimeGranularity],
      required: true,
      description: "The granularities to compute.",
    }),
    from: t.field({
      type: "DateTime",
      required: true,
      description: "Start of the range (floored to each granularity's bucket).",
    }),
    to: t.field({
      type: "DateTime",
      required: true,
      description: "End of the range, exclusive: buckets starting before it (at most 400 days after from).",
    }),
  }),
});

const RunPrecomputePayload = mutationPayload<{
  jobRunId: string | null;
  plannedReleases: number;
  userErrors: UserError[];
}>("RunPrecomputePayload", "The result of runPrecompute.", (t) => ({
  jobRunId: t.exposeID("jobRunId", {
    nullable: true,
    description: "The job run to follow in ops.jobRun / ops.jobs.",
  }),
  plannedReleases: t.exposeInt("plannedReleases", {
    description: "Missing releases it will compute (buckets under the reporting delay are left out).",
  }),
}));

adminMutationField("runPrecompute", {
  payload: RunPrecomputePayload,
  description:
    "Compute the missing releases of a range in the background (operators); returns the job run to follow. Audited.",
  input: { type: RunPrecomputeInput, description: "Granularities and range." },
  auditTarget: (input) => manualPrecomputeTarget(input),
  run: startManualPrecompute,
  refused: { jobRunId: null, plannedReleases: 0 },
});
