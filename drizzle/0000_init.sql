CREATE TYPE "public"."api_role" AS ENUM('buyer', 'internal', 'operator', 'tenant');--> statement-breakpoint
CREATE TYPE "public"."category" AS ENUM('coffee', 'music', 'sports', 'art', 'food', 'outdoor', 'tech', 'community', 'other');--> statement-breakpoint
CREATE TYPE "public"."door_type" AS ENUM('spot', 'event', 'community');--> statement-breakpoint
CREATE TYPE "public"."geo_bucket_type" AS ENUM('city_code', 'geohash3');--> statement-breakpoint
CREATE TYPE "public"."segment_context" AS ENUM('morning', 'midday', 'evening', 'weekend', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('error', 'warning', 'info');--> statement-breakpoint
CREATE TYPE "public"."suppression_reason" AS ENUM('k_min', 'dominance', 'noisy_threshold');--> statement-breakpoint
CREATE TYPE "public"."time_granularity" AS ENUM('hour', 'day', 'week');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"role" "api_role" NOT NULL,
	"partner_id" text,
	"tenant_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"rotated_from_id" uuid,
	"created_by" text NOT NULL,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "budget_charges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_id" text NOT NULL,
	"release_id" uuid NOT NULL,
	"epsilon" double precision NOT NULL,
	"charged_at" timestamp with time zone NOT NULL,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "buyer_budgets" (
	"partner_id" text PRIMARY KEY NOT NULL,
	"epsilon_limit" double precision NOT NULL,
	"window_days" integer DEFAULT 30 NOT NULL,
	"daily_query_limit" integer DEFAULT 50 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query_fingerprints" (
	"partner_id" text NOT NULL,
	"day" date NOT NULL,
	"fingerprint" text NOT NULL,
	"algorithm_version" integer NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"hits" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "query_fingerprints_partner_id_day_fingerprint_pk" PRIMARY KEY("partner_id","day","fingerprint")
);
--> statement-breakpoint
CREATE TABLE "interaction_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "interaction_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"participant_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"geohash" text NOT NULL,
	"geohash3" text NOT NULL,
	"door_type" "door_type" NOT NULL,
	"category" "category" NOT NULL,
	"spot_id" text,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spots" (
	"id" text PRIMARY KEY NOT NULL,
	"city_code" text NOT NULL,
	"name" text NOT NULL,
	"door_type" "door_type" NOT NULL,
	"category" "category" NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"geohash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "city_definitions" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"country_code" text NOT NULL,
	"center_lat" double precision NOT NULL,
	"center_lng" double precision NOT NULL,
	"radius_km" double precision NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "city_geohash3_map" (
	"geohash3" text PRIMARY KEY NOT NULL,
	"city_code" text NOT NULL,
	"source" text DEFAULT 'circle' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "localities" (
	"code" text PRIMARY KEY NOT NULL,
	"city_code" text NOT NULL,
	"parent_code" text,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"name_key" text NOT NULL,
	"center_lat" double precision,
	"center_lng" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "locality_shapes" (
	"locality_code" text PRIMARY KEY NOT NULL,
	"geojson" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ds_directory" (
	"preferred_username" text PRIMARY KEY NOT NULL,
	"display_name" text,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_anomalies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"staging_id" uuid,
	"batch_id" uuid NOT NULL,
	"row_index" integer NOT NULL,
	"project_key" text,
	"anomaly_type" text NOT NULL,
	"severity" "severity" NOT NULL,
	"correlation_id" uuid NOT NULL,
	"payload_excerpt" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_retention_stats" (
	"stat_date" date PRIMARY KEY NOT NULL,
	"staging_deleted" integer DEFAULT 0 NOT NULL,
	"anomalies_deleted" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_memberships" (
	"project_id" uuid NOT NULL,
	"org_name" text NOT NULL,
	"role" text DEFAULT 'DELIVERY_PARTNER' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_memberships_project_id_role_pk" PRIMARY KEY("project_id","role")
);
--> statement-breakpoint
CREATE TABLE "partner_normalization" (
	"raw_key" text PRIMARY KEY NOT NULL,
	"canonical_name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"stage_application" text NOT NULL,
	"delivery_partner" text,
	"developer_class" text,
	"relationship_manager" text,
	"rm_preferred_username" text,
	"deployment_specialist" text,
	"residential" integer DEFAULT 0 NOT NULL,
	"commercial" integer DEFAULT 0 NOT NULL,
	"essential" integer DEFAULT 0 NOT NULL,
	"premises_count" integer DEFAULT 0 NOT NULL,
	"stage_application_created" date,
	"last_staging_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_tenant_stage_application_uq" UNIQUE("tenant_id","stage_application")
);
--> statement-breakpoint
CREATE TABLE "rm_directory" (
	"preferred_username" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "staging_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text NOT NULL,
	"batch_id" uuid NOT NULL,
	"request_batch_id" text,
	"source" text NOT NULL,
	"raw" jsonb NOT NULL,
	"batch_checksum" text NOT NULL,
	"row_count" integer NOT NULL,
	"correlation_id" uuid NOT NULL,
	"status" text DEFAULT 'merging' NOT NULL,
	"metrics" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merged_at" timestamp with time zone,
	CONSTRAINT "staging_imports_tenant_checksum_uq" UNIQUE("tenant_id","batch_checksum")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_memberships" (
	"project_id" uuid NOT NULL,
	"role" text NOT NULL,
	"username" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_memberships_project_id_role_pk" PRIMARY KEY("project_id","role")
);
--> statement-breakpoint
CREATE TABLE "audit_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor_key_id" uuid,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"outcome" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"details" jsonb,
	"request_id" text,
	"prev_hash" text,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_name" text NOT NULL,
	"job_key" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"rows" integer,
	"error" text,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "request_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "request_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"request_id" text NOT NULL,
	"key_prefix" text,
	"role" "api_role",
	"partner_id" text,
	"operation_name" text,
	"fingerprints" text[],
	"outcome_code" text NOT NULL,
	"epsilon_charged" double precision DEFAULT 0 NOT NULL,
	"latency_ms" integer NOT NULL,
	"http_status" integer,
	"endpoint" text DEFAULT 'graphql' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "action_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"action_type" text NOT NULL,
	"target" text NOT NULL,
	"reason" text NOT NULL,
	"proposed_by" text NOT NULL,
	"approval_status" text DEFAULT 'PENDING' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"status" text DEFAULT 'proposed' NOT NULL,
	"result" jsonb,
	"feed_item_id" uuid
);
--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"target_url" text NOT NULL,
	"payload" jsonb NOT NULL,
	"webhook_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"response_status" integer,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "monitor_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"monitor_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"value" double precision,
	"fired" boolean NOT NULL,
	"details" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"sql" text NOT NULL,
	"threshold" double precision NOT NULL,
	"window_minutes" integer NOT NULL,
	"severity" "severity" NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"proposes_action" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitors_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "ops_feed" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"severity" "severity" NOT NULL,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"body" text,
	"status" text DEFAULT 'new' NOT NULL,
	"incident_key" text,
	"monitor_event_id" uuid,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text
);
--> statement-breakpoint
CREATE TABLE "insight_cells" (
	"release_id" uuid NOT NULL,
	"geo_bucket_id" text NOT NULL,
	"door_type" "door_type" NOT NULL,
	"category" "category" NOT NULL,
	"context" "segment_context" NOT NULL,
	"unique_participants_est" integer,
	"doors_opened_est" integer,
	"repeat_participants_est" integer,
	"repeat_rate_est" double precision,
	"trend_score_est" double precision,
	"suppressed" boolean NOT NULL,
	"suppressed_reason" "suppression_reason",
	"true_unique_participants" integer NOT NULL,
	"true_doors_opened" integer NOT NULL,
	"top_contributor_share" double precision NOT NULL,
	CONSTRAINT "insight_cells_release_id_geo_bucket_id_door_type_category_context_pk" PRIMARY KEY("release_id","geo_bucket_id","door_type","category","context")
);
--> statement-breakpoint
CREATE TABLE "privacy_ledger" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"release_id" uuid NOT NULL,
	"granularity" time_granularity NOT NULL,
	"geo_type" "geo_bucket_type" NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"epsilon" double precision NOT NULL,
	"delta" double precision NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "release_profiles" (
	"granularity" time_granularity PRIMARY KEY NOT NULL,
	"reporting_delay_hours" integer NOT NULL,
	"k_min" integer NOT NULL,
	"epsilon" double precision NOT NULL,
	"buyer_cost" double precision NOT NULL,
	"delta" double precision NOT NULL,
	"budget_window_days" integer NOT NULL,
	"max_range_buckets" integer NOT NULL,
	"max_geo_ids" integer NOT NULL,
	"allowed_geo_types" "geo_bucket_type"[] NOT NULL,
	"max_segment_dimensions" integer NOT NULL,
	"max_cells_per_participant" integer NOT NULL,
	"max_doors_per_cell" integer NOT NULL,
	"dominance_max_share" double precision NOT NULL,
	"epsilon_split" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "release_receipts" (
	"release_id" uuid PRIMARY KEY NOT NULL,
	"profile" jsonb NOT NULL,
	"max_cells_per_participant" integer NOT NULL,
	"max_doors_per_cell" integer NOT NULL,
	"epsilon_split" jsonb NOT NULL,
	"noise_scales" jsonb NOT NULL,
	"tau" double precision NOT NULL,
	"delta" double precision NOT NULL,
	"noise_key_id" text NOT NULL,
	"released_cells" integer NOT NULL,
	"suppressed_cells" integer NOT NULL,
	"dominance_violations" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"granularity" time_granularity NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"bucket_end" timestamp with time zone NOT NULL,
	"geo_type" "geo_bucket_type" NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"current" boolean DEFAULT true NOT NULL,
	"epsilon" double precision NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "timing_policies" (
	"policy_key" text PRIMARY KEY NOT NULL,
	"payload" jsonb NOT NULL,
	"description" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
ALTER TABLE "budget_charges" ADD CONSTRAINT "budget_charges_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "city_geohash3_map" ADD CONSTRAINT "city_geohash3_map_city_code_city_definitions_code_fk" FOREIGN KEY ("city_code") REFERENCES "public"."city_definitions"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "localities" ADD CONSTRAINT "localities_city_code_city_definitions_code_fk" FOREIGN KEY ("city_code") REFERENCES "public"."city_definitions"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "locality_shapes" ADD CONSTRAINT "locality_shapes_locality_code_localities_code_fk" FOREIGN KEY ("locality_code") REFERENCES "public"."localities"("code") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_memberships" ADD CONSTRAINT "org_memberships_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staging_imports" ADD CONSTRAINT "staging_imports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_memberships" ADD CONSTRAINT "user_memberships_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_events" ADD CONSTRAINT "monitor_events_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_cells" ADD CONSTRAINT "insight_cells_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "privacy_ledger" ADD CONSTRAINT "privacy_ledger_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_receipts" ADD CONSTRAINT "release_receipts_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_partner_idx" ON "api_keys" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "budget_charges_partner_release_idx" ON "budget_charges" USING btree ("partner_id","release_id","charged_at");--> statement-breakpoint
CREATE INDEX "budget_charges_partner_charged_at_idx" ON "budget_charges" USING btree ("partner_id","charged_at");--> statement-breakpoint
CREATE INDEX "interaction_events_occurred_at_idx" ON "interaction_events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "interaction_events_geohash3_occurred_at_idx" ON "interaction_events" USING btree ("geohash3","occurred_at");--> statement-breakpoint
CREATE INDEX "spots_city_idx" ON "spots" USING btree ("city_code");--> statement-breakpoint
CREATE INDEX "city_geohash3_map_city_idx" ON "city_geohash3_map" USING btree ("city_code");--> statement-breakpoint
CREATE INDEX "localities_city_idx" ON "localities" USING btree ("city_code");--> statement-breakpoint
CREATE INDEX "localities_city_name_key_idx" ON "localities" USING btree ("city_code","name_key");--> statement-breakpoint
CREATE INDEX "import_anomalies_created_at_idx" ON "import_anomalies" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "import_anomalies_tenant_created_at_idx" ON "import_anomalies" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "rm_directory_display_name_idx" ON "rm_directory" USING btree ("display_name");--> statement-breakpoint
CREATE INDEX "staging_imports_created_at_idx" ON "staging_imports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_logs_at_idx" ON "audit_logs" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_logs_type_at_idx" ON "audit_logs" USING btree ("type","at");--> statement-breakpoint
CREATE INDEX "job_runs_name_started_idx" ON "job_runs" USING btree ("job_name","started_at");--> statement-breakpoint
CREATE INDEX "request_logs_at_idx" ON "request_logs" USING btree ("at");--> statement-breakpoint
CREATE INDEX "request_logs_partner_at_idx" ON "request_logs" USING btree ("partner_id","at");--> statement-breakpoint
CREATE INDEX "action_ledger_approval_created_idx" ON "action_ledger" USING btree ("approval_status","created_at");--> statement-breakpoint
CREATE INDEX "alert_deliveries_created_at_idx" ON "alert_deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "monitor_events_monitor_occurred_idx" ON "monitor_events" USING btree ("monitor_id","occurred_at");--> statement-breakpoint
CREATE INDEX "ops_feed_status_created_idx" ON "ops_feed" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "ops_feed_incident_key_uq" ON "ops_feed" USING btree ("incident_key");--> statement-breakpoint
CREATE INDEX "privacy_ledger_recorded_at_idx" ON "privacy_ledger" USING btree ("recorded_at","granularity");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_bucket_version_uq" ON "releases" USING btree ("granularity","bucket_start","geo_type","version");--> statement-breakpoint
CREATE INDEX "releases_current_lookup_idx" ON "releases" USING btree ("granularity","geo_type","bucket_start") WHERE current;