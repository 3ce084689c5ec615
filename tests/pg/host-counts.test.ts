// The host-count triggers of the PostgreSQL schema (issue 15 item 1, scale-out.md §4.6) against
// SQLite's (migrations 0004/0009): the same host writes, in the same order, on a migrated SQLite
// file and a migrated PostgreSQL database, leave the same organization_host_counts rows. Then
// the re-count job (HostStatusCounts over each engine's unit of work) moves them alike as time
// passes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import { createPgReposA } from '../../main/db/pg/repos';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import { SqliteHostCountsRepo } from '../../main/db/sqlite/repos/host-counts';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import type { TxHooks } from '../../main/core/uow';
import { HostStatusCounts } from '../../main/features/hosts/host-status-counts';
import type { Repos } from '../../main/repos';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const DAY = 86_400_000;

/** One statement, written once with `?` placeholders, run on both engines. */
type Step = [sql: string, params: unknown[]];

const steps: Step[] = [
  ['INSERT INTO accounts (id, name, created_at) VALUES (1, ?, ?)', ['A', NOW]],
  ...[1, 2].map((id): Step => [
    `INSERT INTO organizations (id, account_id, name, name_key, search_text, region,
         secret_ciphertext, secret_digest, created_at, updated_at)
       VALUES (?, 1, ?, ?, ?, 'eu', ?, ?, ?, ?)`,
    [id, `Org ${id}`, `org ${id}`, `org ${id}`, Buffer.from([id]), `d${id}`, NOW, NOW],
  ]),
  ...[1, 2].map((id): Step => [
    `INSERT INTO locations (id, organization_id, name, name_key, created_at, updated_at)
       VALUES (?, ?, 'L', 'l', ?, ?)`,
    [id, id, NOW, NOW],
  ]),
  // The refresh job's clock: the counts are evaluated at as_of, so the writes below are too.
  ['UPDATE organization_host_counts SET as_of = ?', [NOW]],
  // Hosts of every status.
  ...(
    [
      [1, 1, NOW - MIN], // online
      [2, 1, NOW - 10 * MIN], // offline
      [3, 1, NOW - 40 * DAY], // stale
      [4, 1, null], // never seen, registered 50 days ago: stale
      [5, 2, NOW - 2 * MIN],
    ] as const
  ).map(([id, org, seen]): Step => [
    `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type,
         registered_at, last_seen_at) VALUES (?, ?, ?, ?, '10.0.0.1', 'go', ?, ?)`,
    [id, org, org, `h${id}`, NOW - 50 * DAY, seen],
  ]),
  // Heartbeats: one that changes a status (offline -> online), one that does not.
  ['UPDATE hosts SET last_seen_at = ? WHERE id = 2', [NOW]],
  ['UPDATE hosts SET last_seen_at = ? WHERE id = 1', [NOW]],
  // A move between orgs, a delete, an org's copied columns.
  ['UPDATE hosts SET organization_id = 2, location_id = 2 WHERE id = 1', []],
  ['DELETE FROM hosts WHERE id = 3', []],
  ["UPDATE organizations SET name_key = 'zz', region = NULL, is_active = ? WHERE id = 2", [false]],
  [
    `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type, registered_at,
       last_seen_at) VALUES (6, 2, 2, 'h6', '10.0.0.6', 'legacy', ?, ?)`,
    [NOW, NOW - 6 * MIN],
  ],
];

const toPg = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const toSqlite = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);

const SELECT = `SELECT organization_id, hosts, online, offline, stale, as_of, next_change_at,
  account_id, is_active, name_key, region FROM organization_host_counts ORDER BY organization_id`;

describe.skipIf(!pgAvailable)('host-count triggers, PostgreSQL against SQLite', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let sqlite: OpenedDatabase;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url);
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-counts-'));
    sqlite = openDatabase({ file: join(dir, 'orgdesk.db') });
  });

  afterAll(async () => {
    sqlite?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  it('leave the same counts after inserts, heartbeats, a move, a delete and an org edit', async () => {
    for (const [sql, params] of steps) {
      sqlite.sqlite.prepare(sql).run(...params.map(toSqlite));
      await pool.query(toPg(sql), params);
    }
    const fromSqlite = (sqlite.sqlite.prepare(SELECT).all() as Record<string, unknown>[]).map(
      (row) => ({ ...row, is_active: row.is_active === null ? null : Boolean(row.is_active) }),
    );
    const fromPg = (await pool.query(SELECT)).rows;
    expect(fromPg).toEqual(fromSqlite);
    // And what they are (not merely equal): org 1 kept h2 (online again) and h4 (stale); org 2
    // has h5, h1 (online) and h6 (offline), with its copies updated.
    expect(fromPg.map((r) => [r.organization_id, r.hosts, r.online, r.offline, r.stale])).toEqual([
      [1, 2, 1, 0, 1],
      [2, 3, 2, 1, 0],
    ]);
    expect(fromPg[1]).toMatchObject({ name_key: 'zz', region: null, is_active: false });
  });

  // After the writes above (the same rows on both engines).
  it('are re-counted alike by the job as time passes (by the crossers, then from scratch)', async () => {
    type CRepos = TxHooks & Pick<Repos, 'hostCounts'>;
    const onSqlite = new HostStatusCounts(
      new SqliteUnitOfWork<CRepos>(sqlite.sqlite, {
        hostCounts: new SqliteHostCountsRepo(sqlite.sqlite),
      }),
    );
    const onPg = new HostStatusCounts(new PgUnitOfWork<CRepos>(pool, createPgReposA));
    const rows = async () => {
      const fromSqlite = (sqlite.sqlite.prepare(SELECT).all() as Record<string, unknown>[]).map(
        (row) => ({ ...row, is_active: row.is_active === null ? null : Boolean(row.is_active) }),
      );
      const fromPg = (await pool.query(SELECT)).rows;
      expect(fromPg).toEqual(fromSqlite);
      return fromPg.map((r) => [r.organization_id, r.online, r.offline, r.stale, r.as_of]);
    };
    // Ten minutes on: h2 (seen at NOW) and h1, h5 go offline; within the window, by the crossers.
    const at1 = NOW + 10 * MIN;
    expect(await onPg.refreshDue(at1)).toBe(await onSqlite.refreshDue(at1));
    expect(await rows()).toEqual([
      [1, 0, 1, 1, at1],
      [2, 0, 3, 0, at1],
    ]);
    // Nothing more is due at the same time.
    expect(await onPg.refreshDue(at1)).toBe(0);
    expect(await onSqlite.refreshDue(at1)).toBe(0);
    // Sixty days on (past the window): from scratch, every host stale.
    const at2 = NOW + 60 * DAY;
    expect(await onPg.refreshDue(at2)).toBe(await onSqlite.refreshDue(at2));
    expect(await rows()).toEqual([
      [1, 0, 0, 2, at2],
      [2, 0, 0, 3, at2],
    ]);
  });
});
