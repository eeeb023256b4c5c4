import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  type ActionDecision,
  type ApprovalStatus,
  type ContractCheck,
  type FeedStatus,
  type GeoBucketType,
  type LocalityKind,
  type MonitorAction,
  OpsAcknowledgeFeedItemDocument,
  OpsActionsDocument,
  OpsAnomaliesDocument,
  OpsApiKeysDocument,
  OpsAuditLogDocument,
  OpsBudgetsDocument,
  OpsCitiesDocument,
  OpsCityCoverageDocument,
  OpsCityGeohash3BoundsDocument,
  OpsCityLocalitiesDocument,
  OpsContractViolationsDocument,
  OpsDatabaseHealthDocument,
  OpsDecideActionDocument,
  OpsFeedDocument,
  OpsFingerprintStatsDocument,
  OpsFreshnessDocument,
  OpsIssueApiKeyDocument,
  OpsJobRunDocument,
  OpsJobsDocument,
  OpsMonitorsDocument,
  OpsPopulateCityGeohashMapDocument,
  OpsPrivacyLedgerDocument,
  OpsPrivacyStatementDocument,
  OpsRequestStatsDocument,
  OpsRetentionCountsDocument,
  OpsRevokeApiKeyDocument,
  OpsRotateApiKeyDocument,
  OpsRunFeedRetentionDocument,
  OpsRunMonitorsDocument,
  OpsRunPrecomputeDocument,
  OpsSetBuyerBudgetDocument,
  OpsSetPrivacyCapDocument,
  OpsSetReleasePlanEntryDocument,
  OpsSetTimingPolicyDocument,
  OpsTimingPoliciesDocument,
  OpsUpsertCityDefinitionDocument,
  OpsUpsertLocalityDocument,
  OpsUpsertMonitorDocument,
  OpsVerifyAuditChainDocument,
  OpsVerifyContractsDocument,
  type RetentionCountKind,
  type Role,
  type SegmentDimension,
  type Severity,
  type TimeGranularity,
} from "../generated/graphql/graphql";
import { execute, type OpsEndpoint, OpsRequestError } from "./opsClient";
import { createProgress } from "./progress";
import { formatRecord, formatTable, type Row } from "./table";

export const DEFAULT_OPS_URL = "http://127.0.0.1:4000/graphql";

/** Where the command line writes, and what it needs from its environment. */
export interface OpsIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** OPS_API_KEY: the key sent when --key is not given. */
  defaultKey?: string;
  /** How --wait pauses between polls (tests pass a shorter one). */
  sleep?: (ms: number) => Promise<void>;
}

interface OptionSpec {
  type: "string" | "boolean";
  /** The value's placeholder in help, e.g. ROLE. */
  value?: string;
  required?: true;
  multiple?: true;
  description: string;
}

type Values = Record<string, string | boolean | string[] | undefined>;

interface UserErrorView {
  field: string[];
  code: string;
  message: string;
}

/** What a command produced; the caller prints it as a table, a record or JSON and picks the exit code. */
type Outcome =
  | { kind: "rows"; rows: Row[]; json: unknown; note?: string }
  | { kind: "record"; record: Row; json: unknown; secret?: string; note?: string }
  | { kind: "refused"; userErrors: UserErrorView[]; json: unknown }
  | { kind: "failed"; code: string; message: string; record?: Row; json: unknown };

interface CommandContext {
  endpoint: OpsEndpoint;
  values: Values;
  io: OpsIo;
}

interface OpsCommand {
  path: string[];
  summary: string;
  details?: string;
  options?: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<Outcome>;
}

/** Wrong usage: exit code 2, with a pointer to the command's help. */
export class OpsUsageError extends Error {}

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", value: "URL", description: `GraphQL endpoint (default ${DEFAULT_OPS_URL}).` },
  key: {
    type: "string",
    value: "KEY",
    description: "API key (OPERATOR; INTERNAL for reads); default: OPS_API_KEY.",
  },
  json: { type: "boolean", description: "Print JSON for scripts instead of tables." },
  help: { type: "boolean", description: "Show the command's help (also -h)." },
};

// ---- value parsing ------------------------------------------------------------------------------

const text = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
};

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(allowed as readonly string[]).includes(upper))
    throw new OpsUsageError(`--${name} must be one of ${allowed.join(", ")} (got "${value}")`);
  return upper as T;
}

function numberOf(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)))
    throw new OpsUsageError(`--${name} must be ${integer ? "a whole number" : "a number"} (got "${value}")`);
  return parsed;
}

function instantOf(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime()))
    throw new OpsUsageError(`--${name} must be a date or instant, e.g. 2026-01-01 or 2026-01-01T00:00:00Z`);
  return parsed.toISOString();
}

function booleanOf(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  throw new OpsUsageError(`--${name} must be true or false (got "${value}")`);
}

