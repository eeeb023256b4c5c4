import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import {
  category,
  doorType,
  geoBucketType,
  segmentContext,
  suppressionReason,
  timeGranularity,
} from "./enums";

/** One row per granularity: the limits a release and a buyer request must respect (PRIVACY.md). */
export const releaseProfiles = pgTable(
  "release_profiles",
  {
    granularity: timeGranularity("granularity").primaryKey(),
    reportingDelayHours: integer("reporting_delay_hours").notNull(),
    kMin: integer("k_min").notNull(),
    epsilon: doublePrecision("epsilon").notNull(),
    buyerCost: doublePrecision("buyer_cost").notNull(),
    delta: doublePrecision("delta").notNull(),
    budgetWindowDays: integer("budget_window_days").notNull(),
    /** Longest request range, counted in buckets of this granularity. */
    maxRangeBuckets: integer("max_range_buckets").notNull(),
    maxGeoIds: integer("max_geo_ids").notNull(),
    allowedGeoTypes: geoBucketType("allowed_geo_types").array().notNull(),
    maxSegmentDimensions: integer("max_segment_dimensions").notNull(),
    /** Contribution bounds: cells per participant per release, cap on doors per participant per cell. */
    maxCellsPerParticipant: integer("max_cells_per_participant").notNull(),
    maxDoorsPerCell: integer("max_doors_per_cell").notNull(),
    dominanceMaxShare: doublePrecision("dominance_max_share").notNull(),
    /** Share of the release epsilon per noised metric, e.g. { unique: 0.5, doors: 0.25, repeat: 0.25 }. */
    epsilonSplit: jsonb("epsilon_split").$type<Record<string, number>>().notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // The database's own backstop for validateReleaseProfile. In PostgreSQL 'NaN'::float8 compares
  // greater than every number (so NaN > 0 holds) and 'Infinity' above any finite value: both are excluded by name.
  (t) => [
    check(
      "release_profiles_epsilon_finite_positive",
      sql`${t.epsilon} > 0 and ${t.epsilon} < 'Infinity'::float8 and ${t.epsilon} <> 'NaN'::float8`,
    ),
    check(
      "release_profiles_buyer_cost_finite_positive",
      sql`${t.buyerCost} > 0 and ${t.buyerCost} < 'Infinity'::float8 and ${t.buyerCost} <> 'NaN'::float8`,
    ),
    check(
      "release_profiles_delta_open_unit",
      sql`${t.delta} > 0 and ${t.delta} < 1 and ${t.delta} <> 'NaN'::float8`,
    ),
    check(
      "release_profiles_dominance_share_range",
      sql`${t.dominanceMaxShare} > 0 and ${t.dominanceMaxShare} <= 0.05 and ${t.dominanceMaxShare} <> 'NaN'::float8`,
    ),
    // The contract's floors (PRIVACY.md profile table): DAY and WEEK k 100 and 72 h, HOUR k 300 and 168 h.
    check(
      "release_profiles_k_min_contract",
      sql`${t.kMin} >= case ${t.granularity} when 'hour' then 300 else 100 end`,
    ),
    check(
      "release_profiles_delay_contract",
      sql`${t.reportingDelayHours} >= case ${t.granularity} when 'hour' then 168 else 72 end`,
    ),
    check(
      "release_profiles_limits_positive",
      sql`${t.budgetWindowDays} >= 1 and ${t.maxRangeBuckets} >= 1 and ${t.maxGeoIds} >= 1
        and ${t.maxSegmentDimensions} >= 1 and ${t.maxCellsPerParticipant} >= 1 and ${t.maxDoorsPerCell} >= 1
        and cardinality(${t.allowedGeoTypes}) >= 1`,
    ),
    // A missing key makes the expression NULL, which a CHECK would accept: coalesce to false.
    check(
      "release_profiles_epsilon_split_valid",
      sql`coalesce(jsonb_typeof(${t.epsilonSplit} -> 'uniqueParticipants') = 'number'
        and jsonb_typeof(${t.epsilonSplit} -> 'doorsOpened') = 'number'
        and jsonb_typeof(${t.epsilonSplit} -> 'repeatParticipants') = 'number'
        and (${t.epsilonSplit} ->> 'uniqueParticipants')::numeric > 0
        and (${t.epsilonSplit} ->> 'doorsOpened')::numeric > 0
        and (${t.epsilonSplit} ->> 'repeatParticipants')::numeric > 0
        and abs((${t.epsilonSplit} ->> 'uniqueParticipants')::numeric + (${t.epsilonSplit} ->> 'doorsOpened')::numeric
          + (${t.epsilonSplit} ->> 'repeatParticipants')::numeric - 1) <= 0.000000001, false)`,
    ),
  ],
);

/** Policy registry read by schedulers (e.g. outside_buyer_precompute_v1); operators change cadence here. */
export const timingPolicies = pgTable("timing_policies", {
  policyKey: text("policy_key").primaryKey(),
  payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
  description: text("description"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  updatedBy: text("updated_by"),
});

/** A release: every cell of one (granularity, bucket, geo type), noised once, never changed. */
export const releases = pgTable(
  "releases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    granularity: timeGranularity("granularity").notNull(),
    bucketStart: timestamp("bucket_start", { withTimezone: true }).notNull(),
    bucketEnd: timestamp("bucket_end", { withTimezone: true }).notNull(),
    geoType: geoBucketType("geo_type").notNull(),
    version: integer("version").notNull().default(1),
    /** Set on the newest version; older versions stay for audit but are not served. */
    current: boolean("current").notNull().default(true),
    epsilon: doublePrecision("epsilon").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Who asked for it: "scheduler" or the operator key for an explicit re-release. */
    createdBy: text("created_by").notNull(),
    reason: text("reason"),
  },
  (t) => [
    uniqueIndex("releases_bucket_version_uq").on(t.granularity, t.bucketStart, t.geoType, t.version),
    index("releases_current_lookup_idx").on(t.granularity, t.geoType, t.bucketStart).where(sql`current`),
  ],
);

/** What was done to make a release: bounds, split, scales, threshold, key id, counts. */
export const releaseReceipts = pgTable("release_receipts", {
  releaseId: uuid("release_id")
    .primaryKey()
    .references(() => releases.id, { onDelete: "cascade" }),
  profile: jsonb("profile").$type<Record<string, unknown>>().notNull(),
  maxCellsPerParticipant: integer("max_cells_per_participant").notNull(),
  maxDoorsPerCell: integer("max_doors_per_cell").notNull(),
  epsilonSplit: jsonb("epsilon_split").$type<Record<string, number>>().notNull(),
  noiseScales: jsonb("noise_scales").$type<Record<string, number>>().notNull(),
  /** m: a cell was released only if its noised unique count reached k + m. */
  thresholdM: integer("threshold_m").notNull(),
  delta: doublePrecision("delta").notNull(),
  noiseKeyId: text("noise_key_id").notNull(),
  releasedCells: integer("released_cells").notNull(),
  suppressedCells: integer("suppressed_cells").notNull(),
  dominanceViolations: integer("dominance_violations").notNull().default(0),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One metric cell of a release. True values stay internal (diagnostics for INTERNAL/OPERATOR only). */
export const insightCells = pgTable(
  "insight_cells",
  {
    releaseId: uuid("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    geoBucketId: text("geo_bucket_id").notNull(),
    doorType: doorType("door_type").notNull(),
    category: category("category").notNull(),
    context: segmentContext("context").notNull(),
    uniqueParticipantsEst: integer("unique_participants_est"),
    doorsOpenedEst: integer("doors_opened_est"),
    repeatParticipantsEst: integer("repeat_participants_est"),
    repeatRateEst: doublePrecision("repeat_rate_est"),
    trendScoreEst: doublePrecision("trend_score_est"),
    suppressed: boolean("suppressed").notNull(),
    suppressedReason: suppressionReason("suppressed_reason"),
    trueUniqueParticipants: integer("true_unique_participants").notNull(),
    trueDoorsOpened: integer("true_doors_opened").notNull(),
    topContributorShare: doublePrecision("top_contributor_share").notNull(),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.geoBucketId, t.doorType, t.category, t.context] })],
);

/** Global privacy ledger: every release's epsilon, summed per window and granularity by ops views. */
export const privacyLedger = pgTable(
  "privacy_ledger",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    releaseId: uuid("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    granularity: timeGranularity("granularity").notNull(),
    geoType: geoBucketType("geo_type").notNull(),
    bucketStart: timestamp("bucket_start", { withTimezone: true }).notNull(),
    epsilon: doublePrecision("epsilon").notNull(),
    delta: doublePrecision("delta").notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("privacy_ledger_recorded_at_idx").on(t.recordedAt, t.granularity)],
);
