import {
  BUSINESS_TIER,
  type BusinessInsightsFilter,
  type BusinessInsightCell as CellRow,
  type BusinessInsights as InsightsRow,
  readBusinessInsights,
} from "../resolvers/business/businessInsights";
import { builder } from "./builder";
import { DoorType, SuppressionReason } from "./insights";

const BusinessGranularity = builder.enumType("BusinessGranularity", {
  subGraphs: ["internal", "business"],
  description: "Time buckets of businessInsights.",
  values: {
    HOUR: { value: "hour", description: "One hour, starting on the hour (UTC)." },
    DAY: { value: "day", description: "One UTC day, starting 00:00 UTC." },
  } as const,
});

const BusinessInsightsFilterInput = builder.inputType("BusinessInsightsFilter", {
  subGraphs: ["internal", "business"],
  description: "Which of the business's own spots and which time range to read.",
  fields: (t) => ({
    granularity: t.field({
      type: BusinessGranularity,
      required: true,
      defaultValue: "day",
      description: `HOUR (at most ${BUSINESS_TIER.maxBuckets.hour} hours a request) or DAY (at most ${BUSINESS_TIER.maxBuckets.day} days).`,
    }),
    timeBucketStartUtc: t.field({
      type: "DateTime",
      required: true,
      description: "Inclusive start, aligned to the granularity (the hour; 00:00 UTC for DAY).",
    }),
    timeBucketEndUtc: t.field({
      type: "DateTime",
      required: true,
      description: `Exclusive end, aligned likewise; at most now minus ${BUSINESS_TIER.reportingDelayHours} h.`,
    }),
    spotIds: t.stringList({
      required: true,
      description: `1 to ${BUSINESS_TIER.maxSpots} spot ids, all of them spots of the key's own business (any other is FORBIDDEN, with nothing read).`,
    }),
  }),
});

const BusinessCellMetrics = builder.objectRef<CellRow>("BusinessCellMetrics").implement({
  subGraphs: ["internal", "business"],
  description: "Exact counts of one cell (not noised); every field null when the cell is suppressed.",
  fields: (t) => ({
    uniqueParticipants: t.int({
      nullable: true,
      description: "Distinct participants who opened a door of this type at the spot within the bucket.",
      resolve: (cell) => cell.uniqueParticipants,
    }),
    doorsOpened: t.int({
      nullable: true,
      description: "Doors opened (events) of this type at the spot within the bucket.",
      resolve: (cell) => cell.doorsOpened,
    }),
  }),
});

const BusinessInsightCell = builder.objectRef<CellRow>("BusinessInsightCell").implement({
  subGraphs: ["internal", "business"],
  description:
    "One (spot, time bucket, door type) of the business's own spots: aggregate counts only, never a participant.",
  fields: (t) => ({
    spotId: t.exposeString("spotId", { description: "The spot (one of the business's own)." }),
    timeBucketStartUtc: t.field({
      type: "DateTime",
      description: "Start of the time bucket.",
      resolve: (cell) => cell.timeBucketStartUtc,
    }),
    timeGranularity: t.field({
      type: BusinessGranularity,
      description: "The bucket's length.",
      resolve: (cell) => cell.granularity,
    }),
    doorType: t.field({ type: DoorType, description: "The door type.", resolve: (cell) => cell.doorType }),
    metrics: t.field({
      type: BusinessCellMetrics,
      description: "The counts; every field null when suppressed.",
      resolve: (cell) => cell,
    }),
    suppressed: t.exposeBoolean("suppressed", {
      description: `True when fewer than ${BUSINESS_TIER.kMin} participants are in the cell: no metrics.`,
    }),
    suppressedReason: t.field({
      type: SuppressionReason,
      nullable: true,
      description: "BELOW_THRESHOLD when suppressed, else null.",
      resolve: (cell) => (cell.suppressed ? "below_threshold" : null),
    }),
  }),
});

const BusinessInsights = builder.objectRef<InsightsRow>("BusinessInsights").implement({
  subGraphs: ["internal", "business"],
  description:
    "A business's read of its own spots. Exact counts, outside the outside-buyer differential-privacy guarantee (see privacyStatement.tiersOutsideGuarantee); audited.",
  fields: (t) => ({
    businessId: t.exposeString("businessId", { description: "The key's business." }),
    granularity: t.field({
      type: BusinessGranularity,
      description: "The granularity read.",
      resolve: (insights) => insights.granularity,
    }),
    timeBucketStartUtc: t.field({
      type: "DateTime",
      description: "Start of the range (inclusive).",
      resolve: (insights) => insights.timeBucketStartUtc,
    }),
    timeBucketEndUtc: t.field({
      type: "DateTime",
      description: "End of the range (exclusive).",
      resolve: (insights) => insights.timeBucketEndUtc,
    }),
    reportingDelayHours: t.exposeInt("reportingDelayHours", {
      description: "Hours after a bucket ends before it may be read.",
    }),
    kMin: t.exposeInt("kMin", { description: "Cells with fewer participants than this are suppressed." }),
    outsideDpGuarantee: t.boolean({
      description:
        "Always true: these counts are not noised and not covered by the participant-day guarantee.",
      resolve: () => true,
    }),
    cells: t.field({
      type: [BusinessInsightCell],
      description:
        "Every (spot, bucket, door type) of the request, suppressed or not, ordered by spot id, bucket and door type.",
      resolve: (insights) => insights.cells,
    }),
  }),
});

builder.queryField("businessInsights", (t) =>
  t.field({
    type: BusinessInsights,
    description:
      "BUSINESS keys only: unique participants and doors opened per (own spot, hour or day, door type), 24 h after the bucket ends, cells under 10 participants suppressed. Another business's or an unknown spot is FORBIDDEN with nothing read. Every read is audited.",
    authScopes: { business: true },
    subGraphs: ["internal", "business"],
    args: {
      filter: t.arg({
        type: BusinessInsightsFilterInput,
        required: true,
        description: "Which spots and range.",
      }),
    },
    resolve: (_root, { filter }, context) =>
      readBusinessInsights(
        context.database,
        context.clock,
        context.principal!,
        filter as BusinessInsightsFilter,
        context.requestId,
      ),
  }),
);
