import { type GraphQLResolveInfo, Kind, type SelectionNode } from "graphql";
import type { AppContext } from "../context";
import { readableLevel } from "../insights/breakdownLevel";
import { DATASET, SCHEMA_VERSION } from "../insights/exportRecord";
import { type InsightsFilter, MAX_PAGE_SIZE, validateInsightsFilter } from "../insights/insightsFilter";
import type { ReleaseReceipt } from "../insights/loaders";
import {
  countInsightCells,
  encodeCursor,
  type InsightCellRow,
  readInsightsPage,
} from "../insights/readInsights";
import type { TrendReader } from "../insights/trendScores";
import { type CellMargins, cellAccuracy } from "../privacy/accuracy";
import { bucketKey } from "../privacy/buckets";
import { buyerSuppressionReason } from "../privacy/releaseMechanism";
import { type BuilderTypes, builder } from "./builder";

export const TimeGranularity = builder.enumType("TimeGranularity", {
  subGraphs: ["internal", "buyer", "business"],
  description: "Width of a time bucket. Buckets are aligned in UTC; weeks are ISO weeks starting Monday.",
  values: {
    HOUR: { value: "hour", description: "One hour (stricter profile: 168 h delay, k-min 300)." },
    DAY: { value: "day", description: "One UTC day (the default)." },
    WEEK: { value: "week", description: "One ISO week, Monday 00:00 UTC to the next Monday." },
  } as const,
});

export const GeoBucketType = builder.enumType("GeoBucketType", {
  subGraphs: ["internal", "buyer", "business"],
  description: "How cells are grouped in space; never finer than city scale.",
  values: {
    CITY_CODE: {
      value: "city_code",
      description: "A city code such as us-nyc (via the geohash3 -> city map).",
    },
    GEOHASH3: {
      value: "geohash3",
      description: "A geohash of precision 3 (about 156 km), among the mapped cells.",
    },
  } as const,
});

export const DoorType = builder.enumType("DoorType", {
  subGraphs: ["internal", "buyer", "business"],
  description: "What kind of door a participant opened.",
  values: {
    SPOT: { value: "spot", description: "A place." },
    EVENT: { value: "event", description: "An event." },
    COMMUNITY: { value: "community", description: "A community." },
  } as const,
});

const Category = builder.enumType("Category", {
  subGraphs: ["internal", "buyer"],
  description: "The category of the door.",
  values: Object.fromEntries(
    ["coffee", "music", "sports", "art", "food", "outdoor", "tech", "community", "other"].map((value) => [
      value.toUpperCase(),
      { value, description: `The ${value} category.` },
    ]),
  ) as Record<
    "COFFEE" | "MUSIC" | "SPORTS" | "ART" | "FOOD" | "OUTDOOR" | "TECH" | "COMMUNITY" | "OTHER",
    { value: string; description: string }
  >,
});

const Context = builder.enumType("Context", {
  subGraphs: ["internal", "buyer"],
  description: "When the door was opened, on the UTC clock; weekends take precedence.",
  values: {
    MORNING: { value: "morning", description: "06:00-11:00 UTC on a weekday." },
    MIDDAY: { value: "midday", description: "11:00-16:00 UTC on a weekday." },
    EVENING: { value: "evening", description: "16:00-23:00 UTC on a weekday." },
    WEEKEND: { value: "weekend", description: "Any time on Saturday or Sunday (UTC)." },
    UNKNOWN: { value: "unknown", description: "Night (23:00-06:00 UTC on a weekday)." },
  } as const,
});

export const SegmentDimension = builder.enumType("SegmentDimension", {
  subGraphs: ["internal", "buyer", "business"],
  description:
    "A segment dimension a breakdown level keeps (the others are rolled up: they read null, meaning all).",
  values: {
    DOOR_TYPE: { value: "door_type", description: "The door type (SPOT, EVENT, COMMUNITY)." },
    CATEGORY: { value: "category", description: "The door's category." },
    CONTEXT: { value: "context", description: "When the door was opened (UTC clock)." },
  } as const,
});

export const SuppressionReason = builder.enumType("SuppressionReason", {
  subGraphs: ["internal", "buyer", "business"],
  description:
    "Why a cell's metrics are withheld, as buyers see it: the same value whatever the cause (the cause is in diagnostics, INTERNAL/OPERATOR only).",
  values: {
    BELOW_THRESHOLD: {
      value: "below_threshold",
      description:
        "The cell did not pass the release threshold (too few participants, before or after noise).",
    },
  } as const,
});

