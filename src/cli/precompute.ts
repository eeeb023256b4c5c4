import type { Clock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import { TIME_GRANULARITIES, type TimeGranularity } from "../db/schema/enums";
import { missingInRange, type PlannedRelease } from "../jobs/precompute/planReleases";
import { precomputeRelease } from "../jobs/precompute/precomputeRelease";
import { runReleases } from "../jobs/precompute/runReleases";
import { BUCKET_MS, bucketStartOf } from "../privacy/buckets";
import type { GeoBucketType } from "../privacy/cellKey";
import { resolveNoiseKey } from "../privacy/noiseKey";
import { loadReleaseProfile } from "../privacy/releaseProfiles";
import { createProgress } from "./progress";

export interface PrecomputeArgs {
  granularity: string | undefined;
  from: string | undefined;
  to: string | undefined;
  geoType: string | undefined;
  newVersion: boolean;
  reason: string | undefined;
}

export class PrecomputeUsageError extends Error {}

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
    throw new PrecomputeUsageError(`--granularity must be one of ${TIME_GRANULARITIES.join(", ")}`);
  }
  const from = parseDate("--from", args.from);
  const to = parseDate("--to", args.to);
  if (from >= to) throw new PrecomputeUsageError("--from must be before --to");
  const profile = await loadReleaseProfile(database.db, granularity as TimeGranularity);
  const geoTypes =
    args.geoType === undefined || args.geoType === "all"
      ? profile.allowedGeoTypes
      : [args.geoType as GeoBucketType];
  for (const geoType of geoTypes) {
    if (!profile.allowedGeoTypes.includes(geoType)) {
      throw new PrecomputeUsageError(
        `--geo-type must be one of ${profile.allowedGeoTypes.join(", ")} for ${granularity}`,
      );
    }
  }
  if (args.newVersion && !args.reason?.trim())
    throw new PrecomputeUsageError('--new-version needs --reason "why"');

  const first = bucketStartOf(granularity as TimeGranularity, from);
  const lastStart = new Date(
    bucketStartOf(granularity as TimeGranularity, new Date(to.getTime() - 1)).getTime(),
  );
  const deps = { database, noiseKey: resolveNoiseKey(config), clock, totalsResources: config.precompute };
  const progress = createProgress(out);

  if (args.newVersion) {
    const planned: PlannedRelease[] = [];
    for (
      let ms = first.getTime();
      ms <= lastStart.getTime();
      ms += BUCKET_MS[granularity as TimeGranularity]
    ) {
      for (const geoType of geoTypes)
        planned.push({ granularity: granularity as TimeGranularity, bucketStart: new Date(ms), geoType });
    }
    let done = 0;
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
    }
    progress.stop();
    return 0;
  }

  const planned = await missingInRange(database, granularity as TimeGranularity, first, lastStart, geoTypes);
  const summary = await runReleases(deps, planned, {
    createdBy: "cli",
    onProgress: (done, total) => progress.update("releases", done, total),
  });
  progress.stop();
  out.write(
    `precompute ${granularity} ${first.toISOString()} .. ${to.toISOString()}: ${summary.released} released` +
      ` (${summary.releasedCells.toLocaleString("en")} cells released, ${summary.suppressedCells.toLocaleString("en")} suppressed),` +
      ` ${summary.embargoed} still under the ${profile.reportingDelayHours} h reporting delay, ${summary.busy} busy elsewhere,` +
      ` ${summary.failed} failed; ${planned.length === 0 ? "nothing was missing" : `${planned.length} were missing`}\n`,
  );
  for (const error of summary.errors) out.write(`  failed: ${error}\n`);
  return summary.failed > 0 ? 1 : 0;
}

function parseDate(flag: string, value: string | undefined): Date {
  if (!value)
    throw new PrecomputeUsageError(`${flag} is required (a date such as 2026-01-01, or an ISO instant)`);
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime()))
    throw new PrecomputeUsageError(`${flag} must be a date such as 2026-01-01; got "${value}"`);
  return date;
}