/** A value given inline (--sql) or read from a file (--sql-file), not both. */
function inlineOrFile(values: Values, name: string): string | undefined {
  const inline = text(values, name);
  const file = text(values, `${name}-file`);
  if (inline !== undefined && file !== undefined)
    throw new OpsUsageError(`give --${name} or --${name}-file, not both`);
  if (file === undefined) return inline;
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new OpsUsageError(
      `cannot read --${name}-file ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

const ROLES = ["BUYER", "INTERNAL", "OPERATOR", "TENANT", "BUSINESS"] as const satisfies readonly Role[];
const GRANULARITIES = ["HOUR", "DAY", "WEEK"] as const satisfies readonly TimeGranularity[];
const GEO_TYPES = ["CITY_CODE", "GEOHASH3"] as const satisfies readonly GeoBucketType[];
const SEGMENT_DIMENSIONS = [
  "DOOR_TYPE",
  "CATEGORY",
  "CONTEXT",
] as const satisfies readonly SegmentDimension[];
const FEED_STATUSES = ["NEW", "READ", "ARCHIVED"] as const satisfies readonly FeedStatus[];
const APPROVAL_STATUSES = ["PENDING", "APPROVED", "REJECTED"] as const satisfies readonly ApprovalStatus[];
const SEVERITIES = ["ERROR", "WARNING", "INFO"] as const satisfies readonly Severity[];
const MONITOR_ACTIONS = ["REVOKE_BUYER_KEYS", "NONE"] as const satisfies readonly MonitorAction[];
const LOCALITY_KINDS = ["LOCALITY", "NEIGHBOURHOOD"] as const satisfies readonly LocalityKind[];
const CONTRACT_CHECKS = [
  "RELEASED_BELOW_K",
  "SUPPRESSION_CAUSE_VISIBLE",
  "METRIC_ON_SUPPRESSED",
  "GEO_FINER_THAN_CITY",
  "DENIED_KEY",
  "RELEASE_WITHOUT_RECEIPT",
  "RELEASE_WITHOUT_LEDGER",
  "DAY_OVER_CAP",
] as const satisfies readonly ContractCheck[];
const RETENTION_KINDS = ["FEED_ITEM", "MONITOR_EVENT"] as const satisfies readonly RetentionCountKind[];

const round = (value: number) => Math.round(value * 1000) / 1000;

/** A payload's userErrors as a refusal, or its result when there are none. */
function outcomeOf<P extends { userErrors: UserErrorView[] }>(
  payload: P,
  done: (payload: P) => Outcome,
): Outcome {
  return payload.userErrors.length > 0
    ? { kind: "refused", userErrors: payload.userErrors, json: payload }
    : done(payload);
}

type KeyView = {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  partnerId: string | null;
  tenantId: string | null;
  businessId: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
};

const keyRow = (key: KeyView): Row => ({
  id: key.id,
  prefix: key.prefix,
  role: key.role,
  name: key.name,
  owner: key.partnerId ?? key.tenantId ?? key.businessId ?? null,
  createdAt: key.createdAt,
  expiresAt: key.expiresAt,
  revokedAt: key.revokedAt,
  lastUsedAt: key.lastUsedAt,
});

// ---- the commands -------------------------------------------------------------------------------

const id = (description: string): Record<string, OptionSpec> => ({
  id: { type: "string", value: "ID", required: true, description },
});
const first: Record<string, OptionSpec> = {
  first: { type: "string", value: "N", description: "How many, newest first (1 to 500; default 20)." },
};
const daysOption = (fallback: number): OptionSpec => ({
  type: "string",
  value: "N",
  description: `How many UTC days back (default ${fallback}).`,
});
const daysOf = (values: Values, fallback: number) => numberOf("days", text(values, "days"), true) ?? fallback;
const firstOf = (values: Values) => {
  const value = numberOf("first", text(values, "first"), true) ?? 20;
  if (value < 1 || value > 500) throw new OpsUsageError("--first must be from 1 to 500");
  return value;
};

const COMMANDS: OpsCommand[] = [
  {
    path: ["keys", "list"],
    summary: "Every API key: prefix, role, owner, expiry, revocation, last use (never secrets).",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsApiKeysDocument, {});
      return { kind: "rows", rows: data.ops.apiKeys.map(keyRow), json: data.ops.apiKeys };
    },
  },
  {
    path: ["keys", "issue"],
    summary: "Issue a key; its plaintext is printed once, alone on stdout.",
    details:
      "BUYER needs --partner-id outside_buyer_<name>; TENANT needs --tenant-id; BUSINESS needs --business-id.",
    options: {
      role: {
        type: "string",
        value: "ROLE",
        required: true,
        description: `What it may do: ${ROLES.join(", ")}.`,
      },
      name: { type: "string", value: "NAME", required: true, description: "Who or what it is for." },
      "partner-id": { type: "string", value: "ID", description: "BUYER keys: the buyer, outside_buyer_..." },
      "tenant-id": { type: "string", value: "ID", description: "TENANT keys: the tenant." },
      "business-id": {
        type: "string",
        value: "ID",
        description: "BUSINESS keys: the business whose own spots it may read.",
      },
      "expires-at": { type: "string", value: "ISO", description: "When it stops working (default: never)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsIssueApiKeyDocument, {
        input: {
          role: oneOf("role", text(values, "role"), ROLES) ?? "INTERNAL",
          name: text(values, "name") ?? "",
          partnerId: text(values, "partner-id") ?? null,
          tenantId: text(values, "tenant-id") ?? null,
          businessId: text(values, "business-id") ?? null,
          expiresAt: instantOf("expires-at", text(values, "expires-at")) ?? null,
        },
      });
      return outcomeOf(data.issueApiKey, (payload) => ({
        kind: "record",
        record: payload.key === null ? {} : keyRow(payload.key),
        json: payload,
        secret: payload.apiKey ?? undefined,
        note: "The key is printed once on stdout; store it now, it cannot be shown again.",
      }));
    },
  },
  {
    path: ["keys", "rotate"],
    summary: "Replace a key; the old one keeps working for --overlap-seconds.",
    options: {
      ...id("The key to replace."),
      "overlap-seconds": {
        type: "string",
        value: "N",
        description: "Seconds the old key keeps working (0 to 2592000; default 0).",
      },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRotateApiKeyDocument, {
        input: {
          id: text(values, "id") ?? "",
          overlapSeconds: numberOf("overlap-seconds", text(values, "overlap-seconds"), true) ?? 0,
        },
      });
      return outcomeOf(data.rotateApiKey, (payload) => ({
        kind: "record",
        record: payload.key === null ? {} : keyRow(payload.key),
        json: payload,
        secret: payload.apiKey ?? undefined,
        note: "The new key is printed once on stdout; the old one keeps working for the overlap only.",
      }));
    },
  },
  {
    path: ["keys", "revoke"],
    summary: "Revoke a key: refused from its very next request.",
    options: id("The key to revoke."),
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRevokeApiKeyDocument, {
        input: { id: text(values, "id") ?? "" },
      });
      return outcomeOf(data.revokeApiKey, (payload) => ({
        kind: "record",
        record: payload.key === null ? {} : keyRow(payload.key),
        json: payload,
      }));
    },
  },
  {
    path: ["budgets"],
    summary: "Every buyer's privacy budget: limit, spent, remaining, window, last charge.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsBudgetsDocument, {});
      const rows = data.ops.privacyBudgetUsage.map((row) => ({
        partner: row.partnerId,
        limit: row.epsilonLimit,
        spent: round(row.epsilonSpent),
        remaining: round(row.epsilonRemaining),
        windowDays: row.windowDays,
        lastCharge: row.lastChargeAt ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["budget", "set"],
    summary: "Set a buyer's privacy budget (and optionally its daily query-shape quota).",
    options: {
      "partner-id": {
        type: "string",
        value: "ID",
        required: true,
        description: "The buyer, outside_buyer_...",
      },
      "epsilon-limit": {
        type: "string",
        value: "E",
        required: true,
        description: "Epsilon per window (0..1000).",
      },
      "daily-query-limit": { type: "string", value: "N", description: "Distinct query shapes per UTC day." },
    },
    async run({ endpoint, values }) {
      const partnerId = text(values, "partner-id") ?? "";
      const data = await execute(endpoint, OpsSetBuyerBudgetDocument, {
        input: {
          partnerId,
          epsilonLimit: numberOf("epsilon-limit", text(values, "epsilon-limit")) ?? 0,
          dailyQueryLimit: numberOf("daily-query-limit", text(values, "daily-query-limit"), true) ?? null,
        },
      });
      return outcomeOf(data.setBuyerBudget, (payload) => ({
        kind: "record",
        record: { partner: partnerId, ...payload.budget },
        json: payload,
      }));
    },
  },
  {
    path: ["precompute", "run"],
    summary: "Compute the missing releases of a range in the background; --wait follows it to the end.",
    details: "Buckets still under the reporting delay are left out; at most 400 days per run.",
    options: {
      granularity: {
        type: "string",
        value: "G",
        required: true,
        multiple: true,
        description: `HOUR, DAY or WEEK; repeat it or separate by commas.`,
      },
      from: { type: "string", value: "DATE", required: true, description: "Start (floored to each bucket)." },
      to: { type: "string", value: "DATE", required: true, description: "End, exclusive." },
      wait: { type: "boolean", description: "Poll ops.jobRun with a progress display until the run ends." },
      "interval-ms": {
        type: "string",
        value: "MS",
        description: "Poll interval with --wait (default 1000).",
      },
      "timeout-seconds": {
        type: "string",
        value: "S",
        description: "Give up waiting after S seconds (default 3600).",
      },
    },
    async run({ endpoint, values, io }) {
      const granularities = ((values.granularity as string[] | undefined) ?? [])
        .flatMap((value) => value.split(","))
        .map((value) => oneOf("granularity", value.trim(), GRANULARITIES) ?? "DAY");
      const interval = numberOf("interval-ms", text(values, "interval-ms"), true) ?? 1000;
      const timeout = numberOf("timeout-seconds", text(values, "timeout-seconds"), true) ?? 3600;
      const data = await execute(endpoint, OpsRunPrecomputeDocument, {
        input: {
          granularities,
          from: instantOf("from", text(values, "from")) ?? "",
          to: instantOf("to", text(values, "to")) ?? "",
        },
      });
      const payload = data.runPrecompute;
      if (payload.userErrors.length > 0 || payload.jobRunId === null || values.wait !== true) {
        return outcomeOf(payload, () => ({
          kind: "record",
          record: { jobRunId: payload.jobRunId, plannedReleases: payload.plannedReleases },
          json: payload,
          note: `Follow it with: npm run ops -- precompute status --id ${payload.jobRunId}`,
        }));
      }
      return waitForRun(endpoint, io, payload.jobRunId, { interval, timeoutMs: timeout * 1000 });
    },
  },
  {
    path: ["precompute", "status"],
    summary: "One precompute run: releases done of planned, outcome, error.",
    options: id("The job run id runPrecompute returned."),
    async run({ endpoint, values }) {
      const run = (await execute(endpoint, OpsJobRunDocument, { id: text(values, "id") ?? "" })).ops.jobRun;
      if (run === null)
        return { kind: "failed", code: "NOT_FOUND", message: "No job run has this id.", json: null };
      return { kind: "record", record: { ...run }, json: run };
    },
  },
  {
    path: ["jobs"],
    summary: "Every job: schedule, policy, last run, runs and failures in 24 h, next due.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsJobsDocument, {});
      const rows = data.ops.jobs.map((job) => ({
        job: job.name,
        schedule: job.schedule ?? null,
        policy: job.policyKey ?? null,
        lastStart: job.lastRun?.startedAt ?? null,
        lastOutcome: job.lastRun?.outcome ?? null,
        rows:
          job.lastRun?.planned === null || job.lastRun?.planned === undefined
            ? (job.lastRun?.rows ?? null)
            : `${job.lastRun.rows ?? 0}/${job.lastRun.planned}`,
        runs24h: job.runs24h,
        failures24h: job.failures24h,
        nextDue: job.nextDueAt ?? null,
        error: job.lastRun?.error ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["freshness"],
    summary: "Per granularity: newest released bucket, lag, stale.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsFreshnessDocument, {});
      const rows = data.ops.cacheFreshness.map((row) => ({
        granularity: row.granularity,
        latestBucket: row.latestReleasedBucketUtc ?? null,
        lagHours: row.lagHours === null || row.lagHours === undefined ? null : round(row.lagHours),
        stale: row.stale,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["requests"],
    summary: "Buyer requests per UTC day: count, p50/p99 latency, and count per outcome code.",
    options: { days: daysOption(14) },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRequestStatsDocument, { days: daysOf(values, 14) });
      const rows = data.ops.exportRequestStats.map((row) => ({
        day: row.day,
        requests: row.requests,
        p50Ms: round(row.p50LatencyMs),
        p99Ms: round(row.p99LatencyMs),
        outcomes: row.byOutcome.map((outcome) => `${outcome.code} ${outcome.count}`).join(", "),
      }));
      return { kind: "rows", rows, json: data.ops.exportRequestStats };
    },
  },
  {
    path: ["shapes"],
    summary: "Distinct query shapes and quota refusals per buyer per UTC day (the intersection-attack view).",
    options: { days: daysOption(14) },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsFingerprintStatsDocument, { days: daysOf(values, 14) });
      const rows = data.ops.queryFingerprintStats.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["coverage"],
    summary: "Per city: geohash3 cells and events in the last 7 days; the share of events no city covers.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsCityCoverageDocument, {});
      const coverage = data.ops.cityCodeCoverage;
      const rows: Row[] = coverage.cities.map((city) => ({ ...city }));
      rows.push({
        cityCode: "(none)",
        name: `unmapped: ${round(coverage.unmappedEventShare7d * 100)}% of 7-day events`,
        geohash3Cells: null,
        events7d: null,
      });
      return { kind: "rows", rows, json: coverage };
    },
  },
  {
    path: ["contracts", "list"],
    summary:
      "What the contract verifier found: check, release or day, count, detected and resolved, newest first.",
    options: {
      status: { type: "string", value: "S", description: "Only OPEN or only RESOLVED violations." },
      check: { type: "string", value: "C", description: `Only one check: ${CONTRACT_CHECKS.join(", ")}.` },
      ...first,
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsContractViolationsDocument, {
        status: oneOf("status", text(values, "status"), ["OPEN", "RESOLVED"] as const) ?? null,
        check: oneOf("check", text(values, "check"), CONTRACT_CHECKS) ?? null,
        first: firstOf(values),
      });
      const rows = data.ops.contractViolations.nodes.map((violation) => ({
        check: violation.check,
        subject: violation.subject,
        count: violation.count,
        detectedAt: violation.detectedAt,
        resolvedAt: violation.resolvedAt,
        detail: violation.detail,
      }));
      return { kind: "rows", rows, json: data.ops.contractViolations };
    },
  },
  {
    path: ["contracts", "verify"],
    summary:
      "Run the contract verifier now: re-check recent releases and a sample of export records; new violations open ERROR feed items.",
    details:
      "The window and sample left out are the contract_verifier_v1 policy's (35 days, 200 records by default). Exit 0 even when violations are found: they are listed.",
    options: {
      "window-days": {
        type: "string",
        value: "N",
        description: "Re-check releases of the last N days (1 to 400).",
      },
      "sample-records": {
        type: "string",
        value: "N",
        description: "Export records to render and check (0 to 10000).",
      },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsVerifyContractsDocument, {
        input: {
          windowDays: numberOf("window-days", text(values, "window-days"), true) ?? null,
          sampleRecords: numberOf("sample-records", text(values, "sample-records"), true) ?? null,
        },
      });
      return outcomeOf(data.verifyContracts, ({ userErrors: _userErrors, newViolations, ...result }) => ({
        kind: "record",
        record: { ...result, newViolations: (newViolations ?? []).length },
        json: data.verifyContracts,
        ...((newViolations ?? []).length > 0
          ? {
              note: (newViolations ?? [])
                .map((violation) => `new: ${violation.check} ${violation.subject}: ${violation.detail}`)
                .join("\n"),
            }
          : {}),
      }));
    },
  },
  {
    path: ["db-health"],
    summary:
      "Database health: connections by state against the warning threshold, size, the longest-running and the slowest statements.",
    details:
      "The summary prints as a record; the longest-running statements and the slowest ones (pg_stat_statements, or why it is not available) follow on stderr.",
    options: {
      first: {
        type: "string",
        value: "N",
        description: "How many statements of each list (1 to 50; default 10).",
      },
    },
    async run({ endpoint, values }) {
      const count = numberOf("first", text(values, "first"), true) ?? 10;
      if (count < 1 || count > 50) throw new OpsUsageError("--first must be from 1 to 50");
      const data = await execute(endpoint, OpsDatabaseHealthDocument, { first: count });
      const health = data.ops.databaseHealth;
      const stats = health.statementStatistics;
      const lines = [
        ...health.notes,
        `Longest-running statements of other connections: ${health.longestRunningStatements.length === 0 ? "none" : ""}`,
        ...health.longestRunningStatements.map(
          (row) =>
            `  pid ${row.pid} ${row.state} ${round(row.durationMs)} ms${row.waitEventType ? ` (waits: ${row.waitEventType})` : ""}: ${row.query}`,
        ),
        stats.available
          ? `Slowest statements by total time (pg_stat_statements):${stats.statements.length === 0 ? " none" : ""}`
          : `Slowest statements: not available. ${stats.reason ?? ""}`,
        ...stats.statements.map(
          (row) =>
            `  ${round(row.totalTimeMs)} ms in ${row.calls} calls (mean ${round(row.meanTimeMs)} ms): ${row.query}`,
        ),
      ];
      return {
        kind: "record",
        record: {
          backend: health.backend,
          serverVersion: health.serverVersion,
          status: health.status,
          activeConnections: health.activeConnections,
          activeConnectionsWarning: health.activeConnectionsWarning,
          totalConnections: health.totalConnections,
          maxConnections: health.maxConnections,
          connectionsByState: health.connectionsByState.map((row) => `${row.state} ${row.count}`).join(", "),
          databaseSizeMb: round(health.databaseSizeBytes / 1_048_576),
          slowStatements: stats.available ? stats.statements.length : "not available",
        },
        json: health,
        note: lines.join("\n"),
      };
    },
  },
  {
    path: ["ledger"],
    summary:
      "The participant-day ledger: epsilon and delta per UTC day against the cap, and the highest day.",
    options: {
      from: { type: "string", value: "DATE", description: "First day (default: 30 days before --to)." },
      to: { type: "string", value: "DATE", description: "End, exclusive (default: now)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsPrivacyLedgerDocument, {
        fromUtc: instantOf("from", text(values, "from")) ?? null,
        toUtc: instantOf("to", text(values, "to")) ?? null,
      });
      const ledger = data.ops.privacyLedger;
      const rows = ledger.days.map((day) => ({
        day: day.dayUtc,
        epsilon: round(day.epsilon),
        cap: ledger.epsilonCap,
        delta: day.delta,
        families: day.families,
        outsideGuarantee: day.outsideGuarantee,
      }));
      const highest = ledger.highestDay;
      return {
        kind: "rows",
        rows,
        json: ledger,
        note: highest
          ? `Highest day ${highest.dayUtc}: epsilon ${round(highest.epsilon)} of the cap ${ledger.epsilonCap} (plan epsilon_day ${ledger.planEpsilonPerParticipantDay}).`
          : `No release covers this range (cap ${ledger.epsilonCap}, plan epsilon_day ${ledger.planEpsilonPerParticipantDay}).`,
      };
    },
  },
  {
    path: ["privacy"],
    summary:
      "The published guarantee: cap, plan entries, epsilon_day, 30-day worst case, highest ledger day.",
    options: {
      from: { type: "string", value: "DATE", description: "Start of the range for the highest day." },
      to: { type: "string", value: "DATE", description: "End, exclusive." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsPrivacyStatementDocument, {
        fromUtc: instantOf("from", text(values, "from")) ?? null,
        toUtc: instantOf("to", text(values, "to")) ?? null,
      });
      const statement = data.privacyStatement;
      const rows = statement.families.map((entry) => ({
        granularity: entry.granularity,
        geoType: entry.geoBucketType,
        breakdown: entry.breakdown.length === 3 ? "FULL" : entry.breakdown.join("+") || "TOTAL",
        epsilon: entry.epsilon,
        delta: entry.delta,
        enabled: entry.enabled,
      }));
      return {
        kind: "rows",
        rows,
        json: statement,
        note: `Per participant-day: plan epsilon ${statement.planEpsilonPerParticipantDay}, delta ${statement.planDeltaPerParticipantDay} (cap ${statement.epsilonCap}, ${statement.deltaCap}); 30 days: ${statement.worstCase30DayEpsilon}. Highest ledger day: ${statement.highestLedgerDay ? `${statement.highestLedgerDay.dayUtc} at ${round(statement.highestLedgerDay.epsilon)}` : "none"}.`,
      };
    },
  },
  {
    path: ["cap", "set"],
    summary:
      "Set the participant-day cap (at most the contract ceiling 3.0 / 2e-5, at least the plan's sums).",
    options: {
      epsilon: { type: "string", value: "E", required: true, description: "Epsilon per participant-day." },
      delta: { type: "string", value: "D", required: true, description: "Delta per participant-day." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsSetPrivacyCapDocument, {
        input: {
          epsilonCap: numberOf("epsilon", text(values, "epsilon")) ?? 0,
          deltaCap: numberOf("delta", text(values, "delta")) ?? 0,
        },
      });
      return outcomeOf(data.setPrivacyCap, (payload) => ({
        kind: "record",
        record: { ...payload.cap },
        json: payload,
      }));
    },
  },
  {
    path: ["plan", "set"],
    summary: "Add or change a release plan entry; refused when the plan would go above the cap.",
    options: {
      granularity: { type: "string", value: "G", required: true, description: "HOUR, DAY or WEEK." },
      "geo-type": { type: "string", value: "T", required: true, description: "CITY_CODE or GEOHASH3." },
      breakdown: {
        type: "string",
        value: "DIMS",
        description:
          "Kept dimensions, comma-separated (DOOR_TYPE,CATEGORY,CONTEXT; default all = FULL; '' = TOTAL).",
      },
      epsilon: { type: "string", value: "E", required: true, description: "Epsilon per release." },
      delta: { type: "string", value: "D", description: "Delta per release (default 1e-6)." },
      enabled: { type: "string", value: "BOOL", description: "true (default) or false." },
    },
    async run({ endpoint, values }) {
      const breakdownText = text(values, "breakdown");
      const breakdown = (
        breakdownText === undefined
          ? ["DOOR_TYPE", "CATEGORY", "CONTEXT"]
          : breakdownText.split(",").filter((value) => value.trim() !== "")
      ).map((value) => oneOf("breakdown", value.trim(), SEGMENT_DIMENSIONS) ?? "DOOR_TYPE");
      const data = await execute(endpoint, OpsSetReleasePlanEntryDocument, {
        input: {
          granularity: oneOf("granularity", text(values, "granularity"), GRANULARITIES) ?? "DAY",
          geoBucketType: oneOf("geo-type", text(values, "geo-type"), GEO_TYPES) ?? "CITY_CODE",
          breakdown,
          epsilon: numberOf("epsilon", text(values, "epsilon")) ?? 0,
          delta: numberOf("delta", text(values, "delta")) ?? 1e-6,
          enabled: booleanOf("enabled", text(values, "enabled")) ?? true,
        },
      });
      return outcomeOf(data.setReleasePlanEntry, (payload) => ({
        kind: "rows",
        rows: (payload.plan ?? []).map((entry) => ({
          granularity: entry.granularity,
          geoType: entry.geoBucketType,
          breakdown: entry.breakdown.join("+"),
          epsilon: entry.epsilon,
          delta: entry.delta,
          enabled: entry.enabled,
        })),
        json: payload,
      }));
    },
  },
  {
    path: ["anomalies"],
    summary: "Import anomalies of the last hours, newest first.",
    options: {
      hours: { type: "string", value: "N", description: "Window in hours (default 24)." },
      ...first,
    },
    async run({ endpoint, values }) {
      const windowHours = numberOf("hours", text(values, "hours"), true) ?? 24;
      const data = await execute(endpoint, OpsAnomaliesDocument, { windowHours, first: firstOf(values) });
      const rows = data.anomalies.nodes.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: data.anomalies };
    },
  },
  {
    path: ["feed", "list"],
    summary: "The ops feed, newest first.",
    options: {
      status: { type: "string", value: "S", description: `Only ${FEED_STATUSES.join(", ")} items.` },
      ...first,
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsFeedDocument, {
        status: oneOf("status", text(values, "status"), FEED_STATUSES) ?? null,
        first: firstOf(values),
      });
      const rows = data.ops.feed.nodes.map((item) => ({
        id: item.id,
        createdAt: item.createdAt,
        severity: item.severity,
        status: item.status,
        source: item.source,
        title: item.title,
      }));
      return { kind: "rows", rows, json: data.ops.feed };
    },
  },
  {
    path: ["feed", "ack"],
    summary: "Mark a feed item READ (default) or ARCHIVED.",
    options: {
      ...id("The feed item."),
      status: { type: "string", value: "S", description: "READ or ARCHIVED (default READ)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsAcknowledgeFeedItemDocument, {
        input: {
          id: text(values, "id") ?? "",
          status: oneOf("status", text(values, "status"), ["READ", "ARCHIVED"] as const) ?? "READ",
        },
      });
      return outcomeOf(data.acknowledgeFeedItem, (payload) => ({
        kind: "record",
        record: { ...payload.item },
        json: payload,
      }));
    },
  },
  {
    path: ["feed", "retention"],
    summary:
      "Run the feed retention now: archive old READ items, delete old feed items and monitor events (their counts kept).",
    details:
      "Each age left out is the ops_feed_retention_v1 policy's (30, 90 and 180 days by default); 0 needs --confirm.",
    options: {
      "archive-read-days": {
        type: "string",
        value: "N",
        description: "Archive READ items older than N days.",
      },
      "delete-days": { type: "string", value: "N", description: "Delete feed items older than N days." },
      "monitor-events-days": {
        type: "string",
        value: "N",
        description: "Delete monitor events older than N days (each monitor's newest kept).",
      },
      confirm: { type: "boolean", description: "Allow an age of 0 (every row of that kind)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRunFeedRetentionDocument, {
        input: {
          archiveReadDays: numberOf("archive-read-days", text(values, "archive-read-days"), true) ?? null,
          deleteDays: numberOf("delete-days", text(values, "delete-days"), true) ?? null,
          monitorEventsDays:
            numberOf("monitor-events-days", text(values, "monitor-events-days"), true) ?? null,
          confirm: values.confirm === true,
        },
      });
      return outcomeOf(data.runFeedRetention, ({ userErrors: _userErrors, ...result }) => ({
        kind: "record",
        record: { ...result },
        json: data.runFeedRetention,
      }));
    },
  },
  {
    path: ["feed", "counts"],
    summary: "What the feed retention deleted, per UTC day, monitor and severity (oldest first).",
    options: {
      kind: { type: "string", value: "K", description: `Only ${RETENTION_KINDS.join(" or ")} counts.` },
      from: {
        type: "string",
        value: "DATE",
        description: "First UTC day, YYYY-MM-DD (default: 399 days before --to).",
      },
      to: { type: "string", value: "DATE", description: "Last UTC day, YYYY-MM-DD (default: today)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRetentionCountsDocument, {
        kind: oneOf("kind", text(values, "kind"), RETENTION_KINDS) ?? null,
        fromDay: text(values, "from") ?? null,
        toDay: text(values, "to") ?? null,
      });
      const rows = data.ops.retentionCounts.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["actions", "list"],
    summary: "Actions the monitors proposed, newest first.",
    options: {
      status: { type: "string", value: "S", description: `Only ${APPROVAL_STATUSES.join(", ")} actions.` },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsActionsDocument, {
        approvalStatus: oneOf("status", text(values, "status"), APPROVAL_STATUSES) ?? null,
      });
      const rows = data.ops.actions.map((action) => ({
        id: action.id,
        createdAt: action.createdAt,
        action: action.actionType,
        target: action.target,
        approval: action.approvalStatus,
        status: action.status,
        proposedBy: action.proposedBy,
      }));
      return { kind: "rows", rows, json: data.ops.actions };
    },
  },
  ...(["approve", "reject"] as const).map(
    (verb): OpsCommand => ({
      path: ["actions", verb],
      summary:
        verb === "approve"
          ? "Approve a PENDING action: it is executed at once (e.g. the buyer's keys revoked)."
          : "Reject a PENDING action: nothing is done.",
      options: {
        ...id("The proposed action."),
        reason: {
          type: "string",
          value: "TEXT",
          required: true,
          description: "Why (kept with the decision).",
        },
      },
      async run({ endpoint, values }) {
        const decision: ActionDecision = verb === "approve" ? "APPROVE" : "REJECT";
        const data = await execute(endpoint, OpsDecideActionDocument, {
          input: { id: text(values, "id") ?? "", decision, reason: text(values, "reason") ?? "" },
        });
        return outcomeOf(data.decideAction, (payload) => ({
          kind: "record",
          record: { ...payload.action },
          json: payload,
        }));
      },
    }),
  ),
  {
    path: ["audit", "list"],
    summary: "The audit log, newest first.",
    options: first,
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsAuditLogDocument, { first: firstOf(values) });
      const rows = data.ops.auditLog.edges.map(({ node }) => ({
        id: node.id,
        at: node.at,
        action: node.action,
        actor: node.actor,
        target: node.target ?? null,
        outcome: node.outcome,
        requestId: node.requestId ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["audit", "verify"],
    summary: "Recompute the audit hash chain; exit code 1 names the first entry that no longer matches.",
    async run({ endpoint }) {
      const report = (await execute(endpoint, OpsVerifyAuditChainDocument, {})).ops.verifyAuditChain;
      const record = { ...report };
      return report.valid
        ? { kind: "record", record, json: report }
        : {
            kind: "failed",
            code: "AUDIT_CHAIN_BROKEN",
            message: `audit entry ${report.firstBrokenId} no longer matches its hash or link`,
            record,
            json: report,
          };
    },
  },
  {
    path: ["monitors", "list"],
    summary: "Every monitor with its newest run.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsMonitorsDocument, {});
      const rows = data.ops.monitors.map((monitor) => ({
        name: monitor.name,
        enabled: monitor.enabled,
        builtin: monitor.builtin,
        threshold: monitor.threshold,
        windowMinutes: monitor.windowMinutes,
        severity: monitor.severity,
        proposes: monitor.proposesAction ?? null,
        lastRun: monitor.lastEvent?.occurredAt ?? null,
        lastValue:
          monitor.lastEvent?.value === null || monitor.lastEvent?.value === undefined
            ? null
            : round(monitor.lastEvent.value),
        fired: monitor.lastEvent?.fired ?? null,
        error: monitor.lastEvent?.error ?? null,
      }));
      return { kind: "rows", rows, json: data.ops.monitors };
    },
  },
  {
    path: ["monitors", "run"],
    summary: "Run every enabled monitor now, or the --name'd ones.",
    options: {
      name: { type: "string", value: "NAME", multiple: true, description: "Only this monitor (repeatable)." },
    },
    async run({ endpoint, values }) {
      const names = values.name as string[] | undefined;
      const data = await execute(endpoint, OpsRunMonitorsDocument, {
        input: names === undefined ? null : { names },
      });
      return outcomeOf(data.runMonitors, ({ userErrors: _none, ...counts }) => ({
        kind: "record",
        record: counts,
        json: data.runMonitors,
      }));
    },
  },
  {
    path: ["monitors", "upsert"],
    summary: "Create or change a monitor by name; its check is run once, read-only, before it is saved.",
    details:
      "A new monitor needs --description, --sql (or --sql-file), --threshold and --window-minutes; on a change,\n" +
      "options left out keep what is stored. Built-in monitors keep their check and proposed action.",
    options: {
      name: { type: "string", value: "NAME", required: true, description: "Its unique name (a-z, 0-9, _)." },
      description: { type: "string", value: "TEXT", description: "What it watches for." },
      sql: {
        type: "string",
        value: "SQL",
        description: "One read-only SELECT returning value (and target).",
      },
      "sql-file": { type: "string", value: "PATH", description: "Read the check from a file." },
      threshold: { type: "string", value: "X", description: "Fires at or above this value." },
      "window-minutes": { type: "string", value: "N", description: "The window $1 starts (1..43200)." },
      severity: { type: "string", value: "S", description: `${SEVERITIES.join(", ")}.` },
      enabled: { type: "string", value: "BOOL", description: "true or false." },
      "proposes-action": { type: "string", value: "A", description: `${MONITOR_ACTIONS.join(" or ")}.` },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertMonitorDocument, {
        input: {
          name: text(values, "name") ?? "",
          description: text(values, "description") ?? null,
          sql: inlineOrFile(values, "sql") ?? null,
          threshold: numberOf("threshold", text(values, "threshold")) ?? null,
          windowMinutes: numberOf("window-minutes", text(values, "window-minutes"), true) ?? null,
          severity: oneOf("severity", text(values, "severity"), SEVERITIES) ?? null,
          enabled: booleanOf("enabled", text(values, "enabled")) ?? null,
          proposesAction: oneOf("proposes-action", text(values, "proposes-action"), MONITOR_ACTIONS) ?? null,
        },
      });
      return outcomeOf(data.upsertMonitor, (payload) => {
        const { lastEvent: _last, ...monitor } = payload.monitor ?? { lastEvent: null };
        return { kind: "record", record: { created: payload.created, ...monitor }, json: payload };
      });
    },
  },
  {
    path: ["policy", "list"],
    summary: "Every timing policy and its parameters.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsTimingPoliciesDocument, {});
      const rows = data.timingPolicies.map((policy) => ({
        policy: policy.policyKey,
        updatedAt: policy.updatedAt,
        updatedBy: policy.updatedBy ?? null,
        payload: policy.payload,
      }));
      return { kind: "rows", rows, json: data.timingPolicies };
    },
  },
  {
    path: ["policy", "set"],
    summary:
      "Replace a timing policy's parameters (validated per policy); the job uses them from its next tick.",
    options: {
      policy: {
        type: "string",
        value: "KEY",
        required: true,
        description: "The policy, e.g. ops_monitors_v1.",
      },
      payload: { type: "string", value: "JSON", description: "The parameters as a JSON object." },
      "payload-file": { type: "string", value: "PATH", description: "Read the parameters from a file." },
    },
    async run({ endpoint, values }) {
      const payload = inlineOrFile(values, "payload");
      if (payload === undefined) throw new OpsUsageError("give --payload or --payload-file");
      const data = await execute(endpoint, OpsSetTimingPolicyDocument, {
        input: { policyKey: text(values, "policy") ?? "", payload },
      });
      return outcomeOf(data.setTimingPolicy, (result) => ({
        kind: "record",
        record: { ...result.policy },
        json: result,
      }));
    },
  },
  {
    path: ["cities", "list"],
    summary: "Every city bucket with its centre, radius and geohash3 cells.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsCitiesDocument, {});
      return { kind: "rows", rows: data.cities.map((city) => ({ ...city })), json: data.cities };
    },
  },
  {
    path: ["cities", "upsert"],
    summary: "Create or change a city definition (then run cities populate).",
    options: {
      code: { type: "string", value: "CODE", required: true, description: "e.g. us-la." },
      name: { type: "string", value: "NAME", required: true, description: "The city's name." },
      country: { type: "string", value: "CC", required: true, description: "ISO 3166-1 alpha-2, e.g. US." },
      lat: { type: "string", value: "LAT", required: true, description: "Centre latitude." },
      lng: { type: "string", value: "LNG", required: true, description: "Centre longitude." },
      "radius-km": { type: "string", value: "KM", required: true, description: "Radius (1..300)." },
      priority: { type: "string", value: "N", description: "Higher wins contested cells (default 0)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertCityDefinitionDocument, {
        input: {
          code: text(values, "code") ?? "",
          name: text(values, "name") ?? "",
          countryCode: text(values, "country") ?? "",
          centerLat: numberOf("lat", text(values, "lat")) ?? 0,
          centerLng: numberOf("lng", text(values, "lng")) ?? 0,
          radiusKm: numberOf("radius-km", text(values, "radius-km")) ?? 0,
          priority: numberOf("priority", text(values, "priority"), true) ?? null,
        },
      });
      return outcomeOf(data.upsertCityDefinition, (payload) => ({
        kind: "record",
        record: { ...payload.city },
        json: payload,
      }));
    },
  },
  {
    path: ["cities", "populate"],
    summary: "Rebuild the geohash3 -> city map from the city circles (idempotent).",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsPopulateCityGeohashMapDocument, {});
      return outcomeOf(data.populateCityGeohashMap, ({ cells, cities }) => ({
        kind: "record",
        record: { cells, cities },
        json: data.populateCityGeohashMap,
      }));
    },
  },
  {
    path: ["cities", "bounds"],
    summary: "A city's geohash3 cells with their boxes (south, west, north, east), and the city's box.",
    details: "--json prints the payload, whose geojson field is a FeatureCollection for a map.",
    options: { city: { type: "string", value: "CODE", required: true, description: "The city code." } },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsCityGeohash3BoundsDocument, {
        cityCode: text(values, "city") ?? "",
      });
      return outcomeOf(data.cityGeohash3Bounds, (payload) => ({
        kind: "rows",
        rows: payload.cells.map((cell) => ({ geohash3: cell.geohash3, source: cell.source, ...cell.bounds })),
        json: payload,
        note: payload.bounds
          ? `${payload.cityCode}: ${payload.cellCount} cells within south ${payload.bounds.south}, west ${payload.bounds.west}, north ${payload.bounds.north}, east ${payload.bounds.east}.`
          : `${payload.cityCode}: no geohash3 cells (run cities populate).`,
      }));
    },
  },
  {
    path: ["localities", "list"],
    summary: "A city's localities and neighbourhoods.",
    options: { city: { type: "string", value: "CODE", required: true, description: "The city code." } },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsCityLocalitiesDocument, {
        cityCode: text(values, "city") ?? "",
      });
      return {
        kind: "rows",
        rows: data.cityLocalities.map((locality) => ({ ...locality })),
        json: data.cityLocalities,
      };
    },
  },
  {
    path: ["localities", "upsert"],
    summary: "Create or change a locality or neighbourhood, and its GeoJSON outline.",
    options: {
      code: { type: "string", value: "CODE", required: true, description: "e.g. us-nyc-harlem." },
      city: { type: "string", value: "CODE", required: true, description: "Its city code." },
      kind: { type: "string", value: "KIND", required: true, description: "LOCALITY or NEIGHBOURHOOD." },
      name: { type: "string", value: "NAME", required: true, description: "Its name." },
      parent: { type: "string", value: "CODE", description: "A neighbourhood's locality." },
      lat: { type: "string", value: "LAT", description: "Centre latitude (with --lng)." },
      lng: { type: "string", value: "LNG", description: "Centre longitude (with --lat)." },
      shape: { type: "string", value: "JSON", description: "Outline: a GeoJSON Polygon." },
      "shape-file": { type: "string", value: "PATH", description: "Read the outline from a file." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertLocalityDocument, {
        input: {
          code: text(values, "code") ?? "",
          cityCode: text(values, "city") ?? "",
          kind: oneOf("kind", text(values, "kind"), LOCALITY_KINDS) ?? "LOCALITY",
          name: text(values, "name") ?? "",
          parentCode: text(values, "parent") ?? null,
          centerLat: numberOf("lat", text(values, "lat")) ?? null,
          centerLng: numberOf("lng", text(values, "lng")) ?? null,
          shape: inlineOrFile(values, "shape") ?? null,
        },
      });
      return outcomeOf(data.upsertLocality, (payload) => ({
        kind: "record",
        record: { created: payload.created, ...payload.locality, outline: payload.shape !== null },
        json: payload,
      }));
    },
  },
];

/** Other spellings: `ops audit` lists the log (as it did before the subcommands), `budget list` the budgets. */
const ALIASES: Record<string, string[]> = { audit: ["audit", "list"], "budget list": ["budgets"] };

/** Every command, as typed after `ops` (for help and tests). */
export const OPS_COMMAND_PATHS: readonly string[] = COMMANDS.map((command) => command.path.join(" "));

/** Polls ops.jobRun until the run ends, showing releases done of planned on stderr. */
async function waitForRun(
  endpoint: OpsEndpoint,
  io: OpsIo,
  jobRunId: string,
  options: { interval: number; timeoutMs: number },
): Promise<Outcome> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const progress = createProgress(io.stderr);
  const deadline = Date.now() + options.timeoutMs;
  try {
    for (;;) {
      const run = (await execute(endpoint, OpsJobRunDocument, { id: jobRunId })).ops.jobRun;
      if (run === null)
        return { kind: "failed", code: "NOT_FOUND", message: `job run ${jobRunId} vanished`, json: null };
      progress.update("precompute", run.rows ?? 0, run.planned ?? 0);
      if (run.finishedAt !== null) {
        progress.stop();
        const record = { ...run };
        return run.outcome === "completed"
          ? { kind: "record", record, json: run }
          : {
              kind: "failed",
              code: run.outcome.toUpperCase(),
              message: `precompute ${run.outcome}${run.error ? `: ${run.error}` : ""}`,
              record,
              json: run,
            };
      }
      if (Date.now() >= deadline) {
        progress.stop();
        return {
          kind: "failed",
          code: "WAIT_TIMEOUT",
          message: `still running after ${options.timeoutMs / 1000} s; it goes on (npm run ops -- precompute status --id ${jobRunId})`,
          json: run,
        };
      }
      await sleep(options.interval);
    }
  } finally {
    progress.stop();
  }
}

// ---- help ---------------------------------------------------------------------------------------

const synopsis = (options: Record<string, OptionSpec> = {}) =>
  Object.entries(options)
    .map(([name, spec]) => {
      const flag = `--${name}${spec.value ? ` ${spec.value}` : ""}${spec.multiple ? " ..." : ""}`;
      return spec.required ? flag : `[${flag}]`;
    })
    .join(" ");

const optionLines = (options: Record<string, OptionSpec>) => {
  const flags = Object.entries(options).map(
    ([name, spec]) => `--${name}${spec.value ? ` ${spec.value}` : ""}`,
  );
  const width = Math.max(...flags.map((flag) => flag.length));
  return Object.values(options)
    .map((spec, index) => `  ${(flags[index] ?? "").padEnd(width)}  ${spec.description}\n`)
    .join("");
};

const FOOTER = `Global options:
${optionLines(GLOBAL_OPTIONS)}
Exit codes: 0 done, 1 refused or failed (the userError or error code is printed), 2 wrong usage.
`;

function commandList(commands: OpsCommand[]): string {
  const names = commands.map((command) => command.path.join(" "));
  const width = Math.max(...names.map((name) => name.length));
  return commands
    .map((command, index) => `  ${(names[index] ?? "").padEnd(width)}  ${command.summary}\n`)
    .join("");
}

export const OPS_HELP = `Usage: npm run ops -- <command> [options]

Talks to a running server over HTTP with an API key, using only the generated typed documents
(src/cli/operations/*.graphql). Mutations need an OPERATOR key; INTERNAL keys may read. Write the
command first, then its options; every command has --help.

Commands:
${commandList(COMMANDS)}
${FOOTER}`;

function groupHelp(group: string): string {
  return `Usage: npm run ops -- ${group} <subcommand> [options]

Subcommands:
${commandList(COMMANDS.filter((command) => command.path[0] === group))}
${FOOTER}`;
}

function commandHelp(command: OpsCommand): string {
  const options = command.options ?? {};
  return `Usage: npm run ops -- ${command.path.join(" ")} ${synopsis(options)}

${command.summary}
${command.details ? `${command.details}\n` : ""}${Object.keys(options).length > 0 ? `\nOptions:\n${optionLines(options)}` : ""}
${FOOTER}`;
}

// ---- running ------------------------------------------------------------------------------------

/**
 * Runs one ops command (argv after `ops`) against a server and returns the exit code: 0 done,
 * 1 refused (userErrors) or failed (an error code), 2 wrong usage.
 */
export async function runOps(argv: string[], io: OpsIo): Promise<number> {
  const split = argv.findIndex((arg) => arg.startsWith("-"));
  const words = split === -1 ? argv : argv.slice(0, split);
  const rest = split === -1 ? [] : argv.slice(split);
  const wantsHelp = rest.includes("--help") || rest.includes("-h") || words[0] === "help";
  const usage = (message: string, help = "npm run ops -- --help") => {
    io.stderr.write(`error: ${message}\nrun \`${help}\` for usage\n`);
    return 2;
  };

  if (words.length === 0 || words[0] === "help") {
    (wantsHelp ? io.stdout : io.stderr).write(OPS_HELP);
    return wantsHelp ? 0 : 2;
  }
  const path = ALIASES[words.join(" ")] ?? words;
  const command = COMMANDS.find(
    (candidate) =>
      candidate.path.length === path.length && candidate.path.every((word, index) => path[index] === word),
  );
  if (command === undefined) {
    const group = COMMANDS.some((candidate) => candidate.path[0] === words[0] && candidate.path.length > 1);
    if (group && words.length === 1) {
      (wantsHelp ? io.stdout : io.stderr).write(groupHelp(words[0] ?? ""));
      return wantsHelp ? 0 : 2;
    }
    return usage(`unknown command "${words.join(" ")}"`);
  }
  const commandName = command.path.join(" ");
  const help = `npm run ops -- ${commandName} --help`;

  let values: Values;
  try {
    const options = { ...GLOBAL_OPTIONS, ...command.options };
    values = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          {
            type: spec.type,
            ...(spec.multiple ? { multiple: true } : {}),
            ...(name === "help" ? { short: "h" } : {}),
          },
        ]),
      ),
    }).values as Values;
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error), help);
  }
  if (values.help === true) {
    io.stdout.write(commandHelp(command));
    return 0;
  }
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    if (spec.required && values[name] === undefined) return usage(`--${name} is required`, help);
  }
  const key = text(values, "key") ?? io.defaultKey ?? "";
  if (key === "") return usage("no API key: pass --key or set OPS_API_KEY", help);
  const json = values.json === true;

  let outcome: Outcome;
  try {
    outcome = await command.run({
      endpoint: { url: text(values, "url") ?? DEFAULT_OPS_URL, key },
      values,
      io,
    });
  } catch (error) {
    if (error instanceof OpsUsageError) return usage(error.message, help);
    if (!(error instanceof OpsRequestError)) throw error;
    if (json)
      io.stdout.write(
        `${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`,
      );
    else io.stderr.write(`error: ${error.code}: ${error.message}\n`);
    return 1;
  }
  return print(outcome, io, json);
}

