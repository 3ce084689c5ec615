-- AUD-3 on many writers (issue 14 item 3, scale-out.md §4.3): an explicit per-account sequence,
-- unique, so two appends that read the same chain head cannot both land (the second fails instead
-- of forking the chain), and the chain head itself, which every append moves.
CREATE TABLE `audit_heads` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
-- SQLite adds a NOT NULL column only with a default; every row gets its real seq just below and
-- every append sets it (the schema has no default: an append without one is a bug).
ALTER TABLE `audit_entries` ADD `seq` integer NOT NULL DEFAULT 0;--> statement-breakpoint
-- Until now the chain of an account was its entries in id order (one writer: id order is commit
-- order), so that is the sequence. Nothing is dropped or reordered.
UPDATE `audit_entries` SET `seq` = `numbered`.`n`
FROM (
  SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `account_id` ORDER BY `id`) AS `n`
  FROM `audit_entries`
) AS `numbered`
WHERE `numbered`.`id` = `audit_entries`.`id`;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_account_seq_uq` ON `audit_entries` (`account_id`,`seq`);--> statement-breakpoint
-- Each account's head: its last entry's seq and link hash (the stored hash without a GDPR-1 seal,
-- core/audit.ts linkHash: the first 64 hex digits).
INSERT INTO `audit_heads` (`account_id`, `seq`, `hash`)
SELECT `account_id`, `seq`, substr(`hash`, 1, 64)
FROM `audit_entries` AS `e`
WHERE `seq` = (SELECT max(`seq`) FROM `audit_entries` WHERE `account_id` = `e`.`account_id`);
