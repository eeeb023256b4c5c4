import {
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { apiRole } from "./enums";
import { businesses } from "./events";
import { releases } from "./releases";

/** API keys: only the SHA-256 of the key and its first 12 characters are kept. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    role: apiRole("role").notNull(),
    partnerId: text("partner_id"),
    tenantId: text("tenant_id"),
    /** BUSINESS keys: the business whose spots the key may read. */
    businessId: text("business_id").references(() => businesses.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    /** The key this one replaced by rotation, if any. */
    rotatedFromId: uuid("rotated_from_id"),
    createdBy: text("created_by").notNull(),
  },
  (t) => [index("api_keys_partner_idx").on(t.partnerId)],
);

/** Per-buyer privacy budget and daily distinct-shape quota. */
export const buyerBudgets = pgTable("buyer_budgets", {
  partnerId: text("partner_id").primaryKey(),
  epsilonLimit: doublePrecision("epsilon_limit").notNull(),
  windowDays: integer("window_days").notNull().default(30),
  dailyQueryLimit: integer("daily_query_limit").notNull().default(50),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** One charge per buyer per release per window; reading a charged release again is free. */
export const budgetCharges = pgTable(
  "budget_charges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerId: text("partner_id").notNull(),
    releaseId: uuid("release_id")
      .notNull()
      .references(() => releases.id),
    epsilon: doublePrecision("epsilon").notNull(),
    chargedAt: timestamp("charged_at", { withTimezone: true }).notNull(),
    requestId: text("request_id"),
  },
  (t) => [
    index("budget_charges_partner_release_idx").on(t.partnerId, t.releaseId, t.chargedAt),
    index("budget_charges_partner_charged_at_idx").on(t.partnerId, t.chargedAt),
  ],
);

/** Distinct query shapes per buyer per UTC day (intersection defence). */
export const queryFingerprints = pgTable(
  "query_fingerprints",
  {
    partnerId: text("partner_id").notNull(),
    day: date("day", { mode: "string" }).notNull(),
    fingerprint: text("fingerprint").notNull(),
    algorithmVersion: integer("algorithm_version").notNull(),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull(),
    hits: integer("hits").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.partnerId, t.day, t.fingerprint] })],
);

/** The partner_id of every BUYER key starts with this (outside_buyer_acme): how the buyer monitors and budgets know a buyer. */
export const BUYER_PARTNER_PREFIX = "outside_buyer_";
