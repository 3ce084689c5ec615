// The two engines of the group C parity tests (issue 15), seeded alike: a migrated SQLite file
// (SqliteUnitOfWork over createSqliteRepos) and a PostgreSQL test database (PgUnitOfWork over
// createPgRepos), and a way to drop both afterwards.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { AuditChain } from '../../main/core/audit';
import { AuditLog } from '../../main/db/sqlite/audit-log';
import type { UnitOfWork } from '../../main/core/uow';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgClient, createPgPool } from '../../main/db/pg/database';
import { createPgRepos } from '../../main/db/pg/repos';
import * as pgSchema from '../../main/db/pg/schema';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import * as sqliteSchema from '../../main/db/schema';
import { createSqliteRepos } from '../../main/db/sqlite/repos';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import type { Repos } from '../../main/repos';
import { createTestDatabase, type TestDatabase } from '../fixtures/pg-cluster';

/** What the scripts use: the full set on both engines. */
export type C = Repos;

export type Seed = [keyof typeof pgSchema & keyof typeof sqliteSchema, Record<string, unknown>[]][];

const tableName = (t: unknown) =>
  (t as { [k: symbol]: string })[Symbol.for('drizzle:Name')] as string;

/** A promise both racers wait on, and its resolve. */
export const barrier = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

export interface Engines {
  pool: pg.Pool;
  opened: OpenedDatabase;
  sqliteUow(t0: number): UnitOfWork<C>;
  pgUow(t0: number, maxAttempts?: number): PgUnitOfWork<C>;
  close(): Promise<void>;
}

/** Both engines, seeded with the same rows (table by table, explicit ids), email queued on both. */
export async function openEngines(url: string, seed: Seed): Promise<Engines> {
  const db: TestDatabase = await createTestDatabase(url);
  const pool = createPgPool(db.url, { max: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-repos-c-'));
  const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  const pgDb = drizzle(pool);
  const chain = AuditChain.fromKey(randomBytes(32));
  for (const [table, rows] of seed) {
    opened.db
      .insert(sqliteSchema[table] as typeof sqliteSchema.accounts)
      .values(rows as never)
      .run();
    await pgDb.insert(pgSchema[table] as typeof pgSchema.accounts).values(rows as never);
    // Explicit ids do not move an identity: the next generated id must follow the seed's.
    if ('id' in (pgSchema[table] as object)) {
      const name = tableName(pgSchema[table]);
      await pool.query(
        `SELECT setval(pg_get_serial_sequence($1, 'id'), (SELECT max(id) FROM ${name}))`,
        [name],
      );
    }
  }
  const clockFrom = (t: number) => ({ now: () => t++ });
  return {
    pool,
    opened,
    sqliteUow: (t0) =>
      new SqliteUnitOfWork<Repos>(
        opened.sqlite,
        createSqliteRepos(
          opened.db,
          new AuditLog(opened.db, clockFrom(t0), chain, { email: true }),
        ),
      ) as unknown as UnitOfWork<C>,
    pgUow: (t0, maxAttempts = 5) => {
      const clock = clockFrom(t0);
      return new PgUnitOfWork<C>(pool, (tx) => createPgRepos(tx, { chain, clock, email: true }), {
        maxAttempts,
      });
    },
    async close() {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
      await pool.end();
      // pool.end() resolves before the server has closed every backend; DROP … WITH (FORCE)
      // would then terminate the stragglers and their clients throw (57P01) after the test.
      const c = createPgClient(url);
      await c.connect();
      for (let i = 0; i < 200; i++) {
        const { rows } = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [db.name],
        );
        if (rows[0]!.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await c.end();
      await db.drop();
    },
  };
}

/** Runs a script on both engines and compares each logged result by name. */
export async function bothEngines(
  engines: Engines,
  t0: number,
  script: (uow: UnitOfWork<C>) => Promise<Record<string, unknown>>,
): Promise<{ onSqlite: Record<string, unknown>; onPg: Record<string, unknown> }> {
  const onSqlite = await script(engines.sqliteUow(t0));
  const onPg = await script(engines.pgUow(t0));
  return { onSqlite, onPg };
}
