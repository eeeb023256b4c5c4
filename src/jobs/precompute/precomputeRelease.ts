import type { Clock } from "../../clock";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import { BUCKET_MS, bucketEnd, bucketKey, isAligned } from "../../privacy/buckets";
import { type CellSegment, canonicalCellKey, type GeoBucketType, segmentKey } from "../../privacy/cellKey";
import type { NoiseKey } from "../../privacy/noiseKey";
import { keyedNoiseStream } from "../../privacy/noiseStream";
import { type CellRelease, type CellTotals, releaseCell } from "../../privacy/releaseMechanism";
import { noiseScalesAsNumbers, releaseParameters } from "../../privacy/releaseParameters";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";
import { appendAuditEntry } from "../../resolvers/admin/audit";
import { geoBucketsSql } from "./aggregateSql";
import { type CellTotalsRow, computeCellTotals, type TotalsResources } from "./cellTotals";

export interface PrecomputeDependencies {
  database: DatabaseHandle;
  noiseKey: NoiseKey;
  clock: Clock;
  /** Memory and connections of a totals pass (PRECOMPUTE_WORK_MEM, PRECOMPUTE_PARALLELISM); defaults otherwise. */
  totalsResources?: TotalsResources;
}

export interface ReleaseRequest {
  granularity: TimeGranularity;
  bucketStart: Date;
  geoType: GeoBucketType;
  /** "scheduler", "cli", or the operator key that asked for it. */
  createdBy?: string;
  /** An explicit new version of an existing release: fresh noise, charged again. Needs a reason. */
  newVersion?: { reason: string };
  /** Test seam: runs inside the transaction after every row is written, before commit. */
  beforeCommit?: () => Promise<void>;
  /** Totals already computed for this bucket and geo type by a run over several buckets; version 1 only. */
  totals?: CellTotalsRow[];
}

export type ReleaseOutcome =
  | { status: "released"; releaseId: string; version: number; releasedCells: number; suppressedCells: number }
  | { status: "exists"; releaseId: string }
  | { status: "busy" }
  | { status: "embargoed"; releasableAfter: Date };

const CELL_INSERT_BATCH = 5_000;

/**
 * Materialises one release: every cell of (granularity, bucket, geo type), noised once, written
 * with its receipt and ledger row in one transaction. A bucket already released is left alone; a
 * concurrent worker on the same bucket makes this one return "busy".
 */
