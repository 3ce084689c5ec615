// `orgdesk migrate` and the replicas' schema check (issue 15, SCALE-2, scale-out.md §4.4): two
// migrate processes started at once on an empty database migrate it once (both succeed, one set
// of tables, each migration once in the journal) and bootstrap once; a replica refuses a database
// whose applied migrations are not the code's, naming the missing one and the command to run.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgPool } from '../../main/db/pg/database';
import {
  assertSchemaCurrent,
  codeMigrations,
  migratePg,
  PG_MIGRATIONS_FOLDER,
  SchemaMismatchError,
} from '../../main/db/pg/migrate';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../main/server/migrate-cli.ts');
const TSX = join(import.meta.dirname, '../../node_modules/.bin/tsx');

/** The code's migrations plus one more: what a newer release would carry. */
function folderWithOneMore(): string {
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-pg-migrations-'));
  cpSync(PG_MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  const last = journal.entries.at(-1)!;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1, tag: '0099_next' });
  writeFileSync(journalFile, JSON.stringify(journal));
  writeFileSync(join(dir, '0099_next.sql'), 'ALTER TABLE "hosts" ADD COLUMN "os_version" text;');
  return dir;
}

describe.skipIf(!pgAvailable)('orgdesk migrate and the schema check', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  const dirs: string[] = [];

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '', { empty: true });
  });
  afterEach(async () => {
    await db.drop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('two concurrent `npm run migrate` processes on an empty database migrate it once', async () => {
    const migrate = () =>
      run(TSX, [CLI], { env: { ...process.env, ORGDESK_DATABASE_URL: db.url } });
    const outputs = await Promise.all([migrate(), migrate()]);
    const lines = outputs.map((o) => o.stdout.trim()).sort();
    const tags = codeMigrations().map((m) => m.tag);
    expect(lines).toEqual([
      `orgdesk migrate: applied ${tags.join(', ')} (${tags.length} in all)`,
      `orgdesk migrate: the database is current (${tags.length} migrations)`,
    ]);
    const pool = createPgPool(db.url);
    try {
      const journal = await pool.query<{ created_at: number }>(
        'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id',
      );
      expect(journal.rows.map((r) => Number(r.created_at))).toEqual(
        codeMigrations().map((m) => m.createdAt),
      );
      const hostsTables = await pool.query(
        "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'hosts'",
      );
      expect(hostsTables.rowCount).toBe(1);
      await expect(assertSchemaCurrent(pool)).resolves.toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('bootstraps once: the hook runs under the same lock, after the migrations', async () => {
    // An idempotent bootstrap (look, then create) that yields between its look and its write:
    // without the lock, two runs would both look, both find nothing and both create.
    const bootstrap = async (client: pg.Client) => {
      const { rowCount } = await client.query('SELECT 1 FROM accounts');
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (rowCount === 0) {
        await client.query("INSERT INTO accounts (name, created_at) VALUES ('Orgdesk', 0)");
      }
    };
    const results = await Promise.all([
      migratePg(db.url, { bootstrap }),
      migratePg(db.url, { bootstrap }),
      migratePg(db.url, { bootstrap }),
    ]);
    // One run applies every migration; the others find nothing left to do.
    const all = codeMigrations().length;
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, all]);
    const pool = createPgPool(db.url);
    try {
      expect((await pool.query('SELECT id FROM accounts')).rowCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('refuses an empty database, and one missing the last migration, naming it and the command', async () => {
    const pool = createPgPool(db.url);
    try {
      await expect(assertSchemaCurrent(pool)).rejects.toThrow(
        /no Orgdesk schema.*Run `ORGDESK_DATABASE_URL=postgres:\/\/… npm run migrate`/,
      );
      await migratePg(db.url);
      const newer = folderWithOneMore();
      dirs.push(newer);
      // A replica of the newer release on a database this release migrated: behind by one.
      const refused = await assertSchemaCurrent(pool, newer).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SchemaMismatchError);
      expect((refused as Error).message).toBe(
        'The database is behind this Orgdesk: migration 0099_next is not applied. Run ' +
          '`ORGDESK_DATABASE_URL=postgres://… npm run migrate`, then start the replicas.',
      );
      // Once migrated by the newer release, this release refuses it the other way.
      await migratePg(db.url, { migrationsFolder: newer });
      await expect(assertSchemaCurrent(pool, newer)).resolves.toBeUndefined();
      await expect(assertSchemaCurrent(pool)).rejects.toThrow(/migrated by a newer release/);
    } finally {
      await pool.end();
    }
  });

  it('refuses a database whose applied migration was edited after it was applied', async () => {
    await migratePg(db.url);
    const pool = createPgPool(db.url);
    try {
      await pool.query("UPDATE drizzle.__drizzle_migrations SET hash = 'edited'");
      await expect(assertSchemaCurrent(pool)).rejects.toThrow(
        /migration 1 is not this Orgdesk's 0000_foundation/,
      );
    } finally {
      await pool.end();
    }
  });

  it('the command says what it needs without a PostgreSQL URL, and never prints the URL', async () => {
    const noUrl = await run(TSX, [CLI], {
      env: { ...process.env, ORGDESK_DATABASE_URL: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(noUrl).toMatchObject({ code: 2 });
    expect((noUrl as { stderr: string }).stderr).toMatch(/set ORGDESK_DATABASE_URL=postgres:\/\//);
    const secretUrl = db.url.replace('postgres@', 'postgres:s3cret-pw@');
    const ok = await run(TSX, [CLI], { env: { ...process.env, ORGDESK_DATABASE_URL: secretUrl } });
    expect(ok.stdout + ok.stderr).not.toContain('s3cret-pw');
  });
});
