CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`default_retention_days` integer DEFAULT 90 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`threshold` integer,
	`duration_minutes` integer,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_rules_org_idx` ON `alert_rules` (`organization_id`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`token_digest` text NOT NULL,
	`read_only` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_digest_uq` ON `api_tokens` (`token_digest`);--> statement-breakpoint
CREATE INDEX `api_tokens_user_idx` ON `api_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `audit_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`account_id` integer NOT NULL,
	`organization_id` integer,
	`actor_user_id` integer,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`details` text DEFAULT '{}' NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_account_idx` ON `audit_entries` (`account_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_org_idx` ON `audit_entries` (`organization_id`,`id`);--> statement-breakpoint
CREATE TABLE `compliance_baselines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`name` text NOT NULL,
	`rules` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `compliance_baselines_org_idx` ON `compliance_baselines` (`organization_id`);--> statement-breakpoint
CREATE TABLE `hosts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`location_id` integer NOT NULL,
	`hostname` text NOT NULL,
	`ip` text NOT NULL,
	`agent_type` text NOT NULL,
	`public_key` text,
	`pinned` integer DEFAULT false NOT NULL,
	`registered_at` integer NOT NULL,
	`last_seen_at` integer,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `hosts_org_seen_idx` ON `hosts` (`organization_id`,`last_seen_at`,`registered_at`);--> statement-breakpoint
CREATE INDEX `hosts_location_idx` ON `hosts` (`location_id`);--> statement-breakpoint
CREATE INDEX `hosts_org_hostname_idx` ON `hosts` (`organization_id`,`hostname`);--> statement-breakpoint
CREATE TABLE `location_subnets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`location_id` integer NOT NULL,
	`organization_id` integer NOT NULL,
	`cidr` text NOT NULL,
	FOREIGN KEY (`location_id`) REFERENCES `locations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `location_subnets_org_cidr_uq` ON `location_subnets` (`organization_id`,`cidr`);--> statement-breakpoint
CREATE INDEX `location_subnets_location_idx` ON `location_subnets` (`location_id`);--> statement-breakpoint
CREATE TABLE `locations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `locations_org_name_uq` ON `locations` (`organization_id`,`name_key`);--> statement-breakpoint
CREATE UNIQUE INDEX `locations_one_default_uq` ON `locations` (`organization_id`) WHERE is_default = 1;--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text,
	`search_text` text NOT NULL,
	`region` text,
	`is_active` integer DEFAULT true NOT NULL,
	`automation_level` text DEFAULT 'manual' NOT NULL,
	`kill_switch` integer DEFAULT false NOT NULL,
	`major_incident_workflow_id` integer,
	`recording_policy` text DEFAULT 'metadata' NOT NULL,
	`recording_retention_days` integer,
	`legal_hold` integer DEFAULT false NOT NULL,
	`legal_hold_reason` text,
	`secret_ciphertext` blob NOT NULL,
	`secret_digest` text NOT NULL,
	`previous_secret_digest` text,
	`previous_secret_expires_at` integer,
	`secret_rotated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_account_name_uq` ON `organizations` (`account_id`,`name_key`);--> statement-breakpoint
CREATE INDEX `organizations_account_active_name_idx` ON `organizations` (`account_id`,`is_active`,`name_key`,`id`);--> statement-breakpoint
CREATE INDEX `organizations_account_region_idx` ON `organizations` (`account_id`,`region`);--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_secret_digest_uq` ON `organizations` (`secret_digest`);--> statement-breakpoint
CREATE INDEX `organizations_previous_secret_digest_idx` ON `organizations` (`previous_secret_digest`) WHERE previous_secret_digest IS NOT NULL;--> statement-breakpoint
CREATE TABLE `role_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`organization_id` integer,
	`role` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `role_assignments_user_idx` ON `role_assignments` (`user_id`,`organization_id`);--> statement-breakpoint
CREATE INDEX `role_assignments_org_idx` ON `role_assignments` (`organization_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`email` text NOT NULL,
	`email_key` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text,
	`is_support_engineer` integer DEFAULT false NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`erased_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_key_uq` ON `users` (`email_key`);--> statement-breakpoint
CREATE INDEX `users_account_idx` ON `users` (`account_id`);