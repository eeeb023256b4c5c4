import { BUCKET_MS } from "../../privacy/buckets";
import type { GeoBucketType } from "../../privacy/cellKey";
import { releaseParameters } from "../../privacy/releaseParameters";
import { levelMaxCells } from "../../privacy/releasePlan";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";
import { recordJobRun } from "../jobRuns";
import type { RollupSet } from "./aggregateSql";
import { type BucketTotals, computeCellTotals, totalsKey } from "./cellTotals";
import { type PlannedRelease, releaseJobKey } from "./planReleases";
import {
  type PrecomputeDependencies,
  type PrecomputedTotals,
  precomputeRelease,
  type ReleaseOutcome,
} from "./precomputeRelease";

export const RELEASE_JOB_NAME = "precompute-release";
/** The job-run outcome, feed source and CLI word of a release refused at the participant-day cap. */
export const PRIVACY_CAP_REACHED = "PRIVACY_CAP_REACHED";

/**
 * Puts a cap refusal in the operators' feed: one open item per covered day (repeats of the same
 * refusal join it), so a day at the cap is seen without reading job runs.
 */
async function recordCapRefusal(
  deps: PrecomputeDependencies,
  release: PlannedRelease,
  refusal: { day: string; epsilonAfter: number; message: string },
): Promise<void> {
  await deps.database.query(
    `insert into ops_feed (created_at, severity, source, title, body, status, incident_key)
     values ($1, 'warning', $2, $3, $4, 'new', $5)
     on conflict (incident_key) where status <> 'archived' do nothing`,
    [
      deps.clock.now(),
      PRIVACY_CAP_REACHED,
      `Release refused at the participant-day cap: ${releaseJobKey(release)}`,
      refusal.message,
      `${PRIVACY_CAP_REACHED}:${refusal.day}`,
    ],
  );
}

export interface RunSummary {
  released: number;
  alreadyReleased: number;
  busy: number;
  embargoed: number;
  /** Refused: a covered day would go above the participant-day cap (PRIVACY_CAP_REACHED). */
  capReached: number;
  /** Not in the release plan (disabled since it was planned). */
  notPlanned: number;
  failed: number;
  releasedCells: number;
  suppressedCells: number;
  errors: string[];
  /** One line per release refused at the cap: its key and why. */
  refusals: string[];
}

