CREATE VIRTUAL TABLE `organizations_search` USING fts5(`search_text`, content='organizations', content_rowid='id', tokenize='trigram');--> statement-breakpoint
CREATE TRIGGER `organizations_search_insert` AFTER INSERT ON `organizations` BEGIN
  INSERT INTO `organizations_search` (rowid, `search_text`) VALUES (new.`id`, new.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `organizations_search_delete` AFTER DELETE ON `organizations` BEGIN
  INSERT INTO `organizations_search` (`organizations_search`, rowid, `search_text`) VALUES ('delete', old.`id`, old.`search_text`);
END;--> statement-breakpoint
CREATE TRIGGER `organizations_search_update` AFTER UPDATE OF `search_text` ON `organizations` BEGIN
  INSERT INTO `organizations_search` (`organizations_search`, rowid, `search_text`) VALUES ('delete', old.`id`, old.`search_text`);
  INSERT INTO `organizations_search` (rowid, `search_text`) VALUES (new.`id`, new.`search_text`);
END;--> statement-breakpoint
INSERT INTO `organizations_search` (`organizations_search`) VALUES ('rebuild');
