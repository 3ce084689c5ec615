// `orgdesk migrate` for PostgreSQL (issue 15, SCALE-2, scale-out.md §4.4): migrations are a step
// run once before replicas start, not something every replica does at start (two replicas on an
// empty database would both migrate and both provision). A replica only checks: it refuses a
// database whose applied migrations are not exactly the code's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type pg from 'pg';
import { createPgClient } from './database';

export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/** What a replica or an operator is told to run when the schema is behind. */
export const MIGRATE_COMMAND = 'ORGDESK_DATABASE_URL=postgres://… npm run migrate';

/**
 * The session advisory lock every `migrate` takes (a number, so it is the same in every process).
 * Advisory locks are fine for this on real PostgreSQL (scale-out.md §2: not for leader election,
 * and not on CockroachDB, which would need a lock row instead). The lock is taken on a direct
 * connection of its own, never through a transaction-mode pooler.
 */
const MIGRATE_LOCK_KEY = 'orgdesk-migrate';

export interface CodeMigration {
  tag: string;
  /** drizzle's identity of a migration in its journal table: the journal's `when`. */
  createdAt: number;
  hash: string;
}

/** The migrations this code carries, in order (from the folder's journal and files). */
export function codeMigrations(folder = PG_MIGRATIONS_FOLDER): CodeMigration[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  const files = readMigrationFiles({ migrationsFolder: folder });
  return journal.entries.map((entry, i) => ({
    tag: entry.tag,
    createdAt: entry.when,
    hash: files[i]!.hash,
  }));
}

export interface MigrateOptions {
  migrationsFolder?: string;
  /**
   * Runs after the migrations, under the same lock, so concurrent `migrate` runs provision once
   * (the first admin). It must be idempotent (the next run calls it again): look, then create.
   */
  bootstrap?: (client: pg.Client) => Promise<void>;
}

export interface MigrateResult {
  /** Tags of the migrations this run applied (empty: the database was current). */
  applied: string[];
}

/**
 * Applies the pending migrations of `connectionString` (drizzle's migrator: all pending ones in
 * one transaction) under the migration lock, then the bootstrap. Safe to run concurrently and
 * again: a second run waits for the lock, re-reads the journal and finds nothing to do.
 */
export async function migratePg(
  connectionString: string,
  opts: MigrateOptions = {},
): Promise<MigrateResult> {
  const folder = opts.migrationsFolder ?? PG_MIGRATIONS_FOLDER;
  const client = createPgClient(connectionString);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATE_LOCK_KEY]);
    try {
      const before = new Set((await appliedMigrations(client)).map((m) => m.createdAt));
      await migrate(drizzle(client), { migrationsFolder: folder });
      await opts.bootstrap?.(client);
      return {
        applied: codeMigrations(folder)
          .filter((m) => !before.has(m.createdAt))
          .map((m) => m.tag),
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATE_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

interface Queryable {
  query(text: string): Promise<{ rows: unknown[] }>;
}

async function appliedMigrations(db: Queryable): Promise<{ hash: string; createdAt: number }[]> {
  const exists = (await db.query(
    "SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS present",
  )) as { rows: { present: boolean }[] };
  if (!exists.rows[0]?.present) return [];
  const { rows } = (await db.query(
    'SELECT hash, created_at FROM drizzle.__drizzle_migrations ORDER BY created_at, id',
  )) as { rows: { hash: string; created_at: string | number }[] };
  return rows.map((r) => ({ hash: r.hash, createdAt: Number(r.created_at) }));
}

export class SchemaMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaMismatchError';
  }
}

/**
 * What a replica calls before it serves (SCALE-2): the database's applied migrations must be
 * exactly the code's, in order and unedited. Behind: the missing migration is named with the
 * command that applies it. Ahead (a newer release migrated it) or different: refused too, since
 * this code would read columns it does not know, or miss ones it needs.
 */
export async function assertSchemaCurrent(
  db: Queryable,
  folder = PG_MIGRATIONS_FOLDER,
): Promise<void> {
  const code = codeMigrations(folder);
  const applied = await appliedMigrations(db);
  if (applied.length === 0) {
    throw new SchemaMismatchError(
      `The database has no Orgdesk schema (no migration applied; the first is ${code[0]?.tag}). ` +
        `Run \`${MIGRATE_COMMAND}\` once against it, then start the replicas.`,
    );
  }
  for (let i = 0; i < Math.max(code.length, applied.length); i++) {
    const want = code[i];
    const have = applied[i];
    if (!have) {
      const missing = code.slice(i).map((m) => m.tag);
      throw new SchemaMismatchError(
        `The database is behind this Orgdesk: migration ${missing.join(', ')} ` +
          `${missing.length === 1 ? 'is' : 'are'} not applied. Run \`${MIGRATE_COMMAND}\`, ` +
          'then start the replicas.',
      );
    }
    if (!want) {
      throw new SchemaMismatchError(
        `The database has ${applied.length - code.length} migration(s) this Orgdesk does not ` +
          `know (it knows ${code.length}, the last ${code.at(-1)?.tag}): it was migrated by a newer ` +
          'release. Run that release, or restore the database from before its migration.',
      );
    }
    if (have.createdAt !== want.createdAt || have.hash !== want.hash) {
      throw new SchemaMismatchError(
        `The database's migration ${i + 1} is not this Orgdesk's ${want.tag} (a different or ` +
          'edited migration was applied). Restore the database, or run the release that made it.',
      );
    }
  }
}
