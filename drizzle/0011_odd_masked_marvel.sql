CREATE TABLE "database_health_samples" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sampled_at" timestamp with time zone NOT NULL,
	"active" integer NOT NULL,
	"idle" integer NOT NULL,
	"idle_in_transaction" integer NOT NULL,
	"total" integer NOT NULL,
	"max_connections" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ops_retention_counts" (
	"kind" text NOT NULL,
	"day" date NOT NULL,
	"monitor" text NOT NULL,
	"severity" "severity" NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"fired" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ops_retention_counts_kind_day_monitor_severity_pk" PRIMARY KEY("kind","day","monitor","severity")
);
--> statement-breakpoint
CREATE INDEX "database_health_samples_sampled_at_idx" ON "database_health_samples" USING btree ("sampled_at");--> statement-breakpoint
-- Monitor events are now kept by ops_feed_retention_v1 (180 days, the 004 seed's age, with their counts per day, monitor and severity); data_retention_v1 no longer deletes them.
UPDATE "timing_policies" SET "payload" = "payload" - 'monitor_events_days', "description" = 'Daily deletion of raw interaction events (once every release reading their day is made, or the day is past the precompute window), request logs and alert deliveries older than their ages (counts kept in import_retention_stats).' WHERE "policy_key" = 'data_retention_v1';