export async function precomputeRelease(
  deps: PrecomputeDependencies,
  request: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const { granularity, bucketStart, geoType } = request;
  if (!isAligned(granularity, bucketStart)) {
    throw new Error(`bucket ${bucketStart.toISOString()} is not aligned to ${granularity}`);
  }
  const profile = await loadReleaseProfile(deps.database.db, granularity);
  if (!profile.allowedGeoTypes.includes(geoType)) {
    throw new Error(`the ${granularity} profile does not release ${geoType} buckets`);
  }
  const end = bucketEnd(granularity, bucketStart);
  const releasableAfter = new Date(end.getTime() + profile.reportingDelayHours * 3_600_000);
  if (deps.clock.now() < releasableAfter) return { status: "embargoed", releasableAfter };

  const parameters = releaseParameters(profile);
  const releaseKey = `${granularity}|${bucketKey(bucketStart)}|${geoType}`;
  return deps.database.transaction(async (query) => {
    // One writer per bucket across processes; the loser skips instead of waiting.
    const [lock] = await query<{ locked: boolean }>(
      "select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked",
      [`release|${releaseKey}`],
    );
    if (!lock?.locked) return { status: "busy" } as const;

    const [current] = await query<{ id: string; version: number }>(
      "select id, version from releases where granularity = $1 and bucket_start = $2 and geo_type = $3 order by version desc limit 1",
      [granularity, bucketStart, geoType],
    );
    if (current !== undefined && request.newVersion === undefined)
      return { status: "exists", releaseId: current.id } as const;
    if (request.newVersion !== undefined && !request.newVersion.reason.trim()) {
      throw new Error("a new release version needs a reason");
    }
    const version = (current?.version ?? 0) + 1;

    const totals =
      request.totals !== undefined && version === 1
        ? request.totals
        : ((
            await computeCellTotals(
              deps.database,
              deps.noiseKey,
              { granularity, geoTypes: [geoType], start: bucketStart, bucketCount: 1, version, parameters },
              query,
              deps.totalsResources,
            )
          )
            .get(bucketStart.getTime())
            ?.get(geoType) ?? []);
    const totalsBySegment = new Map(
      totals.map((row) => [
        segmentKey({
          geoBucketId: row.geo_bucket_id,
          doorType: row.door_type,
          category: row.category,
          context: row.context,
        }),
        row,
      ]),
    );
    const geoBuckets = (await query<{ id: string }>(geoBucketsSql(geoType))).map((row) => row.id);
    const previous = await previousUniqueEstimates(query, granularity, bucketStart, geoType);

    const cells = new ReleaseCells(parameters.dominanceMaxShare);
    // Most of the lattice is empty; an empty cell's release is the same every time and needs no noise.
    const empty = releaseCell(NO_TOTALS, parameters, () => {
      throw new Error("an empty cell is never noised");
    });
    for (const geoBucketId of geoBuckets) {
      for (const doorType of DOOR_TYPES) {
        for (const category of CATEGORIES) {
          for (const context of SEGMENT_CONTEXTS) {
            const segment = { geoBucketId, doorType, category, context };
            const key = segmentKey(segment);
            const row = totalsBySegment.get(key);
            if (row === undefined || row.unique_participants === 0) {
              cells.push(segment, empty, NO_TOTALS);
              continue;
            }
            const cellTotals: CellTotals = {
              uniqueParticipants: row.unique_participants,
              doorsOpened: row.doors_opened,
              repeatParticipants: row.repeat_participants,
              topContributorDoors: row.top_doors,
            };
            const cellKey = canonicalCellKey(granularity, bucketStart, geoType, segment);
            const released = releaseCell(
              cellTotals,
              parameters,
              (metric) => keyedNoiseStream(deps.noiseKey.key, cellKey, metric, version),
              previous.get(key) ?? null,
            );
            cells.push(segment, released, cellTotals);
          }
        }
      }
    }

    if (current !== undefined) await query("update releases set current = false where id = $1", [current.id]);
    const [release] = await query<{ id: string }>(
      `insert into releases (granularity, bucket_start, bucket_end, geo_type, version, current, epsilon, created_at, created_by, reason)
       values ($1, $2, $3, $4, $5, true, $6, $7, $8, $9) returning id`,
      [
        granularity,
        bucketStart,
        end,
        geoType,
        version,
        parameters.epsilon,
        deps.clock.now(),
        request.createdBy ?? "scheduler",
        request.newVersion?.reason ?? null,
      ],
    );
    const releaseId = release?.id;
    if (releaseId === undefined) throw new Error("insert into releases returned no id");
    await insertCells(query, releaseId, cells);
    const { releasedCells, dominanceViolations } = cells;
    await query(
      `insert into release_receipts (release_id, profile, max_cells_per_participant, max_doors_per_cell, epsilon_split,
         noise_scales, threshold_m, delta, noise_key_id, released_cells, suppressed_cells, dominance_violations, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [
        releaseId,
        JSON.stringify(profile),
        parameters.maxCellsPerParticipant,
        parameters.maxDoorsPerCell,
        JSON.stringify(parameters.epsilonSplit),
        JSON.stringify(noiseScalesAsNumbers(parameters)),
        parameters.thresholdM,
        parameters.delta,
        deps.noiseKey.id,
        releasedCells,
        cells.count - releasedCells,
        dominanceViolations,
        deps.clock.now(),
      ],
    );
    await query(
      `insert into privacy_ledger (release_id, granularity, geo_type, bucket_start, epsilon, delta, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [releaseId, granularity, geoType, bucketStart, parameters.epsilon, parameters.delta, deps.clock.now()],
    );
    if (request.newVersion !== undefined) {
      await appendAuditEntry(query, {
        at: deps.clock.now(),
        type: "release",
        actor: request.createdBy ?? "scheduler",
        action: "newReleaseVersion",
        target: releaseKey,
        outcome: "OK",
        before: { releaseId: current?.id ?? null, version: current?.version ?? null },
        after: { releaseId, version },
        details: { reason: request.newVersion.reason },
      });
    }
    await request.beforeCommit?.();
    return {
      status: "released",
      releaseId,
      version,
      releasedCells,
      suppressedCells: cells.count - releasedCells,
    } as const;
  });
}

/** The previous bucket's published unique estimates of the same geo type, for the trend score. */
async function previousUniqueEstimates(
  query: QueryFn,
  granularity: TimeGranularity,
  bucketStart: Date,
  geoType: GeoBucketType,
): Promise<Map<string, number>> {
  const previousStart = new Date(bucketStart.getTime() - BUCKET_MS[granularity]);
  const rows = await query<{ key: string; estimate: number }>(
    `select c.geo_bucket_id || '|' || c.door_type || '|' || c.category || '|' || c.context as key,
            c.unique_participants_est as estimate
     from insight_cells c join releases r on r.id = c.release_id
     where r.granularity = $1 and r.bucket_start = $2 and r.geo_type = $3 and r.current and not c.suppressed`,
    [granularity, previousStart, geoType],
  );
  return new Map(rows.map((row) => [row.key, row.estimate]));
}

const NO_TOTALS: CellTotals = {
  uniqueParticipants: 0,
  doorsOpened: 0,
  repeatParticipants: 0,
  topContributorDoors: 0,
};

/** A release's cells as the columns of the insert, filled in one pass (no object per cell). */
class ReleaseCells {
  readonly geo: string[] = [];
  readonly door: string[] = [];
  readonly category: string[] = [];
  readonly context: string[] = [];
  readonly uniqueEst: Array<number | null> = [];
  readonly doorsEst: Array<number | null> = [];
  readonly repeatEst: Array<number | null> = [];
  readonly repeatRate: Array<number | null> = [];
  readonly trend: Array<number | null> = [];
  readonly suppressed: boolean[] = [];
  readonly reason: Array<string | null> = [];
  readonly trueUnique: number[] = [];
  readonly trueDoors: number[] = [];
  readonly topShare: number[] = [];
  releasedCells = 0;
  /** Released cells whose top contributor holds more than the dominance share: 0 by construction (C <= share x k). */
  dominanceViolations = 0;

  constructor(private readonly dominanceMaxShare: number) {}

  get count(): number {
    return this.geo.length;
  }

  push(segment: CellSegment, released: CellRelease, totals: CellTotals): void {
    this.geo.push(segment.geoBucketId);
    this.door.push(segment.doorType);
    this.category.push(segment.category);
    this.context.push(segment.context);
    this.uniqueEst.push(released.uniqueParticipantsEst);
    this.doorsEst.push(released.doorsOpenedEst);
    this.repeatEst.push(released.repeatParticipantsEst);
    this.repeatRate.push(released.repeatRateEst);
    this.trend.push(released.trendScoreEst);
    this.suppressed.push(released.suppressed);
    this.reason.push(released.suppressedReason);
    this.trueUnique.push(totals.uniqueParticipants);
    this.trueDoors.push(totals.doorsOpened);
    this.topShare.push(released.topContributorShare);
    if (!released.suppressed) this.releasedCells++;
    if (!released.suppressed && released.topContributorShare > this.dominanceMaxShare)
      this.dominanceViolations++;
  }
}

async function insertCells(query: QueryFn, releaseId: string, cells: ReleaseCells): Promise<void> {
  const columns = [
    cells.geo,
    cells.door,
    cells.category,
    cells.context,
    cells.uniqueEst,
    cells.doorsEst,
    cells.repeatEst,
    cells.repeatRate,
    cells.trend,
    cells.suppressed,
    cells.reason,
    cells.trueUnique,
    cells.trueDoors,
    cells.topShare,
  ];
  for (let start = 0; start < cells.count; start += CELL_INSERT_BATCH) {
    const end = start + CELL_INSERT_BATCH;
    // PGlite cannot bind enum arrays, so segments travel as text[] and are cast per row.
    await query(
      `insert into insight_cells (release_id, geo_bucket_id, door_type, category, context, unique_participants_est,
         doors_opened_est, repeat_participants_est, repeat_rate_est, trend_score_est, suppressed, suppressed_reason,
         true_unique_participants, true_doors_opened, top_contributor_share)
       select $1::uuid, u.geo, u.door::door_type, u.category::category, u.context::segment_context, u.unique_est,
              u.doors_est, u.repeat_est, u.repeat_rate, u.trend, u.suppressed, u.reason::suppression_reason,
              u.true_unique, u.true_doors, u.top_share
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::float8[],
                   $10::float8[], $11::bool[], $12::text[], $13::int[], $14::int[], $15::float8[])
         as u(geo, door, category, context, unique_est, doors_est, repeat_est, repeat_rate, trend, suppressed, reason,
              true_unique, true_doors, top_share)`,
      [releaseId, ...columns.map((column) => column.slice(start, end))],
    );
  }
}
