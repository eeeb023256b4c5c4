CREATE TABLE "contract_violations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"check_name" text NOT NULL,
	"release_id" uuid,
	"subject" text NOT NULL,
	"row_count" integer NOT NULL,
	"detail" text NOT NULL,
	"detected_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"feed_item_id" uuid
);
--> statement-breakpoint
CREATE UNIQUE INDEX "contract_violations_open_uq" ON "contract_violations" USING btree ("check_name","subject") WHERE resolved_at is null;--> statement-breakpoint
CREATE INDEX "contract_violations_detected_idx" ON "contract_violations" USING btree ("detected_at");