import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ipSortKey } from '../../shared/cidr';
import { orgSearchText } from '../../shared/org-search';

/**
 * The functions a migration may call besides SQLite's own, for values only JavaScript computes
 * (the ORG-2 search folding, the UI-11 IP sort key). Deterministic, so SQLite may use them anywhere; registered on the
 * connection, never stored in the schema: no table, index or trigger refers to them, so the file
 * stays readable by any SQLite.
 */
export function registerMigrationFunctions(sqlite: Database.Database): void {
  sqlite.function(
    'orgdesk_search_text',
    { deterministic: true },
    (name: unknown, description: unknown) =>
      orgSearchText(String(name), description === null ? null : String(description)),
  );
  sqlite.function('orgdesk_ip_key', { deterministic: true }, (ip: unknown) =>
    ipSortKey(String(ip)),
  );
}

/**
 * Applies the committed migrations (each pending one in drizzle's single transaction) with the
 * migration functions registered: every migrating connection goes through here (the app's
 * database, a new export file, the private copy of an older export under review).
 */
export function migrateSchema(sqlite: Database.Database, migrationsFolder: string): void {
  registerMigrationFunctions(sqlite);
  migrate(drizzle(sqlite), { migrationsFolder });
}
