import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { severity } from "./enums";

/** Where an ops feed item stands: new, read (the incident is still open) or archived (closed). */
export type FeedStatus = "new" | "read" | "archived";
/** An operator's decision on a proposed action. */
export type ApprovalStatus = "PENDING" | "APPROVED" | "REJECTED";
/** What became of a proposed action. */
export type ActionStatus = "proposed" | "executed" | "failed";
/** What the ops feed retention counts: deleted feed items or deleted monitor events. */
export type RetentionCountKind = "feed_item" | "monitor_event";

/** Outbound signed webhook deliveries (anomaly alerts), with their attempts and outcome. */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    targetUrl: text("target_url").notNull(),
    payload: jsonb("payload").notNull(),
    webhookId: text("webhook_id").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    responseStatus: integer("response_status"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
  },
  (t) => [index("alert_deliveries_created_at_idx").on(t.createdAt)],
);

/** A read-only SQL check with a threshold, run on a schedule. */
export const monitors = pgTable("monitors", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  description: text("description").notNull(),
  sql: text("sql").notNull(),
  threshold: doublePrecision("threshold").notNull(),
  windowMinutes: integer("window_minutes").notNull(),
  severity: severity("severity").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  builtin: boolean("builtin").notNull().default(false),
  /** Action type proposed into the action ledger when an abuse signal fires. */
  proposesAction: text("proposes_action"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const monitorEvents = pgTable(
  "monitor_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    monitorId: uuid("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    value: doublePrecision("value"),
    fired: boolean("fired").notNull(),
    details: jsonb("details"),
    error: text("error"),
    /** How long the check took. */
    durationMs: integer("duration_ms"),
  },
  (t) => [index("monitor_events_monitor_occurred_idx").on(t.monitorId, t.occurredAt)],
);

/** The operators' inbox: one item per incident (incident_key de-duplicates). */
export const opsFeed = pgTable(
  "ops_feed",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    severity: severity("severity").notNull(),
    source: text("source").notNull(),
    title: text("title").notNull(),
    body: text("body"),
    status: text("status").$type<FeedStatus>().notNull().default("new"),
    incidentKey: text("incident_key"),
    monitorEventId: uuid("monitor_event_id"),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: text("acknowledged_by"),
  },
  (t) => [
    index("ops_feed_status_created_idx").on(t.status, t.createdAt),
    // One open (new or read) item per incident; once archived, a persisting signal opens a new one.
    uniqueIndex("ops_feed_open_incident_key_uq").on(t.incidentKey).where(sql`status <> 'archived'`),
  ],
);

/** Proposed operator actions (e.g. revoke a key) awaiting approval, and what became of them. */
export const actionLedger = pgTable(
  "action_ledger",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    actionType: text("action_type").notNull(),
    target: text("target").notNull(),
    reason: text("reason").notNull(),
    proposedBy: text("proposed_by").notNull(),
    approvalStatus: text("approval_status").$type<ApprovalStatus>().notNull().default("PENDING"),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** Why the operator approved or rejected it. */
    decisionReason: text("decision_reason"),
    status: text("status").$type<ActionStatus>().notNull().default("proposed"),
    result: jsonb("result"),
    feedItemId: uuid("feed_item_id"),
  },
  (t) => [
    index("action_ledger_approval_created_idx").on(t.approvalStatus, t.createdAt),
    // One open proposal per action and target: further signals about it are added to its reason.
    uniqueIndex("action_ledger_one_pending_uq")
      .on(t.actionType, t.target)
      .where(sql`approval_status = 'PENDING'`),
  ],
);

/**
 * What the ops feed retention deleted, per UTC day of the deleted rows, monitor (a feed item's
 * source) and severity: the history stays countable after the rows are gone.
 */
export const opsRetentionCounts = pgTable(
  "ops_retention_counts",
  {
    /** feed_item or monitor_event. */
    kind: text("kind").$type<RetentionCountKind>().notNull(),
    /** The UTC day the deleted rows were created (feed items) or occurred (monitor events). */
    day: date("day", { mode: "string" }).notNull(),
    /** The monitor's name (a feed item's source). */
    monitor: text("monitor").notNull(),
    severity: severity("severity").notNull(),
    deleted: integer("deleted").notNull().default(0),
    /** Monitor events among them that fired. */
    fired: integer("fired").notNull().default(0),
    /** Monitor events among them whose check failed. */
    failed: integer("failed").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.day, t.monitor, t.severity] })],
);

/** Connection counts sampled before each monitors run, so a check can watch them (pg_stat_activity is out of its reach). */
export const databaseHealthSamples = pgTable(
  "database_health_samples",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sampledAt: timestamp("sampled_at", { withTimezone: true }).notNull(),
    /** Client connections running a statement. */
    active: integer("active").notNull(),
    idle: integer("idle").notNull(),
    idleInTransaction: integer("idle_in_transaction").notNull(),
    /** Every client connection, whatever its state. */
    total: integer("total").notNull(),
    maxConnections: integer("max_connections").notNull(),
  },
  (t) => [index("database_health_samples_sampled_at_idx").on(t.sampledAt)],
);
