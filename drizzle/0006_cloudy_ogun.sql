-- Hand-edited: threshold_m is added nullable, back-filled from tau below, then made NOT NULL and tau dropped.
ALTER TABLE "release_receipts" ADD COLUMN "threshold_m" integer;--> statement-breakpoint
-- Back-fill (hand-written). Old releases kept a cell iff its noised count >= k - 1 + tau; noised
-- counts are integers, so that bar is k - 1 + ceil(tau) = k + m with m = ceil(tau) - 1 (233 for the
-- DAY contract profile, 465 for HOUR: the same bars the exact rule derives). A NaN tau (a NaN or
-- negative stored delta) compared false, so no noisy threshold was applied: recorded as the
-- integer minimum; an infinite tau released nothing: the integer maximum.
UPDATE "release_receipts" SET "threshold_m" = CASE
  WHEN "tau" = 'NaN'::float8 THEN -2147483648
  WHEN "tau" >= 2147483647 THEN 2147483647
  WHEN "tau" <= -2147483647 THEN -2147483648
  ELSE ceil("tau")::integer - 1
END;--> statement-breakpoint
ALTER TABLE "release_receipts" ALTER COLUMN "threshold_m" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "release_receipts" DROP COLUMN "tau";
--> statement-breakpoint
-- The contract allows WEEK ranges of 12 weeks (001: at most 90 days); 13 was one too many.
UPDATE "release_profiles" SET "max_range_buckets" = 12 WHERE "granularity" = 'week' AND "max_range_buckets" > 12;--> statement-breakpoint
-- A stored profile that breaks a CHECK makes this migration fail, naming the constraint: correct the
-- release_profiles row (validateReleaseProfile says what is wrong) and migrate again. Nothing is rewritten silently.
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_epsilon_finite_positive" CHECK ("release_profiles"."epsilon" > 0 and "release_profiles"."epsilon" < 'Infinity'::float8 and "release_profiles"."epsilon" <> 'NaN'::float8);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_buyer_cost_finite_positive" CHECK ("release_profiles"."buyer_cost" > 0 and "release_profiles"."buyer_cost" < 'Infinity'::float8 and "release_profiles"."buyer_cost" <> 'NaN'::float8);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_delta_open_unit" CHECK ("release_profiles"."delta" > 0 and "release_profiles"."delta" < 1 and "release_profiles"."delta" <> 'NaN'::float8);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_dominance_share_range" CHECK ("release_profiles"."dominance_max_share" > 0 and "release_profiles"."dominance_max_share" <= 0.05 and "release_profiles"."dominance_max_share" <> 'NaN'::float8);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_k_min_contract" CHECK ("release_profiles"."k_min" >= case "release_profiles"."granularity" when 'hour' then 300 else 100 end);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_delay_contract" CHECK ("release_profiles"."reporting_delay_hours" >= case "release_profiles"."granularity" when 'hour' then 168 else 72 end);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_limits_positive" CHECK ("release_profiles"."budget_window_days" >= 1 and "release_profiles"."max_range_buckets" >= 1 and "release_profiles"."max_geo_ids" >= 1
        and "release_profiles"."max_segment_dimensions" >= 1 and "release_profiles"."max_cells_per_participant" >= 1 and "release_profiles"."max_doors_per_cell" >= 1
        and cardinality("release_profiles"."allowed_geo_types") >= 1);--> statement-breakpoint
ALTER TABLE "release_profiles" ADD CONSTRAINT "release_profiles_epsilon_split_valid" CHECK (coalesce(jsonb_typeof("release_profiles"."epsilon_split" -> 'uniqueParticipants') = 'number'
        and jsonb_typeof("release_profiles"."epsilon_split" -> 'doorsOpened') = 'number'
        and jsonb_typeof("release_profiles"."epsilon_split" -> 'repeatParticipants') = 'number'
        and ("release_profiles"."epsilon_split" ->> 'uniqueParticipants')::numeric > 0
        and ("release_profiles"."epsilon_split" ->> 'doorsOpened')::numeric > 0
        and ("release_profiles"."epsilon_split" ->> 'repeatParticipants')::numeric > 0
        and abs(("release_profiles"."epsilon_split" ->> 'uniqueParticipants')::numeric + ("release_profiles"."epsilon_split" ->> 'doorsOpened')::numeric
          + ("release_profiles"."epsilon_split" ->> 'repeatParticipants')::numeric - 1) <= 0.000000001, false));