import type { QueryFn } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { daysOutsideGuarantee, highestDay, type LedgerDay, ledgerDays } from "./participantDays";
import { loadPrivacyCap, loadReleasePlan, type PlanEntry, planTotals } from "./releasePlan";

/** The days of the budget window a participant is protected over in the published worst case. */
export const WORST_CASE_DAYS = 30;

/** A tier whose outputs the participant-day guarantee does not cover (CONTRACT.md tiering, 001 seed Appendix A). */
export interface TierOutsideGuarantee {
  role: ApiRole;
  tier: string;
  statement: string;
}

/**
 * First-party businesses (001 seed, Appendix A2) read exact, un-noised counts on their own spots:
 * less strict for their own properties, so not part of the DP guarantee, but still aggregate only.
 */
export const TIERS_OUTSIDE_GUARANTEE: readonly TierOutsideGuarantee[] = [
  {
    role: "business",
    tier: "first_party_business",
    statement:
      "BUSINESS keys read businessInsights: exact (not noised) unique participants and doors opened per own spot, hour or day and door type, 24 h after the bucket ends, cells under 10 participants suppressed. These counts are outside the outside-buyer differential-privacy guarantee above and are not in its ledger. They carry no personal data, no participant-level row, no location history and nothing that links a person across spots; every read is audited, and a BUSINESS key can never read insights, quotes or the dataset export.",
  },
];

/** What `privacyStatement` publishes (PRIVACY.md "Published"): the same for every role. */
export interface PrivacyStatement {
  unit: "participant-day";
  epsilonCap: number;
  deltaCap: number;
  planEpsilonPerParticipantDay: number;
  planDeltaPerParticipantDay: number;
  worstCase30DayEpsilon: number;
  families: PlanEntry[];
  highestLedgerDay: LedgerDay | null;
  daysOutsideGuarantee: string[];
  tiersOutsideGuarantee: readonly TierOutsideGuarantee[];
}

/**
 * The guarantee as it stands: the cap, the plan and its sums, the 30-day worst case of a participant
 * active every day, and the highest ledger day in [from, to) (all days when absent). Nothing here
 * depends on the events: the ledger follows the plan, the clock and the cap.
 */
export async function readPrivacyStatement(
  query: QueryFn,
  range: { from?: Date | null; to?: Date | null } = {},
): Promise<PrivacyStatement> {
  const [plan, cap, days, outside] = await Promise.all([
    loadReleasePlan(query),
    loadPrivacyCap(query),
    ledgerDays(query, { from: range.from ?? undefined, to: range.to ?? undefined }),
    daysOutsideGuarantee(query),
  ]);
  const { epsilonDay, deltaDay } = planTotals(plan);
  return {
    unit: "participant-day",
    epsilonCap: cap.epsilonCap,
    deltaCap: cap.deltaCap,
    planEpsilonPerParticipantDay: epsilonDay,
    planDeltaPerParticipantDay: deltaDay,
    worstCase30DayEpsilon: Number((WORST_CASE_DAYS * epsilonDay).toPrecision(12)),
    families: plan,
    highestLedgerDay: highestDay(days),
    daysOutsideGuarantee: outside,
    tiersOutsideGuarantee: TIERS_OUTSIDE_GUARANTEE,
  };
}
