import type { UserError } from "../errors";
import type { InsightsFilter } from "../insights/insightsFilter";
import { type BudgetState, quoteBuyer, readBudgetState } from "../policy/budget";
import { decideSelection, familyCosts } from "../policy/decideSelection";
import { FINGERPRINT_VERSION, fingerprintSelection } from "../policy/fingerprint";
import { dimensionsOf } from "../privacy/releasePlan";
import { setBuyerBudget } from "../resolvers/admin/buyerBudgets";
import { type LevelAccuracyRow, levelAccuracies } from "../resolvers/insights/levelAccuracy";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import {
  GeoBucketType,
  InsightsFilterInput,
  marginFields,
  SegmentDimension,
  TimeGranularity,
} from "./insights";
import { Viewer } from "./viewer";

const PrivacyBudget = builder.objectRef<BudgetState>("PrivacyBudget").implement({
  subGraphs: ["internal", "buyer"],
  description: "A buyer's privacy budget over its rolling window.",
  fields: (t) => ({
    epsilonLimit: t.exposeFloat("epsilonLimit", { description: "Epsilon the buyer may spend per window." }),
    epsilonSpent: t.exposeFloat("epsilonSpent", {
      description: "Epsilon charged within the current window.",
    }),
    epsilonRemaining: t.exposeFloat("epsilonRemaining", {
      description: "epsilonLimit - epsilonSpent (never below 0).",
    }),
    windowDays: t.exposeInt("windowDays", { description: "Length of the rolling window in days." }),
    windowStartUtc: t.field({
      type: "DateTime",
      description: "Start of the current window.",
      resolve: (budget) => budget.windowStart,
    }),
  }),
});

const QueryQuota = builder.objectRef<BudgetState>("QueryQuota").implement({
  subGraphs: ["internal", "buyer"],
  description: "A buyer's daily quota of distinct query shapes (intersection defence).",
  fields: (t) => ({
    dailyLimit: t.exposeInt("dailyQueryLimit", { description: "Distinct shapes allowed per UTC day." }),
    usedToday: t.exposeInt("shapesUsedToday", { description: "Distinct shapes used today." }),
    resetsAtUtc: t.field({
      type: "DateTime",
      description: "When the count starts again.",
      resolve: (state) => state.quotaResetsAt,
    }),
  }),
});

builder.objectFields(Viewer, (t) => ({
  privacyBudget: t.field({
    type: PrivacyBudget,
    nullable: true,
    description: "The buyer's privacy budget (BUYER keys only).",
    resolve: (viewer, _args, context) =>
      viewer.role === "buyer" && viewer.partnerId
        ? readBudgetState(context.database, viewer.partnerId, context.clock.now())
        : null,
  }),
  queryQuota: t.field({
    type: QueryQuota,
    nullable: true,
    description: "The buyer's daily query-shape quota (BUYER keys only).",
    resolve: (viewer, _args, context) =>
      viewer.role === "buyer" && viewer.partnerId
        ? readBudgetState(context.database, viewer.partnerId, context.clock.now())
        : null,
  }),
}));

interface QuoteShape {
  epsilonCost: number;
  newReleaseCount: number;
  epsilonRemaining: number;
  fingerprint: string;
  wouldCountTowardQueryQuota: boolean;
  accuracy: LevelAccuracyRow[];
}

const LevelAccuracy = builder.objectRef<LevelAccuracyRow>("LevelAccuracy").implement({
  subGraphs: ["internal", "buyer"],
  description:
    "The 95% margins of error a released cell of one (granularity, geo type, breakdown level) would carry, from the profile and the release plan (published parameters only). Like CellAccuracy they cover the noise before selection, not the bias of contribution bounding, and released unique counts near the threshold are biased upward; for an estimate y the interval is [max(0, y - a), y + a].",
  fields: (t) => ({
    granularity: t.field({
      type: TimeGranularity,
      description: "The granularity read.",
      resolve: (row) => row.granularity,
    }),
    geoBucketType: t.field({
      type: GeoBucketType,
      description: "The geo type read.",
      resolve: (row) => row.geoType,
    }),
    breakdown: t.field({
      type: [SegmentDimension],
      description:
        "The level read: the segment dimensions its cells keep ([] = TOTAL); the others read null (all).",
      resolve: (row) => dimensionsOf(row.level),
    }),
    ...marginFields(t),
  }),
});

