import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { severity } from "./enums";

export const tenants = pgTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One row per accepted import batch; (tenant, checksum) makes replays idempotent. */
export const stagingImports = pgTable(
  "staging_imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    batchId: uuid("batch_id").notNull(),
    /** The batch id as the tenant sent it, when it was not a UUID. */
    requestBatchId: text("request_batch_id"),
    source: text("source").notNull(),
    raw: jsonb("raw").notNull(),
    batchChecksum: text("batch_checksum").notNull(),
    rowCount: integer("row_count").notNull(),
    correlationId: uuid("correlation_id").notNull(),
    status: text("status").notNull().default("merging"),
    metrics: jsonb("metrics"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    mergedAt: timestamp("merged_at", { withTimezone: true }),
  },
  (t) => [
    unique("staging_imports_tenant_checksum_uq").on(t.tenantId, t.batchChecksum),
    index("staging_imports_created_at_idx").on(t.createdAt),
  ],
);

export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    /** stage_application: the project key. */
    stageApplication: text("stage_application").notNull(),
    deliveryPartner: text("delivery_partner"),
    developerClass: text("developer_class"),
    relationshipManager: text("relationship_manager"),
    rmPreferredUsername: text("rm_preferred_username"),
    deploymentSpecialist: text("deployment_specialist"),
    residential: integer("residential").notNull().default(0),
    commercial: integer("commercial").notNull().default(0),
    essential: integer("essential").notNull().default(0),
    premisesCount: integer("premises_count").notNull().default(0),
    stageApplicationCreated: date("stage_application_created", { mode: "string" }),
    lastStagingId: uuid("last_staging_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique("projects_tenant_stage_application_uq").on(t.tenantId, t.stageApplication)],
);

/** Project -> delivery-partner organisation (canonical name via partner normalization). */
export const orgMemberships = pgTable(
  "org_memberships",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    orgName: text("org_name").notNull(),
    role: text("role").notNull().default("DELIVERY_PARTNER"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.role] })],
);

/** Project -> user (DS or RM via the directories). */
export const userMemberships = pgTable(
  "user_memberships",
  {
    projectId: uuid("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    username: text("username").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.role] })],
);

/** Raw delivery-partner spelling -> canonical organisation name. */
export const partnerNormalization = pgTable("partner_normalization", {
  /** Trimmed, lowercased raw name. */
  rawKey: text("raw_key").primaryKey(),
  canonicalName: text("canonical_name").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const dsDirectory = pgTable("ds_directory", {
  preferredUsername: text("preferred_username").primaryKey(),
  displayName: text("display_name"),
  active: boolean("active").notNull().default(true),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export const rmDirectory = pgTable(
  "rm_directory",
  {
    preferredUsername: text("preferred_username").primaryKey(),
    displayName: text("display_name").notNull(),
    active: boolean("active").notNull().default(true),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("rm_directory_display_name_idx").on(t.displayName)],
);

/** Per-row import problems; payload_excerpt holds at most 500 characters of that row only. */
export const importAnomalies = pgTable(
  "import_anomalies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull(),
    stagingId: uuid("staging_id"),
    batchId: uuid("batch_id").notNull(),
    rowIndex: integer("row_index").notNull(),
    projectKey: text("project_key"),
    anomalyType: text("anomaly_type").notNull(),
    severity: severity("severity").notNull(),
    correlationId: uuid("correlation_id").notNull(),
    payloadExcerpt: text("payload_excerpt").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("import_anomalies_created_at_idx").on(t.createdAt),
    index("import_anomalies_tenant_created_at_idx").on(t.tenantId, t.createdAt),
  ],
);

/** Counts of what retention deleted, per day. */
export const importRetentionStats = pgTable("import_retention_stats", {
  statDate: date("stat_date", { mode: "string" }).primaryKey(),
  stagingDeleted: integer("staging_deleted").notNull().default(0),
  anomaliesDeleted: integer("anomalies_deleted").notNull().default(0),
  /** What data_retention_v1 deleted: raw events, request logs, alert deliveries, monitor events. */
  eventsDeleted: integer("events_deleted").notNull().default(0),
  requestLogsDeleted: integer("request_logs_deleted").notNull().default(0),
  alertDeliveriesDeleted: integer("alert_deliveries_deleted").notNull().default(0),
  monitorEventsDeleted: integer("monitor_events_deleted").notNull().default(0),
  runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
});
