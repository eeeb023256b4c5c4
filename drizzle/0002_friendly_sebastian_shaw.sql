-- Older databases may hold several PENDING proposals for one action and target; keep the oldest open.
UPDATE "action_ledger" AS a SET "approval_status" = 'REJECTED', "status" = 'superseded', "decided_by" = 'migration 0002', "decided_at" = now(), "decision_reason" = 'Merged into the older pending proposal for the same action and target.'
WHERE a."approval_status" = 'PENDING' AND EXISTS (
  SELECT 1 FROM "action_ledger" AS b
  WHERE b."approval_status" = 'PENDING' AND b."action_type" = a."action_type" AND b."target" = a."target"
    AND (b."created_at", b."id") < (a."created_at", a."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "action_ledger_one_pending_uq" ON "action_ledger" USING btree ("action_type","target") WHERE approval_status = 'PENDING';
