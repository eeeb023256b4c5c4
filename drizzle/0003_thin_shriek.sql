CREATE TABLE "privacy_cap" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"epsilon_cap" double precision NOT NULL,
	"delta_cap" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "privacy_cap_single_row" CHECK ("privacy_cap"."id"),
	CONSTRAINT "privacy_cap_epsilon_valid" CHECK ("privacy_cap"."epsilon_cap" > 0 and "privacy_cap"."epsilon_cap" <= 3.0),
	CONSTRAINT "privacy_cap_delta_valid" CHECK ("privacy_cap"."delta_cap" > 0 and "privacy_cap"."delta_cap" <= 2e-5)
);
--> statement-breakpoint
CREATE TABLE "privacy_ledger_days" (
	"family_id" uuid NOT NULL,
	"day" date NOT NULL,
	"granularity" time_granularity NOT NULL,
	"geo_type" "geo_bucket_type" NOT NULL,
	"level" text NOT NULL,
	"version" integer NOT NULL,
	"epsilon" double precision NOT NULL,
	"delta" double precision NOT NULL,
	"accounting" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "privacy_ledger_days_family_id_day_pk" PRIMARY KEY("family_id","day"),
	CONSTRAINT "privacy_ledger_days_epsilon_valid" CHECK ("privacy_ledger_days"."epsilon" > 0 and "privacy_ledger_days"."epsilon" < 'Infinity'::float8),
	CONSTRAINT "privacy_ledger_days_delta_valid" CHECK ("privacy_ledger_days"."delta" > 0 and "privacy_ledger_days"."delta" < 1)
);
--> statement-breakpoint
CREATE TABLE "release_plan" (
	"granularity" time_granularity NOT NULL,
	"geo_type" "geo_bucket_type" NOT NULL,
	"level" text NOT NULL,
	"epsilon" double precision NOT NULL,
	"delta" double precision NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "release_plan_granularity_geo_type_level_pk" PRIMARY KEY("granularity","geo_type","level"),
	CONSTRAINT "release_plan_epsilon_valid" CHECK ("release_plan"."epsilon" > 0 and "release_plan"."epsilon" <= 3.0),
	CONSTRAINT "release_plan_delta_valid" CHECK ("release_plan"."delta" > 0 and "release_plan"."delta" <= 2e-5)
);
--> statement-breakpoint
DROP INDEX "releases_bucket_version_uq";--> statement-breakpoint
DROP INDEX "releases_current_lookup_idx";--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "level" text DEFAULT 'full' NOT NULL;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "delta" double precision DEFAULT 0.000001 NOT NULL;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "family_id" uuid;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "participant_day_epsilon" double precision;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "accounting" text DEFAULT 'participant_day' NOT NULL;--> statement-breakpoint
ALTER TABLE "releases" ADD COLUMN "retired_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "privacy_ledger_days" ADD CONSTRAINT "privacy_ledger_days_family_id_releases_id_fk" FOREIGN KEY ("family_id") REFERENCES "public"."releases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "privacy_ledger_days_day_idx" ON "privacy_ledger_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "releases_family_idx" ON "releases" USING btree ("family_id");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_bucket_version_uq" ON "releases" USING btree ("granularity","bucket_start","geo_type","level","version");--> statement-breakpoint
CREATE INDEX "releases_current_lookup_idx" ON "releases" USING btree ("granularity","geo_type","level","bucket_start") WHERE current;--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_epsilon_valid" CHECK ("releases"."epsilon" > 0 and "releases"."epsilon" < 'Infinity'::float8);--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_delta_valid" CHECK ("releases"."delta" > 0 and "releases"."delta" < 1);--> statement-breakpoint
ALTER TABLE "releases" ADD CONSTRAINT "releases_accounting_valid" CHECK ("releases"."accounting" in ('participant_day', 'legacy'));--> statement-breakpoint
-- Participant-day accounting for the releases made before it existed (PRIVACY.md "Ledger"): each is
-- its own family, marked legacy, its delta taken from its receipt. Those no buyer read are retired
-- (not served, not in the ledger); the others add their epsilon and delta to every UTC
-- day they read (a legacy HOUR release on its own, as it was bounded), and those days stay outside
-- the guarantee.
UPDATE "releases" SET "family_id" = "id", "accounting" = 'legacy';--> statement-breakpoint
UPDATE "releases" r SET "delta" = rr."delta" FROM "release_receipts" rr WHERE rr."release_id" = r."id" AND rr."delta" > 0 AND rr."delta" < 1;--> statement-breakpoint
-- A release counts as read when a buyer was charged for it, or for the next bucket's release (same
-- granularity and geo type) made after it: that release stored each cell's trend from this one's
-- published estimate, so its buyer could recover this one's estimates without paying for them.
UPDATE "releases" r SET "retired_at" = now(), "current" = false
  WHERE NOT EXISTS (SELECT 1 FROM "budget_charges" b WHERE b."release_id" = r."id")
    AND NOT EXISTS (
      SELECT 1 FROM "releases" n JOIN "budget_charges" b ON b."release_id" = n."id"
      WHERE n."granularity" = r."granularity" AND n."geo_type" = r."geo_type"
        AND n."bucket_start" = r."bucket_end" AND n."created_at" >= r."created_at");--> statement-breakpoint
INSERT INTO "privacy_ledger_days" ("family_id", "day", "granularity", "geo_type", "level", "version", "epsilon", "delta", "accounting", "recorded_at")
  SELECT r."id", d::date, r."granularity", r."geo_type", r."level", r."version", r."epsilon", r."delta", 'legacy', r."created_at"
  FROM "releases" r
  CROSS JOIN LATERAL generate_series(
    (r."bucket_start" AT TIME ZONE 'UTC')::date,
    ((r."bucket_end" AT TIME ZONE 'UTC') - interval '1 microsecond')::date,
    interval '1 day') AS d
  WHERE r."retired_at" IS NULL;--> statement-breakpoint
UPDATE "releases" r SET "participant_day_epsilon" = coalesce((
    SELECT max(t."total") FROM (
      SELECT sum(l2."epsilon") AS "total" FROM "privacy_ledger_days" l
      JOIN "privacy_ledger_days" l2 ON l2."day" = l."day"
      WHERE l."family_id" = r."id" GROUP BY l."day") t), r."epsilon");--> statement-breakpoint
ALTER TABLE "releases" ALTER COLUMN "family_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "releases" ALTER COLUMN "participant_day_epsilon" SET NOT NULL;