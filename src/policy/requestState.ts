import type { InsightsFilter } from "../insights/insightsFilter";
import type { ReleaseRef } from "../insights/readInsights";
import type { ReleaseLevel } from "../privacy/releasePlan";
import type { AuthFailureReason, Principal } from "./principal";

/** What the policy decided for one cell-selecting root selection; its resolver reads exactly these releases. */
export interface SelectionDecision {
  filter: InsightsFilter;
  /** The breakdown level the filter reads (checked against the plan). */
  level: ReleaseLevel;
  releases: ReleaseRef[];
  missingBuckets: Date[];
}

/** What the policy layer reports in `extensions.policy` and the request log. */
export interface PolicyReport {
  /** Set once a cell-selecting selection is in the request; only then is `extensions.policy` written. */
  active: boolean;
  fingerprints: string[];
  epsilonCharged: number;
  epsilonRemaining: number | null;
  strippedFields: string[];
  releaseIds: Set<string>;
  missingBuckets: Set<string>;
  /** Start of the buyer's budget window, from the charge; its charges since then gate trend scores. */
  budgetWindowStart: Date | null;
  /** By response key: set by the buyer policy before execution. */
  decisions: Map<string, SelectionDecision>;
  /** The request's outcome for the request log: OK or the first error code. */
  outcomeCode: string | null;
}

/** Everything known about one HTTP request, from its first hook to the request log. */
export interface RequestState {
  /** The server's own id: the key of the request's log row, budget charges and audit rows. */
  id: string;
  /** The client's x-request-id when well-formed: stored and echoed for correlation, never a key. */
  clientRequestId: string | null;
  startedAt: number;
  endpoint: "graphql" | "export" | "import";
  /** Set only in-process: the page index (0 = first) when this request is a page of a dataset export. */
  exportPage?: number;
  /** Set on a dataset export once its first page runs: its pages' log rows are its log. */
  loggedByPages?: boolean;
  /** Where the request came from (the socket's remote address unless the app was told otherwise). */
  clientAddress: string;
  /** Why the key was refused, for the request log only (clients see one reason for unknown, revoked, expired). */
  authFailure?: AuthFailureReason;
  /** A request without a key that selects only serverTime: answered, not logged at info level. */
  anonymousServerTime?: boolean;
  principal: Principal | null;
  operationName: string | null;
  policy: PolicyReport;
}

export function newPolicyReport(): PolicyReport {
  return {
    active: false,
    fingerprints: [],
    epsilonCharged: 0,
    epsilonRemaining: null,
    strippedFields: [],
    releaseIds: new Set(),
    missingBuckets: new Set(),
    budgetWindowStart: null,
    decisions: new Map(),
    outcomeCode: null,
  };
}