const SuppressionCause = builder.enumType("SuppressionCause", {
  description:
    "Which check withheld a cell (INTERNAL/OPERATOR only: a buyer-visible cause would reveal, without noise, whether the true count reached k).",
  values: {
    K_MIN: {
      value: "k_min",
      description: "The bounded true count of distinct participants was below the profile's k-min.",
    },
    NOISY_THRESHOLD: {
      value: "noisy_threshold",
      description: "The noised count of distinct participants was below the release threshold k + m.",
    },
  } as const,
});

/** The stored causes the enum can name; anything else (rows with the retired 'dominance') reads null. */
const SUPPRESSION_CAUSES: ReadonlySet<string> = new Set(["k_min", "noisy_threshold"]);

export const InsightsFilterInput = builder.inputType("InsightsFilter", {
  subGraphs: ["internal", "buyer"],
  description:
    "Which cells to read: one granularity and geo type, a time range, one breakdown level, and optional segment filters.",
  fields: (t) => ({
    granularity: t.field({
      type: TimeGranularity,
      required: true,
      defaultValue: "day",
      description: "Bucket width (default DAY).",
    }),
    timeBucketStartUtc: t.field({
      type: "DateTime",
      required: true,
      description:
        "Inclusive start, aligned to the granularity (hour; day 00:00 UTC; ISO week Monday 00:00 UTC).",
    }),
    timeBucketEndUtc: t.field({
      type: "DateTime",
      required: true,
      description: "Exclusive end, aligned likewise.",
    }),
    geoBucketType: t.field({
      type: GeoBucketType,
      required: true,
      defaultValue: "city_code",
      description: "How cells are grouped in space (default CITY_CODE).",
    }),
    geoBucketIds: t.stringList({
      required: false,
      description:
        "Geo bucket ids to read; absent = all buckets of that type (DAY, WEEK); HOUR requires 1..10.",
    }),
    doorTypes: t.field({
      type: [DoorType],
      required: false,
      description: "Only these door types (FILTER_NOT_ALLOWED when the breakdown rolls DOOR_TYPE up).",
    }),
    categories: t.field({
      type: [Category],
      required: false,
      description: "Only these categories (FILTER_NOT_ALLOWED when the breakdown rolls CATEGORY up).",
    }),
    contexts: t.field({
      type: [Context],
      required: false,
      description: "Only these contexts (FILTER_NOT_ALLOWED when the breakdown rolls CONTEXT up).",
    }),
    breakdown: t.field({
      type: [SegmentDimension],
      required: false,
      description:
        "The breakdown level: which segment dimensions the cells keep; the others are rolled up (read null, meaning all). [] = TOTAL, one cell per geo bucket. Absent: FULL (all three) for DAY and WEEK; for HOUR the dimension of its one segment filter, or TOTAL without one. Only levels in the release plan (LEVEL_NOT_AVAILABLE names those released; see privacyStatement.families); each level is its own releases, charged on its own.",
    }),
  }),
});

const GeoBucket = builder.objectRef<InsightCellRow>("GeoBucket").implement({
  subGraphs: ["internal", "buyer"],
  description: "Where a cell is: a city code or a geohash3 cell.",
  fields: (t) => ({
    type: t.field({ type: GeoBucketType, description: "The kind of bucket.", resolve: (row) => row.geoType }),
    id: t.string({ description: "The bucket id, e.g. us-nyc or dr5.", resolve: (row) => row.geoBucketId }),
    name: t.string({
      nullable: true,
      description: "The city's name (for a geohash3 cell, the city it maps to).",
      resolve: (row, _args, context) => context.loaders.cityName.load(`${row.geoType}|${row.geoBucketId}`),
    }),
  }),
});

const Segment = builder.objectRef<InsightCellRow>("Segment").implement({
  subGraphs: ["internal", "buyer"],
  description:
    "The segment of a cell in the public lattice (door type x category x context) at the cell's breakdown level; a rolled-up dimension is null, meaning all of its values.",
  fields: (t) => ({
    doorType: t.field({
      type: DoorType,
      nullable: true,
      description: "Door type; null = all door types (the breakdown rolls DOOR_TYPE up).",
      resolve: (row) => row.doorType as "spot" | null,
    }),
    category: t.field({
      type: Category,
      nullable: true,
      description: "Category; null = all categories (the breakdown rolls CATEGORY up).",
      resolve: (row) => row.category,
    }),
    context: t.field({
      type: Context,
      nullable: true,
      description: "Context; null = all contexts (the breakdown rolls CONTEXT up).",
      resolve: (row) => row.context as "morning" | null,
    }),
  }),
});

