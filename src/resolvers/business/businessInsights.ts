import { actorOf } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { Clock } from "../../clock";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { DOOR_TYPES, type DoorType } from "../../db/schema/enums";
import { apiError } from "../../errors";
import { assertAlignedRange, quoteShort } from "../../insights/insightsFilter";
import type { Principal } from "../../policy/principal";
import { BUCKET_MS, bucketKey } from "../../privacy/buckets";

export type BusinessGranularity = "hour" | "day";

/** The businessInsights filter after GraphQL coercion (enum values lowercase). */
export interface BusinessInsightsFilter {
  granularity: BusinessGranularity;
  timeBucketStartUtc: Date;
  timeBucketEndUtc: Date;
  spotIds: readonly string[];
}

/**
 * The first-party tier's limits (001 seed, Appendix A2): own spots only, a reporting delay, a
 * participant threshold, and bounded work per request.
 */
export const BUSINESS_TIER = {
  reportingDelayHours: 24,
  /** Cells with fewer unique participants than this carry no metrics. */
  kMin: 10,
  maxBuckets: { day: 31, hour: 168 } as Record<BusinessGranularity, number>,
  maxSpots: 10,
  maxSpotIdLength: 100,
} as const;

export interface BusinessInsightCell {
  spotId: string;
  timeBucketStartUtc: Date;
  granularity: BusinessGranularity;
  doorType: DoorType;
  /** Null when suppressed. */
  uniqueParticipants: number | null;
  doorsOpened: number | null;
  suppressed: boolean;
}

export interface BusinessInsights {
  businessId: string;
  granularity: BusinessGranularity;
  timeBucketStartUtc: Date;
  timeBucketEndUtc: Date;
  reportingDelayHours: number;
  kMin: number;
  cells: BusinessInsightCell[];
}

const HOUR_MS = 3_600_000;

/**
 * Checks a filter against the tier's limits, before anything is read; each refusal has a stable code
 * and names the broken limit. Returns the bucket starts and the distinct spot ids, sorted.
 */
export function validateBusinessFilter(
  filter: BusinessInsightsFilter,
  now: Date,
): { buckets: Date[]; spotIds: string[] } {
  const { granularity, timeBucketStartUtc: start, timeBucketEndUtc: end } = filter;
  assertAlignedRange(granularity, start, end);
  // Counted arithmetically: a huge range is refused without listing its buckets.
  const bucketCount = (end.getTime() - start.getTime()) / BUCKET_MS[granularity];
  const maxBuckets = BUSINESS_TIER.maxBuckets[granularity];
  if (bucketCount > maxBuckets) {
    throw apiError(
      "RANGE_TOO_LARGE",
      `The range covers ${bucketCount} ${granularity} buckets; ${granularity.toUpperCase()} requests may cover at most ${maxBuckets}. Split it into several requests.`,
      { field: "timeBucketEndUtc", limit: maxBuckets, actual: bucketCount },
    );
  }
  const spotIds = [...new Set(filter.spotIds)].sort();
  if (spotIds.length === 0) {
    throw apiError("BAD_USER_INPUT", "spotIds is empty: name 1 to 10 of your business's spots.", {
      field: "spotIds",
    });
  }
  for (const id of spotIds) {
    if (id.length === 0 || id.length > BUSINESS_TIER.maxSpotIdLength) {
      throw apiError(
        "BAD_USER_INPUT",
        `spotIds: ${quoteShort(id)} is not a spot id (1 to ${BUSINESS_TIER.maxSpotIdLength} characters).`,
        { field: "spotIds" },
      );
    }
  }
  if (spotIds.length > BUSINESS_TIER.maxSpots) {
    throw apiError(
      "TOO_MANY_SPOTS",
      `${spotIds.length} spotIds requested; one request may name at most ${BUSINESS_TIER.maxSpots}. Split it into several requests.`,
      { field: "spotIds", limit: BUSINESS_TIER.maxSpots, actual: spotIds.length },
    );
  }
  const latestEnd = new Date(now.getTime() - BUSINESS_TIER.reportingDelayHours * HOUR_MS);
  if (end > latestEnd) {
    throw apiError(
      "REPORTING_DELAY_NOT_MET",
      `Business insights are available ${BUSINESS_TIER.reportingDelayHours} h after a bucket ends: timeBucketEndUtc may be at most ${latestEnd.toISOString()} now.`,
      {
        field: "timeBucketEndUtc",
        limit: BUSINESS_TIER.reportingDelayHours,
        latestAllowedEnd: latestEnd.toISOString(),
      },
    );
  }
  const buckets: Date[] = [];
  for (let ms = start.getTime(); ms < end.getTime(); ms += BUCKET_MS[granularity]) buckets.push(new Date(ms));
  return { buckets, spotIds };
}

