// LOC-3 over either engine (issue 15): the location matcher cache reads committed state through
// a unit of work, never a synchronous connection, so the same cache serves SQLite and
// PostgreSQL. Each engine gets the same org; a second writer (another connection on SQLite,
// another pool on PostgreSQL: another process or replica) adds a subnet, and the cache must stop
// answering from the matcher it built before.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxHooks, UnitOfWork } from '../../main/core/uow';
import { nameKey } from '../../main/core/names';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import { createPgReposA } from '../../main/db/pg/repos';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import { SqliteLocationsRepo } from '../../main/db/sqlite/repos/locations';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import { assignWith, LocationMatcherCache } from '../../main/features/locations/location-matcher';
import type { Repos } from '../../main/repos';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type LRepos = TxHooks & Pick<Repos, 'locations'>;
const NOW = 1_800_000_000_000;

const seed: [string, unknown[]][] = [
  ['INSERT INTO accounts (id, name, created_at) VALUES (1, ?, ?)', ['A', NOW]],
  [
    `INSERT INTO organizations (id, account_id, name, name_key, search_text, is_active,
       secret_ciphertext, secret_digest, secret_generation, created_at, updated_at)
     VALUES (1, 1, 'Org', 'org', 'org', ?, ?, 'digest-1', 0, ?, ?)`,
    [true, Buffer.from([1]), NOW, NOW],
  ],
  ...[
    [1, 'Main', true],
    [2, 'Branch', false],
  ].map(([id, name, isDefault]): [string, unknown[]] => [
    `INSERT INTO locations (id, organization_id, name, name_key, timezone, is_default, created_at,
       updated_at) VALUES (?, 1, ?, ?, 'UTC', ?, ?, ?)`,
    [id, name, nameKey(name as string), isDefault, NOW, NOW],
  ]),
  [
    `INSERT INTO location_subnets (id, location_id, organization_id, cidr)
     VALUES (1, 1, 1, '10.0.0.0/8')`,
    [],
  ],
];
/** What the other process commits: a narrower subnet of the branch. */
const EDIT = `INSERT INTO location_subnets (id, location_id, organization_id, cidr)
  VALUES (2, 2, 1, '10.1.0.0/16')`;

const toPg = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const toSqlite = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);

interface Engine {
  uow: UnitOfWork<LRepos>;
  /** The other process's write, committed on its own connection. */
  otherWriter(sql: string): Promise<void>;
}

/** The same script on each engine. */
async function script(e: Engine) {
  const cache = new LocationMatcherCache(e.uow);
  const before = await cache.get(1);
  expect(assignWith(before, '10.1.2.3')).toEqual({ locationId: 1, subnet: '10.0.0.0/8' });
  const revision = await e.uow.read((r) => r.locations.locationRevision(1));
  // What a batch job asks, with the revision it read: the cached matcher, until the org moves on.
  expect(cache.at(1, revision)).toBe(before);
  expect(await cache.get(1)).toBe(before);

  await e.otherWriter(EDIT);
  const moved = await e.uow.read((r) => r.locations.locationRevision(1));
  expect(moved).toBeGreaterThan(revision);
  expect(cache.at(1, moved)).toBeUndefined();
  const after = await cache.get(1);
  expect(after).not.toBe(before);
  expect(assignWith(after, '10.1.2.3')).toEqual({ locationId: 2, subnet: '10.1.0.0/16' });
  expect(cache.at(1, moved)).toBe(after);
  // A matcher of the old revision is never put back over the newer one.
  expect(cache.at(1, revision)).toBeUndefined();
}

describe('the location matcher cache over a unit of work (issue 15)', () => {
  it('on SQLite, sees a subnet another connection committed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-matcher-'));
    const file = join(dir, 'orgdesk.db');
    let opened: OpenedDatabase | undefined;
    const other = () => new Database(file);
    try {
      opened = openDatabase({ file });
      for (const [sql, params] of seed) opened.sqlite.prepare(sql).run(...params.map(toSqlite));
      const uow = new SqliteUnitOfWork<LRepos>(opened.sqlite, {
        locations: new SqliteLocationsRepo(opened.db),
      });
      await script({
        uow,
        otherWriter: async (sql) => {
          const c = other();
          try {
            c.prepare(sql).run();
          } finally {
            c.close();
          }
        },
      });
    } finally {
      opened?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!pgAvailable)('on PostgreSQL', () => {
    let env: PgTestEnv;
    let db: TestDatabase;
    let pool: pg.Pool;
    let replica: pg.Pool;

    beforeAll(async () => {
      env = await pgTestEnv();
      if (!env.available) throw new Error(env.reason);
      db = await createTestDatabase(env.url);
      pool = createPgPool(db.url, { max: 2 });
      replica = createPgPool(db.url, { max: 1 });
      for (const [sql, params] of seed) await pool.query(toPg(sql), params);
    });

    afterAll(async () => {
      await pool?.end();
      await replica?.end();
      await db?.drop();
      if (env?.available) await env.release();
    });

    it('sees a subnet another replica committed', async () => {
      await script({
        uow: new PgUnitOfWork<LRepos>(pool, createPgReposA),
        otherWriter: async (sql) => {
          await replica.query(sql);
        },
      });
    });
  });
});
