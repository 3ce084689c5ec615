ALTER TABLE `accounts` ADD `is_active` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `hosts` ADD `last_signed_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `is_platform_operator` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- PLAT-1 upgrade: the bootstrap admin (the first account's first account admin) becomes the
-- platform operator; existing support engineers stay as they are.
UPDATE `users` SET `is_platform_operator` = 1 WHERE `id` = (
  SELECT min(u.`id`) FROM `users` u
  JOIN `role_assignments` r ON r.`user_id` = u.`id` AND r.`role` = 'account_admin' AND r.`organization_id` IS NULL
  WHERE u.`account_id` = (SELECT min(`id`) FROM `accounts`)
);
