import type { UserError } from "../errors";
import type { LedgerDay as LedgerDayRow } from "../privacy/participantDays";
import {
  type SegmentDimension as Dimension,
  dimensionsOf,
  levelOf,
  type PlanEntry as PlanEntryRow,
  type PrivacyCap,
} from "../privacy/releasePlan";
import {
  readPrivacyStatement,
  type PrivacyStatement as Statement,
  type TierOutsideGuarantee as TierRow,
} from "../privacy/statement";
import { setPrivacyCap, setReleasePlanEntry } from "../resolvers/admin/privacyPlan";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import { GeoBucketType, SegmentDimension, TimeGranularity } from "./insights";
import { RoleEnum } from "./viewer";

export const LedgerDay = builder.objectRef<LedgerDayRow>("LedgerDay").implement({
  subGraphs: ["internal", "buyer", "business"],
  description:
    "One UTC day of the participant-day ledger: the epsilon and delta of every release family that reads that day's events.",
  fields: (t) => ({
    dayUtc: t.string({ description: "The UTC day, e.g. 2026-01-05.", resolve: (day) => day.day }),
    epsilon: t.exposeFloat("epsilon", {
      description: "Sum of the epsilons of the releases covering the day.",
    }),
    delta: t.exposeFloat("delta", { description: "Sum of their deltas." }),
    families: t.exposeInt("families", {
      description: "Release families counted (an HOUR day of one level counts once).",
    }),
    outsideGuarantee: t.exposeBoolean("outsideGuarantee", {
      description:
        "True when releases made before participant-day accounting, read by buyers, cover the day: it is outside the guarantee.",
    }),
  }),
});

const PlanEntry = builder.objectRef<PlanEntryRow>("PlanEntry").implement({
  subGraphs: ["internal", "buyer", "business"],
  description:
    "One entry of the release plan: every release of this (granularity, geo type, breakdown level) is made with this epsilon and delta. An HOUR entry is a family per day.",
  fields: (t) => ({
    granularity: t.field({
      type: TimeGranularity,
      description: "The granularity.",
      resolve: (entry) => entry.granularity,
    }),
    geoBucketType: t.field({
      type: GeoBucketType,
      description: "The geo type.",
      resolve: (entry) => entry.geoType,
    }),
    breakdown: t.field({
      type: [SegmentDimension],
      description: "The level: the segment dimensions its cells keep ([] = TOTAL).",
      resolve: (entry) => dimensionsOf(entry.level),
    }),
    epsilon: t.exposeFloat("epsilon", {
      description: "Epsilon of each release (per release; HOUR: per day).",
    }),
    delta: t.exposeFloat("delta", { description: "Delta of each release." }),
    enabled: t.exposeBoolean("enabled", { description: "Whether the entry is released." }),
  }),
});

const TierOutsideGuarantee = builder.objectRef<TierRow>("TierOutsideGuarantee").implement({
  subGraphs: ["internal", "buyer", "business"],
  description:
    "A tier whose outputs are outside the participant-day guarantee by the contract's tiering (001 seed, Appendix A): what it reads and what still holds.",
  fields: (t) => ({
    role: t.field({
      type: RoleEnum,
      description: "The role of the tier's keys.",
      resolve: (tier) => tier.role,
    }),
    tier: t.exposeString("tier", { description: 'The tier, e.g. "first_party_business".' }),
    statement: t.exposeString("statement", {
      description: "What the tier reads, why it is outside the guarantee, and what is still promised.",
    }),
  }),
});

const PrivacyStatement = builder.objectRef<Statement>("PrivacyStatement").implement({
  subGraphs: ["internal", "buyer", "business"],
  description:
    "The published guarantee: everything released to outside buyers, taken together, is (epsilon, delta)-differentially private per participant-day (all events of one participant in one UTC day).",
  fields: (t) => ({
    unit: t.string({ description: 'The privacy unit, "participant-day".', resolve: (s) => s.unit }),
    epsilonCap: t.exposeFloat("epsilonCap", {
      description:
        "No day's ledger may go above this epsilon (contract ceiling 3.0; operators may lower it).",
    }),
    deltaCap: t.exposeFloat("deltaCap", {
      description: "No day's ledger may go above this delta (ceiling 2e-5).",
    }),
    planEpsilonPerParticipantDay: t.exposeFloat("planEpsilonPerParticipantDay", {
      description: "epsilon_day of the plan: the sum of its enabled entries' epsilons.",
    }),
    planDeltaPerParticipantDay: t.exposeFloat("planDeltaPerParticipantDay", {
      description: "delta_day of the plan: the sum of its enabled entries' deltas.",
    }),
    worstCase30DayEpsilon: t.exposeFloat("worstCase30DayEpsilon", {
      description: "A participant active on each of 30 days: 30 x epsilon_day (basic composition).",
    }),
    families: t.field({
      type: [PlanEntry],
      description: "The plan's entries, each with its epsilon and delta.",
      resolve: (s) => s.families,
    }),
    highestLedgerDay: t.field({
      type: LedgerDay,
      nullable: true,
      description: "The ledger day with the highest epsilon within [fromUtc, toUtc) (all days by default).",
      resolve: (s) => s.highestLedgerDay,
    }),
    daysOutsideGuarantee: t.stringList({
      description:
        "UTC days covered by releases made before participant-day accounting that buyers read; they get no further release.",
      resolve: (s) => s.daysOutsideGuarantee,
    }),
    tiersOutsideGuarantee: t.field({
      type: [TierOutsideGuarantee],
      description:
        "Tiers whose outputs are not covered by this guarantee (first-party businesses on their own spots): none of them is an outside buyer's read.",
      resolve: (s) => [...s.tiersOutsideGuarantee],
    }),
  }),
});

