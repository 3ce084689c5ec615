-- ORG-2 sort by host counts (UI-11). organization_host_counts (0004) also keeps, per org, the
-- statuses of its hosts (AGT-3) evaluated at `as_of`, and `next_change_at`: no later than the
-- first moment after `as_of` at which one of them changes status by time alone. Triggers apply
-- every host write at once, evaluated at the row's `as_of` (so they never need the clock); the
-- refresh job (main/features/hosts/host-status-counts.ts) re-counts the orgs that are due at the
-- app's clock. The thresholds below are ONLINE_WITHIN_MS (300000) and STALE_AFTER_MS
-- (2592000000) of shared/constants.ts: changing those needs a migration rewriting these triggers.
-- A copy of the org's account, active flag, name key and region lets one index answer a sorted
-- page with its scope, filters and name ties.
ALTER TABLE `organization_host_counts` ADD `online` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `offline` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `stale` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `as_of` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `next_change_at` integer;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `account_id` integer;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `is_active` integer;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `name_key` text;
--> statement-breakpoint
ALTER TABLE `organization_host_counts` ADD `region` text;
--> statement-breakpoint
DROP TRIGGER `organization_host_counts_org_insert`
--> statement-breakpoint
DROP TRIGGER `organization_host_counts_host_insert`
--> statement-breakpoint
DROP TRIGGER `organization_host_counts_host_delete`
--> statement-breakpoint
DROP TRIGGER `organization_host_counts_host_move`
--> statement-breakpoint
-- Existing rows: copies of the orgs' columns, and statuses at as_of = 0 (every org with hosts is
-- due at once: the refresh at start re-counts them at the real time).
INSERT INTO `organization_host_counts` (`organization_id`, `hosts`)
  SELECT o.`id`, (SELECT count(*) FROM `hosts` h WHERE h.`organization_id` = o.`id`) FROM `organizations` o
  WHERE true ON CONFLICT (`organization_id`) DO NOTHING;
--> statement-breakpoint
UPDATE `organization_host_counts` SET `account_id` = o.`account_id`, `is_active` = o.`is_active`,
    `name_key` = o.`name_key`, `region` = o.`region`
  FROM `organizations` o WHERE o.`id` = `organization_host_counts`.`organization_id`;
--> statement-breakpoint
UPDATE `organization_host_counts` SET `online` = s.`online`, `offline` = s.`offline`, `stale` = s.`stale`,
    `as_of` = 0, `next_change_at` = 0
  FROM (SELECT h.`organization_id` AS `org`, sum((CASE WHEN h.`last_seen_at` IS NULL THEN (CASE WHEN 0 - h.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - h.`last_seen_at` <= 300000 THEN 0 WHEN 0 - h.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0) AS `online`,
      sum((CASE WHEN h.`last_seen_at` IS NULL THEN (CASE WHEN 0 - h.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - h.`last_seen_at` <= 300000 THEN 0 WHEN 0 - h.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1) AS `offline`, sum((CASE WHEN h.`last_seen_at` IS NULL THEN (CASE WHEN 0 - h.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - h.`last_seen_at` <= 300000 THEN 0 WHEN 0 - h.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2) AS `stale`
    FROM `hosts` h GROUP BY h.`organization_id`) AS s
  WHERE s.`org` = `organization_host_counts`.`organization_id`;
--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_org_insert` AFTER INSERT ON `organizations` BEGIN
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`, `account_id`, `is_active`, `name_key`, `region`)
    VALUES (new.`id`, 0, new.`account_id`, new.`is_active`, new.`name_key`, new.`region`)
    ON CONFLICT (`organization_id`) DO UPDATE SET `account_id` = excluded.`account_id`,
      `is_active` = excluded.`is_active`, `name_key` = excluded.`name_key`, `region` = excluded.`region`;
END;
--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_org_update` AFTER UPDATE OF `account_id`, `is_active`, `name_key`, `region` ON `organizations` BEGIN
  UPDATE `organization_host_counts` SET `account_id` = new.`account_id`, `is_active` = new.`is_active`,
    `name_key` = new.`name_key`, `region` = new.`region`
  WHERE `organization_id` = new.`id`;
END;
--> statement-breakpoint
-- Upserts on both sides, as in 0004: an export copies hosts before their organization row.
CREATE TRIGGER `organization_host_counts_host_insert` AFTER INSERT ON `hosts` BEGIN
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`, `online`, `offline`, `stale`, `next_change_at`)
    VALUES (new.`organization_id`, 1, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > 0 THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > 0 THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > 0 THEN new.`last_seen_at` + 2592000001 END))
    ON CONFLICT (`organization_id`) DO UPDATE SET
      `hosts` = `hosts` + 1,
      `online` = `online` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0),
      `offline` = `offline` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1),
      `stale` = `stale` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2),
      `next_change_at` = coalesce(min(`next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END)), `next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END));
END;
--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_host_delete` AFTER DELETE ON `hosts` BEGIN
  UPDATE `organization_host_counts` SET
      `hosts` = `hosts` - 1,
      `online` = `online` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0),
      `offline` = `offline` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1),
      `stale` = `stale` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2)
    WHERE `organization_id` = old.`organization_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_host_move` AFTER UPDATE OF `organization_id` ON `hosts`
WHEN new.`organization_id` <> old.`organization_id` BEGIN
  UPDATE `organization_host_counts` SET
      `hosts` = `hosts` - 1,
      `online` = `online` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0),
      `offline` = `offline` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1),
      `stale` = `stale` - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2)
    WHERE `organization_id` = old.`organization_id`;
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`, `online`, `offline`, `stale`, `next_change_at`)
    VALUES (new.`organization_id`, 1, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN 0 - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN 0 - new.`last_seen_at` <= 300000 THEN 0 WHEN 0 - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > 0 THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > 0 THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > 0 THEN new.`last_seen_at` + 2592000001 END))
    ON CONFLICT (`organization_id`) DO UPDATE SET
      `hosts` = `hosts` + 1,
      `online` = `online` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0),
      `offline` = `offline` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1),
      `stale` = `stale` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2),
      `next_change_at` = coalesce(min(`next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END)), `next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END));
