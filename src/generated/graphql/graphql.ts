/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Which feed item, and what to mark it. */
export type AcknowledgeFeedItemInput = {
  /** The feed item. */
  id: string | number;
  /** READ or ARCHIVED. */
  status: AcknowledgeStatus;
};

/** What an operator marks a feed item as. */
export type AcknowledgeStatus =
  /** Closed; a persisting signal opens a new item. */
  | 'ARCHIVED'
  /** Seen; the incident stays open. */
  | 'READ';

/** Approve or reject a proposed action. */
export type ActionDecision =
  /** Approve it: it is executed at once. */
  | 'APPROVE'
  /** Reject it: nothing is done. */
  | 'REJECT';

/** What became of a proposed action. */
export type ActionStatus =
  /** Approved and carried out. */
  | 'EXECUTED'
  /** Approved, but it could not be carried out. */
  | 'FAILED'
  /** Not executed (pending or rejected). */
  | 'PROPOSED';

/** An operator's decision on a proposed action. */
export type ApprovalStatus =
  /** Approved (and executed). */
  | 'APPROVED'
  /** Awaiting a decision. */
  | 'PENDING'
  /** Rejected; nothing was done. */
  | 'REJECTED';

/** The category of the door. */
export type Category =
  /** The art category. */
  | 'ART'
  /** The coffee category. */
  | 'COFFEE'
  /** The community category. */
  | 'COMMUNITY'
  /** The food category. */
  | 'FOOD'
  /** The music category. */
  | 'MUSIC'
  /** The other category. */
  | 'OTHER'
  /** The outdoor category. */
  | 'OUTDOOR'
  /** The sports category. */
  | 'SPORTS'
  /** The tech category. */
  | 'TECH';

/** When the door was opened, on the UTC clock; weekends take precedence. */
export type Context =
  /** 16:00-23:00 UTC on a weekday. */
  | 'EVENING'
  /** 11:00-16:00 UTC on a weekday. */
  | 'MIDDAY'
  /** 06:00-11:00 UTC on a weekday. */
  | 'MORNING'
  /** Night (23:00-06:00 UTC on a weekday). */
  | 'UNKNOWN'
  /** Any time on Saturday or Sunday (UTC). */
  | 'WEEKEND';

/** A data-contract invariant the contract verifier re-checks (001 seed, applied as the 004 seed's verify_gold_contracts). */
export type ContractCheck =
  /** A UTC day's ledger epsilon or delta is above the participant-day cap (days outside the guarantee excepted: they are published as such). Count: release families that day. */
  | 'DAY_OVER_CAP'
  /** A data-contract denied key (user_id, latitude, message, ... in any case style) in a stored buyer-visible value (geo bucket id, city name) or a rendered export record. Count: cells, records or names. */
  | 'DENIED_KEY'
  /** A geo bucket finer than city scale: a CITY_CODE id that is not a defined city (e.g. a locality), or a GEOHASH3 id that is not exactly 3 geohash characters. Count: cells. */
  | 'GEO_FINER_THAN_CITY'
  /** A suppressed cell carries a metric (a stored estimate, or in its rendered export record a metric or margin). Count: cells or records. */
  | 'METRIC_ON_SUPPRESSED'
  /** A served cell is released although its bounded true count of distinct participants is below k (the receipt's k-min, never below the contract's 100, HOUR 300). Count: cells. */
  | 'RELEASED_BELOW_K'
  /** A release family lacks a participant-day ledger row for a day it covers, or the row holds less epsilon than the release. Count: days. */
  | 'RELEASE_WITHOUT_LEDGER'
  /** A release has no receipt. Count: 1. */
  | 'RELEASE_WITHOUT_RECEIPT'
  /** A cause of suppression a buyer could tell apart: a rendered export record whose suppressed_reason is not below_threshold (or not null when released), or a served released cell carrying a stored cause. Count: cells or records. */
  | 'SUPPRESSION_CAUSE_VISIBLE';

/** Whether a violation is still found. */
export type ContractViolationStatus =
  /** The newest run that re-checked its subject still found it. */
  | 'OPEN'
  /** A later run re-checked its subject and no longer found it. */
  | 'RESOLVED';

/** Which database engine serves the API. */
export type DatabaseBackend =
  /** The embedded PGlite database (demo mode). */
  | 'PGLITE'
  /** A PostgreSQL server (DATABASE_URL). */
  | 'POSTGRES';

/** The 003 seed's verdict on active connections. */
export type DatabaseHealthStatus =
  /** Active connections below the warning threshold. */
  | 'OK'
  /** Active connections at or above the warning threshold (the connections monitor fires). */
  | 'WARNING';

/** Which proposed action, the decision and why. */
export type DecideActionInput = {
  /** APPROVE (executes it) or REJECT. */
  decision: ActionDecision;
  /** The proposed action. */
  id: string | number;
  /** Why (1 to 500 characters); kept with the decision. */
  reason: string;
};

/** What kind of door a participant opened. */
export type DoorType =
  /** A community. */
  | 'COMMUNITY'
  /** An event. */
  | 'EVENT'
  /** A place. */
  | 'SPOT';

/** Where an ops feed item stands. */
export type FeedStatus =
  /** Closed; a persisting signal opens a new item. */
  | 'ARCHIVED'
  /** Not looked at yet. */
  | 'NEW'
  /** Seen; the incident is still open (no new item for it). */
  | 'READ';

/** How cells are grouped in space; never finer than city scale. */
export type GeoBucketType =
  /** A city code such as us-nyc (via the geohash3 -> city map). */
  | 'CITY_CODE'
  /** A geohash of precision 3 (about 156 km), among the mapped cells. */
  | 'GEOHASH3';

/** A batch of project rows for the calling TENANT key's tenant. */
export type ImportProjectsInput = {
  /** The tenant's batch id; a non-UUID is kept and mapped to a deterministic UUID. */
  batchId: string;
  /** A UUID to trace the batch by; generated when absent. */
  correlationId?: string | null | undefined;
  /** True validates and reports row errors only; nothing is stored. */
  dryRun?: boolean | null | undefined;
  /** 1..5000 rows, at most 5 MB in all and 8 KB each. */
  rows: Array<ProjectRowInput>;
  /** Which system sent the batch, e.g. projects-import. */
  source: string;
};

/** Which cells to read: one granularity and geo type, a time range, one breakdown level, and optional segment filters. */
export type InsightsFilter = {
  /** The breakdown level: which segment dimensions the cells keep; the others are rolled up (read null, meaning all). [] = TOTAL, one cell per geo bucket. Absent: FULL (all three) for DAY and WEEK; for HOUR the dimension of its one segment filter, or TOTAL without one. Only levels in the release plan (LEVEL_NOT_AVAILABLE names those released; see privacyStatement.families); each level is its own releases, charged on its own. */
  breakdown?: Array<SegmentDimension> | null | undefined;
  /** Only these categories (FILTER_NOT_ALLOWED when the breakdown rolls CATEGORY up). */
  categories?: Array<Category> | null | undefined;
  /** Only these contexts (FILTER_NOT_ALLOWED when the breakdown rolls CONTEXT up). */
  contexts?: Array<Context> | null | undefined;
  /** Only these door types (FILTER_NOT_ALLOWED when the breakdown rolls DOOR_TYPE up). */
  doorTypes?: Array<DoorType> | null | undefined;
  /** Geo bucket ids to read; absent = all buckets of that type (DAY, WEEK); HOUR requires 1..10. */
  geoBucketIds?: Array<string> | null | undefined;
  /** How cells are grouped in space (default CITY_CODE). */
  geoBucketType?: GeoBucketType;
  /** Bucket width (default DAY). */
  granularity?: TimeGranularity;
  /** Exclusive end, aligned likewise. */
  timeBucketEndUtc: string;
  /** Inclusive start, aligned to the granularity (hour; day 00:00 UTC; ISO week Monday 00:00 UTC). */
  timeBucketStartUtc: string;
};

/** A new API key. */
export type IssueApiKeyInput = {
  /** BUSINESS keys (required for them): the business whose own spots the key may read. */
  businessId?: string | null | undefined;
  /** When it stops working; never when absent. */
  expiresAt?: string | null | undefined;
  /** Who or what it is for (1 to 100 characters). */
  name: string;
  /** BUYER keys: the buyer, starting outside_buyer_. */
  partnerId?: string | null | undefined;
  /** What the key may do. */
  role: Role;
  /** TENANT keys: the tenant it may import for. */
  tenantId?: string | null | undefined;
};

