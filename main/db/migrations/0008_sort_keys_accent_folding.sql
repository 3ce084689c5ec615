-- ORG-2 accent-insensitive search: search_text is now folded by shared/org-search.ts
-- (lower-cased, accents and strokes dropped). The folding is JavaScript, so the migration calls
-- it as the application function orgdesk_search_text(), which main/db/migrate.ts registers on
-- the connection before migrating: existing texts are recomputed inside the migration's own
-- transaction, and the trigram index follows through its update trigger (0003).
UPDATE `organizations` SET `search_text` = orgdesk_search_text(`name`, `description`)
  WHERE `search_text` IS NOT orgdesk_search_text(`name`, `description`);
