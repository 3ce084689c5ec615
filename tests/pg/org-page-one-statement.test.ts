// ORG-2 on PostgreSQL in one round trip (issue 15 target: the page within 1.5× of one hand-written
// statement). Each statement is a wake-up of a backend; the page was eight (BEGIN, the actor's
// state, their roles, the count, the ids, the rows, the stats, COMMIT). Now
// OrganizationsService.list reads the actor's access facts and the page in ONE statement, in
// autocommit (UnitOfWork.readOne), under the scope it guessed, and keeps the page only if those
// facts decide that scope. Proven here on the services composed over pgStorage: the statements a
// page sends, its answers against the same services over SQLite (same rows seeded in both), and
// a guess gone stale (a role taken away, a grant revoked) never answering with the old scope.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../main/core/actor';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { nameKey } from '../../main/core/names';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import { pgStorage } from '../../main/db/pg/storage';
import { sqliteStorage } from '../../main/db/sqlite/storage';
import { createServices, type Services } from '../../main/services';
import { InlinePgOffload } from '../../main/workers/pg-read-pool';
import { AuditChain } from '../../main/core/audit';
import { orgSearchText } from '../../shared/org-search';
import type { ListOrganizationsInput } from '../../shared/schemas/organizations.schema';
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

type Step = [sql: string, params: unknown[]];

const REGIONS = ['eu-west', 'us-east', null, 'apac'];
// Account 1: 24 orgs (every fifth inactive, some without a region, some "Globex"); account 2: 3.
const orgRows = Array.from({ length: 27 }, (_, i) => {
  const id = i + 1;
  const account = id <= 24 ? 1 : 2;
  const name = id % 3 === 0 ? `Globex ${String(id).padStart(2, '0')}` : `Org ${id}`;
  return { id, account, name, region: REGIONS[id % 4]!, active: id % 5 !== 0 };
});

const seed: Step[] = [
  ['INSERT INTO accounts (id, name, created_at) VALUES (1, ?, ?), (2, ?, ?)', ['A', NOW, 'B', NOW]],
  ...(
    [
      [1, 1, 'admin@a.test', false],
      [2, 1, 'tech@a.test', false],
      [3, 2, 'support@b.test', true],
      [4, 1, 'nobody@a.test', false],
    ] as const
  ).map(([id, account, email, support]): Step => [
    `INSERT INTO users (id, account_id, email, email_key, name, is_support_engineer, created_at,
       updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, account, email, email, email, support, NOW, NOW],
  ]),
  ...orgRows.map(({ id, account, name, region, active }): Step => [
    `INSERT INTO organizations (id, account_id, name, name_key, search_text, region, is_active,
       secret_ciphertext, secret_digest, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      account,
      name,
      nameKey(name),
      orgSearchText(name, null),
      region,
      active,
      Buffer.from([id]),
      `d${id}`,
      NOW,
      NOW,
    ],
  ]),
  ...orgRows.map(({ id }): Step => [
    `INSERT INTO locations (id, organization_id, name, name_key, timezone, is_default, created_at,
       updated_at) VALUES (?, ?, 'Default', 'default', 'UTC', ?, ?, ?)`,
    [id, id, true, NOW, NOW],
  ]),
  // Hosts in every status, a few per org, so every count sort has ties and differences.
  ...orgRows.flatMap(({ id }) =>
    Array.from({ length: id % 4 }, (_, k): Step => {
      const seen = [MIN, 10 * MIN, 40 * DAY, null][(id + k) % 4];
      return [
        `INSERT INTO hosts (organization_id, location_id, hostname, ip, agent_type, registered_at,
           last_seen_at) VALUES (?, ?, ?, '10.0.0.1', 'go', ?, ?)`,
        [id, id, `h${id}-${k}`, NOW - (k === 2 ? 40 * DAY : DAY), seen == null ? null : NOW - seen],
      ];
    }),
  ),
  [
    `INSERT INTO role_assignments (user_id, account_id, organization_id, role) VALUES
       (1, 1, NULL, 'account_admin'), (2, 1, 2, 'technician'), (2, 1, 7, 'reader')`,
    [],
  ],
  [
    `INSERT INTO support_grants (id, account_id, kind, starts_at, expires_at) VALUES
       (1, 1, 'customer', ?, ?)`,
    [NOW - DAY, NOW + DAY],
  ],
];

const toPg = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
const toSqlite = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);

const actor = (userId: number, accountId: number, isSupportEngineer = false): Actor => ({
  userId,
  accountId,
  label: `user ${userId}`,
  isSupportEngineer,
  isPlatformOperator: false,
  readOnly: false,
  via: 'token',
});
const admin = actor(1, 1);
const tech = actor(2, 1);
const support = actor(3, 2, true);
const nobody = actor(4, 1);

