-- ORG-2 sort=region on PostgreSQL (issue 15 item 5): the repository orders NULL regions as SQLite
-- does (first ascending, last descending), which the plain region indexes could not give, so the
-- page sorted every org of the account (tests/pg/org-sort-plans.test.ts). The same two indexes,
-- with that NULLS placement. PostgreSQL only: SQLite already places NULLs so.
DROP INDEX "organizations_account_active_region_name_idx";--> statement-breakpoint
DROP INDEX "organizations_account_active_region_desc_name_idx";--> statement-breakpoint
CREATE INDEX "organizations_account_active_region_name_idx" ON "organizations" USING btree ("account_id","is_active","region" NULLS FIRST,"name_key","id");--> statement-breakpoint
CREATE INDEX "organizations_account_active_region_desc_name_idx" ON "organizations" USING btree ("account_id","is_active","region" DESC NULLS LAST,"name_key","id");