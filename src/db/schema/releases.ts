import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
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
    /** The breakdown level (PRIVACY.md "Breakdown levels"): "full" keeps door type, category and context. */
    level: text("level").notNull().default("full"),
    version: integer("version").notNull().default(1),
    /** Set on the newest version; older versions stay for audit but are not served. */
    current: boolean("current").notNull().default(true),
    epsilon: doublePrecision("epsilon").notNull(),
    delta: doublePrecision("delta").notNull().default(1e-6),
    /**
     * What the buyer is charged for and the ledger counts: the release itself for DAY and WEEK; for
     * HOUR, the first hour of its family (one day, geo type, level and version, bounded together).
     */
    familyId: uuid("family_id").notNull(),
    /** The plan's epsilon per participant-day when the release was made. */
    participantDayEpsilon: doublePrecision("participant_day_epsilon").notNull(),
    /**
     * "participant_day" (bounded and counted per participant-day), or "legacy": made before that
     * accounting existed (each HOUR release bounded on its own, the cause of suppression visible).
     */
    accounting: text("accounting").notNull().default("participant_day"),
    /** A legacy release no buyer was charged for: no longer served, not in the ledger. */
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Who asked for it: "scheduler" or the operator key for an explicit re-release. */
    createdBy: text("created_by").notNull(),
    reason: text("reason"),
  },
  (t) => [
    uniqueIndex("releases_bucket_version_uq").on(t.granularity, t.bucketStart, t.geoType, t.level, t.version),
    index("releases_current_lookup_idx")
      .on(t.granularity, t.geoType, t.level, t.bucketStart)
      .where(sql`current`),
    index("releases_family_idx").on(t.familyId),
    check("releases_epsilon_valid", sql`${t.epsilon} > 0 and ${t.epsilon} < 'Infinity'::float8`),
    check("releases_delta_valid", sql`${t.delta} > 0 and ${t.delta} < 1`),
    check("releases_accounting_valid", sql`${t.accounting} in ('participant_day', 'legacy')`),
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

/**
 * One metric cell of a release. True values stay internal (diagnostics for INTERNAL/OPERATOR only).
 * A segment dimension the release's level rolls up is null ("all"); FULL cells have all three.
 */
export const insightCells = pgTable(
  "insight_cells",
  {
    releaseId: uuid("release_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    geoBucketId: text("geo_bucket_id").notNull(),
    doorType: doorType("door_type"),
    category: category("category"),
    context: segmentContext("context"),
    uniqueParticipantsEst: integer("unique_participants_est"),
    doorsOpenedEst: integer("doors_opened_est"),
    repeatParticipantsEst: integer("repeat_participants_est"),
    repeatRateEst: doublePrecision("repeat_rate_est"),
    suppressed: boolean("suppressed").notNull(),
    suppressedReason: suppressionReason("suppressed_reason"),
    trueUniqueParticipants: integer("true_unique_participants").notNull(),
    trueDoorsOpened: integer("true_doors_opened").notNull(),
    topContributorShare: doublePrecision("top_contributor_share").notNull(),
  },
  // One row per cell; null ("all") equals null here, so a roll-up cell is unique too.
  (t) => [
    unique("insight_cells_cell_uq")
      .on(t.releaseId, t.geoBucketId, t.doorType, t.category, t.context)
      .nullsNotDistinct(),
  ],
);

/**
 * The participant-day ledger (PRIVACY.md "The guarantee"): one row per release family and UTC day
 * whose events it reads. A DAY release adds its epsilon and delta to its day, a WEEK release to each
 * of its seven days, an HOUR family (one day's hours of one geo type, level and version, bounded
 * together) to its day once. A day's epsilon_day is the sum of its rows.
 */
export const privacyLedgerDays = pgTable(
  "privacy_ledger_days",
  {
    familyId: uuid("family_id")
      .notNull()
      .references(() => releases.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    granularity: timeGranularity("granularity").notNull(),
    geoType: geoBucketType("geo_type").notNull(),
    level: text("level").notNull(),
    version: integer("version").notNull(),
    epsilon: doublePrecision("epsilon").notNull(),
    delta: doublePrecision("delta").notNull(),
    /** "participant_day", or "legacy" for a release made before this accounting (its day is outside the guarantee). */
    accounting: text("accounting").notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.familyId, t.day] }),
    index("privacy_ledger_days_day_idx").on(t.day),
    check("privacy_ledger_days_epsilon_valid", sql`${t.epsilon} > 0 and ${t.epsilon} < 'Infinity'::float8`),
    check("privacy_ledger_days_delta_valid", sql`${t.delta} > 0 and ${t.delta} < 1`),
  ],
);

/**
 * The participant-day cap (one row): operators may lower it, never raise it above the contract
 * ceiling (epsilon_day 3.0, delta_day 2e-5). Precompute refuses a release that would take a day above it.
 */
export const privacyCap = pgTable(
  "privacy_cap",
  {
    id: boolean("id").primaryKey().default(true),
    epsilonCap: doublePrecision("epsilon_cap").notNull(),
    deltaCap: doublePrecision("delta_cap").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text("updated_by"),
  },
  (t) => [
    check("privacy_cap_single_row", sql`${t.id}`),
    check("privacy_cap_epsilon_valid", sql`${t.epsilonCap} > 0 and ${t.epsilonCap} <= 3.0`),
    check("privacy_cap_delta_valid", sql`${t.deltaCap} > 0 and ${t.deltaCap} <= 2e-5`),
  ],
);

/**
 * The release plan (PRIVACY.md "Release plan and profiles"): which (granularity, geo type, level)
 * are released, with what epsilon and delta. The enabled entries' sums are epsilon_day and
 * delta_day, kept at or under the cap.
 */
export const releasePlan = pgTable(
  "release_plan",
  {
    granularity: timeGranularity("granularity").notNull(),
    geoType: geoBucketType("geo_type").notNull(),
    level: text("level").notNull(),
    epsilon: doublePrecision("epsilon").notNull(),
    delta: doublePrecision("delta").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text("updated_by"),
  },
  (t) => [
    primaryKey({ columns: [t.granularity, t.geoType, t.level] }),
    check("release_plan_epsilon_valid", sql`${t.epsilon} > 0 and ${t.epsilon} <= 3.0`),
    check("release_plan_delta_valid", sql`${t.delta} > 0 and ${t.delta} <= 2e-5`),
  ],
);
