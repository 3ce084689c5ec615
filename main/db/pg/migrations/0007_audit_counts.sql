CREATE TABLE "audit_counts" (
	"account_id" bigint NOT NULL,
	"organization_id" bigint NOT NULL,
	"entries" bigint NOT NULL,
	CONSTRAINT "audit_counts_account_id_organization_id_pk" PRIMARY KEY("account_id","organization_id")
);
--> statement-breakpoint
CREATE INDEX "audit_counts_org_idx" ON "audit_counts" USING btree ("organization_id");--> statement-breakpoint
-- AUD-2: audit_counts follows audit_entries whatever writes it (the chain's appends, a restore, an
-- operator's DELETE): statement triggers over the transition tables, one upsert per statement and
-- (account, org) pair, in key order so two statements never lock the same rows in two orders.
-- TG_ARGV[0]: +1 for the rows inserted, -1 for the rows deleted (both triggers name them `changed`).
CREATE FUNCTION orgdesk_audit_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_counts AS c (account_id, organization_id, entries)
    SELECT account_id, coalesce(organization_id, 0), TG_ARGV[0]::int * count(*) FROM changed
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_id, organization_id) DO UPDATE SET entries = c.entries + excluded.entries;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- No use case moves an entry to another account or org (GDPR relabels the actor): only a pair
-- whose count changed is written, so those updates write nothing here.
CREATE FUNCTION orgdesk_audit_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_counts AS c (account_id, organization_id, entries)
    SELECT account_id, organization_id, sum(n) FROM (
      SELECT account_id, coalesce(organization_id, 0) AS organization_id, 1 AS n FROM new_entries
      UNION ALL
      SELECT account_id, coalesce(organization_id, 0), -1 FROM old_entries
    ) AS moved GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (account_id, organization_id) DO UPDATE SET entries = c.entries + excluded.entries;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION orgdesk_audit_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM audit_counts;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Counted afresh from the entries: here for the entries already there, and by a bulk copy made
-- with triggers off (the benchmark's dataset).
CREATE FUNCTION orgdesk_audit_counts_rebuild() RETURNS void LANGUAGE sql AS $$
  DELETE FROM audit_counts;
  INSERT INTO audit_counts (account_id, organization_id, entries)
    SELECT account_id, coalesce(organization_id, 0), count(*) FROM audit_entries GROUP BY 1, 2;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_counts_insert AFTER INSERT ON audit_entries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION orgdesk_audit_counts_add('1');
--> statement-breakpoint
CREATE TRIGGER audit_counts_delete AFTER DELETE ON audit_entries
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION orgdesk_audit_counts_add('-1');
--> statement-breakpoint
CREATE TRIGGER audit_counts_update AFTER UPDATE ON audit_entries
  REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION orgdesk_audit_counts_update();
--> statement-breakpoint
CREATE TRIGGER audit_counts_truncate AFTER TRUNCATE ON audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION orgdesk_audit_counts_truncate();
--> statement-breakpoint
SELECT orgdesk_audit_counts_rebuild();