const PAGES: ListOrganizationsInput[] = [
  { include_stats: true },
  { include_stats: true, limit: 5 },
  // Account 1 has 20 active orgs (the default) of 24.
  { include_stats: true, limit: 5, skip: 12 }, // past the middle: walked from the end
  { include_stats: true, limit: 5, skip: 18 }, // the last rows: fewer than the limit
  { include_stats: true, limit: 5, skip: 40 }, // past the end: the total, no rows
  { include_stats: true, active_only: false, limit: 5, skip: 22 },
  { include_stats: true, is_active: false },
  { include_stats: true, search: 'globex' },
  { include_stats: true, search: 'globex', skip: 3, limit: 2 },
  { include_stats: true, search: 'globex', skip: 50 },
  { include_stats: true, search: 'nothing-matches' },
  { include_stats: true, region: 'eu-west' },
  { include_stats: true, active_only: true, sort: 'region', order: 'asc' },
  { include_stats: true, sort: 'region', order: 'desc', limit: 7, skip: 15 },
  { include_stats: true, sort: 'name', order: 'desc' },
  { include_stats: true, sort: 'offline', order: 'desc' },
  { include_stats: true, sort: 'stale', order: 'desc', skip: 20, limit: 3 },
  { include_stats: true, sort: 'online', order: 'asc', region: 'us-east' },
  { include_stats: true, sort: 'total', order: 'desc', search: 'globex' },
  { include_stats: false, sort: 'total', order: 'asc' },
  { include_stats: false },
  { include_stats: true, account_id: 1 },
  { include_stats: true, account_id: 2 },
];

