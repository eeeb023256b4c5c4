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
