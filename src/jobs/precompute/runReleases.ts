import { recordJobRun } from "../jobRuns";
import { type PlannedRelease, releaseJobKey } from "./planReleases";
import { type PrecomputeDependencies, precomputeRelease, type ReleaseOutcome } from "./precomputeRelease";

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
): Promise<ReleaseOutcome & { outcome: string; rows?: number }> {
  return recordJobRun(
    deps.database,
    { name: RELEASE_JOB_NAME, key: releaseJobKey(release), now: () => deps.clock.now() },
    async () => {
      const result = await precomputeRelease(deps, { ...release, createdBy });
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
  for (const [index, release] of planned.entries()) {
    try {
      const result = await runRecordedRelease(deps, release, options.createdBy);
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
    options.onProgress?.(index + 1, planned.length);
  }
  return summary;
}