/** Where a place sits in the hierarchy city -> locality -> neighbourhood. */
export type LocalityKind =
  /** A part of a city (e.g. Brooklyn). */
  | 'LOCALITY'
  /** A part of a locality (e.g. Williamsburg). */
  | 'NEIGHBOURHOOD';

/** What a monitor proposes into the action ledger when it fires. */
export type MonitorAction =
  /** Nothing: it only raises feed items. */
  | 'NONE'
  /** Revoke every active key of the buyer a firing row names (targets starting outside_buyer_). */
  | 'REVOKE_BUYER_KEYS';

/** One project row as in the 002 seed, in camelCase. Every field is a string as the tenant's export holds it; the service trims and validates them and reports problems per row. */
export type ProjectRowInput = {
  /** Commercial premises: a non-negative integer; blank is 0. */
  commercial?: string | null | undefined;
  /** Delivery partner as spelled by the tenant; normalized via partner normalization. */
  deliveryPartner?: string | null | undefined;
  /** Deployment specialist's preferred username in the DS directory. */
  deploymentSpecialist?: string | null | undefined;
  /** Developer class, e.g. Class 2. */
  developerClass?: string | null | undefined;
  /** Essential premises: a non-negative integer; blank is 0. */
  essential?: string | null | undefined;
  /** Total premises: a non-negative integer; blank is 0. */
  premisesCount?: string | null | undefined;
  /** Relationship manager's display name (or preferred username) in the RM directory. */
  relationshipManager?: string | null | undefined;
  /** Residential premises: a non-negative integer; blank is 0. */
  residential?: string | null | undefined;
  /** Relationship manager's preferred username, when the tenant has it. */
  rmPreferredUsername?: string | null | undefined;
  /** The project key (required, non-blank). */
  stageApplication?: string | null | undefined;
  /** When the stage application was created (YYYY-MM-DD). */
  stageApplicationCreated?: string | null | undefined;
};

/** What kind of deleted rows a retention count is about. */
export type RetentionCountKind =
  /** Ops feed items. */
  | 'FEED_ITEM'
  /** Monitor runs (monitor events). */
  | 'MONITOR_EVENT';

/** Which key to revoke. */
export type RevokeApiKeyInput = {
  /** The key to revoke. */
  id: string | number;
};

/** What an API key may do. */
export type Role =
  /** First-party business: businessInsights on its own spots only (outside the outside-buyer DP guarantee), viewer, privacyStatement. */
  | 'BUSINESS'
  /** Outside data buyer: insights, quotes, viewer and the dataset export. */
  | 'BUYER'
  /** Internal tool: every read, including diagnostics and ops views. */
  | 'INTERNAL'
  /** Operator: everything INTERNAL may, plus admin mutations. */
  | 'OPERATOR'
  /** Import tenant: importProjects for its own tenant only. */
  | 'TENANT';

/** Which key to replace, and how long the old one keeps working. */
export type RotateApiKeyInput = {
  /** The key to replace. */
  id: string | number;
  /** Seconds the old key keeps working (0: refused from now on; at most 30 days). */
  overlapSeconds?: number | null | undefined;
};

/** Ages for one run of the ops feed retention; each left out is the ops_feed_retention_v1 policy's. Validated as runRetention's: 0..3650 days, 0 only with confirm. */
export type RunFeedRetentionInput = {
  /** Archive READ feed items older than this many days (0..3650; policy default 30). */
  archiveReadDays?: number | null | undefined;
  /** Must be true to run with an age of 0 (every row of that kind, however new). */
  confirm?: boolean | null | undefined;
  /** Delete feed items of any status older than this many days (0..3650; policy default 90), their counts kept. */
  deleteDays?: number | null | undefined;
  /** Delete monitor events older than this many days (0..3650; policy default 180), except each monitor's newest, their counts kept. */
  monitorEventsDays?: number | null | undefined;
};

/** Which monitors to run now. */
export type RunMonitorsInput = {
  /** Only these monitors (each must exist and be enabled); every enabled one when absent. */
  names?: Array<string> | null | undefined;
};

/** Which releases to compute: granularities and a range of bucket starts. */
export type RunPrecomputeInput = {
  /** Start of the range (floored to each granularity's bucket). */
  from: string;
  /** The granularities to compute. */
  granularities: Array<TimeGranularity>;
  /** End of the range, exclusive: buckets starting before it (at most 400 days after from). */
  to: string;
};

/** A segment dimension a breakdown level keeps (the others are rolled up: they read null, meaning all). */
export type SegmentDimension =
  /** The door's category. */
  | 'CATEGORY'
  /** When the door was opened (UTC clock). */
  | 'CONTEXT'
  /** The door type (SPOT, EVENT, COMMUNITY). */
  | 'DOOR_TYPE';

/** A buyer's new privacy budget. */
export type SetBuyerBudgetInput = {
  /** Distinct query shapes per UTC day; unchanged when absent. */
  dailyQueryLimit?: number | null | undefined;
  /** Epsilon allowed per rolling window (0..1000). */
  epsilonLimit: number;
  /** The buyer (outside_buyer_...). */
  partnerId: string;
};

/** A new participant-day cap: at most the contract ceiling, at least the plan's sums. */
export type SetPrivacyCapInput = {
  /** Delta per participant-day (0 < cap <= 2e-5). */
  deltaCap: number;
  /** Epsilon per participant-day (0 < cap <= 3.0). */
  epsilonCap: number;
};

/** One release plan entry to add or change; the whole plan must stay within the cap. */
export type SetReleasePlanEntryInput = {
  /** The level: the dimensions kept (all three = FULL, [] = TOTAL). */
  breakdown: Array<SegmentDimension>;
  /** Delta per release: above 0, at most the contract's 1e-6. */
  delta: number;
  /** Whether the entry is released. */
  enabled: boolean;
  /** Epsilon per release: above 0, at most the contract's (DAY and WEEK 0.5, HOUR 0.25). */
  epsilon: number;
  /** The geo type. */
  geoBucketType: GeoBucketType;
  /** The granularity. */
  granularity: TimeGranularity;
};

/** A timing policy's new parameters. */
export type SetTimingPolicyInput = {
  /** The parameters as JSON text; validated per policy. */
  payload: string;
  /** Which policy. */
  policyKey: string;
};

/** How serious an import anomaly, a monitor or an ops feed item is (dbt/Soda-style severity bands). */
export type Severity =
  /** Needs action: for an import row, a membership could not be made (unknown DS or RM); for a monitor, an abuse or outage signal. */
  | 'ERROR'
  /** Worth knowing; nothing is missing or broken. */
  | 'INFO'
  /** Needs a look: for an import row, imported but not normalised (unknown delivery partner); for a monitor, a drift worth checking. */
  | 'WARNING';

/** Width of a time bucket. Buckets are aligned in UTC; weeks are ISO weeks starting Monday. */
export type TimeGranularity =
  /** One UTC day (the default). */
  | 'DAY'
  /** One hour (stricter profile: 168 h delay, k-min 300). */
  | 'HOUR'
  /** One ISO week, Monday 00:00 UTC to the next Monday. */
  | 'WEEK';

/** A city's definition: code, name, centre and radius. */
export type UpsertCityDefinitionInput = {
  /** Centre latitude. */
  centerLat: number;
  /** Centre longitude. */
  centerLng: number;
  /** The city code, e.g. us-la. */
  code: string;
  /** ISO 3166-1 alpha-2 country, e.g. US. */
  countryCode: string;
  /** The city's name. */
  name: string;
  /** Higher wins contested cells (default 0). */
  priority?: number | null | undefined;
  /** Radius in km (1..300). */
  radiusKm: number;
};

/** A locality or neighbourhood to create or change, by code, and optionally its outline. */
export type UpsertLocalityInput = {
  /** Centre latitude, -90..90 (with centerLng). */
  centerLat?: number | null | undefined;
  /** Centre longitude, -180..180 (with centerLat). */
  centerLng?: number | null | undefined;
  /** Its city (an existing city definition; cannot change). */
  cityCode: string;
  /** Its code: the city code, a dash, then lowercase parts, e.g. us-nyc-brooklyn. */
  code: string;
  /** LOCALITY or NEIGHBOURHOOD. */
  kind: LocalityKind;
  /** Its name (1 to 100 characters); looked up accent-insensitively. */
  name: string;
  /** A NEIGHBOURHOOD's locality, in the same city; a LOCALITY has none. */
  parentCode?: string | null | undefined;
  /** Its outline as GeoJSON text, {"type":"Polygon","coordinates":[[[lng, lat], ...]]}: every ring closed, at least 4 positions, in range. Absent keeps the stored outline. */
  shape?: string | null | undefined;
};

