import type { QueryFn } from "../db/client";
import { daysOutsideGuarantee, highestDay, type LedgerDay, ledgerDays } from "./participantDays";
import { loadPrivacyCap, loadReleasePlan, type PlanEntry, planTotals } from "./releasePlan";

/** The days of the budget window a participant is protected over in the published worst case. */
export const WORST_CASE_DAYS = 30;

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
  };
}