const CellMetrics = builder.objectRef<InsightCellRow>("CellMetrics").implement({
  subGraphs: ["internal", "buyer"],
  description: "Differentially private estimates; every field is null when the cell is suppressed.",
  fields: (t) => ({
    uniqueParticipantsEst: t.int({
      nullable: true,
      description: "Noised count of distinct participants.",
      resolve: (row) => row.uniqueParticipantsEst,
    }),
    doorsOpenedEst: t.int({
      nullable: true,
      description: "Noised count of doors opened (each participant's contribution clamped).",
      resolve: (row) => row.doorsOpenedEst,
    }),
    repeatRateEst: t.float({
      nullable: true,
      description: "Share of participants who opened 2+ doors, from noised counts only (0..1).",
      resolve: (row) => row.repeatRateEst,
    }),
    trendScoreEst: t.float({
      nullable: true,
      description:
        "Growth against the same cell in the previous bucket, u / (u + u_previous) from the two current published unique estimates (4 decimals): 0.5 flat, towards 1 growing, towards 0 shrinking. Computed when read, never stored; null when either cell is suppressed or not released, and for a buyer not charged for the previous bucket's release in its budget window (read that bucket first, or in the same request).",
      resolve: (row) => row.trendScoreEst,
    }),
  }),
});

/** The margin fields a cell's accuracy and a quote's (LevelAccuracy) share, with their descriptions. */
export function marginFields<Shape extends CellMargins>(
  t: PothosSchemaTypes.ObjectFieldBuilder<BuilderTypes, Shape>,
) {
  return {
    confidence: t.float({
      description: "The confidence of the margins: 0.95.",
      resolve: (margins) => margins.confidence,
    }),
    uniqueParticipants: t.int({
      description:
        "95% margin of error a of uniqueParticipantsEst: the interval is [max(0, y - a), y + a]. Near the release threshold the estimate is biased upward (a cell passed because its noise was high), which the interval does not cover.",
      resolve: (margins) => margins.uniqueParticipants,
    }),
    doorsOpened: t.int({
      description: "95% margin of error a of doorsOpenedEst: the interval is [max(0, y - a), y + a].",
      resolve: (margins) => margins.doorsOpened,
    }),
    repeatParticipants: t.int({
      description:
        "95% margin of error a of the noised count of repeat participants behind repeatRateEst: the interval is [max(0, y - a), y + a].",
      resolve: (margins) => margins.repeatParticipants,
    }),
  };
}

export const CellAccuracy = builder.objectRef<CellMargins>("CellAccuracy").implement({
  subGraphs: ["internal", "buyer"],
  description:
    "95% margins of error of a released cell's noise, from the release's published noise scales only (never a true count). They cover the noise added before the release threshold was applied, not the bias of contribution bounding (capped contributions are undercounted), and released unique counts near the threshold are biased upward (they passed because their noise was high). For an estimate y with margin a the interval is [max(0, y - a), y + a].",
  fields: (t) => marginFields(t),
});

const DpParameters = builder.objectRef<InsightCellRow>("DpParameters").implement({
  subGraphs: ["internal", "buyer"],
  description: "How the cell's release was noised (from its release receipt).",
  fields: (t) => ({
    enabled: t.boolean({ description: "Always true.", resolve: () => true }),
    mechanism: t.string({
      description: 'The noise mechanism: "discrete_laplace".',
      resolve: () => "discrete_laplace",
    }),
    epsilon: t.float({
      description:
        "Epsilon per release (an HOUR family: per day). What a participant-day is protected by overall is participantDayEpsilon.",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.epsilon),
    }),
    participantDayEpsilon: t.float({
      description:
        "The plan's epsilon per participant-day when the release was made: the sum over every release reading one UTC day's events (see privacyStatement).",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.participantDayEpsilon),
    }),
    delta: t.float({
      description: "Delta of the release.",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.delta),
    }),
    budgetWindowDays: t.int({
      description: "The rolling window over which buyers' budgets are counted.",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.budgetWindowDays),
    }),
    noiseScale: t.float({
      description:
        "Scale of the discrete Laplace noise on uniqueParticipantsEst; all scales are in the receipt.",
      resolve: (row, _args, context) =>
        fromReceipt(row, context, (receipt) => receipt.noiseScales.uniqueParticipants ?? 0),
    }),
    releaseId: t.id({ description: "The release this cell belongs to.", resolve: (row) => row.releaseId }),
  }),
});