/** Runs one planned release as a recorded job run. */
export function runRecordedRelease(
  deps: PrecomputeDependencies,
  release: PlannedRelease,
  createdBy: string,
  totals?: PrecomputedTotals,
): Promise<ReleaseOutcome & { outcome: string; rows?: number }> {
  return recordJobRun(
    deps.database,
    { name: RELEASE_JOB_NAME, key: releaseJobKey(release), now: () => deps.clock.now() },
    async () => {
      const result = await precomputeRelease(deps, { ...release, createdBy, ...(totals ? { totals } : {}) });
      if (result.status === "cap_reached") {
        await recordCapRefusal(deps, release, result);
        return {
          ...result,
          outcome: PRIVACY_CAP_REACHED,
          details: { day: result.day, epsilonAfter: result.epsilonAfter, message: result.message },
        };
      }
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
    capReached: 0,
    notPlanned: 0,
    failed: 0,
    releasedCells: 0,
    suppressedCells: 0,
    errors: [],
    refusals: [],
  };
  options.onProgress?.(0, planned.length);
  let done = 0;
  // An HOUR family reads its own day inside its transaction; DAY and WEEK share one pass per batch.
  for (const release of planned.filter((release) => release.granularity === "hour")) {
    await runOne(release, undefined);
    options.onProgress?.(++done, planned.length);
  }
  for (const batch of contiguousBatches(planned.filter((release) => release.granularity !== "hour"))) {
    // One pass over the events for the whole batch and every geo type; each release is still
    // written on its own. If that pass fails, each release computes its own totals (and records
    // its own failure).
    const totals = await batchTotals(deps, batch).catch((error: unknown) => {
      summary.errors.push(
        `batch of ${batch.bucketCount} ${batch.releases[0]?.granularity ?? ""} buckets from ${batch.first.toISOString()}: ${error instanceof Error ? error.message : String(error)} (each release computed its own totals)`,
      );
      return undefined;
    });
    for (const release of batch.releases) {
      await runOne(
        release,
        totals
          ? {
              rows:
                totals.byBucket
                  .get(release.bucketStart.getTime())
                  ?.get(totalsKey(release.geoType, release.level)) ?? [],
              // Each level was bounded with its own L0.
              bounds: {
                ...totals.bounds,
                maxCellsPerParticipant: levelMaxCells(
                  release.granularity,
                  release.level,
                  totals.bounds.maxCellsPerParticipant,
                ),
              },
            }
          : undefined,
      );
      options.onProgress?.(++done, planned.length);
    }
  }
  return summary;

  async function runOne(release: PlannedRelease, totals: PrecomputedTotals | undefined) {
    try {
      const result = await runRecordedRelease(deps, release, options.createdBy, totals);
      if (result.status === "released") {
        summary.released++;
        summary.releasedCells += result.releasedCells;
        summary.suppressedCells += result.suppressedCells;
      } else if (result.status === "exists") summary.alreadyReleased++;
      else if (result.status === "busy") summary.busy++;
      else if (result.status === "cap_reached") {
        summary.capReached++;
        summary.refusals.push(`${releaseJobKey(release)}: ${result.message}`);
      } else if (result.status === "not_planned") summary.notPlanned++;
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
  hour: 24,
  day: 31,
  week: 13,
};

interface Batch {
  /** Oldest first; per bucket, every planned geo type. */
  releases: PlannedRelease[];
  first: Date;
  bucketCount: number;
  /** Geo types whose FULL level, and roll-up sets, the batch releases. */
  geoTypes: GeoBucketType[];
  rollups: RollupSet[];
}

/** Runs of consecutive buckets of one granularity (all their geo types together), oldest first, a few weeks of data each. */
function contiguousBatches(planned: PlannedRelease[]): Batch[] {
  const byGranularity = new Map<PlannedRelease["granularity"], PlannedRelease[]>();
  for (const release of planned) {
    const group = byGranularity.get(release.granularity);
    if (group) group.push(release);
    else byGranularity.set(release.granularity, [release]);
  }
  const batches: Batch[] = [];
  for (const [granularity, group] of byGranularity) {
    group.sort(
      (a, b) => a.bucketStart.getTime() - b.bucketStart.getTime() || a.geoType.localeCompare(b.geoType),
    );
    let current: PlannedRelease[] = [];
    const close = () => {
      const first = current[0];
      const last = current.at(-1);
      if (first === undefined || last === undefined) return;
      batches.push({
        releases: current,
        first: first.bucketStart,
        bucketCount: (last.bucketStart.getTime() - first.bucketStart.getTime()) / BUCKET_MS[granularity] + 1,
        geoTypes: [
          ...new Set(current.filter((release) => release.level === "full").map((release) => release.geoType)),
        ],
        rollups: [
          ...new Map(
            current
              .filter((release) => release.level !== "full")
              .map((release) => [
                totalsKey(release.geoType, release.level),
                { geoType: release.geoType, level: release.level },
              ]),
          ).values(),
        ],
      });
      current = [];
    };
    for (const release of group) {
      const first = current[0];
      const previous = current.at(-1);
      const gap = previous ? release.bucketStart.getTime() - previous.bucketStart.getTime() : 0;
      const span = first
        ? (release.bucketStart.getTime() - first.bucketStart.getTime()) / BUCKET_MS[granularity]
        : 0;
      if (previous && (gap > BUCKET_MS[granularity] || span >= MAX_BUCKETS_PER_BATCH[granularity])) close();
      current.push(release);
    }
    close();
  }
  return batches;
}

async function batchTotals(
  deps: PrecomputeDependencies,
  batch: Batch,
): Promise<{ byBucket: BucketTotals; bounds: PrecomputedTotals["bounds"] }> {
  const granularity = batch.releases[0]?.granularity ?? "day";
  const parameters = releaseParameters(await loadReleaseProfile(deps.database, granularity));
  const bounds = {
    maxCellsPerParticipant: parameters.maxCellsPerParticipant,
    maxDoorsPerCell: parameters.maxDoorsPerCell,
  };
  const byBucket = await computeCellTotals(
    deps.database,
    deps.noiseKey,
    {
      granularity,
      geoTypes: batch.geoTypes,
      rollups: batch.rollups.map((set) => ({
        ...set,
        maxCells: levelMaxCells(granularity, set.level, parameters.maxCellsPerParticipant),
      })),
      start: batch.first,
      bucketCount: batch.bucketCount,
      version: 1,
      parameters,
    },
    undefined,
    deps.totalsResources,
  );
  return { byBucket, bounds };
}