/**
 * Refuses unless every spot belongs to the business. An unknown spot and another business's spot
 * get the same answer, so a key cannot learn which spots exist. Reads the spots table only.
 */
export async function assertOwnsSpots(query: QueryFn, businessId: string, spotIds: string[]): Promise<void> {
  const owned = await query<{ id: string }>(
    "select id from spots where business_id = $1 and id = any($2::text[])",
    [businessId, spotIds],
  );
  const ownedIds = new Set(owned.map((row) => row.id));
  const refused = spotIds.filter((id) => !ownedIds.has(id));
  if (refused.length > 0) {
    throw apiError(
      "FORBIDDEN",
      `spotIds ${refused.map((id) => quoteShort(id)).join(", ")} ${refused.length === 1 ? "is not a spot" : "are not spots"} of this key's business; a BUSINESS key reads its own spots only. Nothing was read.`,
      { field: "spotIds", spotIds: refused },
    );
  }
}

// Per (spot, bucket, door type): distinct participants and events, aggregated where the events
// live; no participant id leaves the database.
const CELL_TOTALS_SQL = `
  select spot_id as "spotId", door_type::text as "doorType",
         floor(extract(epoch from (occurred_at - $2::timestamptz)) / $4)::int as bucket,
         count(distinct participant_id)::int as participants,
         count(*)::int as doors
  from interaction_events
  where spot_id = any($1::text[]) and occurred_at >= $2::timestamptz and occurred_at < $3::timestamptz
  group by 1, 2, 3`;

/**
 * A BUSINESS key's read of its own spots: the filter is checked, then ownership, and only then are
 * the events read. Every (spot, bucket, door type) of the request is returned, suppressed or not,
 * so which cells appear never depends on the data. The read is audited before it is answered;
 * when the audit cannot be written, nothing is answered.
 */
export async function readBusinessInsights(
  database: DatabaseHandle,
  clock: Clock,
  principal: Principal,
  filter: BusinessInsightsFilter,
  requestId: string,
): Promise<BusinessInsights> {
  const businessId = principal.businessId;
  if (principal.role !== "business" || businessId === null) {
    throw apiError("FORBIDDEN", "businessInsights is for BUSINESS keys, bound to a business.");
  }
  const now = clock.now();
  const { buckets, spotIds } = validateBusinessFilter(filter, now);
  await assertOwnsSpots(database.query, businessId, spotIds);

  const rows = await database.query<{
    spotId: string;
    doorType: DoorType;
    bucket: number;
    participants: number;
    doors: number;
  }>(CELL_TOTALS_SQL, [
    spotIds,
    filter.timeBucketStartUtc,
    filter.timeBucketEndUtc,
    BUCKET_MS[filter.granularity] / 1000,
  ]);
  const totals = new Map(rows.map((row) => [`${row.spotId}|${row.bucket}|${row.doorType}`, row]));
  const cells: BusinessInsightCell[] = [];
  for (const spotId of spotIds) {
    buckets.forEach((bucketStart, bucket) => {
      for (const doorType of DOOR_TYPES) {
        const total = totals.get(`${spotId}|${bucket}|${doorType}`);
        const participants = total?.participants ?? 0;
        const suppressed = participants < BUSINESS_TIER.kMin;
        cells.push({
          spotId,
          timeBucketStartUtc: bucketStart,
          granularity: filter.granularity,
          doorType,
          uniqueParticipants: suppressed ? null : participants,
          doorsOpened: suppressed ? null : (total?.doors ?? 0),
          suppressed,
        });
      }
    });
  }

  await database
    .transaction((query) =>
      appendAuditEntry(query, {
        at: now,
        type: "business_read",
        actor: actorOf(principal),
        actorKeyId: principal.keyId,
        action: "businessInsights",
        target: businessId,
        outcome: "OK",
        details: {
          spotIds,
          granularity: filter.granularity,
          timeBucketStartUtc: bucketKey(filter.timeBucketStartUtc),
          timeBucketEndUtc: bucketKey(filter.timeBucketEndUtc),
          cells: cells.length,
          suppressedCells: cells.filter((cell) => cell.suppressed).length,
        },
        requestId,
      }),
    )
    .catch((error: unknown) => {
      throw Object.assign(new Error("the audit of a business read could not be written"), { cause: error });
    });

  return {
    businessId,
    granularity: filter.granularity,
    timeBucketStartUtc: filter.timeBucketStartUtc,
    timeBucketEndUtc: filter.timeBucketEndUtc,
    reportingDelayHours: BUSINESS_TIER.reportingDelayHours,
    kMin: BUSINESS_TIER.kMin,
    cells,
  };
}
