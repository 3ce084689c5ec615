DROP INDEX `hosts_org_hostname_idx`;--> statement-breakpoint
CREATE INDEX `hosts_org_hostname_nocase_idx` ON `hosts` (`organization_id`,"hostname" COLLATE NOCASE,`id`);