function print(outcome: Outcome, io: OpsIo, json: boolean): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    if (outcome.kind === "failed" && outcome.json === null)
      io.stderr.write(`error: ${outcome.code}: ${outcome.message}\n`);
    return outcome.kind === "refused" || outcome.kind === "failed" ? 1 : 0;
  }
  switch (outcome.kind) {
    case "rows":
      io.stdout.write(formatTable(outcome.rows));
      if (outcome.note !== undefined) io.stderr.write(`${outcome.note}\n`);
      return 0;
    case "record":
      if (outcome.secret !== undefined) {
        // The secret alone on stdout, so `KEY=$(npm run -s ops -- keys issue ...)` captures just it.
        io.stdout.write(`${outcome.secret}\n`);
        io.stderr.write(formatRecord(outcome.record));
      } else {
        io.stdout.write(formatRecord(outcome.record));
      }
      if (outcome.note !== undefined) io.stderr.write(`${outcome.note}\n`);
      return 0;
    case "refused":
      for (const error of outcome.userErrors)
        io.stderr.write(`error: ${error.code} (${error.field.join(".")}): ${error.message}\n`);
      return 1;
    case "failed":
      if (outcome.record !== undefined) io.stdout.write(formatRecord(outcome.record));
      io.stderr.write(`error: ${outcome.code}: ${outcome.message}\n`);
      return 1;
  }
}
