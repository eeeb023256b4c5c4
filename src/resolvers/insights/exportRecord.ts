/** One `InsightCell` as the export's GraphQL operation selects it (every field of the canonical record). */
export interface ExportedCell {
  schemaVersion: string;
  dataset: string;
  timeBucketStartUtc: string;
  timeGranularity: string;
  reportingDelayHours: number;
  geoBucket: { type: string; id: string };
  segment: { doorType: string; category: string; context: string };
  metrics: {
    uniqueParticipantsEst: number | null;
    doorsOpenedEst: number | null;
    repeatRateEst: number | null;
    trendScoreEst: number | null;
  };
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
  segment: { door_type: string; category: string; context: string };
  metrics: {
    unique_participants_est: number | null;
    doors_opened_est: number | null;
    repeat_rate_est: number | null;
    trend_score_est: number | null;
  };
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
  const { geoBucket, segment, metrics, privacy } = cell;
  return {
    schema_version: cell.schemaVersion,
    dataset: cell.dataset,
    time_bucket_start_utc: cell.timeBucketStartUtc,
    time_granularity: cell.timeGranularity.toLowerCase(),
    reporting_delay_hours: cell.reportingDelayHours,
    geo_bucket: { type: geoBucket.type.toLowerCase(), id: geoBucket.id },
    segment: {
      door_type: segment.doorType.toLowerCase(),
      category: segment.category.toLowerCase(),
      context: segment.context.toLowerCase(),
    },
    metrics: {
      unique_participants_est: metrics.uniqueParticipantsEst,
      doors_opened_est: metrics.doorsOpenedEst,
      repeat_rate_est: metrics.repeatRateEst,
      trend_score_est: metrics.trendScoreEst,
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

/** The CSV columns: the canonical record's leaves in order, nested keys joined with dots. */
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

/** The record's leaves as [dotted name, value], in key order. */
export function flattenRecord(record: CanonicalRecord): Array<[string, Leaf]> {
  const leaves: Array<[string, Leaf]> = [];
  const walk = (value: object, prefix: string) => {
    for (const [key, child] of Object.entries(value)) {
      if (typeof child === "object" && child !== null) walk(child, `${prefix}${key}.`);
      else leaves.push([`${prefix}${key}`, child as Leaf]);
    }
  };
  walk(record, "");
  return leaves;
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
  return (
    flattenRecord(record)
      .map(([, value]) => csvField(value))
      .join(",") + CSV_LINE_END
  );
}

export function jsonLine(record: CanonicalRecord): string {
  return `${JSON.stringify(record)}\n`;
}
