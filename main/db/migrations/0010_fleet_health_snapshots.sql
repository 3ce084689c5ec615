-- UI-12: the fleet's health history. One row per org and one per account per hour, written by the
-- hourly snapshot job (main/features/fleet/fleet-snapshots.ts), kept SNAPSHOT_RETENTION_DAYS (7) days.
-- Derived data: no other table refers to these, and nothing is backfilled for earlier hours.
CREATE TABLE `account_health_snapshots` (
	`account_id` integer NOT NULL,
	`hour` integer NOT NULL,
	`organizations` integer NOT NULL,
	`online` integer NOT NULL,
	`offline` integer NOT NULL,
	`stale` integer NOT NULL,
	`total` integer NOT NULL,
	PRIMARY KEY(`account_id`, `hour`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `account_health_snapshots_hour_idx` ON `account_health_snapshots` (`hour`);--> statement-breakpoint
CREATE TABLE `org_health_snapshots` (
	`organization_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`hour` integer NOT NULL,
	`is_active` integer NOT NULL,
	`online` integer NOT NULL,
	`offline` integer NOT NULL,
	`stale` integer NOT NULL,
	`total` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `hour`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `org_health_snapshots_hour_idx` ON `org_health_snapshots` (`hour`);