END;
--> statement-breakpoint
-- A heartbeat: in the steady state (an online host seen again) the WHERE is false and nothing is
-- written; only a change of status, or an earlier next change, touches the row.
CREATE TRIGGER `organization_host_counts_host_seen` AFTER UPDATE OF `last_seen_at`, `registered_at` ON `hosts`
WHEN new.`organization_id` = old.`organization_id` BEGIN
  UPDATE `organization_host_counts` SET
      `online` = `online` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0) - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 0),
      `offline` = `offline` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1) - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 1),
      `stale` = `stale` + ((CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2) - ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) = 2),
      `next_change_at` = coalesce(min(`next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END)), `next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END))
    WHERE `organization_id` = new.`organization_id`
      AND ((CASE WHEN old.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - old.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - old.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - old.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END) <> (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN `as_of` - new.`registered_at` > 2592000000 THEN 2 ELSE 1 END) WHEN `as_of` - new.`last_seen_at` <= 300000 THEN 0 WHEN `as_of` - new.`last_seen_at` > 2592000000 THEN 2 ELSE 1 END)
        OR (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END) < coalesce(`next_change_at`, (CASE WHEN new.`last_seen_at` IS NULL THEN (CASE WHEN new.`registered_at` + 2592000001 > `as_of` THEN new.`registered_at` + 2592000001 END) WHEN new.`last_seen_at` + 300001 > `as_of` THEN new.`last_seen_at` + 300001 WHEN new.`last_seen_at` + 2592000001 > `as_of` THEN new.`last_seen_at` + 2592000001 END) + 1));
END;
--> statement-breakpoint
-- ORG-2 sort indexes (see schema.ts), after the backfill.
CREATE INDEX `organization_host_counts_online_idx` ON `organization_host_counts` (`account_id`,`is_active`,`online`,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_online_desc_idx` ON `organization_host_counts` (`account_id`,`is_active`,"online" desc,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_offline_idx` ON `organization_host_counts` (`account_id`,`is_active`,`offline`,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_offline_desc_idx` ON `organization_host_counts` (`account_id`,`is_active`,"offline" desc,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_stale_idx` ON `organization_host_counts` (`account_id`,`is_active`,`stale`,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_stale_desc_idx` ON `organization_host_counts` (`account_id`,`is_active`,"stale" desc,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_hosts_idx` ON `organization_host_counts` (`account_id`,`is_active`,`hosts`,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_hosts_desc_idx` ON `organization_host_counts` (`account_id`,`is_active`,"hosts" desc,`name_key`,`organization_id`,`region`);
--> statement-breakpoint
CREATE INDEX `organization_host_counts_due_idx` ON `organization_host_counts` (`next_change_at`) WHERE next_change_at IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `organizations_account_active_region_desc_name_idx` ON `organizations` (`account_id`,`is_active`,"region" desc,`name_key`,`id`);
--> statement-breakpoint
-- UI-11 hosts sorted by IP: ip_key is ipSortKey(ip) of shared/cidr.ts (by address, IPv4 first),
-- computed in JavaScript as orgdesk_ip_key() (main/db/migrate.ts) for the hosts already there,
-- and written with every ip by the app. By location: one location's hosts by hostname; it also
-- serves what hosts_location_idx served (the location_id prefix).
ALTER TABLE `hosts` ADD `ip_key` text;
--> statement-breakpoint
UPDATE `hosts` SET `ip_key` = orgdesk_ip_key(`ip`);
--> statement-breakpoint
DROP INDEX `hosts_location_idx`;
--> statement-breakpoint
CREATE INDEX `hosts_location_hostname_idx` ON `hosts` (`location_id`,"hostname" COLLATE NOCASE,`id`);
--> statement-breakpoint
CREATE INDEX `hosts_org_ip_idx` ON `hosts` (`organization_id`,`ip_key`,`id`);
--> statement-breakpoint
-- UI-11 audit by time, either order (AUD-2): ordered by at, then id, which is not id order once
-- a clock has stepped back; the from/to range is a range of the same index. audit_account_idx
-- stays for the AUD-3 chain (written order); the per-org page no longer needs (org, id).
DROP INDEX `audit_org_idx`;
--> statement-breakpoint
CREATE INDEX `audit_account_at_idx` ON `audit_entries` (`account_id`,`at`,`id`);
--> statement-breakpoint
CREATE INDEX `audit_org_at_idx` ON `audit_entries` (`organization_id`,`at`,`id`);
--> statement-breakpoint
-- ORG-2 accent-insensitive search: search_text is now folded by shared/org-search.ts
-- (lower-cased, accents and strokes dropped). The folding is JavaScript, so the migration calls
-- it as the application function orgdesk_search_text(), which main/db/migrate.ts registers on
-- the connection before migrating: existing texts are recomputed inside the migration's own
-- transaction, and the trigram index follows through its update trigger (0003).
UPDATE `organizations` SET `search_text` = orgdesk_search_text(`name`, `description`)
  WHERE `search_text` IS NOT orgdesk_search_text(`name`, `description`);