/** A monitor to create or change, by name; absent fields keep what is stored. Built-in monitors keep their check and proposed action. */
export type UpsertMonitorInput = {
  /** What it watches for; required to create. */
  description?: string | null | undefined;
  /** Whether it runs (true when created without one). */
  enabled?: boolean | null | undefined;
  /** Its unique name (3-63 of a-z, 0-9, _); also the feed items' source. */
  name: string;
  /** What it proposes when it fires (NONE when created without one). */
  proposesAction?: MonitorAction | null | undefined;
  /** Severity of its feed items (WARNING when created without one). */
  severity?: Severity | null | undefined;
  /** The check: one read-only SELECT returning `value` (and optionally `target`); $1 is the window start. Run once, read-only and rolled back, before it is saved. Required to create. */
  sql?: string | null | undefined;
  /** A target fires when its value is at least this; required to create. */
  threshold?: number | null | undefined;
  /** The window the check looks back over, 1 to 43200; required to create. */
  windowMinutes?: number | null | undefined;
};

/** How far back and how many export records one run of the contract verifier checks; each left out is the contract_verifier_v1 policy's. */
export type VerifyContractsInput = {
  /** Served cells rendered as dataset export records and checked as a buyer receives them (0..10000; policy default 200). */
  sampleRecords?: number | null | undefined;
  /** Re-check releases whose bucket starts, or which were made, within this many days (1..400; policy default 35). */
  windowDays?: number | null | undefined;
};

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { role: Role } };

export type ConsoleAnomaliesQueryVariables = Exact<{
  windowHours: number;
  tenant?: string | null | undefined;
  severity?: Array<Severity> | Severity | null | undefined;
}>;


export type ConsoleAnomaliesQuery = { anomalyStats: { windowHours: number, since: string, totalCount: number, errorCount: number, warningCount: number, infoCount: number, byTypeAndSeverity: Array<{ anomalyType: string, severity: Severity, count: number }> }, anomalies: { totalCount: number, nodes: Array<{ id: string, createdAt: string, severity: Severity, anomalyType: string, tenantId: string, projectKey: string | null, rowIndex: number, payloadExcerpt: string }> } };

export type ConsoleBudgetsQueryVariables = Exact<{
  days: number;
}>;


export type ConsoleBudgetsQuery = { ops: { privacyBudgetUsage: Array<{ partnerId: string, epsilonLimit: number, epsilonSpent: number, epsilonRemaining: number, windowDays: number, lastChargeAt: string | null }>, budgetChargesPerDay: Array<{ partnerId: string, day: string, epsilon: number, charges: number }> } };

export type ConsolePrivacyQueryVariables = Exact<{
  fromUtc: string;
}>;


export type ConsolePrivacyQuery = { privacyStatement: { unit: string, epsilonCap: number, deltaCap: number, planEpsilonPerParticipantDay: number, planDeltaPerParticipantDay: number, worstCase30DayEpsilon: number, daysOutsideGuarantee: Array<string>, families: Array<{ granularity: TimeGranularity, geoBucketType: GeoBucketType, breakdown: Array<SegmentDimension>, epsilon: number, delta: number, enabled: boolean }> }, ops: { privacyLedger: { epsilonCap: number, planEpsilonPerParticipantDay: number, days: Array<{ dayUtc: string, epsilon: number, delta: number, families: number, outsideGuarantee: boolean }>, highestDay: { dayUtc: string, epsilon: number } | null } } };

export type ConsoleFreshnessQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleFreshnessQuery = { ops: { cacheFreshness: Array<{ granularity: TimeGranularity, latestReleasedBucketUtc: string | null, lagHours: number | null, stale: boolean }>, jobs: Array<{ name: string, description: string, schedule: string | null, runs24h: number, failures24h: number, nextDueAt: string | null, lastRun: { id: string, startedAt: string, finishedAt: string | null, outcome: string, rows: number | null, error: string | null } | null }> } };

export type ConsoleFeedQueryVariables = Exact<{
  status?: FeedStatus | null | undefined;
}>;


export type ConsoleFeedQuery = { ops: { feed: { totalCount: number, nodes: Array<{ id: string, createdAt: string, severity: Severity, source: string, title: string, body: string | null, status: FeedStatus, acknowledgedAt: string | null, acknowledgedBy: string | null }> }, actions: Array<{ id: string, createdAt: string, actionType: string, target: string, reason: string, proposedBy: string, approvalStatus: ApprovalStatus, status: ActionStatus, decidedAt: string | null, decidedBy: string | null, decisionReason: string | null, result: string | null }> } };

export type ConsoleRequestsQueryVariables = Exact<{
  days: number;
}>;


export type ConsoleRequestsQuery = { ops: { exportRequestStats: Array<{ day: string, requests: number, p50LatencyMs: number, p99LatencyMs: number, byOutcome: Array<{ code: string, count: number }> }>, queryFingerprintStats: Array<{ day: string, partnerId: string, distinctShapes: number, quotaRefusals: number }> } };

export type ConsoleAcknowledgeFeedItemMutationVariables = Exact<{
  input: AcknowledgeFeedItemInput;
}>;


