import { type AuditChainReport, verifyAuditChain } from "../audit/verify";
import { listApiKeys } from "../resolvers/admin/apiKeys";
import { type AuditLogEntry, listAuditLog } from "../resolvers/ops/auditLog";
import {
  type BudgetChargeDayRow,
  type BudgetUsageRow,
  budgetChargesPerDay,
  type CityCoverage,
  cacheFreshness,
  cityCodeCoverage,
  exportRequestStats,
  type FingerprintStatsRow,
  type FreshnessRow,
  type PrivacyLedgerView,
  privacyBudgetUsage,
  privacyLedger,
  queryFingerprintStats,
  type RequestStatsRow,
} from "../resolvers/ops/views";
import { ApiKey } from "./apiKeys";
import { builder } from "./builder";
import { connectionOf, DEFAULT_PAGE_SIZE, isSequenceId, MAX_PAGE_SIZE, pageRequest } from "./connection";
import { TimeGranularity } from "./insights";
import { LedgerDay } from "./privacy";

const BudgetUsage = builder.objectRef<BudgetUsageRow>("BudgetUsage").implement({
  description: "One buyer's privacy budget as it stands.",
  fields: (t) => ({
    partnerId: t.exposeString("partnerId", { description: "The buyer." }),
    epsilonLimit: t.exposeFloat("epsilonLimit", { description: "Epsilon allowed per window." }),
    epsilonSpent: t.exposeFloat("epsilonSpent", { description: "Epsilon charged in the current window." }),
    epsilonRemaining: t.exposeFloat("epsilonRemaining", { description: "What is left in the window." }),
    windowDays: t.exposeInt("windowDays", { description: "Window length in days." }),
    lastChargeAt: t.field({
      type: "DateTime",
      nullable: true,
      description: "The last charge, if any.",
      resolve: (row) => row.lastChargeAt,
    }),
  }),
});

const BudgetChargeDay = builder.objectRef<BudgetChargeDayRow>("BudgetChargeDay").implement({
  description: "What one buyer's budget was charged in one UTC day.",
  fields: (t) => ({
    partnerId: t.exposeString("partnerId", { description: "The buyer." }),
    day: t.exposeString("day", { description: "The UTC day of the charges, YYYY-MM-DD." }),
    epsilon: t.exposeFloat("epsilon", { description: "Epsilon charged that day." }),
    charges: t.exposeInt("charges", {
      description: "Releases charged that day (a release is charged once per window).",
    }),
  }),
});

const OutcomeCount = builder.objectRef<{ code: string; count: number }>("OutcomeCount").implement({
  description: "How many requests ended with one outcome code.",
  fields: (t) => ({
    code: t.exposeString("code", { description: "OK or the error code." }),
    count: t.exposeInt("count", { description: "Requests." }),
  }),
});

const RequestStats = builder.objectRef<RequestStatsRow>("RequestStats").implement({
  description: "Buyer requests (GraphQL and export) in one UTC day.",
  fields: (t) => ({
    day: t.exposeString("day", { description: "The UTC day, YYYY-MM-DD." }),
    requests: t.exposeInt("requests", { description: "Requests that day." }),
    byOutcome: t.field({
      type: [OutcomeCount],
      description: "Requests per outcome code.",
      resolve: (row) => row.byOutcome,
    }),
    p50LatencyMs: t.exposeFloat("p50LatencyMs", { description: "Median latency." }),
    p99LatencyMs: t.exposeFloat("p99LatencyMs", { description: "99th percentile latency." }),
  }),
});

const FingerprintStats = builder.objectRef<FingerprintStatsRow>("FingerprintStats").implement({
  description: "One buyer's query shapes in one UTC day: the intersection-attack signal.",
  fields: (t) => ({
    partnerId: t.exposeString("partnerId", { description: "The buyer." }),
    day: t.exposeString("day", { description: "The UTC day, YYYY-MM-DD." }),
    distinctShapes: t.exposeInt("distinctShapes", { description: "Distinct query shapes used." }),
    quotaRefusals: t.exposeInt("quotaRefusals", {
      description: "Requests refused with QUERY_BUDGET_EXCEEDED.",
    }),
  }),
});

