import { randomUUID } from "node:crypto";
import { appendAuditEntry } from "../../audit/chain";
import type { Clock } from "../../clock";
import type { TotalsResources } from "../../config";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../db/schema/enums";
import { BUCKET_MS, bucketEnd, bucketKey, bucketStartOf, isAligned } from "../../privacy/buckets";
import { type CellSegment, canonicalCellKey, type GeoBucketType, segmentKey } from "../../privacy/cellKey";
import { planReleaseParameters } from "../../privacy/levelParameters";
import type { NoiseKey } from "../../privacy/noiseKey";
import { keyedNoiseStream } from "../../privacy/noiseStream";
import { checkParticipantDayCap, coveredDays, recordLedgerDays } from "../../privacy/participantDays";
import { type CellRelease, type CellTotals, releaseCell } from "../../privacy/releaseMechanism";
import { noiseScalesAsNumbers, type ReleaseParameters } from "../../privacy/releaseParameters";
import {
  dimensionsOf,
  loadPrivacyCap,
  loadReleasePlan,
  planEntryFor,
  planTotals,
  type ReleaseLevel,
} from "../../privacy/releasePlan";
import { loadReleaseProfile } from "../../privacy/releaseProfiles";
import { geoBucketsSql } from "./aggregateSql";
import { type BucketTotals, type CellTotalsRow, computeCellTotals, totalsKey } from "./cellTotals";

export interface PrecomputeDependencies {
  database: DatabaseHandle;
  noiseKey: NoiseKey;
  clock: Clock;
  /** Memory and connections of a totals pass (PRECOMPUTE_WORK_MEM, PRECOMPUTE_PARALLELISM); defaults otherwise. */
  totalsResources?: TotalsResources;
}

export interface ReleaseRequest {
  granularity: TimeGranularity;
  /** The bucket; for HOUR, any hour of the day whose family is computed (all its hours together). */
  bucketStart: Date;
  geoType: GeoBucketType;
  /** The breakdown level (PRIVACY.md "Breakdown levels"); absent: "full", for HOUR "total". */
  level?: ReleaseLevel;
  /** "scheduler", "cli", or the operator key that asked for it. */
  createdBy?: string;
  /** An explicit new version of an existing release: fresh noise, charged again. Needs a reason. */
  newVersion?: { reason: string };
  /** Test seam: runs inside the transaction after every row is written, before commit. */
  beforeCommit?: () => Promise<void>;
  /**
   * Totals already computed for this bucket and geo type by a run over several buckets, with the
   * bounds they were computed under; DAY and WEEK version 1 only, and used only when those bounds
   * are the ones this release derives inside its transaction (a profile tightened in between would
   * otherwise be noised for bounds its totals do not have).
   */
  totals?: PrecomputedTotals;
}

export type ReleaseOutcome =
  | {
      status: "released";
      releaseId: string;
      /** Every release written: one, or an HOUR family's hours in order. */
      releaseIds: string[];
      version: number;
      releasedCells: number;
      suppressedCells: number;
    }
  | { status: "exists"; releaseId: string }
  | { status: "busy" }
  | { status: "embargoed"; releasableAfter: Date }
  /** The plan has no enabled entry for this (granularity, geo type, level): nothing is released. */
  | { status: "not_planned" }
  /** PRIVACY_CAP_REACHED: a covered day would go above the participant-day cap, or is outside the guarantee. */
  | { status: "cap_reached"; day: string; epsilonAfter: number; message: string };

/** Bounded totals of one bucket and geo type, and the L0 and C they were bounded with. */
export interface PrecomputedTotals {
  rows: CellTotalsRow[];
  bounds: Pick<ReleaseParameters, "maxCellsPerParticipant" | "maxDoorsPerCell">;
}

const CELL_INSERT_BATCH = 5_000;

/** The buckets one release request writes together: one bucket, or the 24 hours of an HOUR family's day. */
function familyBuckets(granularity: TimeGranularity, bucketStart: Date): Date[] {
  if (granularity !== "hour") return [bucketStart];
  const day = bucketStartOf("day", bucketStart);
  return Array.from({ length: 24 }, (_, hour) => new Date(day.getTime() + hour * BUCKET_MS.hour));
}

/**
 * Materialises one release (for HOUR, one family: every hour of a UTC day, bounded per
 * participant-day and written together): every cell of (granularity, bucket, geo type, level),
 * noised once, written with its receipt and its participant-day ledger rows in one transaction.
 * Refused without writing anything when the plan does not release it or a covered day would go
 * above the cap. A release already made is left alone; a concurrent worker on the same release makes
 * this one return "busy".
 */
