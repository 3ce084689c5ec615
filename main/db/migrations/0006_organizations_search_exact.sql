DROP INDEX `organizations_id_scope_search_idx`;--> statement-breakpoint
CREATE INDEX `organizations_id_scope_idx` ON `organizations` (`id`,`account_id`,`is_active`,`region`,`name_key`);--> statement-breakpoint
CREATE INDEX `organizations_account_active_search_idx` ON `organizations` (`account_id`,`is_active`,`name_key`,`id`,`search_text`);--> statement-breakpoint
-- The search text is lower-cased by the app (searchText()); a case-sensitive trigram index over it
-- matches a lower-cased term exactly. The default folds case by Unicode rules that merge letters
-- lower-casing keeps apart (ς and σ), so every match needed a second, literal test.
-- The triggers of 0003 name the table and keep it in sync as before.
DROP TABLE `organizations_search`;--> statement-breakpoint
CREATE VIRTUAL TABLE `organizations_search` USING fts5(`search_text`, content='organizations', content_rowid='id', tokenize='trigram case_sensitive 1');--> statement-breakpoint
INSERT INTO `organizations_search` (`organizations_search`) VALUES ('rebuild');
