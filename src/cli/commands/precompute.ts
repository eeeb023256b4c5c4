import { execute, type OpsEndpoint } from "../../client/opsClient";
import { createProgress } from "../../client/progress";
import { OpsJobRunDocument, OpsRunPrecomputeDocument } from "../../generated/graphql/graphql";
import { instantOf, numberOf, oneOf, text } from "../framework";
import { GRANULARITIES, idOption, type OpsCommand, type OpsIo, type Outcome, outcomeOf } from "../opsCommand";

/** Polls ops.jobRun until the run ends, showing releases done of planned on stderr. */
async function waitForRun(
  endpoint: OpsEndpoint,
  io: OpsIo,
  jobRunId: string,
  options: { interval: number; timeoutMs: number },
): Promise<Outcome> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const progress = createProgress(io.stderr);
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const run = (await execute(endpoint, OpsJobRunDocument, { id: jobRunId })).ops.jobRun;
      if (run === null)
        return { kind: "failed", code: "NOT_FOUND", message: `job run ${jobRunId} vanished`, json: null };
      progress.update("precompute", run.rows ?? 0, run.planned ?? 0);
      if (run.finishedAt !== null) {
        progress.stop();
        const record = { ...run };
        return run.outcome === "completed"
          ? { kind: "record", record, json: run }
          : {
              kind: "failed",
              code: run.outcome.toUpperCase(),
              message: `precompute ${run.outcome}${run.error ? `: ${run.error}` : ""}`,
              record,
              json: run,
            };
      }
      if (Date.now() >= deadline) {
        progress.stop();
        return {
          kind: "failed",
          code: "WAIT_TIMEOUT",
          message: `still running after ${options.timeoutMs / 1000} s; it goes on (npm run ops -- precompute status --id ${jobRunId})`,
          json: run,
        };
      }
      await sleep(options.interval);
    }
  } finally {
    progress.stop();
  }
}

/** `npm run ops` commands. A manual precompute run in the background, and following it. */
export const precomputeCommands: OpsCommand[] = [
  {
    path: ["precompute", "run"],
    summary: "Compute the missing releases of a range in the background; --wait follows it to the end.",
    details: "Buckets still under the reporting delay are left out; at most 400 days per run.",
    options: {
      granularity: {
        type: "string",
        value: "G",
        required: true,
        multiple: true,
        description: `HOUR, DAY or WEEK; repeat it or separate by commas.`,
      },
      from: { type: "string", value: "DATE", required: true, description: "Start (floored to each bucket)." },
      to: { type: "string", value: "DATE", required: true, description: "End, exclusive." },
      wait: { type: "boolean", description: "Poll ops.jobRun with a progress display until the run ends." },
      "interval-ms": {
        type: "string",
        value: "MS",
        description: "Poll interval with --wait (default 1000).",
      },
      "timeout-seconds": {
        type: "string",
        value: "S",
        description: "Give up waiting after S seconds (default 3600).",
      },
    },
    async run({ endpoint, values, io }) {
      const granularities = ((values.granularity as string[] | undefined) ?? [])
        .flatMap((value) => value.split(","))
        .map((value) => oneOf("granularity", value.trim(), GRANULARITIES) ?? "DAY");
      const interval = numberOf("interval-ms", text(values, "interval-ms"), true) ?? 1000;
      const timeout = numberOf("timeout-seconds", text(values, "timeout-seconds"), true) ?? 3600;
      const data = await execute(endpoint, OpsRunPrecomputeDocument, {
        input: {
          granularities,
          from: instantOf("from", text(values, "from")) ?? "",
          to: instantOf("to", text(values, "to")) ?? "",
        },
      });
      const payload = data.runPrecompute;
      if (payload.userErrors.length > 0 || payload.jobRunId === null || values.wait !== true) {
        return outcomeOf(payload, () => ({
          kind: "record",
          record: { jobRunId: payload.jobRunId, plannedReleases: payload.plannedReleases },
          json: payload,
          note: `Follow it with: npm run ops -- precompute status --id ${payload.jobRunId}`,
        }));
      }
      return waitForRun(endpoint, io, payload.jobRunId, { interval, timeoutMs: timeout * 1000 });
    },
  },
  {
    path: ["precompute", "status"],
    summary: "One precompute run: releases done of planned, outcome, error.",
    options: idOption("The job run id runPrecompute returned."),
    async run({ endpoint, values }) {
      const run = (await execute(endpoint, OpsJobRunDocument, { id: text(values, "id") ?? "" })).ops.jobRun;
      if (run === null)
        return { kind: "failed", code: "NOT_FOUND", message: "No job run has this id.", json: null };
      return { kind: "record", record: { ...run }, json: run };
    },
  },
];
