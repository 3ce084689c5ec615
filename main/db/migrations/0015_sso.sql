CREATE TABLE `oidc_sign_ins` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`state_digest` text NOT NULL,
	`nonce` text NOT NULL,
	`provider_verifier` text NOT NULL,
	`client_challenge` text NOT NULL,
	`return_to` text NOT NULL,
	`client_state` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`called_back_at` integer,
	`user_id` integer,
	`handoff_digest` text,
	`handoff_expires_at` integer,
	`exchanged_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_sign_ins_state_uq` ON `oidc_sign_ins` (`state_digest`);--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_sign_ins_handoff_uq` ON `oidc_sign_ins` (`handoff_digest`);--> statement-breakpoint
CREATE INDEX `oidc_sign_ins_expiry_idx` ON `oidc_sign_ins` (`expires_at`);--> statement-breakpoint
CREATE TABLE `sso_configs` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`client_id` text NOT NULL,
	`client_secret_ciphertext` blob,
	`allowed_domains` text NOT NULL,
	`groups_claim` text DEFAULT 'groups' NOT NULL,
	`group_mappings` text NOT NULL,
	`extra_scopes` text DEFAULT '' NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
