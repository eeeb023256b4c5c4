import { BUCKET_MS, bucketEnd } from "../../privacy/buckets";
import { releaseParameters } from "../../privacy/releaseParameters";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";
import { recordJobRun } from "../jobRuns";
import type { CellTotalsRow } from "./aggregateSql";
import { type PlannedRelease, releaseJobKey } from "./planReleases";
import {
  computeCellTotals,
  type PrecomputeDependencies,
  precomputeRelease,
  type ReleaseOutcome,
} from "./precomputeRelease";

export const RELEASE_JOB_NAME = "precompute-release";

export interface RunSummary {
  released: number;
  alreadyReleased: number;
  busy: number;
  embargoed: number;
  failed: number;
  releasedCells: number;
  suppressedCells: number;
  errors: string[];
}

/** Runs one planned release as a recorded job run. */
export function runRecordedRelease(
  deps: PrecomputeDependencies,
  release: PlannedRelease,
  createdBy: string,
  totals?: CellTotalsRow[],
): Promise<ReleaseOutcome & { outcome: string; rows?: number }> {
  return recordJobRun(
    deps.database,
    { name: RELEASE_JOB_NAME, key: releaseJobKey(release), now: () => deps.clock.now() },
    async () => {
      const result = await precomputeRelease(deps, { ...release, createdBy, ...(totals ? { totals } : {}) });
      return {
        ...result,
        outcome: result.status,
        ...(result.status === "released" ? { rows: result.releasedCells + result.suppressedCells } : {}),
      };
    },
  );
}

/** Runs releases one after another (oldest first); one failure does not stop the others. */
export async function runReleases(
  deps: PrecomputeDependencies,
  planned: PlannedRelease[],
  options: { createdBy: string; onProgress?: (done: number, total: number) => void },
): Promise<RunSummary> {
  const summary: RunSummary = {
    released: 0,
    alreadyReleased: 0,
    busy: 0,
    embargoed: 0,
    failed: 0,
    releasedCells: 0,
    suppressedCells: 0,
    errors: [],
  };
  options.onProgress?.(0, planned.length);
  let done = 0;
  for (const batch of contiguousBatches(planned)) {
    // One pass over the events for the whole batch; each release is still written on its own.
    // If the batch query fails, each release computes its own totals (and records its own failure).
    const totalsByBucket = await batchTotals(deps, batch).catch(() => undefined);
    for (const release of batch) {
      await runOne(
        release,
        totalsByBucket ? (totalsByBucket.get(release.bucketStart.getTime()) ?? []) : undefined,
      );
      options.onProgress?.(++done, planned.length);
    }
  }
  return summary;

  async function runOne(release: PlannedRelease, totals: CellTotalsRow[] | undefined) {
    try {
      const result = await runRecordedRelease(deps, release, options.createdBy, totals);
      if (result.status === "released") {
        summary.released++;
        summary.releasedCells += result.releasedCells;
        summary.suppressedCells += result.suppressedCells;
      } else if (result.status === "exists") summary.alreadyReleased++;
      else if (result.status === "busy") summary.busy++;
      else summary.embargoed++;
    } catch (error) {
      summary.failed++;
      summary.errors.push(
        `${releaseJobKey(release)}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}

const MAX_BUCKETS_PER_BATCH: Record<PlannedRelease["granularity"], number> = {
  hour: 24 * 7,
  day: 31,
  week: 13,
};

/** Consecutive buckets of one granularity and geo type, oldest first, at most a few weeks of data each. */
function contiguousBatches(planned: PlannedRelease[]): PlannedRelease[][] {
  const groups = new Map<string, PlannedRelease[]>();
  for (const release of planned) {
    const key = `${release.granularity}|${release.geoType}`;
    const group = groups.get(key);
    if (group) group.push(release);
    else groups.set(key, [release]);
  }
  const batches: PlannedRelease[][] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.bucketStart.getTime() - b.bucketStart.getTime());
    let current: PlannedRelease[] = [];
    for (const release of group) {
      const previous = current.at(-1);
      const adjacent =
        previous !== undefined &&
        release.bucketStart.getTime() - previous.bucketStart.getTime() === BUCKET_MS[release.granularity];
      if (current.length > 0 && (!adjacent || current.length >= MAX_BUCKETS_PER_BATCH[release.granularity])) {
        batches.push(current);
        current = [];
      }
      current.push(release);
    }
    if (current.length > 0) batches.push(current);
  }
  return batches;
}

async function batchTotals(
  deps: PrecomputeDependencies,
  batch: PlannedRelease[],
): Promise<Map<number, CellTotalsRow[]>> {
  const first = batch[0];
  const last = batch.at(-1);
  if (first === undefined || last === undefined) return new Map();
  const parameters = releaseParameters(await loadReleaseProfile(deps.database.db, first.granularity));
  const rows = await deps.database.transaction((query) =>
    computeCellTotals(query, deps.noiseKey, {
      granularity: first.granularity,
      geoType: first.geoType,
      start: first.bucketStart,
      end: bucketEnd(first.granularity, last.bucketStart),
      version: 1,
      parameters,
    }),
  );
  const byBucket = new Map<number, CellTotalsRow[]>();
  for (const row of rows) {
    const key = new Date(row.bucket_start).getTime();
    const rowsOfBucket = byBucket.get(key);
    if (rowsOfBucket) rowsOfBucket.push(row);
    else byBucket.set(key, [row]);
  }
  return byBucket;
}
