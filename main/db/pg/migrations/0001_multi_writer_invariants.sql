ALTER TABLE "hosts" ADD COLUMN "duplicate_of" bigint;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "location_revision" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "support_grants" ADD COLUMN "expiry_recorded_at" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "hosts_org_hostname_key_uq" ON "hosts" USING btree ("organization_id",lower("hostname")) WHERE duplicate_of IS NULL;--> statement-breakpoint
-- LOC-3: the org's location revision moves in the same transaction as any change to its
-- locations or subnets (SQLite: the triggers of its migration 0014).
CREATE FUNCTION orgdesk_location_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE organizations SET location_revision = location_revision + 1 WHERE id = OLD.organization_id;
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.organization_id <> OLD.organization_id) THEN
    UPDATE organizations SET location_revision = location_revision + 1 WHERE id = NEW.organization_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER locations_revision AFTER INSERT OR UPDATE OR DELETE ON locations
  FOR EACH ROW EXECUTE FUNCTION orgdesk_location_revision_bump();
--> statement-breakpoint
CREATE TRIGGER location_subnets_revision AFTER INSERT OR UPDATE OR DELETE ON location_subnets
  FOR EACH ROW EXECUTE FUNCTION orgdesk_location_revision_bump();
