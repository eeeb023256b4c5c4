-- Every change to api_keys NOTIFYs api_keys_changed, so each API process drops its cached copy of the key
-- (src/policy/keyCache.ts). The payload is the key's id (never its hash: any session of the database may
-- LISTEN), or '*' after a TRUNCATE. Writing last_used_at alone (the batched record of uses) notifies nothing.
CREATE OR REPLACE FUNCTION "api_keys_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    PERFORM pg_notify('api_keys_changed', '*');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('api_keys_changed', OLD.id::text);
  ELSE
    PERFORM pg_notify('api_keys_changed', NEW.id::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "api_keys_changed_insert_delete" AFTER INSERT OR DELETE ON "api_keys"
  FOR EACH ROW EXECUTE FUNCTION "api_keys_notify_change"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_changed_update" AFTER UPDATE ON "api_keys"
  FOR EACH ROW WHEN ((to_jsonb(OLD) - 'last_used_at') IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at'))
  EXECUTE FUNCTION "api_keys_notify_change"();
--> statement-breakpoint
CREATE TRIGGER "api_keys_changed_truncate" AFTER TRUNCATE ON "api_keys"
  FOR EACH STATEMENT EXECUTE FUNCTION "api_keys_notify_change"();