const CellPrivacy = builder.objectRef<InsightCellRow>("CellPrivacy").implement({
  subGraphs: ["internal", "buyer"],
  description: "The privacy treatment of a cell.",
  fields: (t) => ({
    kMinEnforced: t.int({
      description: "Minimum distinct participants for the cell to be released.",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.kMin),
    }),
    suppressed: t.boolean({
      description: "True when the metrics are withheld.",
      resolve: (row) => row.suppressed,
    }),
    suppressedReason: t.field({
      type: SuppressionReason,
      nullable: true,
      description: "BELOW_THRESHOLD when the metrics are withheld (whatever the cause), null otherwise.",
      // One value for every cause: a buyer-visible K_MIN would be a noise-free membership signal.
      resolve: (row) => buyerSuppressionReason(row.suppressed),
    }),
    dp: t.field({
      type: DpParameters,
      description: "Differential privacy parameters.",
      resolve: (row) => row,
    }),
  }),
});

const CellDiagnostics = builder.objectRef<InsightCellRow>("CellDiagnostics").implement({
  description: "True, un-noised values for internal quality checks. Never visible to buyers.",
  fields: (t) => ({
    trueUniqueParticipants: t.int({
      description: "Distinct participants after contribution bounding.",
      resolve: (row) => row.trueUniqueParticipants,
    }),
    trueDoorsOpened: t.int({
      description: "Doors opened after contribution bounding.",
      resolve: (row) => row.trueDoorsOpened,
    }),
    topContributorShare: t.float({
      description: "Share of the cell's doors held by its largest contributor.",
      resolve: (row) => row.topContributorShare,
    }),
    suppressionCause: t.field({
      type: SuppressionCause,
      nullable: true,
      description:
        "Which check withheld the cell; null when it was released, and for cells of old releases withheld for dominance (a check no longer made).",
      resolve: (row) =>
        row.suppressed && row.suppressedReason !== null && SUPPRESSION_CAUSES.has(row.suppressedReason)
          ? (row.suppressedReason as "k_min" | "noisy_threshold")
          : null,
    }),
  }),
});

const InsightCell = builder.objectRef<InsightCellRow>("InsightCell").implement({
  subGraphs: ["internal", "buyer"],
  description:
    "One metric cell of a release: time bucket x geo bucket x segment (the canonical record of spots_insights_v1).",
  fields: (t) => ({
    schemaVersion: t.string({ description: 'Record schema version, "1.0".', resolve: () => SCHEMA_VERSION }),
    dataset: t.string({ description: 'Dataset name, "spots_insights_v1".', resolve: () => DATASET }),
    timeBucketStartUtc: t.field({
      type: "DateTime",
      description: "Start of the time bucket.",
      resolve: (row) => row.bucketStart,
    }),
    timeGranularity: t.field({
      type: TimeGranularity,
      description: "Width of the time bucket.",
      resolve: (row) => row.granularity,
    }),
    reportingDelayHours: t.int({
      description: "The release profile's reporting delay.",
      resolve: (row, _args, context) => fromReceipt(row, context, (receipt) => receipt.reportingDelayHours),
    }),
    geoBucket: t.field({ type: GeoBucket, description: "Where.", resolve: (row) => row }),
    segment: t.field({
      type: Segment,
      description: "Which segment; a dimension the breakdown rolls up reads null (all).",
      resolve: (row) => row,
    }),
    metrics: t.field({
      type: CellMetrics,
      description: "The noised metrics (null when suppressed).",
      resolve: (row) => row,
    }),
    accuracy: t.field({
      type: CellAccuracy,
      nullable: true,
      description:
        "95% margins of error of the noised metrics (covering the noise before selection, not the bias of contribution bounding; released unique counts near the threshold are biased upward); null when suppressed.",
      resolve: (row, _args, context) =>
        row.suppressed
          ? null
          : fromReceipt(row, context, (receipt) => cellAccuracy(row.suppressed, receipt.exactNoiseScales)),
    }),
    privacy: t.field({
      type: CellPrivacy,
      description: "Suppression and DP parameters.",
      resolve: (row) => row,
    }),
    diagnostics: t.field({
      type: CellDiagnostics,
      nullable: true,
      description: "True counts, top contributor share and suppression cause: INTERNAL and OPERATOR only.",
      authScopes: { internal: true },
      subGraphs: ["internal"],
      resolve: (row) => row,
    }),
  }),
});

