-- Every change to the release plan or the release profiles NOTIFYs release_settings_changed, so each
-- API process drops its cached copy (src/policy/releaseSettings.ts). The payload is the table's name.
CREATE OR REPLACE FUNCTION "release_settings_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('release_settings_changed', TG_TABLE_NAME);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "release_plan_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "release_plan"
  FOR EACH STATEMENT EXECUTE FUNCTION "release_settings_notify_change"();
--> statement-breakpoint
CREATE TRIGGER "release_profiles_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "release_profiles"
  FOR EACH STATEMENT EXECUTE FUNCTION "release_settings_notify_change"();
