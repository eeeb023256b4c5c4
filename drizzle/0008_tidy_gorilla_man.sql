CREATE TABLE "deleted_event_days" (
	"day" date PRIMARY KEY NOT NULL,
	"events_deleted" integer DEFAULT 0 NOT NULL,
	"deleted_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_retention_stats" ADD COLUMN "events_deleted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_retention_stats" ADD COLUMN "request_logs_deleted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_retention_stats" ADD COLUMN "alert_deliveries_deleted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_retention_stats" ADD COLUMN "monitor_events_deleted" integer DEFAULT 0 NOT NULL;