export async function precomputeRelease(
  deps: PrecomputeDependencies,
  request: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const { granularity, geoType } = request;
  // Absent, the level a read without `breakdown` and without a segment filter gets (CONTRACT.md).
  const level = request.level ?? (granularity === "hour" ? "total" : "full");
  if (!isAligned(granularity, request.bucketStart)) {
    throw new Error(`bucket ${request.bucketStart.toISOString()} is not aligned to ${granularity}`);
  }
  const buckets = familyBuckets(granularity, request.bucketStart);
  const first = buckets[0] as Date;
  const profile = await loadReleaseProfile(deps.database, granularity);
  if (!profile.allowedGeoTypes.includes(geoType)) {
    throw new Error(`the ${granularity} profile does not release ${geoType} buckets`);
  }
  const end = bucketEnd(granularity, buckets.at(-1) as Date);
  const releasableAfter = new Date(end.getTime() + profile.reportingDelayHours * 3_600_000);
  if (deps.clock.now() < releasableAfter) return { status: "embargoed", releasableAfter };

  const releaseKey = `${granularity}|${bucketKey(first)}|${geoType}|${level}`;
  return deps.database.transaction(async (query) => {
    // One writer per release across processes; the loser skips instead of waiting.
    const [lock] = await query<{ locked: boolean }>(
      "select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked",
      [`release|${releaseKey}`],
    );
    if (!lock?.locked) return { status: "busy" } as const;

    const plan = await loadReleasePlan(query);
    const entry = planEntryFor(plan, granularity, geoType, level);
    if (entry === undefined) return { status: "not_planned" } as const;

    const span = [first, end] as const;
    const [current] = await query<{ id: string; version: number }>(
      `select family_id as id, version from releases
       where granularity = $1 and bucket_start >= $2 and bucket_start < $3 and geo_type = $4 and level = $5
         and retired_at is null
       order by version desc limit 1`,
      [granularity, span[0], span[1], geoType, level],
    );
    if (current !== undefined && request.newVersion === undefined)
      return { status: "exists", releaseId: current.id } as const;
    if (request.newVersion !== undefined && !request.newVersion.reason.trim()) {
      throw new Error("a new release version needs a reason");
    }
    const [latest] = await query<{ version: number }>(
      `select coalesce(max(version), 0)::int as version from releases
       where granularity = $1 and bucket_start >= $2 and bucket_start < $3 and geo_type = $4 and level = $5`,
      [granularity, span[0], span[1], geoType, level],
    );
    const version = (latest?.version ?? 0) + 1;

    const days = coveredDays(granularity, first);
    const [deleted] = await query<{ day: string }>(
      "select day::text as day from deleted_event_days where day = any($1::date[]) order by day limit 1",
      [days],
    );
    if (deleted !== undefined) {
      throw new Error(
        `the events of ${deleted.day} were deleted by retention (data_retention_v1); a release covering it would read an empty or partial day`,
      );
    }
    // The participant-day cap, before anything is computed or written: a refusal leaves nothing.
    const cap = await loadPrivacyCap(query);
    // The plan entry's epsilon and delta, never looser than the (possibly tightened) profile's.
    const budget = {
      epsilon: Math.min(entry.epsilon, profile.epsilon),
      delta: Math.min(entry.delta, profile.delta),
    };
    const decision = await checkParticipantDayCap(query, days, budget, cap);
    if (!decision.ok) {
      return {
        status: "cap_reached",
        day: decision.day,
        epsilonAfter: decision.epsilonAfter,
        message: decision.message,
      } as const;
    }

    // The entry's epsilon and delta and the level's own L0 (levelMaxCells).
    const parameters = planReleaseParameters(profile, { granularity, level, ...budget });
    const set = totalsKey(geoType, level);
    const participantDayEpsilon = planTotals(plan).epsilonDay;
    const totalsByBucket: BucketTotals =
      request.totals !== undefined &&
      version === 1 &&
      granularity !== "hour" &&
      request.totals.bounds.maxCellsPerParticipant === parameters.maxCellsPerParticipant &&
      request.totals.bounds.maxDoorsPerCell === parameters.maxDoorsPerCell
        ? new Map([[first.getTime(), new Map([[set, request.totals.rows]])]])
        : await computeCellTotals(
            deps.database,
            deps.noiseKey,
            {
              granularity,
              geoTypes: level === "full" ? [geoType] : [],
              rollups:
                level === "full" ? [] : [{ geoType, level, maxCells: parameters.maxCellsPerParticipant }],
              start: first,
              bucketCount: buckets.length,
              version,
              parameters,
            },
            query,
            deps.totalsResources,
          );
    const geoBuckets = (await query<{ id: string }>(geoBucketsSql(geoType))).map((row) => row.id);
    // Most of the lattice is empty; an empty cell's release is the same every time and needs no noise.
    const empty = releaseCell(NO_TOTALS, parameters, () => {
      throw new Error("an empty cell is never noised");
    });

    const familyId = randomUUID();
    const releaseIds: string[] = [];
    let releasedCells = 0;
    let suppressedCells = 0;
    for (const [index, bucketStart] of buckets.entries()) {
      const releaseId = index === 0 ? familyId : randomUUID();
      const totals = totalsByBucket.get(bucketStart.getTime())?.get(set) ?? [];
      const cells = releaseBucketCells(
        deps,
        { granularity, bucketStart, geoType, level, version },
        parameters,
        totals,
        geoBuckets,
        empty,
      );
      await query(
        `update releases set current = false
         where granularity = $1 and bucket_start = $2 and geo_type = $3 and level = $4 and current`,
        [granularity, bucketStart, geoType, level],
      );
      await query(
        `insert into releases (id, granularity, bucket_start, bucket_end, geo_type, level, version, current, epsilon, delta,
           family_id, participant_day_epsilon, accounting, created_at, created_by, reason)
         values ($1, $2, $3, $4, $5, $6, $7, true, $8, $9, $10, $11, 'participant_day', $12, $13, $14)`,
        [
          releaseId,
          granularity,
          bucketStart,
          bucketEnd(granularity, bucketStart),
          geoType,
          level,
          version,
          budget.epsilon,
          budget.delta,
          familyId,
          participantDayEpsilon,
          deps.clock.now(),
          request.createdBy ?? "scheduler",
          request.newVersion?.reason ?? null,
        ],
      );
      await insertCells(query, releaseId, cells);
      await query(
        `insert into release_receipts (release_id, profile, max_cells_per_participant, max_doors_per_cell, epsilon_split,
           noise_scales, threshold_m, delta, noise_key_id, released_cells, suppressed_cells, dominance_violations, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          releaseId,
          JSON.stringify({ ...profile, planEntry: entry, level, familyId, participantDayEpsilon }),
          parameters.maxCellsPerParticipant,
          parameters.maxDoorsPerCell,
          JSON.stringify(parameters.epsilonSplit),
          JSON.stringify(noiseScalesAsNumbers(parameters)),
          parameters.thresholdM,
          parameters.delta,
          deps.noiseKey.id,
          cells.releasedCells,
          cells.count - cells.releasedCells,
          cells.dominanceViolations,
          deps.clock.now(),
        ],
      );
      releaseIds.push(releaseId);
      releasedCells += cells.releasedCells;
      suppressedCells += cells.count - cells.releasedCells;
    }
    await recordLedgerDays(
      query,
      { familyId, granularity, geoType, level, version, ...budget },
      days,
      deps.clock.now(),
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
        after: { releaseId: familyId, version },
        details: { reason: request.newVersion.reason },
      });
    }
    await request.beforeCommit?.();
    return {
      status: "released",
      releaseId: familyId,
      releaseIds,
      version,
      releasedCells,
      suppressedCells,
    } as const;
  });
}

/** Every lattice cell of one bucket, released from its bounded totals. */
function releaseBucketCells(
  deps: PrecomputeDependencies,
  bucket: {
    granularity: TimeGranularity;
    bucketStart: Date;
    geoType: GeoBucketType;
    level: ReleaseLevel;
    version: number;
  },
  parameters: ReleaseParameters,
  totals: CellTotalsRow[],
  geoBuckets: string[],
  empty: CellRelease,
): ReleaseCells {
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
  const cells = new ReleaseCells(parameters.dominanceMaxShare);
  // The level's public lattice: every value of a kept dimension, null ("all") for a rolled-up one.
  const kept = dimensionsOf(bucket.level);
  const axis = <T extends string>(dimension: string, values: readonly T[]): Array<T | null> =>
    kept.includes(dimension as never) ? [...values] : [null];
  for (const geoBucketId of geoBuckets) {
    for (const doorType of axis("door_type", DOOR_TYPES)) {
      for (const category of axis("category", CATEGORIES)) {
        for (const context of axis("context", SEGMENT_CONTEXTS)) {
          const segment = { geoBucketId, doorType, category, context };
          const row = totalsBySegment.get(segmentKey(segment));
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
          const cellKey = canonicalCellKey(bucket.granularity, bucket.bucketStart, bucket.geoType, segment);
          const released = releaseCell(cellTotals, parameters, (metric) =>
            keyedNoiseStream(deps.noiseKey.key, cellKey, metric, bucket.version),
          );
          cells.push(segment, released, cellTotals);
        }
      }
    }
  }
  return cells;
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
  readonly door: Array<string | null> = [];
  readonly category: Array<string | null> = [];
  readonly context: Array<string | null> = [];
  readonly uniqueEst: Array<number | null> = [];
  readonly doorsEst: Array<number | null> = [];
  readonly repeatEst: Array<number | null> = [];
  readonly repeatRate: Array<number | null> = [];
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
         doors_opened_est, repeat_participants_est, repeat_rate_est, suppressed, suppressed_reason,
         true_unique_participants, true_doors_opened, top_contributor_share)
       select $1::uuid, u.geo, u.door::door_type, u.category::category, u.context::segment_context, u.unique_est,
              u.doors_est, u.repeat_est, u.repeat_rate, u.suppressed, u.reason::suppression_reason,
              u.true_unique, u.true_doors, u.top_share
       from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::float8[],
                   $10::bool[], $11::text[], $12::int[], $13::int[], $14::float8[])
         as u(geo, door, category, context, unique_est, doors_est, repeat_est, repeat_rate, suppressed, reason,
              true_unique, true_doors, top_share)`,
      [releaseId, ...columns.map((column) => column.slice(start, end))],
    );
  }
}
