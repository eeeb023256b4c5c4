ALTER TABLE "insight_cells" DROP CONSTRAINT "insight_cells_release_id_geo_bucket_id_door_type_category_context_pk";--> statement-breakpoint
ALTER TABLE "insight_cells" ALTER COLUMN "door_type" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_cells" ALTER COLUMN "category" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_cells" ALTER COLUMN "context" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "insight_cells" ADD CONSTRAINT "insight_cells_cell_uq" UNIQUE NULLS NOT DISTINCT("release_id","geo_bucket_id","door_type","category","context");--> statement-breakpoint
-- HOUR is released only at single-dimension and TOTAL levels now: an HOUR FULL plan entry becomes
-- the HOUR TOTAL entry with the operator's epsilon and delta (its releases made so far stay in the
-- ledger; buyers read HOUR at the levels the plan releases from now on).
DELETE FROM "release_plan" WHERE "granularity" = 'hour' AND "level" = 'full'
  AND EXISTS (SELECT 1 FROM "release_plan" WHERE "granularity" = 'hour' AND "level" = 'total');--> statement-breakpoint
UPDATE "release_plan" SET "level" = 'total' WHERE "granularity" = 'hour' AND "level" = 'full';
