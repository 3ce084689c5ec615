import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { ipSortKey } from '../../shared/cidr';
import { orgSearchText } from '../../shared/org-search';
import { canonicalTimezone } from '../../shared/timezone';

/**
 * The functions a migration may call besides SQLite's own, for values only JavaScript computes
 * (the ORG-2 search folding, the UI-11 IP sort key, the LOC-1 current zone name). Deterministic, so SQLite may use them anywhere; registered on the
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
  // The name as it is when the table does not know it: a migration never invents a zone.
  sqlite.function('orgdesk_timezone', { deterministic: true }, (tz: unknown) => {
    const name = String(tz);
    return canonicalTimezone(name) ?? name;
  });
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

/**
 * SCALE-2 (GET /readyz): why this connection's schema is not the one the code carries, or null
 * when it is: the applied migrations (drizzle's `__drizzle_migrations`) must be exactly the
 * folder's, in order and unedited. The folder is read once per call site (`schemaCheck`).
 */
export function schemaCheck(
  migrationsFolder: string,
): (sqlite: Database.Database) => string | null {
  const code = readMigrationFiles({ migrationsFolder });
  return (sqlite) => {
    const applied = sqlite
      .prepare(
        'SELECT hash, created_at AS createdAt FROM __drizzle_migrations ORDER BY created_at, id',
      )
      .all() as { hash: string; createdAt: number }[];
    if (applied.length < code.length) {
      return `the database schema is behind this build: ${code.length - applied.length} migration(s) not applied (restart to migrate)`;
    }
    if (applied.length > code.length) {
      return `the database schema is ahead of this build: ${applied.length - code.length} migration(s) it does not know (a newer release migrated it)`;
    }
    for (let i = 0; i < code.length; i++) {
      if (
        Number(applied[i]!.createdAt) !== code[i]!.folderMillis ||
        applied[i]!.hash !== code[i]!.hash
      ) {
        return `the database schema differs from this build at migration ${i + 1} (a different or edited migration was applied)`;
      }
    }
    return null;
  };
}
