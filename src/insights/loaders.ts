import DataLoader from "dataloader";
import { LRUCache } from "lru-cache";
import type { DatabaseHandle } from "../db/client";
import type { RationalScale } from "../privacy/discreteLaplace";
import { type NoisedMetric, publishedNoiseScales } from "../privacy/releaseParameters";

/** What a cell's `privacy` block reads from its release's receipt. */
export interface ReleaseReceipt {
  releaseId: string;
  kMin: number;
  reportingDelayHours: number;
  /** Per release. */
  epsilon: number;
  /** The plan's epsilon_day when the release was made. */
  participantDayEpsilon: number;
  delta: number;
  budgetWindowDays: number;
  noiseScales: Record<string, number>;
  /** The same scales as exact rationals (what the margins of error are decided on). */
  exactNoiseScales: Record<NoisedMetric, RationalScale>;
}

export interface InsightLoaders {
  receipt: DataLoader<string, ReleaseReceipt | null>;
  /** The receipt when the process keeps it already (no statement, no promise). */
  keptReceipt(releaseId: string): ReleaseReceipt | undefined;
  /** City name of a CITY_CODE id, or of the city a GEOHASH3 id maps to. */
  cityName: DataLoader<string, string | null>;
}

/**
 * Receipts by release id, shared by every request of a process: a release and its receipt never
 * change once written, so an entry is never stale (only evicted when the cache is full).
 */
export function createReceiptCache(): LRUCache<string, ReleaseReceipt> {
  return new LRUCache<string, ReleaseReceipt>({ max: 5_000 });
}

/**
 * Per-request loaders: one statement per kind of lookup, however many cells a page holds; receipts
 * already in the process's cache cost none.
 */
export function createInsightLoaders(
  database: DatabaseHandle,
  receipts: LRUCache<string, ReleaseReceipt> = createReceiptCache(),
): InsightLoaders {
  return {
    keptReceipt: (releaseId) => receipts.get(releaseId),
    receipt: new DataLoader(async (releaseIds) => {
      const missing = releaseIds.filter((id) => !receipts.has(id));
      if (missing.length > 0) await loadReceipts(database, missing, receipts);
      return releaseIds.map((id) => receipts.get(id) ?? null);
    }),
    cityName: new DataLoader(async (keys) => {
      const rows = await database.query<{ key: string; name: string }>(
        `select 'city_code|' || d.code as key, d.name from city_definitions d
           where 'city_code|' || d.code = any($1::text[])
         union all
         select 'geohash3|' || m.geohash3, d.name from city_geohash3_map m join city_definitions d on d.code = m.city_code
           where 'geohash3|' || m.geohash3 = any($1::text[])`,
        [[...keys]],
      );
      const byKey = new Map(rows.map((row) => [row.key, row.name]));
      return keys.map((key) => byKey.get(key) ?? null);
    }),
  };
}

/** Reads the receipts of `releaseIds` in one statement into the cache. */
async function loadReceipts(
  database: DatabaseHandle,
  releaseIds: readonly string[],
  receipts: LRUCache<string, ReleaseReceipt>,
): Promise<void> {
  const rows = await database.query<{
    release_id: string;
    epsilon: number;
    participant_day_epsilon: number;
    delta: number;
    profile: { kMin: number; reportingDelayHours: number; budgetWindowDays: number };
    noise_scales: Record<string, number>;
    epsilon_split: Record<NoisedMetric, number>;
    max_cells_per_participant: number;
    max_doors_per_cell: number;
  }>(
    `select rr.release_id, r.epsilon, r.participant_day_epsilon, rr.delta, rr.profile, rr.noise_scales,
                rr.epsilon_split, rr.max_cells_per_participant, rr.max_doors_per_cell
         from release_receipts rr join releases r on r.id = rr.release_id
         where rr.release_id = any($1::uuid[])`,
    [[...releaseIds]],
  );
  for (const row of rows) {
    receipts.set(row.release_id, {
      releaseId: row.release_id,
      kMin: row.profile.kMin,
      reportingDelayHours: row.profile.reportingDelayHours,
      epsilon: row.epsilon,
      participantDayEpsilon: row.participant_day_epsilon,
      delta: row.delta,
      budgetWindowDays: row.profile.budgetWindowDays,
      noiseScales: row.noise_scales,
      exactNoiseScales: publishedNoiseScales(
        {
          epsilon: row.epsilon,
          epsilonSplit: row.epsilon_split,
          maxCellsPerParticipant: row.max_cells_per_participant,
          maxDoorsPerCell: row.max_doors_per_cell,
        },
        row.noise_scales,
      ),
    } satisfies ReleaseReceipt);
  }
}