builder.queryField("privacyStatement", (t) =>
  t.field({
    type: PrivacyStatement,
    description:
      "The participant-day guarantee: cap, plan, 30-day worst case and the highest ledger day of a range (every role).",
    authScopes: { authenticated: true },
    subGraphs: ["internal", "buyer", "business"],
    args: {
      fromUtc: t.arg({ type: "DateTime", required: false, description: "Start of the range (inclusive)." }),
      toUtc: t.arg({ type: "DateTime", required: false, description: "End of the range (exclusive)." }),
    },
    resolve: (_root, { fromUtc, toUtc }, context) =>
      readPrivacyStatement(context.database.query, { from: fromUtc ?? null, to: toUtc ?? null }),
  }),
);

const PrivacyCapType = builder.objectRef<PrivacyCap>("PrivacyCap").implement({
  description: "The participant-day cap.",
  fields: (t) => ({
    epsilonCap: t.exposeFloat("epsilonCap", { description: "Highest epsilon any ledger day may reach." }),
    deltaCap: t.exposeFloat("deltaCap", { description: "Highest delta any ledger day may reach." }),
  }),
});

const SetPrivacyCapInput = builder.inputType("SetPrivacyCapInput", {
  description: "A new participant-day cap: at most the contract ceiling, at least the plan's sums.",
  fields: (t) => ({
    epsilonCap: t.float({ required: true, description: "Epsilon per participant-day (0 < cap <= 3.0)." }),
    deltaCap: t.float({ required: true, description: "Delta per participant-day (0 < cap <= 2e-5)." }),
  }),
});

const SetPrivacyCapPayload = mutationPayload<{ cap: PrivacyCap | null; userErrors: UserError[] }>(
  "SetPrivacyCapPayload",
  "The result of setPrivacyCap.",
  (t) => ({
    cap: t.field({
      type: PrivacyCapType,
      nullable: true,
      description: "The cap as it now stands.",
      resolve: (p) => p.cap,
    }),
  }),
);

adminMutationField("setPrivacyCap", {
  payload: SetPrivacyCapPayload,
  description:
    "Set the participant-day cap (operators): never above the contract ceiling, never below the plan's epsilon_day. Audited.",
  input: { type: SetPrivacyCapInput, description: "The new cap." },
  auditTarget: () => "privacy_cap",
  run: setPrivacyCap,
  refused: { cap: null },
});

const SetReleasePlanEntryInput = builder.inputType("SetReleasePlanEntryInput", {
  description: "One release plan entry to add or change; the whole plan must stay within the cap.",
  fields: (t) => ({
    granularity: t.field({ type: TimeGranularity, required: true, description: "The granularity." }),
    geoBucketType: t.field({ type: GeoBucketType, required: true, description: "The geo type." }),
    breakdown: t.field({
      type: [SegmentDimension],
      required: true,
      description: "The level: the dimensions kept (all three = FULL, [] = TOTAL).",
    }),
    epsilon: t.float({
      required: true,
      description: "Epsilon per release: above 0, at most the contract's (DAY and WEEK 0.5, HOUR 0.25).",
    }),
    delta: t.float({
      required: true,
      description: "Delta per release: above 0, at most the contract's 1e-6.",
    }),
    enabled: t.boolean({ required: true, description: "Whether the entry is released." }),
  }),
});

const SetReleasePlanEntryPayload = mutationPayload<{ plan: PlanEntryRow[] | null; userErrors: UserError[] }>(
  "SetReleasePlanEntryPayload",
  "The result of setReleasePlanEntry.",
  (t) => ({
    plan: t.field({
      type: [PlanEntry],
      nullable: true,
      description: "The whole plan as it now stands.",
      resolve: (p) => p.plan,
    }),
  }),
);

adminMutationField("setReleasePlanEntry", {
  payload: SetReleasePlanEntryPayload,
  description:
    "Add or change a release plan entry (operators); refused when the plan's epsilon_day or delta_day would go above the cap. Applies to releases made from now on. Audited.",
  input: { type: SetReleasePlanEntryInput, description: "The entry." },
  auditTarget: (input) =>
    `${input.granularity}/${input.geoBucketType}/${levelOf(input.breakdown as Dimension[])}`,
  run: setReleasePlanEntry,
  refused: { plan: null },
});