describe.skipIf(!pgAvailable)('ORG-2 on PostgreSQL: one statement a page', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let sqlite: OpenedDatabase;
  let onPg: Services;
  let onSqlite: Services;
  /** Every statement the PG pool's connections were sent, in order. */
  const sent: string[] = [];
  /** The name each of them was sent under (undefined: an unnamed statement), in the same order. */
  const names: (string | undefined)[] = [];

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url, { max: 2 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const a = args[0];
        sent.push(typeof a === 'string' ? a : ((a as { text?: string }).text ?? ''));
        names.push(typeof a === 'string' ? undefined : (a as { name?: string }).name);
        return query(...args);
      };
    });
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-org-page-'));
    sqlite = openDatabase({ file: join(dir, 'orgdesk.db') });
    for (const [sql, params] of seed) {
      sqlite.sqlite.prepare(sql).run(...params.map(toSqlite));
      await pool.query(toPg(sql), params);
    }
    const keys = new FileKeyStore(join(dir, 'master.key'));
    const clock = new ManualClock(NOW);
    onSqlite = createServices({ storage: sqliteStorage(sqlite.db), clock, keys });
    onPg = createServices({
      storage: pgStorage({
        pool,
        connectionString: db.url,
        offload: new InlinePgOffload({ pool, chain: new AuditChain(keys) }),
      }),
      clock,
      keys,
    });
    // The kept counts the count sorts read, as each server keeps them.
    await onSqlite.infra.hostCounts.refreshDue(NOW);
    await onPg.infra.hostCounts.refreshDue(NOW);
  });

  afterAll(async () => {
    await onPg?.infra.storage.close();
    await onSqlite?.infra.storage.close();
    sqlite?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  /** The statements one call sends to PostgreSQL. */
  const statementsOf = async <T>(
    fn: () => Promise<T>,
  ): Promise<{ value: T; statements: string[] }> => {
    const from = sent.length;
    const value = await fn();
    return { value, statements: sent.slice(from) };
  };

  it('answers every page in one statement: no BEGIN, no COMMIT, no second read', async () => {
    for (const who of [admin, tech, support]) {
      await onPg.organizations.list(who, { include_stats: true }); // each actor's scope learnt
      for (const input of PAGES) {
        const { statements } = await statementsOf(() => onPg.organizations.list(who, input));
        expect(statements, `${who.label} ${JSON.stringify(input)}`).toHaveLength(1);
        // The page's statement, or the facts alone when the scope leaves nothing to read.
        expect(statements[0]).toMatch(/^\s*(WITH|SELECT)\b/);
      }
    }
  });

  it('sends each page as a statement named by its text: parsed once per connection', async () => {
    // Two pages of each shape (another skip): the same text under the same name, so the
    // connection skips Parse and PostgreSQL its parse and analysis on the second.
    for (const input of PAGES.filter((p) => !p?.skip)) {
      const from = sent.length;
      await onPg.organizations.list(admin, input);
      await onPg.organizations.list(admin, { ...input, skip: 1 });
      const [first, second] = [names[from], names[from + 1]];
      // A scope that leaves nothing to read (another account's id) reads the facts alone.
      if (!/^\s*WITH\b/.test(sent[from]!)) continue;
      expect(first, JSON.stringify(input)).toMatch(/^org2_/);
      expect(sent[from + 1]).toBe(sent[from]);
      expect(second).toBe(first);
    }
    // Another shape, another text: never one name for two texts (node-postgres refuses it).
    const byName = new Map<string, string>();
    for (const [i, name] of names.entries()) {
      if (!name) continue;
      expect(byName.get(name) ?? sent[i]).toBe(sent[i]);
      byName.set(name, sent[i]!);
    }
    expect(new Set(byName.values()).size).toBeGreaterThan(5);
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'org2_%'",
    );
    expect(rows[0]!.n).toBeGreaterThan(0);
  });

  it('answers every page as the same services over SQLite, for every kind of actor', async () => {
    for (const who of [admin, tech, support, nobody]) {
      for (const input of PAGES) {
        const name = `${who.label} ${JSON.stringify(input)}`;
        const expected = await onSqlite.organizations.list(who, input);
        expect(await onPg.organizations.list(who, input), name).toEqual(expected);
      }
    }
    // Not merely equal: the pages reach what they are about.
    const past = await onPg.organizations.list(admin, { limit: 5, skip: 40 });
    expect(past).toEqual({ items: [], total: 20 });
    const last = await onPg.organizations.list(admin, { limit: 5, skip: 18 });
    expect([last.total, last.items.length]).toEqual([20, 2]);
    const all = await onPg.organizations.list(admin, { active_only: false, limit: 5, skip: 22 });
    expect([all.total, all.items.length]).toEqual([24, 2]);
    const techs = await onPg.organizations.list(tech, {});
    expect(techs.items.map((o) => o.id)).toEqual([2, 7]);
    const engineer = await onPg.organizations.list(support, { sort: 'offline', order: 'desc' });
    expect(engineer.total).toBe(20);
    expect(engineer.items[0]!.stats).toMatchObject({ as_of: expect.any(String) as unknown });
    expect(await onPg.organizations.list(nobody, {})).toEqual({ items: [], total: 0 });
  });

  it('never answers under a scope the facts of its own snapshot no longer give', async () => {
    const tempAdmin = actor(4, 1);
    await pool.query(
      "INSERT INTO role_assignments (user_id, account_id, organization_id, role) VALUES (4, 1, NULL, 'account_admin')",
    );
    expect((await onPg.organizations.list(tempAdmin, {})).total).toBe(20);
    // The account role goes, an org role comes: the remembered guess is the whole account now
    // wrong, so the page read under it is dropped and read again under the scope decided.
    await pool.query('DELETE FROM role_assignments WHERE user_id = 4 AND organization_id IS NULL');
    await pool.query(
      "INSERT INTO role_assignments (user_id, account_id, organization_id, role) VALUES (4, 1, 9, 'reader')",
    );
    const narrowed = await statementsOf(() => onPg.organizations.list(tempAdmin, {}));
    expect(narrowed.value.items.map((o) => o.id)).toEqual([9]);
    expect(narrowed.value.total).toBe(1);
    expect(narrowed.statements).toHaveLength(2);
    // The support grant revoked: the engineer's next page is empty at once (SUP-5).
    expect((await onPg.organizations.list(support, {})).total).toBe(20);
    await pool.query('UPDATE support_grants SET revoked_at = $1 WHERE id = 1', [NOW - MIN]);
    expect(await onPg.organizations.list(support, {})).toEqual({ items: [], total: 0 });
    await pool.query('UPDATE support_grants SET revoked_at = NULL WHERE id = 1');
    await pool.query('DELETE FROM role_assignments WHERE user_id = 4');
  });

  /** The message of a rejection and of its causes (drizzle wraps the driver's error). */
  const failure = async (p: Promise<unknown>): Promise<string> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    const out: string[] = [];
    for (let e = err as { message?: string; cause?: unknown } | null; e; e = e.cause as never)
      out.push(String(e.message));
    return out.join(' <- ');
  };

  it('readOne refuses a second statement and anything that writes, before it is sent', async () => {
    const uow = onPg.infra.storage.uow;
    expect(
      await failure(
        uow.readOne(async (r) => {
          await r.orgs.byId(1);
          return r.orgs.byId(2);
        }),
      ),
    ).toMatch(/one statement, its own snapshot; this is a second one/);
    const before = sent.length;
    expect(
      await failure(
        uow.readOne((r) => r.orgs.update(1, { description: 'written outside a transaction' }, NOW)),
      ),
    ).toMatch(/use write\(\) for it/);
    expect(sent.length).toBe(before);
    const { rows } = await pool.query('SELECT description FROM organizations WHERE id = 1');
    expect(rows[0].description).toBeNull();
  });
});
