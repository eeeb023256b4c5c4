-- Older databases may hold several PENDING proposals for one action and target. Keep the first
-- (by creation time, then id) open with every signal in its reason; reject the others as merged.
WITH "ranked" AS (
  SELECT "id", "reason", "created_at",
         first_value("id") OVER "w" AS "keeper", row_number() OVER "w" AS "n"
  FROM "action_ledger" WHERE "approval_status" = 'PENDING'
  WINDOW "w" AS (PARTITION BY "action_type", "target" ORDER BY "created_at", "id")
), "merged" AS (
  SELECT "keeper", string_agg("reason", ' ' ORDER BY "created_at", "id") AS "reasons"
  FROM "ranked" WHERE "n" > 1 GROUP BY "keeper"
)
UPDATE "action_ledger" AS a SET "reason" = a."reason" || ' ' || m."reasons"
FROM "merged" AS m WHERE a."id" = m."keeper";--> statement-breakpoint
UPDATE "action_ledger" AS a SET "approval_status" = 'REJECTED', "decided_by" = 'migration 0002', "decided_at" = now(), "decision_reason" = 'Merged into the first pending proposal for the same action and target.'
WHERE a."approval_status" = 'PENDING' AND EXISTS (
  SELECT 1 FROM "action_ledger" AS b
  WHERE b."approval_status" = 'PENDING' AND b."action_type" = a."action_type" AND b."target" = a."target"
    AND (b."created_at", b."id") < (a."created_at", a."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "action_ledger_one_pending_uq" ON "action_ledger" USING btree ("action_type","target") WHERE approval_status = 'PENDING';
