-- Issue 14 item 3: the invariants that held only because SQLite has one writer, held by the
-- schema itself. Nothing is dropped: conflicting rows are marked and reported.
--
-- AGT-1: one host per org and hostname ignoring case. Hosts that broke it (a race of two
-- registrations, or rows written by hand) are kept and marked with the older host they repeat;
-- registration keeps reaching the oldest one, as it did (it looked up the lowest id).
ALTER TABLE `hosts` ADD `duplicate_of` integer;--> statement-breakpoint
UPDATE `hosts` SET `duplicate_of` = `d`.`first`
FROM (
  SELECT `id`, first_value(`id`) OVER (
    PARTITION BY `organization_id`, lower(`hostname`) ORDER BY `id`
  ) AS `first`
  FROM `hosts`
) AS `d`
WHERE `d`.`id` = `hosts`.`id` AND `d`.`first` <> `hosts`.`id`;--> statement-breakpoint
CREATE UNIQUE INDEX `hosts_org_hostname_key_uq` ON `hosts` (`organization_id`,lower("hostname")) WHERE duplicate_of IS NULL;--> statement-breakpoint
-- LOC-3: a per-org revision of its locations and subnets, bumped in the same transaction as any
-- change to them (by these triggers, so no code path can forget it).
ALTER TABLE `organizations` ADD `location_revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE TRIGGER `locations_revision_insert` AFTER INSERT ON `locations` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1 WHERE `id` = new.`organization_id`;
END;--> statement-breakpoint
CREATE TRIGGER `locations_revision_update` AFTER UPDATE ON `locations` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1
  WHERE `id` IN (old.`organization_id`, new.`organization_id`);
END;--> statement-breakpoint
CREATE TRIGGER `locations_revision_delete` AFTER DELETE ON `locations` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1 WHERE `id` = old.`organization_id`;
END;--> statement-breakpoint
CREATE TRIGGER `location_subnets_revision_insert` AFTER INSERT ON `location_subnets` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1 WHERE `id` = new.`organization_id`;
END;--> statement-breakpoint
CREATE TRIGGER `location_subnets_revision_update` AFTER UPDATE ON `location_subnets` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1
  WHERE `id` IN (old.`organization_id`, new.`organization_id`);
END;--> statement-breakpoint
CREATE TRIGGER `location_subnets_revision_delete` AFTER DELETE ON `location_subnets` BEGIN
  UPDATE `organizations` SET `location_revision` = `location_revision` + 1 WHERE `id` = old.`organization_id`;
END;--> statement-breakpoint
-- SUP-6: a grant's expiry is recorded once, claimed by a conditional update. Grants whose expiry
-- is already on the trail (the trail was the record until now) are marked with its first entry.
ALTER TABLE `support_grants` ADD `expiry_recorded_at` integer;--> statement-breakpoint
UPDATE `support_grants` SET `expiry_recorded_at` = (
  SELECT min(`e`.`at`) FROM `audit_entries` AS `e`
  WHERE `e`.`account_id` = `support_grants`.`account_id`
    AND `e`.`action` = 'support_access.grant_expired'
    AND `e`.`target_type` = 'support_grant'
    AND `e`.`target_id` = CAST(`support_grants`.`id` AS TEXT)
)
WHERE `revoked_at` IS NULL;
