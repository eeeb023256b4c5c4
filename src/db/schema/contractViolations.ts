import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** The checks of the contract verifier; src/jobs/contractVerifier.ts (CONTRACT_CHECKS) says what each finds. */
export type ContractCheck =
  | "released_below_k"
  | "suppression_cause_visible"
  | "metric_on_suppressed"
  | "geo_finer_than_city"
  | "denied_key"
  | "release_without_receipt"
  | "release_without_ledger"
  | "day_over_cap";

/**
 * What the contract verifier found (004 seed, verify_gold_contracts -> contract_violations, applied
 * to the 001 contract's invariants): one row per check and subject (a release, a ledger day, a
 * city), open until a run that re-checks the subject no longer finds it.
 */
export const contractViolations = pgTable(
  "contract_violations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The check that failed, e.g. released_below_k (src/jobs/contractVerifier.ts, CONTRACT_CHECKS). */
    checkName: text("check_name").$type<ContractCheck>().notNull(),
    /** The release (for ledger checks: the family's first release); null for a day or a city. */
    releaseId: uuid("release_id"),
    /** What the violation is about: the release id, the ledger day (YYYY-MM-DD) or city:<code>. */
    subject: text("subject").notNull(),
    /** How many cells, records, ledger days or values break the check (the newest run's count). */
    rowCount: integer("row_count").notNull(),
    /** One line for operators: what was found and the limit (no true counts beyond the lowest). */
    detail: text("detail").notNull(),
    detectedAt: timestamp("detected_at", { withTimezone: true }).notNull(),
    /** The newest run that still found it. */
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    /** Set by the first run that re-checked the subject and no longer found it. */
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    /** The ops feed item opened for it (severity error). */
    feedItemId: uuid("feed_item_id"),
  },
  (t) => [
    // One open violation per check and subject: an hourly re-run updates it instead of adding one.
    uniqueIndex("contract_violations_open_uq").on(t.checkName, t.subject).where(sql`resolved_at is null`),
    index("contract_violations_detected_idx").on(t.detectedAt),
  ],
);
