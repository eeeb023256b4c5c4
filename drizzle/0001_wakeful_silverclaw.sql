DROP INDEX "ops_feed_incident_key_uq";--> statement-breakpoint
ALTER TABLE "action_ledger" ADD COLUMN "decision_reason" text;--> statement-breakpoint
ALTER TABLE "monitor_events" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
CREATE UNIQUE INDEX "ops_feed_open_incident_key_uq" ON "ops_feed" USING btree ("incident_key") WHERE status <> 'archived';