const InsightCellConnection = builder.connectionObject(
  {
    type: InsightCell,
    name: "InsightCellConnection",
    subGraphs: ["internal", "buyer"],
    description: "A page of insight cells.",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many cells match the filter across all pages.",
        // Counted only when selected: a dataset export pages through without it.
        resolve: (connection) => (connection as { totalCount?: () => Promise<number> }).totalCount?.() ?? 0,
      }),
    }),
  },
  {
    name: "InsightCellEdge",
    description: "An insight cell with its cursor.",
    subGraphs: ["internal", "buyer"],
  },
);

builder.queryField("insights", (t) =>
  t.field({
    type: InsightCellConnection,
    description:
      "Released cells for a filter at one breakdown level, ordered by time bucket, geo bucket and the segment dimensions the level keeps. Missing releases are listed in extensions.policy.missingBuckets.",
    authScopes: { $any: { internal: true, buyer: true } },
    subGraphs: ["internal", "buyer"],
    args: {
      filter: t.arg({ type: InsightsFilterInput, required: true, description: "Which cells." }),
      first: t.arg.int({ defaultValue: 500, description: `Page size, at most ${MAX_PAGE_SIZE}.` }),
      after: t.arg.string({ required: false, description: "Cursor of the last cell of the previous page." }),
    },
    resolve: async (_root, args, context, info) => {
      const filter = args.filter as unknown as InsightsFilter;
      const first = args.first ?? 500;
      const buckets = validateInsightsFilter(filter, first);
      // A buyer's releases were fixed (and charged) by the policy before execution; read exactly those.
      const decided = context.policy.decisions.get(String(info.path.key));
      if (decided === undefined && context.principal?.role === "buyer") {
        throw new Error("insights ran for a buyer without a policy decision");
      }
      const level = decided?.level ?? readableLevel(filter, await context.settings.plan());
      const page = await readInsightsPage(context.database, {
        filter,
        level,
        buckets,
        ...(decided === undefined ? {} : { releases: decided.releases }),
        page: { first, after: args.after },
        trendReader: trendReaderOf(context),
        withTotal: selectsField(info, "totalCount"),
      });
      const { releases } = page;
      const missingBuckets = decided?.missingBuckets ?? page.missingBuckets;
      context.policy.active = true;
      for (const release of releases) context.policy.releaseIds.add(release.id);
      for (const bucket of missingBuckets) context.policy.missingBuckets.add(bucketKey(bucket));
      const edges = page.rows.map((row) => ({ cursor: encodeCursor(row), node: row }));
      let total: Promise<number> | undefined;
      return {
        edges,
        totalCount: () => {
          total ??=
            page.totalCount === undefined
              ? countInsightCells(context.database, filter, releases)
              : Promise.resolve(page.totalCount);
          return total;
        },
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: Boolean(args.after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);

/** INTERNAL and OPERATOR see every trend; a buyer only those of previous releases it was charged for. */
function trendReaderOf(context: AppContext): TrendReader {
  const principal = context.principal;
  if (principal?.role !== "buyer") return { kind: "unrestricted" };
  const budgetWindowStart = context.policy.budgetWindowStart;
  if (budgetWindowStart === null) throw new Error("insights ran for a buyer without a budget window");
  // The same partner id the policy charged under.
  return { kind: "buyer", partnerId: principal.partnerId ?? "", budgetWindowStart };
}

/**
 * A value read from the cell's release receipt: at once when the process has the receipt (the
 * common case: receipts never change and are kept), else through the request's loader (one
 * statement for the page). No promise per field on a re-read.
 */
function fromReceipt<T>(
  row: InsightCellRow,
  context: AppContext,
  pick: (receipt: ReleaseReceipt) => T,
): T | Promise<T> {
  const kept = context.loaders.keptReceipt(row.releaseId);
  if (kept !== undefined) return pick(kept);
  return context.loaders.receipt.load(row.releaseId).then((receipt) => {
    if (receipt === null) throw new Error(`release ${row.releaseId} has no receipt`);
    return pick(receipt);
  });
}

/**
 * Whether the field's selection asks for `name` directly (through fragments too; a field under
 * @skip/@include counts as asked for): what the resolver may compute in the same statement.
 */
function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const search = (selections: readonly SelectionNode[]): boolean =>
    selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === name;
      if (selection.kind === Kind.INLINE_FRAGMENT) return search(selection.selectionSet.selections);
      const fragmentName = selection.name.value;
      if (seen.has(fragmentName)) return false;
      seen.add(fragmentName);
      const fragment = info.fragments[fragmentName];
      return fragment !== undefined && search(fragment.selectionSet.selections);
    });
  return info.fieldNodes.some(
    (node) => node.selectionSet !== undefined && search(node.selectionSet.selections),
  );
}
