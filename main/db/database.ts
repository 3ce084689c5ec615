import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nameKey } from '../core/names';
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
  /** What the start should tell the operator (see rekeyNames); empty almost always. */
  notices: string[];
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

/**
 * The database holds every account's data (secrets are sealed, but names, hosts and the audit
 * trail are not), so it is owner-only whatever the umask or the directory's mode. SQLite creates
 * the -wal and -shm files with the database file's own mode, so a 0600 database is enough for
 * them; the ones already on disk (left by a crash, or by an older version) are tightened too.
 */
const OWNER_ONLY = 0o600;

/** Creates `file` empty and owner-only if it is missing (an empty file is an empty database). */
function createOwnerOnly(file: string): void {
  try {
    closeSync(openSync(file, 'wx', OWNER_ONLY));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Our files beside the database: its WAL, SHM and rollback journal, and pre-migration copies. */
function companionFiles(file: string): string[] {
  const name = basename(file);
  const folder = dirname(file);
  return readdirSync(folder)
    .filter(
      (f) =>
        f === `${name}-wal` ||
        f === `${name}-shm` ||
        f === `${name}-journal` ||
        (f.startsWith(`${name}.pre-migration-`) && f.endsWith('.bak')),
    )
    .map((f) => join(folder, f));
}

/** chmod 0600 where group or others have any access; these files are ours alone. */
function tighten(files: string[]): void {
  for (const f of files) {
    const st = statSync(f, { throwIfNoEntry: false });
    if (!st?.isFile() || (st.mode & 0o077) === 0) continue;
    try {
      chmodSync(f, OWNER_ONLY);
    } catch (err) {
      // Not ours to change (another user owns it): refuse rather than serve data others can read.
      const shown = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new Error(
        `${f} is open to other users (mode ${shown}) and could not be made owner-only ` +
          `(${(err as NodeJS.ErrnoException).code ?? String(err)}): run chmod 600 ${f} as its owner`,
      );
    }
  }
}

/** `PRAGMA user_version` from which on every `name_key` holds nameKey()'s folded form. */
const NAME_KEYS_VERSION = 1;

const KEYED_NAMES = [
  { table: 'organizations', scope: 'account_id', label: 'organization', within: 'account' },
  { table: 'locations', scope: 'organization_id', label: 'location', within: 'organization' },
] as const;

/**
 * Once per database: nameKey() now folds default-ignorable characters out ("Ac\u200Bme" is
 * "acme"), and rows stored before kept such characters in their keys, so "Acme" could be added
 * beside an "Ac\u200Bme". No migration (SQL cannot fold Unicode): JS recomputes the keys in one
 * transaction and records it in the header's user_version, which nothing else uses, so later
 * opens cost one pragma read. A key that would now clash with another row's stays as it was
 * (both names are kept; none is renamed behind the operator's back), and a notice names both.
 */
function rekeyNames(sqlite: Database.Database): string[] {
  if (Number(sqlite.pragma('user_version', { simple: true })) >= NAME_KEYS_VERSION) return [];
  const notices: string[] = [];
  sqlite.transaction(() => {
    for (const t of KEYED_NAMES) {
      const rows = sqlite
        .prepare(`SELECT id, ${t.scope} AS scope, name, name_key AS key FROM ${t.table}`)
        .all() as { id: number; scope: number; name: string; key: string }[];
      const holder = sqlite.prepare(
        `SELECT id FROM ${t.table} WHERE ${t.scope} = ? AND name_key = ? AND id <> ?`,
      );
      const update = sqlite.prepare(`UPDATE ${t.table} SET name_key = ? WHERE id = ?`);
      for (const row of rows) {
        const key = nameKey(row.name);
        if (key === row.key) continue;
        const other = holder.get(row.scope, key, row.id) as { id: number } | undefined;
        if (other) {
          notices.push(
            `Orgdesk: ${t.label} ${row.id} ${JSON.stringify(row.name)} reads the same as ` +
              `${t.label} ${other.id} in its ${t.within} once invisible characters are ignored; ` +
              `both are kept, rename one of them`,
          );
          continue;
        }
        update.run(key, row.id);
      }
    }
    sqlite.pragma(`user_version = ${NAME_KEYS_VERSION}`);
  })();
  return notices;
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
  createOwnerOnly(options.file);
  tighten([options.file, ...companionFiles(options.file)]);
  const sqlite = new Database(options.file);
  let backupFile: string | null = null;
  try {
    applyPragmas(sqlite);
    const pending = journalTags(folder).length - appliedCount(sqlite);
    if (existed && pending > 0) {
      backupFile = `${options.file}.pre-migration-${now()}.bak`;
      // VACUUM INTO takes an empty file: created owner-only first, it never exists wider.
      createOwnerOnly(backupFile);
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
    const notices = rekeyNames(sqlite);
    sqlite.pragma('analysis_limit = 1000');
    sqlite.pragma('optimize = 0x10002');
    return {
      db,
      sqlite,
      file: options.file,
      backupFile,
      notices,
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