export type ConsoleAcknowledgeFeedItemMutation = { acknowledgeFeedItem: { item: { id: string, status: FeedStatus } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type ConsoleDecideActionMutationVariables = Exact<{
  input: DecideActionInput;
}>;


export type ConsoleDecideActionMutation = { decideAction: { action: { id: string, approvalStatus: ApprovalStatus, status: ActionStatus, result: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsSetBuyerBudgetMutationVariables = Exact<{
  input: SetBuyerBudgetInput;
}>;


export type OpsSetBuyerBudgetMutation = { setBuyerBudget: { budget: { epsilonLimit: number, epsilonSpent: number, epsilonRemaining: number, windowDays: number, windowStartUtc: string } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsRunPrecomputeMutationVariables = Exact<{
  input: RunPrecomputeInput;
}>;


export type OpsRunPrecomputeMutation = { runPrecompute: { jobRunId: string | null, plannedReleases: number, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsJobRunQueryVariables = Exact<{
  id: string | number;
}>;


export type OpsJobRunQuery = { ops: { jobRun: { id: string, jobName: string, jobKey: string | null, startedAt: string, finishedAt: string | null, outcome: string, rows: number | null, planned: number | null, error: string | null } | null } };

export type OpsTimingPoliciesQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsTimingPoliciesQuery = { timingPolicies: Array<{ policyKey: string, payload: string, description: string | null, updatedAt: string, updatedBy: string | null }> };

export type OpsSetTimingPolicyMutationVariables = Exact<{
  input: SetTimingPolicyInput;
}>;


export type OpsSetTimingPolicyMutation = { setTimingPolicy: { policy: { policyKey: string, payload: string, updatedAt: string, updatedBy: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsVerifyAuditChainQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsVerifyAuditChainQuery = { ops: { verifyAuditChain: { valid: boolean, checkedEntries: number, firstBrokenId: string | null } } };

export type OpsSetPrivacyCapMutationVariables = Exact<{
  input: SetPrivacyCapInput;
}>;


export type OpsSetPrivacyCapMutation = { setPrivacyCap: { cap: { epsilonCap: number, deltaCap: number } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsSetReleasePlanEntryMutationVariables = Exact<{
  input: SetReleasePlanEntryInput;
}>;


export type OpsSetReleasePlanEntryMutation = { setReleasePlanEntry: { plan: Array<{ granularity: TimeGranularity, geoBucketType: GeoBucketType, breakdown: Array<SegmentDimension>, epsilon: number, delta: number, enabled: boolean }> | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsContractViolationFieldsFragment = { id: string, check: ContractCheck, releaseId: string | null, subject: string, count: number, detail: string, detectedAt: string, lastSeenAt: string, resolvedAt: string | null, feedItemId: string | null };

export type OpsContractViolationsQueryVariables = Exact<{
  status?: ContractViolationStatus | null | undefined;
  check?: ContractCheck | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OpsContractViolationsQuery = { ops: { contractViolations: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, check: ContractCheck, releaseId: string | null, subject: string, count: number, detail: string, detectedAt: string, lastSeenAt: string, resolvedAt: string | null, feedItemId: string | null }> } } };

export type OpsVerifyContractsMutationVariables = Exact<{
  input?: VerifyContractsInput | null | undefined;
}>;


export type OpsVerifyContractsMutation = { verifyContracts: { windowDays: number | null, windowStart: string | null, checkedReleases: number | null, checkedCells: number | null, sampledRecords: number | null, checkedDays: number | null, found: number | null, stillOpen: number | null, resolved: number | null, newViolations: Array<{ id: string, check: ContractCheck, releaseId: string | null, subject: string, count: number, detail: string, detectedAt: string, lastSeenAt: string, resolvedAt: string | null, feedItemId: string | null }> | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type DemoInsightsQueryVariables = Exact<{
  filter: InsightsFilter;
  first?: number | null | undefined;
}>;


export type DemoInsightsQuery = { insights: { totalCount: number, nodes: Array<{ metrics: { uniqueParticipantsEst: number | null } }> } };

export type DemoQuoteInsightsQueryVariables = Exact<{
  filter: InsightsFilter;
}>;


export type DemoQuoteInsightsQuery = { quoteInsights: { epsilonCost: number, wouldCountTowardQueryQuota: boolean } };

export type DemoImportProjectsMutationVariables = Exact<{
  input: ImportProjectsInput;
}>;


export type DemoImportProjectsMutation = { importProjects: { metrics: { insertedProjects: number, anomaliesCount: number } | null, rowErrors: Array<{ code: string }> } };

export type OpsCityFieldsFragment = { code: string, name: string, countryCode: string, centerLat: number, centerLng: number, radiusKm: number, priority: number, geohash3Cells: number };

export type OpsCitiesQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsCitiesQuery = { cities: Array<{ code: string, name: string, countryCode: string, centerLat: number, centerLng: number, radiusKm: number, priority: number, geohash3Cells: number }> };

export type OpsUpsertCityDefinitionMutationVariables = Exact<{
  input: UpsertCityDefinitionInput;
}>;


export type OpsUpsertCityDefinitionMutation = { upsertCityDefinition: { city: { code: string, name: string, countryCode: string, centerLat: number, centerLng: number, radiusKm: number, priority: number, geohash3Cells: number } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsPopulateCityGeohashMapMutationVariables = Exact<{ [key: string]: never; }>;


export type OpsPopulateCityGeohashMapMutation = { populateCityGeohashMap: { cells: number, cities: number, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsCityLocalitiesQueryVariables = Exact<{
  cityCode: string;
}>;


export type OpsCityLocalitiesQuery = { cityLocalities: Array<{ code: string, cityCode: string, parentCode: string | null, kind: string, name: string }> };

export type OpsUpsertLocalityMutationVariables = Exact<{
  input: UpsertLocalityInput;
}>;


export type OpsUpsertLocalityMutation = { upsertLocality: { created: boolean, locality: { code: string, cityCode: string, parentCode: string | null, kind: string, name: string } | null, shape: { geojson: string } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsCityGeohash3BoundsQueryVariables = Exact<{
  cityCode: string;
}>;


export type OpsCityGeohash3BoundsQuery = { cityGeohash3Bounds: { cityCode: string | null, cellCount: number | null, geojson: string | null, bounds: { south: number, west: number, north: number, east: number } | null, cells: Array<{ geohash3: string, source: string, bounds: { south: number, west: number, north: number, east: number } }>, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsApiKeyFieldsFragment = { id: string, name: string, prefix: string, role: Role, partnerId: string | null, tenantId: string | null, businessId: string | null, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null };

export type OpsUserErrorFieldsFragment = { field: Array<string>, code: string, message: string };

export type OpsApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsApiKeysQuery = { ops: { apiKeys: Array<{ id: string, name: string, prefix: string, role: Role, partnerId: string | null, tenantId: string | null, businessId: string | null, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null }> } };

export type OpsIssueApiKeyMutationVariables = Exact<{
  input: IssueApiKeyInput;
}>;


export type OpsIssueApiKeyMutation = { issueApiKey: { apiKey: string | null, key: { id: string, name: string, prefix: string, role: Role, partnerId: string | null, tenantId: string | null, businessId: string | null, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsRotateApiKeyMutationVariables = Exact<{
  input: RotateApiKeyInput;
}>;


export type OpsRotateApiKeyMutation = { rotateApiKey: { apiKey: string | null, key: { id: string, name: string, prefix: string, role: Role, partnerId: string | null, tenantId: string | null, businessId: string | null, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsRevokeApiKeyMutationVariables = Exact<{
  input: RevokeApiKeyInput;
}>;


export type OpsRevokeApiKeyMutation = { revokeApiKey: { key: { id: string, name: string, prefix: string, role: Role, partnerId: string | null, tenantId: string | null, businessId: string | null, createdAt: string, expiresAt: string | null, revokedAt: string | null, lastUsedAt: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsMonitorFieldsFragment = { name: string, description: string, sql: string, threshold: number, windowMinutes: number, severity: Severity, enabled: boolean, builtin: boolean, proposesAction: string | null, lastEvent: { occurredAt: string, value: number | null, fired: boolean, error: string | null } | null };

export type OpsActionFieldsFragment = { id: string, createdAt: string, actionType: string, target: string, reason: string, proposedBy: string, approvalStatus: ApprovalStatus, status: ActionStatus, decidedBy: string | null, decidedAt: string | null, decisionReason: string | null, result: string | null };

export type OpsMonitorsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsMonitorsQuery = { ops: { monitors: Array<{ name: string, description: string, sql: string, threshold: number, windowMinutes: number, severity: Severity, enabled: boolean, builtin: boolean, proposesAction: string | null, lastEvent: { occurredAt: string, value: number | null, fired: boolean, error: string | null } | null }> } };

export type OpsRunMonitorsMutationVariables = Exact<{
  input?: RunMonitorsInput | null | undefined;
}>;


export type OpsRunMonitorsMutation = { runMonitors: { checked: number, fired: number, newFeedItems: number, proposedActions: number, failed: number, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsUpsertMonitorMutationVariables = Exact<{
  input: UpsertMonitorInput;
}>;


export type OpsUpsertMonitorMutation = { upsertMonitor: { created: boolean, monitor: { name: string, description: string, sql: string, threshold: number, windowMinutes: number, severity: Severity, enabled: boolean, builtin: boolean, proposesAction: string | null, lastEvent: { occurredAt: string, value: number | null, fired: boolean, error: string | null } | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsFeedQueryVariables = Exact<{
  status?: FeedStatus | null | undefined;
  first?: number | null | undefined;
}>;


export type OpsFeedQuery = { ops: { feed: { totalCount: number, nodes: Array<{ id: string, createdAt: string, severity: Severity, status: FeedStatus, source: string, title: string, incidentKey: string | null }> } } };

export type OpsAcknowledgeFeedItemMutationVariables = Exact<{
  input: AcknowledgeFeedItemInput;
}>;


export type OpsAcknowledgeFeedItemMutation = { acknowledgeFeedItem: { item: { id: string, status: FeedStatus, acknowledgedAt: string | null, acknowledgedBy: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsActionsQueryVariables = Exact<{
  approvalStatus?: ApprovalStatus | null | undefined;
}>;


export type OpsActionsQuery = { ops: { actions: Array<{ id: string, createdAt: string, actionType: string, target: string, reason: string, proposedBy: string, approvalStatus: ApprovalStatus, status: ActionStatus, decidedBy: string | null, decidedAt: string | null, decisionReason: string | null, result: string | null }> } };

export type OpsDecideActionMutationVariables = Exact<{
  input: DecideActionInput;
}>;


export type OpsDecideActionMutation = { decideAction: { action: { id: string, createdAt: string, actionType: string, target: string, reason: string, proposedBy: string, approvalStatus: ApprovalStatus, status: ActionStatus, decidedBy: string | null, decidedAt: string | null, decisionReason: string | null, result: string | null } | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsRunFeedRetentionMutationVariables = Exact<{
  input?: RunFeedRetentionInput | null | undefined;
}>;


export type OpsRunFeedRetentionMutation = { runFeedRetention: { archiveReadDays: number | null, deleteDays: number | null, monitorEventsDays: number | null, feedItemsArchived: number | null, feedItemsDeleted: number | null, monitorEventsDeleted: number | null, userErrors: Array<{ field: Array<string>, code: string, message: string }> } };

export type OpsBudgetsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsBudgetsQuery = { ops: { privacyBudgetUsage: Array<{ partnerId: string, epsilonLimit: number, epsilonSpent: number, epsilonRemaining: number, windowDays: number, lastChargeAt: string | null }> } };

export type OpsFreshnessQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsFreshnessQuery = { ops: { cacheFreshness: Array<{ granularity: TimeGranularity, latestReleasedBucketUtc: string | null, lagHours: number | null, stale: boolean }> } };

export type OpsAuditLogQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type OpsAuditLogQuery = { ops: { auditLog: { totalCount: number, edges: Array<{ node: { id: string, at: string, action: string, actor: string, target: string | null, outcome: string, requestId: string | null } }> } } };

export type OpsJobsQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsJobsQuery = { ops: { jobs: Array<{ name: string, schedule: string | null, policyKey: string | null, runs24h: number, failures24h: number, nextDueAt: string | null, lastRun: { id: string, startedAt: string, finishedAt: string | null, outcome: string, rows: number | null, planned: number | null, error: string | null } | null }> } };

export type OpsRequestStatsQueryVariables = Exact<{
  days?: number | null | undefined;
}>;


export type OpsRequestStatsQuery = { ops: { exportRequestStats: Array<{ day: string, requests: number, p50LatencyMs: number, p99LatencyMs: number, byOutcome: Array<{ code: string, count: number }> }> } };

export type OpsFingerprintStatsQueryVariables = Exact<{
  days?: number | null | undefined;
}>;


export type OpsFingerprintStatsQuery = { ops: { queryFingerprintStats: Array<{ day: string, partnerId: string, distinctShapes: number, quotaRefusals: number }> } };

export type OpsCityCoverageQueryVariables = Exact<{ [key: string]: never; }>;


export type OpsCityCoverageQuery = { ops: { cityCodeCoverage: { unmappedEventShare7d: number, cities: Array<{ cityCode: string, name: string, geohash3Cells: number, events7d: number }> } } };

export type OpsLedgerDayFieldsFragment = { dayUtc: string, epsilon: number, delta: number, families: number, outsideGuarantee: boolean };

export type OpsPrivacyLedgerQueryVariables = Exact<{
  fromUtc?: string | null | undefined;
  toUtc?: string | null | undefined;
}>;


export type OpsPrivacyLedgerQuery = { ops: { privacyLedger: { epsilonCap: number, deltaCap: number, planEpsilonPerParticipantDay: number, days: Array<{ dayUtc: string, epsilon: number, delta: number, families: number, outsideGuarantee: boolean }>, highestDay: { dayUtc: string, epsilon: number, delta: number, families: number, outsideGuarantee: boolean } | null } } };

export type OpsPrivacyStatementQueryVariables = Exact<{
  fromUtc?: string | null | undefined;
  toUtc?: string | null | undefined;
}>;


export type OpsPrivacyStatementQuery = { privacyStatement: { unit: string, epsilonCap: number, deltaCap: number, planEpsilonPerParticipantDay: number, planDeltaPerParticipantDay: number, worstCase30DayEpsilon: number, daysOutsideGuarantee: Array<string>, families: Array<{ granularity: TimeGranularity, geoBucketType: GeoBucketType, breakdown: Array<SegmentDimension>, epsilon: number, delta: number, enabled: boolean }>, highestLedgerDay: { dayUtc: string, epsilon: number, delta: number, families: number, outsideGuarantee: boolean } | null } };

export type OpsPlanEntryFieldsFragment = { granularity: TimeGranularity, geoBucketType: GeoBucketType, breakdown: Array<SegmentDimension>, epsilon: number, delta: number, enabled: boolean };

export type OpsAnomaliesQueryVariables = Exact<{
  windowHours?: number | null | undefined;
  first?: number | null | undefined;
}>;


export type OpsAnomaliesQuery = { anomalies: { totalCount: number, nodes: Array<{ createdAt: string, severity: Severity, anomalyType: string, tenantId: string, rowIndex: number, projectKey: string | null }> } };

export type OpsDatabaseHealthQueryVariables = Exact<{
  first?: number | null | undefined;
}>;


export type OpsDatabaseHealthQuery = { ops: { databaseHealth: { backend: DatabaseBackend, serverVersion: string, status: DatabaseHealthStatus, activeConnections: number, activeConnectionsWarning: number, totalConnections: number, maxConnections: number, databaseSizeBytes: number, notes: Array<string>, connectionsByState: Array<{ state: string, count: number }>, longestRunningStatements: Array<{ pid: number, state: string, startedAt: string, durationMs: number, waitEventType: string | null, query: string }>, statementStatistics: { available: boolean, reason: string | null, statements: Array<{ query: string, calls: number, totalTimeMs: number, meanTimeMs: number, rows: number }> } } } };

export type OpsRetentionCountsQueryVariables = Exact<{
  kind?: RetentionCountKind | null | undefined;
  fromDay?: string | null | undefined;
  toDay?: string | null | undefined;
}>;


export type OpsRetentionCountsQuery = { ops: { retentionCounts: Array<{ kind: RetentionCountKind, day: string, monitor: string, severity: Severity, deleted: number, fired: number, failed: number }> } };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { role: Role, partnerId: string | null, tenantId: string | null } };

export const OpsContractViolationFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsContractViolationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContractViolation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"check"}},{"kind":"Field","name":{"kind":"Name","value":"releaseId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"detectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"feedItemId"}}]}}]} as unknown as DocumentNode<OpsContractViolationFieldsFragment, unknown>;
export const OpsCityFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsCityFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"City"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"countryCode"}},{"kind":"Field","name":{"kind":"Name","value":"centerLat"}},{"kind":"Field","name":{"kind":"Name","value":"centerLng"}},{"kind":"Field","name":{"kind":"Name","value":"radiusKm"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"geohash3Cells"}}]}}]} as unknown as DocumentNode<OpsCityFieldsFragment, unknown>;
export const OpsApiKeyFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}}]} as unknown as DocumentNode<OpsApiKeyFieldsFragment, unknown>;
export const OpsUserErrorFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsUserErrorFieldsFragment, unknown>;
export const OpsMonitorFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsMonitorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Monitor"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"sql"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"windowMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"builtin"}},{"kind":"Field","name":{"kind":"Name","value":"proposesAction"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"fired"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<OpsMonitorFieldsFragment, unknown>;
export const OpsActionFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsActionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProposedAction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"actionType"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"proposedBy"}},{"kind":"Field","name":{"kind":"Name","value":"approvalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedBy"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decisionReason"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]} as unknown as DocumentNode<OpsActionFieldsFragment, unknown>;
export const OpsLedgerDayFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsLedgerDayFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LedgerDay"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dayUtc"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"families"}},{"kind":"Field","name":{"kind":"Name","value":"outsideGuarantee"}}]}}]} as unknown as DocumentNode<OpsLedgerDayFieldsFragment, unknown>;
export const OpsPlanEntryFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsPlanEntryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PlanEntry"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"geoBucketType"}},{"kind":"Field","name":{"kind":"Name","value":"breakdown"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}}]} as unknown as DocumentNode<OpsPlanEntryFieldsFragment, unknown>;
export const ConsoleViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}}]}}]}}]} as unknown as DocumentNode<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const ConsoleAnomaliesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleAnomalies"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"windowHours"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"tenant"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"severity"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Severity"}}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"anomalyStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"windowHours"},"value":{"kind":"Variable","name":{"kind":"Name","value":"windowHours"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"windowHours"}},{"kind":"Field","name":{"kind":"Name","value":"since"}},{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"errorCount"}},{"kind":"Field","name":{"kind":"Name","value":"warningCount"}},{"kind":"Field","name":{"kind":"Name","value":"infoCount"}},{"kind":"Field","name":{"kind":"Name","value":"byTypeAndSeverity"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"anomalyType"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"anomalies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"windowHours"},"value":{"kind":"Variable","name":{"kind":"Name","value":"windowHours"}}},{"kind":"Argument","name":{"kind":"Name","value":"tenant"},"value":{"kind":"Variable","name":{"kind":"Name","value":"tenant"}}},{"kind":"Argument","name":{"kind":"Name","value":"severity"},"value":{"kind":"Variable","name":{"kind":"Name","value":"severity"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"anomalyType"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"projectKey"}},{"kind":"Field","name":{"kind":"Name","value":"rowIndex"}},{"kind":"Field","name":{"kind":"Name","value":"payloadExcerpt"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleAnomaliesQuery, ConsoleAnomaliesQueryVariables>;
export const ConsoleBudgetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleBudgets"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"days"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyBudgetUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonLimit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonSpent"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonRemaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowDays"}},{"kind":"Field","name":{"kind":"Name","value":"lastChargeAt"}}]}},{"kind":"Field","name":{"kind":"Name","value":"budgetChargesPerDay"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"days"},"value":{"kind":"Variable","name":{"kind":"Name","value":"days"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"charges"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleBudgetsQuery, ConsoleBudgetsQueryVariables>;
export const ConsolePrivacyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsolePrivacy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyStatement"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonCap"}},{"kind":"Field","name":{"kind":"Name","value":"deltaCap"}},{"kind":"Field","name":{"kind":"Name","value":"planEpsilonPerParticipantDay"}},{"kind":"Field","name":{"kind":"Name","value":"planDeltaPerParticipantDay"}},{"kind":"Field","name":{"kind":"Name","value":"worstCase30DayEpsilon"}},{"kind":"Field","name":{"kind":"Name","value":"daysOutsideGuarantee"}},{"kind":"Field","name":{"kind":"Name","value":"families"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"geoBucketType"}},{"kind":"Field","name":{"kind":"Name","value":"breakdown"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyLedger"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dayUtc"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"families"}},{"kind":"Field","name":{"kind":"Name","value":"outsideGuarantee"}}]}},{"kind":"Field","name":{"kind":"Name","value":"highestDay"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dayUtc"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}}]}},{"kind":"Field","name":{"kind":"Name","value":"epsilonCap"}},{"kind":"Field","name":{"kind":"Name","value":"planEpsilonPerParticipantDay"}}]}}]}}]}}]} as unknown as DocumentNode<ConsolePrivacyQuery, ConsolePrivacyQueryVariables>;
export const ConsoleFreshnessDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cacheFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"latestReleasedBucketUtc"}},{"kind":"Field","name":{"kind":"Name","value":"lagHours"}},{"kind":"Field","name":{"kind":"Name","value":"stale"}}]}},{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"schedule"}},{"kind":"Field","name":{"kind":"Name","value":"runs24h"}},{"kind":"Field","name":{"kind":"Name","value":"failures24h"}},{"kind":"Field","name":{"kind":"Name","value":"nextDueAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleFreshnessQuery, ConsoleFreshnessQueryVariables>;
export const ConsoleFeedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleFeed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FeedStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"feed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedBy"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"actions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"actionType"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"proposedBy"}},{"kind":"Field","name":{"kind":"Name","value":"approvalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decidedBy"}},{"kind":"Field","name":{"kind":"Name","value":"decisionReason"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleFeedQuery, ConsoleFeedQueryVariables>;
export const ConsoleRequestsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ConsoleRequests"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"days"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"exportRequestStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"days"},"value":{"kind":"Variable","name":{"kind":"Name","value":"days"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"p50LatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"p99LatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"byOutcome"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"queryFingerprintStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"days"},"value":{"kind":"Variable","name":{"kind":"Name","value":"days"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"distinctShapes"}},{"kind":"Field","name":{"kind":"Name","value":"quotaRefusals"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleRequestsQuery, ConsoleRequestsQueryVariables>;
export const ConsoleAcknowledgeFeedItemDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleAcknowledgeFeedItem"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AcknowledgeFeedItemInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acknowledgeFeedItem"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"item"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleAcknowledgeFeedItemMutation, ConsoleAcknowledgeFeedItemMutationVariables>;
export const ConsoleDecideActionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ConsoleDecideAction"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecideActionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decideAction"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"action"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"approvalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<ConsoleDecideActionMutation, ConsoleDecideActionMutationVariables>;
export const OpsSetBuyerBudgetDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsSetBuyerBudget"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetBuyerBudgetInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setBuyerBudget"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"budget"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epsilonLimit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonSpent"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonRemaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowDays"}},{"kind":"Field","name":{"kind":"Name","value":"windowStartUtc"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsSetBuyerBudgetMutation, OpsSetBuyerBudgetMutationVariables>;
export const OpsRunPrecomputeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsRunPrecompute"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RunPrecomputeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runPrecompute"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobRunId"}},{"kind":"Field","name":{"kind":"Name","value":"plannedReleases"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsRunPrecomputeMutation, OpsRunPrecomputeMutationVariables>;
export const OpsJobRunDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsJobRun"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobRun"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"jobName"}},{"kind":"Field","name":{"kind":"Name","value":"jobKey"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"planned"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]} as unknown as DocumentNode<OpsJobRunQuery, OpsJobRunQueryVariables>;
export const OpsTimingPoliciesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsTimingPolicies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timingPolicies"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policyKey"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}}]}}]}}]} as unknown as DocumentNode<OpsTimingPoliciesQuery, OpsTimingPoliciesQueryVariables>;
export const OpsSetTimingPolicyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsSetTimingPolicy"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetTimingPolicyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setTimingPolicy"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policy"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"policyKey"}},{"kind":"Field","name":{"kind":"Name","value":"payload"}},{"kind":"Field","name":{"kind":"Name","value":"updatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"updatedBy"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsSetTimingPolicyMutation, OpsSetTimingPolicyMutationVariables>;
export const OpsVerifyAuditChainDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsVerifyAuditChain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyAuditChain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"valid"}},{"kind":"Field","name":{"kind":"Name","value":"checkedEntries"}},{"kind":"Field","name":{"kind":"Name","value":"firstBrokenId"}}]}}]}}]}}]} as unknown as DocumentNode<OpsVerifyAuditChainQuery, OpsVerifyAuditChainQueryVariables>;
export const OpsSetPrivacyCapDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsSetPrivacyCap"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetPrivacyCapInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setPrivacyCap"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cap"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epsilonCap"}},{"kind":"Field","name":{"kind":"Name","value":"deltaCap"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsSetPrivacyCapMutation, OpsSetPrivacyCapMutationVariables>;
export const OpsSetReleasePlanEntryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsSetReleasePlanEntry"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SetReleasePlanEntryInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setReleasePlanEntry"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"plan"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsPlanEntryFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsPlanEntryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PlanEntry"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"geoBucketType"}},{"kind":"Field","name":{"kind":"Name","value":"breakdown"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsSetReleasePlanEntryMutation, OpsSetReleasePlanEntryMutationVariables>;
export const OpsContractViolationsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsContractViolations"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ContractViolationStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"check"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ContractCheck"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"contractViolations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"check"},"value":{"kind":"Variable","name":{"kind":"Name","value":"check"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsContractViolationFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsContractViolationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContractViolation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"check"}},{"kind":"Field","name":{"kind":"Name","value":"releaseId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"detectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"feedItemId"}}]}}]} as unknown as DocumentNode<OpsContractViolationsQuery, OpsContractViolationsQueryVariables>;
export const OpsVerifyContractsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsVerifyContracts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"VerifyContractsInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"verifyContracts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"windowDays"}},{"kind":"Field","name":{"kind":"Name","value":"windowStart"}},{"kind":"Field","name":{"kind":"Name","value":"checkedReleases"}},{"kind":"Field","name":{"kind":"Name","value":"checkedCells"}},{"kind":"Field","name":{"kind":"Name","value":"sampledRecords"}},{"kind":"Field","name":{"kind":"Name","value":"checkedDays"}},{"kind":"Field","name":{"kind":"Name","value":"found"}},{"kind":"Field","name":{"kind":"Name","value":"stillOpen"}},{"kind":"Field","name":{"kind":"Name","value":"resolved"}},{"kind":"Field","name":{"kind":"Name","value":"newViolations"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsContractViolationFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsContractViolationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ContractViolation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"check"}},{"kind":"Field","name":{"kind":"Name","value":"releaseId"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"detectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeenAt"}},{"kind":"Field","name":{"kind":"Name","value":"resolvedAt"}},{"kind":"Field","name":{"kind":"Name","value":"feedItemId"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsVerifyContractsMutation, OpsVerifyContractsMutationVariables>;
export const DemoInsightsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DemoInsights"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InsightsFilter"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"insights"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uniqueParticipantsEst"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DemoInsightsQuery, DemoInsightsQueryVariables>;
export const DemoQuoteInsightsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DemoQuoteInsights"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"InsightsFilter"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"quoteInsights"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"epsilonCost"}},{"kind":"Field","name":{"kind":"Name","value":"wouldCountTowardQueryQuota"}}]}}]}}]} as unknown as DocumentNode<DemoQuoteInsightsQuery, DemoQuoteInsightsQueryVariables>;
export const DemoImportProjectsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DemoImportProjects"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ImportProjectsInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"importProjects"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"metrics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"insertedProjects"}},{"kind":"Field","name":{"kind":"Name","value":"anomaliesCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rowErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}}]}}]}}]}}]} as unknown as DocumentNode<DemoImportProjectsMutation, DemoImportProjectsMutationVariables>;
export const OpsCitiesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsCities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsCityFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsCityFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"City"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"countryCode"}},{"kind":"Field","name":{"kind":"Name","value":"centerLat"}},{"kind":"Field","name":{"kind":"Name","value":"centerLng"}},{"kind":"Field","name":{"kind":"Name","value":"radiusKm"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"geohash3Cells"}}]}}]} as unknown as DocumentNode<OpsCitiesQuery, OpsCitiesQueryVariables>;
export const OpsUpsertCityDefinitionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsUpsertCityDefinition"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpsertCityDefinitionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertCityDefinition"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"city"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsCityFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsCityFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"City"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"countryCode"}},{"kind":"Field","name":{"kind":"Name","value":"centerLat"}},{"kind":"Field","name":{"kind":"Name","value":"centerLng"}},{"kind":"Field","name":{"kind":"Name","value":"radiusKm"}},{"kind":"Field","name":{"kind":"Name","value":"priority"}},{"kind":"Field","name":{"kind":"Name","value":"geohash3Cells"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsUpsertCityDefinitionMutation, OpsUpsertCityDefinitionMutationVariables>;
export const OpsPopulateCityGeohashMapDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsPopulateCityGeohashMap"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"populateCityGeohashMap"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cells"}},{"kind":"Field","name":{"kind":"Name","value":"cities"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsPopulateCityGeohashMapMutation, OpsPopulateCityGeohashMapMutationVariables>;
export const OpsCityLocalitiesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsCityLocalities"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cityCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cityLocalities"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cityCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cityCode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"cityCode"}},{"kind":"Field","name":{"kind":"Name","value":"parentCode"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<OpsCityLocalitiesQuery, OpsCityLocalitiesQueryVariables>;
export const OpsUpsertLocalityDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsUpsertLocality"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpsertLocalityInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertLocality"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"locality"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"cityCode"}},{"kind":"Field","name":{"kind":"Name","value":"parentCode"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"shape"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"geojson"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsUpsertLocalityMutation, OpsUpsertLocalityMutationVariables>;
export const OpsCityGeohash3BoundsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsCityGeohash3Bounds"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cityCode"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cityGeohash3Bounds"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"cityCode"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cityCode"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cityCode"}},{"kind":"Field","name":{"kind":"Name","value":"cellCount"}},{"kind":"Field","name":{"kind":"Name","value":"bounds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"south"}},{"kind":"Field","name":{"kind":"Name","value":"west"}},{"kind":"Field","name":{"kind":"Name","value":"north"}},{"kind":"Field","name":{"kind":"Name","value":"east"}}]}},{"kind":"Field","name":{"kind":"Name","value":"cells"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"geohash3"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"bounds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"south"}},{"kind":"Field","name":{"kind":"Name","value":"west"}},{"kind":"Field","name":{"kind":"Name","value":"north"}},{"kind":"Field","name":{"kind":"Name","value":"east"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"geojson"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsCityGeohash3BoundsQuery, OpsCityGeohash3BoundsQueryVariables>;
export const OpsApiKeysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsApiKeys"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKeys"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsApiKeyFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}}]} as unknown as DocumentNode<OpsApiKeysQuery, OpsApiKeysQueryVariables>;
export const OpsIssueApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsIssueApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IssueApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issueApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"}},{"kind":"Field","name":{"kind":"Name","value":"key"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsApiKeyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsIssueApiKeyMutation, OpsIssueApiKeyMutationVariables>;
export const OpsRotateApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsRotateApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RotateApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rotateApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"apiKey"}},{"kind":"Field","name":{"kind":"Name","value":"key"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsApiKeyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsRotateApiKeyMutation, OpsRotateApiKeyMutationVariables>;
export const OpsRevokeApiKeyDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsRevokeApiKey"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RevokeApiKeyInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeApiKey"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsApiKeyFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsApiKeyFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ApiKey"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"prefix"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"businessId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"revokedAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastUsedAt"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsRevokeApiKeyMutation, OpsRevokeApiKeyMutationVariables>;
export const OpsMonitorsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsMonitors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"monitors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsMonitorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsMonitorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Monitor"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"sql"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"windowMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"builtin"}},{"kind":"Field","name":{"kind":"Name","value":"proposesAction"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"fired"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]} as unknown as DocumentNode<OpsMonitorsQuery, OpsMonitorsQueryVariables>;
export const OpsRunMonitorsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsRunMonitors"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RunMonitorsInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runMonitors"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"checked"}},{"kind":"Field","name":{"kind":"Name","value":"fired"}},{"kind":"Field","name":{"kind":"Name","value":"newFeedItems"}},{"kind":"Field","name":{"kind":"Name","value":"proposedActions"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsRunMonitorsMutation, OpsRunMonitorsMutationVariables>;
export const OpsUpsertMonitorDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsUpsertMonitor"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpsertMonitorInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertMonitor"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"created"}},{"kind":"Field","name":{"kind":"Name","value":"monitor"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsMonitorFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsMonitorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Monitor"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"sql"}},{"kind":"Field","name":{"kind":"Name","value":"threshold"}},{"kind":"Field","name":{"kind":"Name","value":"windowMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}},{"kind":"Field","name":{"kind":"Name","value":"builtin"}},{"kind":"Field","name":{"kind":"Name","value":"proposesAction"}},{"kind":"Field","name":{"kind":"Name","value":"lastEvent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"fired"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsUpsertMonitorMutation, OpsUpsertMonitorMutationVariables>;
export const OpsFeedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsFeed"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"FeedStatus"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"feed"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"source"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"incidentKey"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsFeedQuery, OpsFeedQueryVariables>;
export const OpsAcknowledgeFeedItemDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsAcknowledgeFeedItem"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AcknowledgeFeedItemInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"acknowledgeFeedItem"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"item"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedAt"}},{"kind":"Field","name":{"kind":"Name","value":"acknowledgedBy"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsAcknowledgeFeedItemMutation, OpsAcknowledgeFeedItemMutationVariables>;
export const OpsActionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsActions"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"approvalStatus"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ApprovalStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"actions"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"approvalStatus"},"value":{"kind":"Variable","name":{"kind":"Name","value":"approvalStatus"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsActionFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsActionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProposedAction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"actionType"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"proposedBy"}},{"kind":"Field","name":{"kind":"Name","value":"approvalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedBy"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decisionReason"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}}]} as unknown as DocumentNode<OpsActionsQuery, OpsActionsQueryVariables>;
export const OpsDecideActionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsDecideAction"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DecideActionInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decideAction"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"action"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsActionFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsActionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ProposedAction"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"actionType"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"proposedBy"}},{"kind":"Field","name":{"kind":"Name","value":"approvalStatus"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"decidedBy"}},{"kind":"Field","name":{"kind":"Name","value":"decidedAt"}},{"kind":"Field","name":{"kind":"Name","value":"decisionReason"}},{"kind":"Field","name":{"kind":"Name","value":"result"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsDecideActionMutation, OpsDecideActionMutationVariables>;
export const OpsRunFeedRetentionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpsRunFeedRetention"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RunFeedRetentionInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"runFeedRetention"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"archiveReadDays"}},{"kind":"Field","name":{"kind":"Name","value":"deleteDays"}},{"kind":"Field","name":{"kind":"Name","value":"monitorEventsDays"}},{"kind":"Field","name":{"kind":"Name","value":"feedItemsArchived"}},{"kind":"Field","name":{"kind":"Name","value":"feedItemsDeleted"}},{"kind":"Field","name":{"kind":"Name","value":"monitorEventsDeleted"}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsUserErrorFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsUserErrorFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"UserError"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]} as unknown as DocumentNode<OpsRunFeedRetentionMutation, OpsRunFeedRetentionMutationVariables>;
export const OpsBudgetsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsBudgets"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyBudgetUsage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonLimit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonSpent"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonRemaining"}},{"kind":"Field","name":{"kind":"Name","value":"windowDays"}},{"kind":"Field","name":{"kind":"Name","value":"lastChargeAt"}}]}}]}}]}}]} as unknown as DocumentNode<OpsBudgetsQuery, OpsBudgetsQueryVariables>;
export const OpsFreshnessDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cacheFreshness"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"latestReleasedBucketUtc"}},{"kind":"Field","name":{"kind":"Name","value":"lagHours"}},{"kind":"Field","name":{"kind":"Name","value":"stale"}}]}}]}}]}}]} as unknown as DocumentNode<OpsFreshnessQuery, OpsFreshnessQueryVariables>;
export const OpsAuditLogDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsAuditLog"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"auditLog"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"at"}},{"kind":"Field","name":{"kind":"Name","value":"action"}},{"kind":"Field","name":{"kind":"Name","value":"actor"}},{"kind":"Field","name":{"kind":"Name","value":"target"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"requestId"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsAuditLogQuery, OpsAuditLogQueryVariables>;
export const OpsJobsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsJobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"jobs"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"schedule"}},{"kind":"Field","name":{"kind":"Name","value":"policyKey"}},{"kind":"Field","name":{"kind":"Name","value":"runs24h"}},{"kind":"Field","name":{"kind":"Name","value":"failures24h"}},{"kind":"Field","name":{"kind":"Name","value":"nextDueAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastRun"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"finishedAt"}},{"kind":"Field","name":{"kind":"Name","value":"outcome"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}},{"kind":"Field","name":{"kind":"Name","value":"planned"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsJobsQuery, OpsJobsQueryVariables>;
export const OpsRequestStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsRequestStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"days"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"exportRequestStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"days"},"value":{"kind":"Variable","name":{"kind":"Name","value":"days"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"requests"}},{"kind":"Field","name":{"kind":"Name","value":"p50LatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"p99LatencyMs"}},{"kind":"Field","name":{"kind":"Name","value":"byOutcome"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsRequestStatsQuery, OpsRequestStatsQueryVariables>;
export const OpsFingerprintStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsFingerprintStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"days"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"queryFingerprintStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"days"},"value":{"kind":"Variable","name":{"kind":"Name","value":"days"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"distinctShapes"}},{"kind":"Field","name":{"kind":"Name","value":"quotaRefusals"}}]}}]}}]}}]} as unknown as DocumentNode<OpsFingerprintStatsQuery, OpsFingerprintStatsQueryVariables>;
export const OpsCityCoverageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsCityCoverage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cityCodeCoverage"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unmappedEventShare7d"}},{"kind":"Field","name":{"kind":"Name","value":"cities"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cityCode"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"geohash3Cells"}},{"kind":"Field","name":{"kind":"Name","value":"events7d"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OpsCityCoverageQuery, OpsCityCoverageQueryVariables>;
export const OpsPrivacyLedgerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsPrivacyLedger"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toUtc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyLedger"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}}},{"kind":"Argument","name":{"kind":"Name","value":"toUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toUtc"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsLedgerDayFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"highestDay"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsLedgerDayFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"epsilonCap"}},{"kind":"Field","name":{"kind":"Name","value":"deltaCap"}},{"kind":"Field","name":{"kind":"Name","value":"planEpsilonPerParticipantDay"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsLedgerDayFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LedgerDay"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dayUtc"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"families"}},{"kind":"Field","name":{"kind":"Name","value":"outsideGuarantee"}}]}}]} as unknown as DocumentNode<OpsPrivacyLedgerQuery, OpsPrivacyLedgerQueryVariables>;
export const OpsPrivacyStatementDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsPrivacyStatement"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toUtc"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DateTime"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"privacyStatement"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"fromUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromUtc"}}},{"kind":"Argument","name":{"kind":"Name","value":"toUtc"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toUtc"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"unit"}},{"kind":"Field","name":{"kind":"Name","value":"epsilonCap"}},{"kind":"Field","name":{"kind":"Name","value":"deltaCap"}},{"kind":"Field","name":{"kind":"Name","value":"planEpsilonPerParticipantDay"}},{"kind":"Field","name":{"kind":"Name","value":"planDeltaPerParticipantDay"}},{"kind":"Field","name":{"kind":"Name","value":"worstCase30DayEpsilon"}},{"kind":"Field","name":{"kind":"Name","value":"families"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsPlanEntryFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"highestLedgerDay"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"OpsLedgerDayFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"daysOutsideGuarantee"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsPlanEntryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PlanEntry"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"granularity"}},{"kind":"Field","name":{"kind":"Name","value":"geoBucketType"}},{"kind":"Field","name":{"kind":"Name","value":"breakdown"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"enabled"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"OpsLedgerDayFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"LedgerDay"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"dayUtc"}},{"kind":"Field","name":{"kind":"Name","value":"epsilon"}},{"kind":"Field","name":{"kind":"Name","value":"delta"}},{"kind":"Field","name":{"kind":"Name","value":"families"}},{"kind":"Field","name":{"kind":"Name","value":"outsideGuarantee"}}]}}]} as unknown as DocumentNode<OpsPrivacyStatementQuery, OpsPrivacyStatementQueryVariables>;
export const OpsAnomaliesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsAnomalies"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"windowHours"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"anomalies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"windowHours"},"value":{"kind":"Variable","name":{"kind":"Name","value":"windowHours"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"anomalyType"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}},{"kind":"Field","name":{"kind":"Name","value":"rowIndex"}},{"kind":"Field","name":{"kind":"Name","value":"projectKey"}}]}}]}}]}}]} as unknown as DocumentNode<OpsAnomaliesQuery, OpsAnomaliesQueryVariables>;
export const OpsDatabaseHealthDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsDatabaseHealth"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"databaseHealth"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"backend"}},{"kind":"Field","name":{"kind":"Name","value":"serverVersion"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"activeConnections"}},{"kind":"Field","name":{"kind":"Name","value":"activeConnectionsWarning"}},{"kind":"Field","name":{"kind":"Name","value":"totalConnections"}},{"kind":"Field","name":{"kind":"Name","value":"maxConnections"}},{"kind":"Field","name":{"kind":"Name","value":"connectionsByState"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}},{"kind":"Field","name":{"kind":"Name","value":"databaseSizeBytes"}},{"kind":"Field","name":{"kind":"Name","value":"longestRunningStatements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pid"}},{"kind":"Field","name":{"kind":"Name","value":"state"}},{"kind":"Field","name":{"kind":"Name","value":"startedAt"}},{"kind":"Field","name":{"kind":"Name","value":"durationMs"}},{"kind":"Field","name":{"kind":"Name","value":"waitEventType"}},{"kind":"Field","name":{"kind":"Name","value":"query"}}]}},{"kind":"Field","name":{"kind":"Name","value":"statementStatistics"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"available"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"statements"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"query"}},{"kind":"Field","name":{"kind":"Name","value":"calls"}},{"kind":"Field","name":{"kind":"Name","value":"totalTimeMs"}},{"kind":"Field","name":{"kind":"Name","value":"meanTimeMs"}},{"kind":"Field","name":{"kind":"Name","value":"rows"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"notes"}}]}}]}}]}}]} as unknown as DocumentNode<OpsDatabaseHealthQuery, OpsDatabaseHealthQueryVariables>;
export const OpsRetentionCountsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"OpsRetentionCounts"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"kind"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RetentionCountKind"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"fromDay"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"toDay"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ops"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"retentionCounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"kind"},"value":{"kind":"Variable","name":{"kind":"Name","value":"kind"}}},{"kind":"Argument","name":{"kind":"Name","value":"fromDay"},"value":{"kind":"Variable","name":{"kind":"Name","value":"fromDay"}}},{"kind":"Argument","name":{"kind":"Name","value":"toDay"},"value":{"kind":"Variable","name":{"kind":"Name","value":"toDay"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"day"}},{"kind":"Field","name":{"kind":"Name","value":"monitor"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"deleted"}},{"kind":"Field","name":{"kind":"Name","value":"fired"}},{"kind":"Field","name":{"kind":"Name","value":"failed"}}]}}]}}]}}]} as unknown as DocumentNode<OpsRetentionCountsQuery, OpsRetentionCountsQueryVariables>;
export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"partnerId"}},{"kind":"Field","name":{"kind":"Name","value":"tenantId"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;