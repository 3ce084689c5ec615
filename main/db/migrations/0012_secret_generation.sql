ALTER TABLE `hosts` ADD `secret_generation` integer;--> statement-breakpoint
ALTER TABLE `organizations` ADD `secret_generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- A legacy host of an org with no grace period running can only have used the current secret
-- (generation 0); during a running grace it is not known until its next heartbeat (null).
UPDATE `hosts` SET `secret_generation` = 0
WHERE `agent_type` = 'legacy' AND `organization_id` IN (
  SELECT `id` FROM `organizations`
  WHERE `previous_secret_expires_at` IS NULL
     OR `previous_secret_expires_at` <= CAST(strftime('%s', 'now') AS INTEGER) * 1000
);
