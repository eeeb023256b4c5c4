/** The dataset every insight cell belongs to, and the version of its record: fields of every cell and export. */
export const DATASET = "spots_insights_v1";
export const SCHEMA_VERSION = "1.0";

/** One `InsightCell` as the export's GraphQL operation selects it (every field of the canonical record). */
export interface ExportedCell {
  schemaVersion: string;
  dataset: string;
  timeBucketStartUtc: string;
  timeGranularity: string;
  reportingDelayHours: number;
  geoBucket: { type: string; id: string };
  /** Null = the breakdown rolls the dimension up. */
  segment: { doorType: string | null; category: string | null; context: string | null };
  metrics: {
    uniqueParticipantsEst: number | null;
    doorsOpenedEst: number | null;
    repeatRateEst: number | null;
    trendScoreEst: number | null;
  };
  accuracy: {
    confidence: number;
    uniqueParticipants: number;
    doorsOpened: number;
    repeatParticipants: number;
  } | null;
  privacy: {
    kMinEnforced: number;
    suppressed: boolean;
    suppressedReason: string | null;
    dp: {
      enabled: boolean;
      mechanism: string;
      epsilon: number;
      participantDayEpsilon: number;
      delta: number;
      budgetWindowDays: number;
      noiseScale: number;
      releaseId: string;
    };
  };
}

/** The selection that yields an `ExportedCell`: the buyer-visible fields of the canonical record. */
export const EXPORTED_CELL_SELECTION = `schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
  geoBucket { type id }
  segment { doorType category context }
  metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
  accuracy { confidence uniqueParticipants doorsOpened repeatParticipants }
  privacy { kMinEnforced suppressed suppressedReason
    dp { enabled mechanism epsilon participantDayEpsilon delta budgetWindowDays noiseScale releaseId } }`;

/** The canonical record of the 001 seed, section 4.2: snake_case keys in this order, lowercase enums. */
export interface CanonicalRecord {
  schema_version: string;
  dataset: string;
  time_bucket_start_utc: string;
  time_granularity: string;
  reporting_delay_hours: number;
  geo_bucket: { type: string; id: string };
  /** `"all"` for a dimension the breakdown rolls up. */
  segment: { door_type: string; category: string; context: string };
  metrics: {
    unique_participants_est: number | null;
    doors_opened_est: number | null;
    repeat_rate_est: number | null;
    trend_score_est: number | null;
  };
  /** Null for a suppressed record. */
  accuracy: {
    confidence: number;
    unique_participants: number;
    doors_opened: number;
    repeat_participants: number;
  } | null;
  privacy: {
    k_min_enforced: number;
    suppressed: boolean;
    suppressed_reason: string | null;
    dp: {
      enabled: boolean;
      mechanism: string;
      epsilon: number;
      participant_day_epsilon: number;
      delta: number;
      budget_window_days: number;
      noise_scale: number;
      release_id: string;
    };
  };
}

export function canonicalRecord(cell: ExportedCell): CanonicalRecord {
  const { geoBucket, segment, metrics, accuracy, privacy } = cell;
  return {
    schema_version: cell.schemaVersion,
    dataset: cell.dataset,
    time_bucket_start_utc: cell.timeBucketStartUtc,
    time_granularity: cell.timeGranularity.toLowerCase(),
    reporting_delay_hours: cell.reportingDelayHours,
    geo_bucket: { type: geoBucket.type.toLowerCase(), id: geoBucket.id },
    segment: {
      door_type: segmentValue(segment.doorType),
      category: segmentValue(segment.category),
      context: segmentValue(segment.context),
    },
    metrics: {
      unique_participants_est: metrics.uniqueParticipantsEst,
      doors_opened_est: metrics.doorsOpenedEst,
      repeat_rate_est: metrics.repeatRateEst,
      trend_score_est: metrics.trendScoreEst,
    },
    accuracy:
      accuracy === null
        ? null
        : {
            confidence: accuracy.confidence,
            unique_participants: accuracy.uniqueParticipants,
            doors_opened: accuracy.doorsOpened,
            repeat_participants: accuracy.repeatParticipants,
          },
    privacy: {
      k_min_enforced: privacy.kMinEnforced,
      suppressed: privacy.suppressed,
      suppressed_reason: privacy.suppressedReason?.toLowerCase() ?? null,
      dp: {
        enabled: privacy.dp.enabled,
        mechanism: privacy.dp.mechanism,
        epsilon: privacy.dp.epsilon,
        participant_day_epsilon: privacy.dp.participantDayEpsilon,
        delta: privacy.dp.delta,
        budget_window_days: privacy.dp.budgetWindowDays,
        noise_scale: privacy.dp.noiseScale,
        release_id: privacy.dp.releaseId,
      },
    },
  };
}

/** The record's spelling of a segment dimension: its lowercase value, or "all" when rolled up (CONTRACT.md). */
export const ROLLED_UP = "all";

function segmentValue(value: string | null): string {
  return value === null ? ROLLED_UP : value.toLowerCase();
}

/**
 * The CSV columns: a released record's leaves in order, nested keys joined with dots (a suppressed
 * record leaves its accuracy columns empty).
 */
export const CSV_COLUMNS = [
  "schema_version",
  "dataset",
  "time_bucket_start_utc",
  "time_granularity",
  "reporting_delay_hours",
  "geo_bucket.type",
  "geo_bucket.id",
  "segment.door_type",
  "segment.category",
  "segment.context",
  "metrics.unique_participants_est",
  "metrics.doors_opened_est",
  "metrics.repeat_rate_est",
  "metrics.trend_score_est",
  "accuracy.confidence",
  "accuracy.unique_participants",
  "accuracy.doors_opened",
  "accuracy.repeat_participants",
  "privacy.k_min_enforced",
  "privacy.suppressed",
  "privacy.suppressed_reason",
  "privacy.dp.enabled",
  "privacy.dp.mechanism",
  "privacy.dp.epsilon",
  "privacy.dp.participant_day_epsilon",
  "privacy.dp.delta",
  "privacy.dp.budget_window_days",
  "privacy.dp.noise_scale",
  "privacy.dp.release_id",
] as const;

type Leaf = string | number | boolean | null;

/** The record's value of each CSV column, in column order; a leaf under a null object is null. */
export function csvValues(record: CanonicalRecord): Leaf[] {
  return CSV_COLUMNS.map((column) => {
    let value: unknown = record;
    for (const key of column.split(".")) {
      value = value === null || typeof value !== "object" ? null : (value as Record<string, unknown>)[key];
    }
    return (value ?? null) as Leaf;
  });
}

// RFC 4180: records end with CRLF; a field holding a comma, quote or line break is quoted, quotes doubled.
const CSV_LINE_END = "\r\n";

function csvField(value: Leaf): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return CSV_COLUMNS.map(csvField).join(",") + CSV_LINE_END;
}

export function csvLine(record: CanonicalRecord): string {
  return csvValues(record).map(csvField).join(",") + CSV_LINE_END;
}

export function jsonLine(record: CanonicalRecord): string {
  return `${JSON.stringify(record)}\n`;
}