const CacheFreshness = builder.objectRef<FreshnessRow>("CacheFreshness").implement({
  description: "How current the releases of one granularity are.",
  fields: (t) => ({
    granularity: t.field({
      type: TimeGranularity,
      description: "The granularity.",
      resolve: (row) => row.granularity,
    }),
    latestReleasedBucketUtc: t.field({
      type: "DateTime",
      nullable: true,
      description: "Start of the newest released bucket.",
      resolve: (row) => row.latestReleasedBucketUtc,
    }),
    lagHours: t.float({
      nullable: true,
      description: "Hours from that bucket's end to now.",
      resolve: (row) => row.lagHours,
    }),
    stale: t.exposeBoolean("stale", {
      description: "Behind the expected cadence (delay + two buckets) by more than the margin.",
    }),
  }),
});

const CityCoverageRow = builder.objectRef<CityCoverage["cities"][number]>("CityCoverageRow").implement({
  description: "One city's share of the geohash3 -> city map.",
  fields: (t) => ({
    cityCode: t.exposeString("cityCode", { description: "The city code." }),
    name: t.exposeString("name", { description: "The city's name." }),
    geohash3Cells: t.exposeInt("geohash3Cells", { description: "Mapped geohash3 cells." }),
    events7d: t.exposeInt("events7d", { description: "Events in its cells over the last 7 days." }),
  }),
});

const CityCodeCoverage = builder.objectRef<CityCoverage>("CityCodeCoverage").implement({
  description: "How well the city map covers the events.",
  fields: (t) => ({
    cities: t.field({ type: [CityCoverageRow], description: "Per city.", resolve: (row) => row.cities }),
    unmappedEventShare7d: t.exposeFloat("unmappedEventShare7d", {
      description:
        "Share of the last 7 days' events in no city's geohash3 cells (left out of CITY_CODE releases).",
    }),
  }),
});

const PrivacyLedger = builder.objectRef<PrivacyLedgerView>("PrivacyLedger").implement({
  description: "The participant-day ledger over a range of UTC days, against the cap.",
  fields: (t) => ({
    days: t.field({
      type: [LedgerDay],
      description: "Per-day totals, oldest first (days without a release are absent).",
      resolve: (view) => view.days,
    }),
    highestDay: t.field({
      type: LedgerDay,
      nullable: true,
      description: "The day with the highest epsilon in the range.",
      resolve: (view) => view.highestDay,
    }),
    epsilonCap: t.exposeFloat("epsilonCap", { description: "The cap no day may go above." }),
    deltaCap: t.exposeFloat("deltaCap", { description: "The delta cap." }),
    planEpsilonPerParticipantDay: t.exposeFloat("planEpsilonPerParticipantDay", {
      description: "The plan's epsilon_day: what a fully released day holds.",
    }),
  }),
});

const AuditChain = builder.objectRef<AuditChainReport>("AuditChainReport").implement({
  description: "Whether the audit log's hash chain is intact.",
  fields: (t) => ({
    valid: t.exposeBoolean("valid", { description: "True when every entry's hash and link match." }),
    checkedEntries: t.exposeInt("checkedEntries", { description: "Entries checked." }),
    firstBrokenId: t.exposeID("firstBrokenId", {
      nullable: true,
      description: "The first entry that does not match.",
    }),
  }),
});

const AuditEntry = builder.objectRef<AuditLogEntry>("AuditEntry").implement({
  description: "One audited change or alert.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The entry's id (increasing)." }),
    at: t.field({ type: "DateTime", description: "When.", resolve: (row) => row.at }),
    action: t.exposeString("action", { description: "What: the mutation's name, or the alert." }),
    actor: t.exposeString("actor", { description: "Who: the key's prefix and name, or the job." }),
    target: t.exposeString("target", { nullable: true, description: "What it was done to." }),
    outcome: t.exposeString("outcome", { description: "OK, ALERT, BLOCKED or the refusal." }),
    requestId: t.exposeString("requestId", { nullable: true, description: "The request it happened in." }),
  }),
});

const AuditEntryConnection = builder.connectionObject(
  {
    type: AuditEntry,
    name: "AuditEntryConnection",
    description: "A page of audit entries, newest first.",
    fields: (t) => ({
      totalCount: t.int({
        description: "All entries.",
        resolve: (connection) => (connection as { totalCount?: number }).totalCount ?? 0,
      }),
    }),
  },
  { name: "AuditEntryEdge", description: "An audit entry with its cursor." },
);