const InsightsQuote = builder.objectRef<QuoteShape>("InsightsQuote").implement({
  subGraphs: ["internal", "buyer"],
  description: "What insights(filter) would cost now, computed without charging or counting anything.",
  fields: (t) => ({
    epsilonCost: t.exposeFloat("epsilonCost", {
      description: "Epsilon that insights(filter) would charge now.",
    }),
    newReleaseCount: t.exposeInt("newReleaseCount", {
      description: "Releases in the range this buyer has not been charged for in the window.",
    }),
    epsilonRemaining: t.exposeFloat("epsilonRemaining", {
      description: "Epsilon left in the window before this request.",
    }),
    fingerprint: t.exposeString("fingerprint", {
      description: "The shape hash the request would count under.",
    }),
    wouldCountTowardQueryQuota: t.exposeBoolean("wouldCountTowardQueryQuota", {
      description: "True when the shape is new today and would use one of the daily quota.",
    }),
    accuracy: t.field({
      type: [LevelAccuracy],
      description:
        "Per (granularity, geo type, level) the request would read: the 95% margins of error a released cell would carry (a release made under an older profile carries its own receipt's, in InsightCell.accuracy); a level the plan does not release is left out.",
      resolve: (quote) => quote.accuracy,
    }),
  }),
});

builder.queryField("quoteInsights", (t) =>
  t.field({
    type: InsightsQuote,
    description: "The cost of insights(filter) for the calling buyer, without charging or counting.",
    authScopes: { buyer: true },
    subGraphs: ["internal", "buyer"],
    args: {
      filter: t.arg({ type: InsightsFilterInput, required: true, description: "The filter to price." }),
    },
    resolve: async (_root, args, context) => {
      const principal = context.principal!;
      const filter = args.filter as unknown as InsightsFilter;
      const now = context.clock.now();
      // Refused as insights(filter) would be (the same decision): bounds, a level outside the plan,
      // a filter on a rolled-up dimension.
      const { profile, plan, level, releases } = await decideSelection(context, filter, { first: 0 }, now);
      const fingerprint = fingerprintSelection("insights", filter);
      const quote = await quoteBuyer(context.database, {
        partnerId: principal.partnerId ?? "",
        fingerprints: [fingerprint],
        fingerprintVersion: FINGERPRINT_VERSION,
        // Charged per family (an HOUR day once), at the epsilon each release was made with.
        releases: familyCosts(releases),
        now,
      });
      // Post-processing of published parameters, so free.
      const accuracy = await levelAccuracies(
        context.database.query,
        profile,
        {
          granularity: filter.granularity,
          geoType: filter.geoBucketType,
          levels: [level],
        },
        plan,
      );
      return { ...quote, fingerprint, accuracy };
    },
  }),
);

const SetBuyerBudgetInput = builder.inputType("SetBuyerBudgetInput", {
  description: "A buyer's new privacy budget.",
  fields: (t) => ({
    partnerId: t.string({ required: true, description: "The buyer (outside_buyer_...)." }),
    epsilonLimit: t.float({ required: true, description: "Epsilon allowed per rolling window (0..1000)." }),
    dailyQueryLimit: t.int({
      required: false,
      description: "Distinct query shapes per UTC day; unchanged when absent.",
    }),
  }),
});

const SetBuyerBudgetPayload = mutationPayload<{ budget: BudgetState | null; userErrors: UserError[] }>(
  "SetBuyerBudgetPayload",
  "The result of setBuyerBudget.",
  (t) => ({
    budget: t.field({
      type: PrivacyBudget,
      nullable: true,
      description: "The budget as it now stands.",
      resolve: (p) => p.budget,
    }),
  }),
);

adminMutationField("setBuyerBudget", {
  payload: SetBuyerBudgetPayload,
  description: "Set a buyer's privacy budget (operators only); audited.",
  input: { type: SetBuyerBudgetInput, description: "The new budget." },
  auditTarget: (input) => input.partnerId,
  run: setBuyerBudget,
  refused: { budget: null },
});
