-- Hosts per org for ORG-2's stats, kept by triggers. Upserts on both sides: an export copies
-- tables in name order, so its hosts can arrive before their organization row.
CREATE TABLE `organization_host_counts` (
	`organization_id` integer PRIMARY KEY NOT NULL,
	`hosts` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_org_insert` AFTER INSERT ON `organizations` BEGIN
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`) VALUES (new.`id`, 0)
    ON CONFLICT (`organization_id`) DO NOTHING;
END;--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_host_insert` AFTER INSERT ON `hosts` BEGIN
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`) VALUES (new.`organization_id`, 1)
    ON CONFLICT (`organization_id`) DO UPDATE SET `hosts` = `hosts` + 1;
END;--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_host_delete` AFTER DELETE ON `hosts` BEGIN
  UPDATE `organization_host_counts` SET `hosts` = `hosts` - 1 WHERE `organization_id` = old.`organization_id`;
END;--> statement-breakpoint
CREATE TRIGGER `organization_host_counts_host_move` AFTER UPDATE OF `organization_id` ON `hosts`
WHEN new.`organization_id` <> old.`organization_id` BEGIN
  UPDATE `organization_host_counts` SET `hosts` = `hosts` - 1 WHERE `organization_id` = old.`organization_id`;
  INSERT INTO `organization_host_counts` (`organization_id`, `hosts`) VALUES (new.`organization_id`, 1)
    ON CONFLICT (`organization_id`) DO UPDATE SET `hosts` = `hosts` + 1;
END;--> statement-breakpoint
INSERT INTO `organization_host_counts` (`organization_id`, `hosts`)
  SELECT o.`id`, (SELECT count(*) FROM `hosts` h WHERE h.`organization_id` = o.`id`) FROM `organizations` o;