export const Ops = builder.objectRef<Record<string, never>>("Ops").implement({
  description: "Operator views: budgets, request and shape statistics, freshness, coverage, ledger, audit.",
  fields: (t) => ({
    privacyBudgetUsage: t.field({
      type: [BudgetUsage],
      description: "Every buyer's budget: limit, spent, remaining, window, last charge.",
      resolve: (_ops, _args, context) => privacyBudgetUsage(context.database, context.clock.now()),
    }),
    budgetChargesPerDay: t.field({
      type: [BudgetChargeDay],
      description: "Epsilon charged per buyer per UTC day, newest day first (the budgets' burn).",
      args: { days: t.arg.int({ defaultValue: 14, description: "How many days back (1..90)." }) },
      resolve: (_ops, { days }, context) =>
        budgetChargesPerDay(context.database, context.clock.now(), boundedDays(days)),
    }),
    exportRequestStats: t.field({
      type: [RequestStats],
      description: "Buyer requests per UTC day, newest first.",
      args: { days: t.arg.int({ defaultValue: 14, description: "How many days back (1..90)." }) },
      resolve: (_ops, { days }, context) =>
        exportRequestStats(context.database, context.clock.now(), boundedDays(days)),
    }),
    queryFingerprintStats: t.field({
      type: [FingerprintStats],
      description: "Distinct shapes and quota refusals per buyer per UTC day, newest first.",
      args: { days: t.arg.int({ defaultValue: 14, description: "How many days back (1..90)." }) },
      resolve: (_ops, { days }, context) =>
        queryFingerprintStats(context.database, context.clock.now(), boundedDays(days)),
    }),
    cacheFreshness: t.field({
      type: [CacheFreshness],
      description: "Per granularity: the newest released bucket, its lag and whether it is stale.",
      args: {
        marginHours: t.arg.int({ defaultValue: 3, description: "Allowed lag beyond the expected cadence." }),
      },
      resolve: (_ops, { marginHours }, context) =>
        cacheFreshness(context.database, context.clock.now(), marginHours ?? 3),
    }),
    cityCodeCoverage: t.field({
      type: CityCodeCoverage,
      description: "Per city: mapped cells and recent events; the share of events no city claims.",
      resolve: (_ops, _args, context) => cityCodeCoverage(context.database, context.clock.now()),
    }),
    privacyLedger: t.field({
      type: PrivacyLedger,
      description:
        "The participant-day ledger: per-day epsilon and delta of every release covering the day, and the highest day, over [fromUtc, toUtc) (default: the last 30 days).",
      args: {
        fromUtc: t.arg({ type: "DateTime", required: false, description: "Start (inclusive)." }),
        toUtc: t.arg({ type: "DateTime", required: false, description: "End (exclusive)." }),
      },
      resolve: (_ops, { fromUtc, toUtc }, context) =>
        privacyLedger(context.database, context.clock.now(), { from: fromUtc ?? null, to: toUtc ?? null }),
    }),
    auditLog: t.field({
      type: AuditEntryConnection,
      description: "The audit log, newest first.",
      args: {
        first: t.arg.int({
          defaultValue: DEFAULT_PAGE_SIZE,
          description: `Page size, at most ${MAX_PAGE_SIZE}.`,
        }),
        after: t.arg.string({
          required: false,
          description: "Cursor of the last entry of the previous page.",
        }),
      },
      resolve: async (_ops, { first, after }, context) => {
        const request = pageRequest("auditLog", { first, after }, isSequenceId);
        const page = await listAuditLog(context.database, request);
        return connectionOf(request, page, (entry) => ({ at: entry.at, id: String(entry.id) }));
      },
    }),
    verifyAuditChain: t.field({
      type: AuditChain,
      description: "Recomputes the audit hash chain and reports the first broken link, if any.",
      resolve: (_ops, _args, context) => verifyAuditChain(context.database),
    }),
    apiKeys: t.field({
      type: [ApiKey],
      description: "Every API key, newest first (never secrets or hashes).",
      resolve: (_ops, _args, context) => listApiKeys(context.database),
    }),
  }),
});

builder.queryField("ops", (t) =>
  t.field({
    type: Ops,
    description: "Operator views (INTERNAL and OPERATOR keys).",
    authScopes: { internal: true },
    resolve: () => ({}),
  }),
);

function boundedDays(days: number | null | undefined): number {
  return Math.min(90, Math.max(1, days ?? 14));
}
