import {
  bigint,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { apiRole } from "./enums";

/** One row per API request: who, what shape, outcome, epsilon charged, latency. No payloads. */
export const requestLogs = pgTable(
  "request_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    /** The server's own id of the request, the key of its budget charges and audit rows. */
    requestId: text("request_id").notNull(),
    /** The client's x-request-id, when it sent a well-formed one; only for correlating, never a key. */
    clientRequestId: text("client_request_id"),
    keyPrefix: text("key_prefix"),
    role: apiRole("role"),
    partnerId: text("partner_id"),
    operationName: text("operation_name"),
    fingerprints: text("fingerprints").array(),
    outcomeCode: text("outcome_code").notNull(),
    epsilonCharged: doublePrecision("epsilon_charged").notNull().default(0),
    latencyMs: integer("latency_ms").notNull(),
    httpStatus: integer("http_status"),
    endpoint: text("endpoint").notNull().default("graphql"),
    /** Why a key was refused (MISSING, MALFORMED, BAD_CHECKSUM, UNKNOWN, REVOKED, EXPIRED): for operators only. */
    outcomeDetail: text("outcome_detail"),
  },
  (t) => [index("request_logs_at_idx").on(t.at), index("request_logs_partner_at_idx").on(t.partnerId, t.at)],
);

/** Tamper-evident audit trail: each entry hashes the previous one. */
export const auditLogs = pgTable(
  "audit_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    /** e.g. admin_mutation, outside_buyer_privacy_budget, output_scan, key_bootstrap */
    type: text("type").notNull(),
    actorKeyId: uuid("actor_key_id"),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    outcome: text("outcome").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    details: jsonb("details"),
    requestId: text("request_id"),
    prevHash: text("prev_hash"),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_logs_at_idx").on(t.at), index("audit_logs_type_at_idx").on(t.type, t.at)],
);

/** Every job run (precompute, retention, alerts, monitors): start, end, outcome, rows, error. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    jobName: text("job_name").notNull(),
    /** What the run was for, e.g. "day:2026-01-01:city_code"; one running run per key. */
    jobKey: text("job_key"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    outcome: text("outcome").notNull(),
    rows: integer("rows"),
    error: text("error"),
    details: jsonb("details"),
  },
  (t) => [index("job_runs_name_started_idx").on(t.jobName, t.startedAt)],
);
