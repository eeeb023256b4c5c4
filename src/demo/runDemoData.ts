import { createProgress } from "../client/progress";
import type { Clock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import { PRECOMPUTE_POLICY_KEY, planMissingReleases } from "../jobs/precompute/planReleases";
import type { PrecomputeDependencies } from "../jobs/precompute/precomputeRelease";
import { type RunSummary, runReleases } from "../jobs/precompute/runReleases";
import { loadTimingPolicy } from "../jobs/timingPolicies";
import {
  clearIncompleteDemoData,
  type DemoDataSummary,
  generateDemoData,
  isDemoDataComplete,
  isDemoDataPresent,
} from "./demoData";

/**
 * Generates the demo data set with a progress bar. A database that already has events is left
 * alone, except the embedded demo database after an interrupted run, which is cleared and redone.
 */
export async function runDemoData(
  handle: DatabaseHandle,
  config: Config,
  clock: Clock,
  out: NodeJS.WriteStream = process.stderr,
): Promise<DemoDataSummary | undefined> {
  if (await isDemoDataComplete(handle)) {
    out.write("demo data: already in place\n");
    return undefined;
  }
  if (await isDemoDataPresent(handle)) {
    if (!config.demoMode) {
      out.write("demo data: the database already has interaction events; nothing generated\n");
      return undefined;
    }
    out.write("demo data: an earlier run was interrupted; clearing it and starting again\n");
    await clearIncompleteDemoData(handle);
  }
  const progress = createProgress(out);
  const startedAt = performance.now();
  try {
    const summary = await generateDemoData(handle, {
      seed: config.demoSeed,
      days: config.demoDays,
      scale: config.demoScale,
      now: clock.now(),
      onProgress: (stage, done, total) => progress.update(stage, done, total),
    });
    progress.stop();
    await fitPrecomputeWindowToDemo(handle, config.demoDays);
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
    out.write(
      `demo data: ${summary.events.toLocaleString("en")} events from ${summary.participants.toLocaleString("en")} participants at ${summary.spots} spots in ${summary.cities} cities (seed ${config.demoSeed}, ${config.demoDays} days) in ${seconds}s\n`,
    );
    return summary;
  } finally {
    progress.stop();
  }
}

/**
 * A demo of N days asks the precompute policy for no releases before its first day: the newest
 * releasable bucket is the reporting delay (72 h; HOUR 168 h) and the partial current day before
 * now, so DAY gets N - 4 days, WEEK (N - 4) / 7 weeks and HOUR N - 8 days. The window is a
 * setting of the timing policy (recorded there, by "demo"), never read off the events, so which
 * releases exist still depends only on the plan, the policy and the clock.
 */
async function fitPrecomputeWindowToDemo(handle: DatabaseHandle, days: number): Promise<void> {
  await handle.query(
    `update timing_policies set payload = payload || jsonb_build_object(
       'day_buckets', least((payload->>'day_buckets')::int, $2::int - 4),
       'week_buckets', least((payload->>'week_buckets')::int, ($2::int - 4) / 7),
       'hour_buckets', least((payload->>'hour_buckets')::int, 24 * ($2::int - 8))),
       updated_at = now(), updated_by = 'demo'
     where policy_key = $1`,
    [PRECOMPUTE_POLICY_KEY, days],
  );
}

/**
 * Computes the releases the precompute policy wants (DAY, WEEK, HOUR windows) over the demo data,
 * with a progress bar.
 */
export async function precomputeDemoWindow(
  deps: PrecomputeDependencies,
  out: NodeJS.WriteStream = process.stderr,
): Promise<RunSummary> {
  const policy = await loadTimingPolicy(deps.database, PRECOMPUTE_POLICY_KEY);
  // Which releases exist depends on the plan, the policy and the clock, never on where the events start.
  const planned = await planMissingReleases(deps.database, deps.clock.now(), policy);
  const progress = createProgress(out);
  const startedAt = performance.now();
  const summary = await runReleases(deps, planned, {
    createdBy: "demo",
    onProgress: (done, total) => progress.update("releases", done, total),
  });
  progress.stop();
  if (planned.length > 0) {
    out.write(
      `releases: ${summary.released} computed (${summary.releasedCells.toLocaleString("en")} cells released, ${summary.suppressedCells.toLocaleString("en")} suppressed) in ${((performance.now() - startedAt) / 1000).toFixed(1)}s${summary.failed ? `; ${summary.failed} failed` : ""}\n`,
    );
  }
  for (const error of summary.errors) out.write(`  failed: ${error}\n`);
  return summary;
}
