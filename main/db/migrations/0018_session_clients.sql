ALTER TABLE `api_tokens` ADD `client_address` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `client` text;