import { createProgress } from "../client/progress";
import type { Clock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import { TIME_GRANULARITIES, type TimeGranularity } from "../db/schema/enums";
import { withDemoNoiseKey } from "../demo/demoNoiseKey";
import { missingInRange, type PlannedRelease, releaseJobKey } from "../jobs/precompute/planReleases";
import { precomputeRelease } from "../jobs/precompute/precomputeRelease";
import { runReleases } from "../jobs/precompute/runReleases";
import { BUCKET_MS, bucketStartOf } from "../privacy/buckets";
import type { GeoBucketType } from "../privacy/cellKey";
import { resolveNoiseKey } from "../privacy/noiseKey";
import { loadReleasePlan } from "../privacy/releasePlan";
import { loadReleaseProfile } from "../privacy/releaseProfiles";
import { UsageError } from "./framework";

export interface PrecomputeArgs {
  granularity: string | undefined;
  from: string | undefined;
  to: string | undefined;
  geoType: string | undefined;
  newVersion: boolean;
  reason: string | undefined;
}

/** Exit code when a release was refused at the participant-day cap (1 is a failure, 2 a usage error). */
export const EXIT_CAP_REACHED = 3;

/** `precompute`: computes the missing releases of a range (or, with --new-version, new versions of all). */
export async function runPrecomputeCommand(
  database: DatabaseHandle,
  config: Config,
  clock: Clock,
  args: PrecomputeArgs,
  out: NodeJS.WriteStream = process.stderr,
): Promise<number> {
  const granularity = args.granularity?.toLowerCase();
  if (!granularity || !(TIME_GRANULARITIES as readonly string[]).includes(granularity)) {
    throw new UsageError(`--granularity must be one of ${TIME_GRANULARITIES.join(", ")}`);
  }
  const from = parseDate("--from", args.from);
  const to = parseDate("--to", args.to);
  if (from >= to) throw new UsageError("--from must be before --to");
  const profile = await loadReleaseProfile(database, granularity as TimeGranularity);
  const geoTypes =
    args.geoType === undefined || args.geoType === "all"
      ? profile.allowedGeoTypes
      : [args.geoType as GeoBucketType];
  for (const geoType of geoTypes) {
    if (!profile.allowedGeoTypes.includes(geoType)) {
      throw new UsageError(
        `--geo-type must be one of ${profile.allowedGeoTypes.join(", ")} for ${granularity}`,
      );
    }
  }
  if (args.newVersion && !args.reason?.trim()) throw new UsageError('--new-version needs --reason "why"');

  // HOUR releases are families, one per day: the range is walked in days.
  const step: TimeGranularity = granularity === "hour" ? "day" : (granularity as TimeGranularity);
  const first = bucketStartOf(step, from);
  const lastStart = bucketStartOf(step, new Date(to.getTime() - 1));
  const plan = await loadReleasePlan(database.query);
  const deps = {
    database,
    noiseKey: resolveNoiseKey(withDemoNoiseKey(config)),
    clock,
    totalsResources: config.precompute,
  };
  const progress = createProgress(out);

  if (args.newVersion) {
    const planned: PlannedRelease[] = [];
    for (let ms = first.getTime(); ms <= lastStart.getTime(); ms += BUCKET_MS[step]) {
      for (const entry of plan) {
        if (!entry.enabled || entry.granularity !== granularity || !geoTypes.includes(entry.geoType))
          continue;
        planned.push({
          granularity: granularity as TimeGranularity,
          bucketStart: new Date(ms),
          geoType: entry.geoType,
          level: entry.level,
        });
      }
    }
    let done = 0;
    let refused = 0;
    for (const release of planned) {
      const result = await precomputeRelease(deps, {
        ...release,
        createdBy: "cli",
        newVersion: { reason: args.reason ?? "" },
      });
      progress.update("releases", ++done, planned.length);
      if (result.status === "released")
        out.write(
          `new version ${result.version} of ${release.bucketStart.toISOString()} ${release.geoType}\n`,
        );
      if (result.status === "cap_reached") {
        refused++;
        out.write(`PRIVACY_CAP_REACHED ${releaseJobKey(release)}: ${result.message}\n`);
      }
    }
    progress.stop();
    return refused > 0 ? EXIT_CAP_REACHED : 0;
  }

  const planned = await missingInRange(
    database,
    granularity as TimeGranularity,
    first,
    lastStart,
    plan,
    geoTypes,
  );
  const summary = await runReleases(deps, planned, {
    createdBy: "cli",
    onProgress: (done, total) => progress.update("releases", done, total),
  });
  progress.stop();
  out.write(
    `precompute ${granularity} ${first.toISOString()} .. ${to.toISOString()}: ${summary.released} released` +
      ` (${summary.releasedCells.toLocaleString("en")} cells released, ${summary.suppressedCells.toLocaleString("en")} suppressed),` +
      ` ${summary.embargoed} still under the ${profile.reportingDelayHours} h reporting delay, ${summary.busy} busy elsewhere,` +
      ` ${summary.capReached} refused at the participant-day cap (PRIVACY_CAP_REACHED),` +
      ` ${summary.failed} failed; ${planned.length === 0 ? "nothing was missing" : `${planned.length} were missing`}\n`,
  );
  for (const error of summary.errors) out.write(`  failed: ${error}\n`);
  for (const refusal of summary.refusals) out.write(`  PRIVACY_CAP_REACHED ${refusal}\n`);
  if (summary.failed > 0) return 1;
  return summary.capReached > 0 ? EXIT_CAP_REACHED : 0;
}

function parseDate(flag: string, value: string | undefined): Date {
  if (!value) throw new UsageError(`${flag} is required (a date such as 2026-01-01, or an ISO instant)`);
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new UsageError(`${flag} must be a date such as 2026-01-01; got "${value}"`);
  return date;
}
