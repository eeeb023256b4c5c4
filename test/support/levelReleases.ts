import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "../../src/db/client";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../src/db/schema/enums";
import { bucketEnd, bucketsInRange } from "../../src/privacy/buckets";
import type { GeoBucketType } from "../../src/privacy/cellKey";
import { noiseScalesAsNumbers, releaseParameters } from "../../src/privacy/releaseParameters";
import { dimensionsOf, type ReleaseLevel } from "../../src/privacy/releasePlan";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";

/**
 * Releases of a breakdown level written straight into the tables, as the write side will store
 * them (one release per bucket, an HOUR family per day sharing family_id, rolled-up dimensions
 * null), with deterministic cells: the read side is tested without depending on how they are made.
 */
export interface PlantedLevel {
  granularity: TimeGranularity;
  geoType: GeoBucketType;
  level: ReleaseLevel;
  epsilon: number;
  geoIds: readonly string[];
}

export interface PlantedCell {
  geoBucketId: string;
  doorType: string | null;
  category: string | null;
  context: string | null;
  uniqueParticipantsEst: number | null;
  suppressed: boolean;
}

/** Every cell of a level for the given geo ids: geo x the kept dimensions' values, in read order. */
export function levelLattice(
  level: ReleaseLevel,
  geoIds: readonly string[],
): Array<Omit<PlantedCell, "uniqueParticipantsEst" | "suppressed">> {
  const kept = dimensionsOf(level);
  const values = (dimension: "door_type" | "category" | "context", all: readonly string[]) =>
    kept.includes(dimension) ? all : [null];
  return [...geoIds].sort().flatMap((geoBucketId) =>
    values("door_type", DOOR_TYPES).flatMap((doorType) =>
      values("category", CATEGORIES).flatMap((category) =>
        values("context", SEGMENT_CONTEXTS).map((context) => ({
          geoBucketId,
          doorType,
          category,
          context,
        })),
      ),
    ),
  );
}

/** The planted estimate of a cell: a function of the bucket and its place, every fourth one suppressed. */
export function plantedEstimate(bucketStart: Date, index: number): number | null {
  if (index % 4 === 3) return null;
  return 150 + (bucketStart.getUTCDate() % 7) * 11 + index * 3 + (bucketStart.getUTCHours() % 5);
}

/** Plants one release per bucket of [start, end) (an HOUR day: one family); returns the release ids in order. */
export async function plantLevelReleases(
  db: DatabaseHandle,
  planted: PlantedLevel,
  start: Date,
  end: Date,
): Promise<string[]> {
  const profile = CONTRACT_RELEASE_PROFILES[planted.granularity];
  const parameters = releaseParameters({ ...profile, epsilon: planted.epsilon });
  const lattice = levelLattice(planted.level, planted.geoIds);
  const ids: string[] = [];
  const families = new Map<string, string>();
  for (const bucketStart of bucketsInRange(planted.granularity, start, end)) {
    const id = randomUUID();
    const day = bucketStart.toISOString().slice(0, 10);
    const familyId = planted.granularity === "hour" ? (families.get(day) ?? id) : id;
    families.set(day, familyId);
    await db.query(
      `insert into releases (id, granularity, bucket_start, bucket_end, geo_type, level, version, current, epsilon, delta,
         family_id, participant_day_epsilon, created_by)
       values ($1, $2, $3, $4, $5, $6, 1, true, $7, 1e-6, $8, 3.0, 'test')`,
      [
        id,
        planted.granularity,
        bucketStart,
        bucketEnd(planted.granularity, bucketStart),
        planted.geoType,
        planted.level,
        planted.epsilon,
        familyId,
      ],
    );
    const estimates = lattice.map((_, index) => plantedEstimate(bucketStart, index));
    await db.query(
      `insert into insight_cells (release_id, geo_bucket_id, door_type, category, context, unique_participants_est,
         doors_opened_est, repeat_participants_est, repeat_rate_est, suppressed, suppressed_reason,
         true_unique_participants, true_doors_opened, top_contributor_share)
       select $1::uuid, u.geo, nullif(u.door, '')::door_type, nullif(u.category, '')::category,
              nullif(u.context, '')::segment_context, u.est, u.est * 2, u.est / 4, case when u.est is null then null else 0.25 end,
              u.est is null, case when u.est is null then 'noisy_threshold'::suppression_reason end,
              coalesce(u.est, 120), coalesce(u.est * 2, 240), 0.01
       from (select geo, door, category, context, nullif(raw, -1) as est
             from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[]) as x(geo, door, category, context, raw)) u`,
      [
        id,
        lattice.map((cell) => cell.geoBucketId),
        lattice.map((cell) => cell.doorType ?? ""),
        lattice.map((cell) => cell.category ?? ""),
        lattice.map((cell) => cell.context ?? ""),
        // Arrays travel without nulls: "" and -1 stand for null.
        estimates.map((estimate) => estimate ?? -1),
      ],
    );
    const released = estimates.filter((estimate) => estimate !== null).length;
    await db.query(
      `insert into release_receipts (release_id, profile, max_cells_per_participant, max_doors_per_cell, epsilon_split,
         noise_scales, threshold_m, delta, noise_key_id, released_cells, suppressed_cells, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, 1e-6, 'nk_test', $8, $9, now())`,
      [
        id,
        JSON.stringify({ ...profile, level: planted.level, familyId }),
        parameters.maxCellsPerParticipant,
        parameters.maxDoorsPerCell,
        JSON.stringify(parameters.epsilonSplit),
        JSON.stringify(noiseScalesAsNumbers(parameters)),
        parameters.thresholdM,
        released,
        lattice.length - released,
      ],
    );
    ids.push(id);
  }
  return ids;
}
