import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrateSchema } from './migrate';
import * as schema from './schema';

/** The drizzle database over one better-sqlite3 connection (`$client`), as drizzle() returns it. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenedDatabase {
  db: Db;
  sqlite: Database.Database;
  file: string;
  /** Where the pre-migration copy was written, when migrations ran on an existing file. */
  backupFile: string | null;
  close(): void;
}

export interface OpenOptions {
  file: string;
  /** Resolved from the resources path when packaged; from the repo otherwise. */
  migrationsFolder?: string;
  /** Clock for the backup file's name. */
  now?: () => number;
}

export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly backupFile: string | null,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

function applyPragmas(sqlite: Database.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // 64 MiB of page cache (the default is 2 MiB): at 100,000 orgs the org list's indexes and the
  // hot hosts ranges no longer fit in 2 MiB, and every miss is a read system call.
  sqlite.pragma('cache_size = -65536');
  // Savepoint journals in memory: the group commit nests every agent write in a savepoint, and
  // their journals would otherwise spill to temp files (about 12 % of a registration's CPU).
  sqlite.pragma('temp_store = MEMORY');
  // Checkpoint the WAL every 10,000 pages (~40 MiB) rather than 1,000: a page written by many
  // commits is copied back once per checkpoint, not ten times (registrations: +13-29 %).
  sqlite.pragma('wal_autocheckpoint = 10000');
}

function journalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(`${folder}/meta/_journal.json`, 'utf8')) as {
    entries: { tag: string }[];
  };
  return journal.entries.map((e) => e.tag);
}

function appliedCount(sqlite: Database.Database): number {
  const table = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'")
    .get();
  if (!table) return 0;
  return (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number })
    .n;
}

/**
 * Opens (creating if needed) an Orgdesk database and brings its schema up to date. Before
 * migrating a file that already holds data, a consistent copy is written beside it, so a failed
 * migration can never cost the user their data: the migration itself runs in one transaction.
 */
export function openDatabase(options: OpenOptions): OpenedDatabase {
  const folder = options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER;
  const now = options.now ?? Date.now;
  const existed = existsSync(options.file) && statSync(options.file).size > 0;
  const sqlite = new Database(options.file);
  let backupFile: string | null = null;
  try {
    applyPragmas(sqlite);
    const pending = journalTags(folder).length - appliedCount(sqlite);
    if (existed && pending > 0) {
      backupFile = `${options.file}.pre-migration-${now()}.bak`;
      sqlite.prepare('VACUUM INTO ?').run(backupFile);
    }
    const db = drizzle(sqlite, { schema });
    try {
      migrateSchema(sqlite, folder);
    } catch (err) {
      throw new MigrationError(
        `Could not update the database schema of ${options.file}: ${(err as Error).message}. ` +
          `Your data is unchanged${backupFile ? `; a copy taken before the attempt is at ${backupFile}` : ''}.`,
        backupFile,
        err,
      );
    }
    // SQLite's advice for long-lived connections: gather planner statistics at open where they
    // are missing or stale (bounded by analysis_limit: 125 ms the first time at 100,000 orgs,
    // nothing while they are fresh). Before migration 0006 the ORG-2 search read wide table rows
    // without them; since then the plans of the ORG-2, hosts and audit pages were checked to be
    // the same either way, so this guards the planner as data grows rather than fixing a plan.
    sqlite.pragma('analysis_limit = 1000');
    sqlite.pragma('optimize = 0x10002');
    return {
      db,
      sqlite,
      file: options.file,
      backupFile,
      close: () => {
        // SQLite's advice for long-lived connections: refresh planner statistics where stale.
        if (!sqlite.readonly) sqlite.pragma('optimize');
        sqlite.close();
      },
    };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
