// The read jobs (main/workers/read-jobs.ts) on both engines (issue 15): the same rows seeded in a
// migrated SQLite file and in a PostgreSQL test database (the audit chain written by each
// engine's own append, through its unit of work), then every job kind run through each engine's
// Offload on worker threads (ReadPool over the file, PgReadPool over the database), and the
// results compared deeply: the same pages, the same export bytes (and each file's signature
// valid), the same verification verdict, and a tampered entry found at the same seq with the
// same problem and message on both. Progress is reported on both.
import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemActor, type Actor } from '../../main/core/actor';
import { AuditChain } from '../../main/core/audit';
import { AuditLog } from '../../main/db/sqlite/audit-log';
import type { Offload, OffloadJob, OffloadProgress } from '../../main/core/offload';
import type { UnitOfWork } from '../../main/core/uow';
import { openDatabase, type OpenedDatabase } from '../../main/db/database';
import { createPgClient, createPgPool } from '../../main/db/pg/database';
import { PG_READ_BATCH } from '../../main/db/pg/read-jobs';
import { createPgReposB } from '../../main/db/pg/repos';
import * as pgSchema from '../../main/db/pg/schema';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import * as sqliteSchema from '../../main/db/schema';
import { createSqliteRepos } from '../../main/db/sqlite/repos';
import { SqliteUnitOfWork } from '../../main/db/sqlite/uow';
import type { Repos } from '../../main/repos';
import { InlinePgOffload, PgReadPool } from '../../main/workers/pg-read-pool';
import { ReadPool } from '../../main/workers/read-pool';
import { listAuditInput, type AuditVerifyResult } from '../../shared/schemas/audit.schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

// Ceilings, not measurements: chains of 5,700 entries hashed on a shared, loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const T0 = 1_750_000_000_000;
/** Account 1's chain: longer than a PostgreSQL page and than a SQLite batch (2,000). */
const ENTRIES = PG_READ_BATCH + 700;

type Audit = Pick<Repos, 'audit' | 'afterCommit'>;

/** Seeded on both engines with explicit ids, table by table in foreign-key order. */
const SEED: [keyof typeof pgSchema & keyof typeof sqliteSchema, Record<string, unknown>[]][] = [
  [
    'accounts',
    [
      { id: 1, name: 'Acme MSP', createdAt: T0 },
      { id: 2, name: 'Other', createdAt: T0 },
    ],
  ],
  [
    'users',
    [
      [1, 1, 'admin@acme.example'],
      [2, 1, 'Tech@acme.example'],
      [3, 2, 'x@other.example'],
    ].map(([id, accountId, email]) => ({
      id,
      accountId,
      email,
      emailKey: String(email).toLowerCase(),
      name: `User ${id}`,
      passwordHash: 'never exported',
      isActive: true,
      createdAt: T0 + Number(id),
      updatedAt: T0 + Number(id),
    })),
  ],
  [
    'organizations',
    [
      [10, 1, 'Zulu Works', 'eu'],
      [11, 1, 'alpha labs', 'us'],
      [12, 1, 'Alpha Beta', null],
      [13, 1, 'mid co', 'eu'],
      [20, 2, 'Other Org', 'eu'],
    ].map(([id, accountId, name, region]) => ({
      id,
      accountId,
      name,
      region,
      description: id === 13 ? 'has alpha inside' : null,
      nameKey: String(name).toLowerCase(),
      searchText: `${String(name).toLowerCase()}${id === 13 ? ' has alpha inside' : ''}`,
      isActive: id !== 12,
      secretCiphertext: new Uint8Array([1, 2, 3]),
      secretDigest: `digest-${id}`,
      createdAt: T0 + Number(id),
      updatedAt: T0 + Number(id),
    })),
  ],
  [
    'roleAssignments',
    [
      { id: 1, userId: 1, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 2, userId: 2, accountId: 1, organizationId: 10, role: 'technician' },
      { id: 3, userId: 3, accountId: 2, organizationId: null, role: 'account_admin' },
    ],
  ],
  [
    'apiTokens',
    [1, 2, 3].map((id) => ({
      id,
      userId: id === 3 ? 2 : 1,
      kind: 'session',
      name: `token ${id}`,
      tokenDigest: `token-digest-${id}`,
      createdAt: T0 + id,
      lastUsedAt: id === 2 ? null : T0 + 100,
    })),
  ],
  [
    'locations',
    [10, 11, 12, 13, 20].map((orgId) => ({
      id: orgId,
      organizationId: orgId,
      name: 'Default',
      nameKey: 'default',
      isDefault: true,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'hosts',
    Array.from({ length: 30 }, (_, i) => {
      const orgId = [10, 10, 11, 13, 20][i % 5]!;
      return {
        id: i + 1,
        organizationId: orgId,
        locationId: orgId,
        hostname: `host-${i + 1}`,
        ip: `10.0.${i % 3}.${i + 1}`,
        agentType: 'go',
        publicKey: Buffer.from(`never exported ${i}`),
        registeredAt: T0,
        // Online, stale and offline hosts (and never seen) at NOW.
        lastSeenAt: i % 4 === 3 ? null : T0 + 1e6 - [0, 10 * 60_000, 3 * 86_400_000][i % 3]!,
      };
    }),
  ],
  [
    'workflows',
    [{ id: 1, organizationId: 10, name: 'Patch', isActive: true, createdAt: T0, updatedAt: T0 }],
  ],
  [
    'recordings',
    [1, 2, 3].map((id) => ({
      id,
      organizationId: 10,
      hostId: id,
      userId: 2,
      kind: 'terminal',
      capture: 'metadata',
      startedAt: T0 + id * 10,
      endedAt: T0 + id * 10 + 5,
      sizeBytes: id * 1000,
    })),
  ],
  [
    'featureFlags',
    [
      {
        id: 1,
        accountId: 1,
        organizationId: null,
        feature: 'beta',
        enabled: true,
        updatedAt: T0,
      },
    ],
  ],
];

const NOW = T0 + 1e6;
const actorOf = (userId: number, label: string): Actor => ({
  ...systemActor(1),
  via: 'session',
  userId,
  label,
});
const ACTORS = [actorOf(1, 'admin@acme.example'), actorOf(2, 'Tech@acme.example'), systemActor(1)];
const ACTIONS = ['organization.updated', 'host.updated', 'user.updated', 'workflow.created'];

/** Account 1's trail and a short one of account 2's: the same calls, so the same chains. */
async function writeTrail(uow: UnitOfWork<Audit>): Promise<void> {
  for (let start = 0; start < ENTRIES; start += 1000) {
    await uow.write(async (r) => {
      for (let i = start; i < Math.min(ENTRIES, start + 1000); i++) {
        await r.audit.record(ACTORS[i % 3]!, {
          accountId: 1,
          organizationId: i % 5 === 0 ? null : [10, 11, 13][i % 3]!,
          action: ACTIONS[i % 4]!,
          targetType: ACTIONS[i % 4]!.split('.')[0]!,
          targetId: i % 7,
          details: { n: i, note: i % 11 === 0 ? '=SUM(A1)' : 'plain, "quoted"' },
        });
      }
    });
  }
  await uow.write(async (r) => {
    for (let i = 0; i < 5; i++) {
      await r.audit.record(actorOf(3, 'x@other.example'), {
        accountId: 2,
        organizationId: 20,
        action: 'organization.updated',
        targetType: 'organization',
        targetId: 20,
      });
    }
  });
}

const { privateKey: signingKey, publicKey } = generateKeyPairSync('ed25519');

/** Every job kind with inputs that reach real rows, filters, caps and sorts. */
const JOBS: [string, OffloadJob][] = [
  ['verify account 1', { kind: 'audit.verify', accountId: 1 }],
  ['verify account 2', { kind: 'audit.verify', accountId: 2 }],
  ['verify an account without entries', { kind: 'audit.verify', accountId: 99 }],
  ...(
    [
      ['account', { accountId: 1 }, {}],
      ['org, oldest first, deep', { organizationId: 11 }, { order: 'asc', skip: 1500, limit: 50 }],
      ['actor, any case', { accountId: 1 }, { actor: 'TECH@' }],
      ['action prefix', { accountId: 1 }, { action: 'host.', limit: 100 }],
      ['action star and target', { accountId: 1 }, { action: 'user*', target_id: '3' }],
      [
        'time range',
        { accountId: 1 },
        { from: new Date(T0 + 100).toISOString(), to: new Date(T0 + 4000).toISOString() },
      ],
      ['actor user', { organizationId: 20 }, { actor_user_id: 3 }],
    ] as const
  ).map(([name, scope, f]): [string, OffloadJob] => [
    `page: ${name}`,
    { kind: 'audit.page', scope, filter: listAuditInput.parse(f) },
  ]),
  ...(['csv', 'json'] as const).map((format): [string, OffloadJob] => [
    `export ${format}: account 1`,
    { kind: 'audit.export', scope: { accountId: 1 }, filter: {}, format, signingKey },
  ]),
  [
    'export json: org 10, filtered',
    {
      kind: 'audit.export',
      scope: { organizationId: 10 },
      filter: { action: 'organization.', actor: 'admin' },
      format: 'json',
      signingKey,
    },
  ],
  [
    'gdpr sections: account',
    { kind: 'gdpr.sections', subject: { accountId: 1 }, from: T0, cap: 10_000 },
  ],
  [
    'gdpr sections: user, capped',
    { kind: 'gdpr.sections', subject: { accountId: 1, userId: 2 }, from: T0, cap: 3 },
  ],
  [
    'gdpr file: account, capped',
    { kind: 'gdpr.file', subject: { accountId: 1 }, now: NOW, from: T0 + 50, cap: 7 },
  ],
  [
    'gdpr file: user',
    { kind: 'gdpr.file', subject: { accountId: 1, userId: 1 }, now: NOW, from: T0, cap: 10_000 },
  ],
  ...(
    [
      ['by name', { sort: 'name', order: 'asc' }],
      ['by region, desc', { sort: 'region', order: 'desc' }],
      ['by online, with kept stats', { sort: 'online', order: 'desc' }],
      ['by total, no stats', { sort: 'total', order: 'asc', includeStats: false }],
      ['search', { sort: 'name', order: 'asc', search: 'alpha' }],
      [
        'search, two letters, active only',
        { sort: 'name', order: 'desc', search: 'ph', active: true },
      ],
      ['org-scoped roles, region', { accountIds: [], orgIds: [10, 20], region: 'eu' }],
      ['skip past the end', { skip: 10 }],
    ] as const
  ).map(([name, q]): [string, OffloadJob] => [
    `orgs page: ${name}`,
    {
      kind: 'orgs.page',
      request: {
        accountIds: [1],
        orgIds: [],
        active: null,
        region: null,
        search: null,
        sort: 'name',
        order: 'asc',
        skip: 0,
        limit: 3,
        includeStats: true,
        now: NOW,
        ...q,
      },
    },
  ]),
  // The hosts view's large pages (hosts.service.ts HOSTS_PAGE_INLINE_LIMIT).
  ...(
    [
      ['by hostname', { sort: 'hostname', order: 'asc' }],
      ['by last seen, desc', { sort: 'last_seen', order: 'desc' }],
      ['by ip, offline only', { sort: 'ip', order: 'asc', status: 'offline' }],
      ['by status, search', { sort: 'status', order: 'desc', search: 'host-1' }],
      ['skip past the end', { sort: 'hostname', order: 'asc', skip: 50 }],
    ] as const
  ).map(([name, q]): [string, OffloadJob] => [
    `hosts page: ${name}`,
    {
      kind: 'hosts.page',
      query: { orgId: 10, skip: 0, limit: 4, now: NOW, ...q },
    },
  ]),
];

interface Bytes {
  bytes: Uint8Array;
  signature?: string;
}

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/**
 * A result for a deep comparison: a file's bytes as one string (a deep equality walks a
 * Uint8Array element by element, seconds for a megabyte), Buffer or Uint8Array alike (a worker's
 * bytes arrive as a Uint8Array, an inline job's as the Buffer it made).
 */
const comparable = (v: unknown): unknown => {
  if (v && typeof v === 'object' && 'bytes' in v && v.bytes instanceof Uint8Array) {
    return { ...v, bytes: Buffer.from(v.bytes).toString('base64') };
  }
  // A hosts page's rows: the seed writes each host's key as bytes into the text column (for the
  // GDPR export's "never exported" check), which SQLite keeps as a blob and PostgreSQL as text.
  if (v && typeof v === 'object' && 'rows' in v && Array.isArray(v.rows)) {
    return {
      ...v,
      rows: (v.rows as Record<string, unknown>[]).map((r) =>
        r.publicKey instanceof Uint8Array
          ? { ...r, publicKey: Buffer.from(r.publicKey).toString('utf8') }
          : r,
      ),
    };
  }
  return v;
};

describe.skipIf(!pgAvailable)('read jobs: SQLite and PostgreSQL answer alike', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let opened: OpenedDatabase;
  let onSqlite: Offload;
  let onPg: Offload;
  const chain = AuditChain.fromKey(randomBytes(32));

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url, { max: 4 });
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-read-jobs-'));
    opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    const pgDb = drizzle(pool);
    for (const [table, rows] of SEED) {
      opened.db
        .insert(sqliteSchema[table] as typeof sqliteSchema.accounts)
        .values(rows as never)
        .run();
      await pgDb.insert(pgSchema[table] as typeof pgSchema.accounts).values(rows as never);
    }
    const clockFrom = (t: number) => ({ now: () => (t += 3) });
    await writeTrail(
      new SqliteUnitOfWork<Audit>(
        opened.sqlite,
        createSqliteRepos(opened.db, new AuditLog(opened.db, clockFrom(T0), chain)),
      ),
    );
    const pgClock = clockFrom(T0);
    await writeTrail(
      new PgUnitOfWork<Audit>(pool, (tx) => createPgReposB(tx, { chain, clock: pgClock })),
    );
    onSqlite = new ReadPool({ dbFile: join(dir, 'orgdesk.db'), chainKey: chain.derivedKey() });
    onPg = new PgReadPool({ connectionString: db.url, chainKey: chain.derivedKey() });
  }, 300_000);

  afterAll(async () => {
    await onSqlite?.close();
    await onPg?.close();
    opened?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  it.each(JOBS)('%s', async (name, job) => {
    const [a, b] = await Promise.all([onSqlite.run(job), onPg.run(job)]);
    expect(comparable(b)).toEqual(comparable(a));
    // The job reached rows: not two empty answers that agree.
    if (job.kind === 'audit.verify' && job.accountId !== 99) {
      expect((b as AuditVerifyResult).ok).toBe(true);
      expect((b as AuditVerifyResult).checked).toBe(job.accountId === 1 ? ENTRIES : 5);
    }
    if (job.kind === 'audit.page' || job.kind === 'orgs.page' || job.kind === 'hosts.page') {
      expect((b as { total: number }).total, name).toBeGreaterThan(0);
    }
    if (job.kind === 'audit.export' || job.kind === 'gdpr.file') {
      const [x, y] = [a as Bytes, b as Bytes];
      // Byte for byte (above); then what they say, and each file signed over its own bytes.
      expect(Buffer.from(y.bytes).equals(Buffer.from(x.bytes))).toBe(true);
      if (job.kind === 'audit.export' && job.format === 'json') {
        const entries = JSON.parse(text(y.bytes)) as unknown[];
        expect(entries).toEqual(JSON.parse(text(x.bytes)));
        expect(entries.length).toBeGreaterThan(0);
      } else if (job.kind === 'audit.export') {
        expect(text(y.bytes).split('\n').length).toBeGreaterThan(ENTRIES);
      } else {
        expect(JSON.parse(text(y.bytes))).toEqual(JSON.parse(text(x.bytes)));
      }
      if (y.signature !== undefined) {
        for (const f of [x, y]) {
          expect(verify(null, f.bytes, publicKey, Buffer.from(f.signature!, 'base64'))).toBe(true);
        }
      }
    }
  });

  it('the GDPR exports withhold credentials on PostgreSQL too', async () => {
    const job = { kind: 'gdpr.file', subject: { accountId: 1 }, now: NOW, from: T0, cap: 10_000 };
    const file = text((await onPg.run<Bytes>(job)).bytes);
    for (const secret of [
      'never exported',
      'token-digest-1',
      'digest-10',
      '"hash"',
      '"prev_hash"',
    ]) {
      expect(file).not.toContain(secret);
    }
    expect(JSON.parse(file)).toMatchObject({ sections: { hosts: { count: 24 } } });
  });

  it('a verification reports its progress on both engines, page by page, up to the total', async () => {
    const progress = async (offload: Offload) => {
      const seen: OffloadProgress[] = [];
      const result = await offload.run<AuditVerifyResult>(
        { kind: 'audit.verify', accountId: 1 },
        (p) => seen.push(p),
      );
      return { result, seen };
    };
    const [s, p] = await Promise.all([progress(onSqlite), progress(onPg)]);
    expect(p.result).toEqual(s.result);
    for (const { seen } of [s, p]) {
      expect(seen[0]).toEqual({ done: 0, total: ENTRIES });
      // More than the first report: the walk reported between its pages.
      expect(seen.length).toBeGreaterThan(2);
      for (let i = 1; i < seen.length; i++) {
        expect(seen[i]!.done).toBeGreaterThanOrEqual(seen[i - 1]!.done);
        expect(seen[i]!.total).toBe(ENTRIES);
      }
      expect(seen.at(-1)!.done).toBeGreaterThan(ENTRIES - PG_READ_BATCH);
    }
  });

  it('the inline form answers what the workers answer', async () => {
    const inline = new InlinePgOffload({ pool, chain });
    for (const [, job] of JOBS.filter(([n]) =>
      /verify account 1|export csv|gdpr file: user/.test(n),
    )) {
      expect(comparable(await inline.run(job))).toEqual(comparable(await onPg.run(job)));
    }
  });

  describe('a tampered trail: the same first broken entry, problem and message', () => {
    /** Runs `tamper` on both engines (SQL of each), verifies on both, then undoes it. */
    async function bothTampered(
      sqliteSql: string[],
      pgSql: string[],
      undo: { sqlite: string[]; pg: string[] },
    ): Promise<AuditVerifyResult> {
      for (const q of sqliteSql) opened.sqlite.exec(q);
      for (const q of pgSql) await pool.query(q);
      try {
        const job = { kind: 'audit.verify', accountId: 1 };
        const [a, b] = await Promise.all([
          onSqlite.run<AuditVerifyResult>(job),
          onPg.run<AuditVerifyResult>(job),
        ]);
        expect(b).toEqual(a);
        return b;
      } finally {
        for (const q of undo.sqlite) opened.sqlite.exec(q);
        for (const q of undo.pg) await pool.query(q);
      }
    }
    const bySeq = (seq: number) => `account_id = 1 AND seq = ${seq}`;
    /** A copy of one entry (all columns) kept in a side table, to put it back. */
    const keep = (seq: number) => [
      `CREATE TABLE kept AS SELECT * FROM audit_entries WHERE ${bySeq(seq)}`,
      `DELETE FROM audit_entries WHERE ${bySeq(seq)}`,
    ];
    const putBack = ['INSERT INTO audit_entries SELECT * FROM kept', 'DROP TABLE kept'];

    it('an entry changed after it was written (the first of a PostgreSQL page): altered', async () => {
      const seq = PG_READ_BATCH + 1;
      const copy = `CREATE TABLE kept AS SELECT details FROM audit_entries WHERE ${bySeq(seq)}`;
      const change = `UPDATE audit_entries SET details = '{"n":0}' WHERE ${bySeq(seq)}`;
      const restore = [
        `UPDATE audit_entries SET details = (SELECT details FROM kept) WHERE ${bySeq(seq)}`,
        'DROP TABLE kept',
      ];
      const result = await bothTampered([copy, change], [copy, change], {
        sqlite: restore,
        pg: restore,
      });
      expect(result).toMatchObject({ ok: false, problem: 'altered', first_bad_entry_id: seq });
    });

    it('an entry removed at a SQLite batch boundary: removed, named by the next one', async () => {
      const result = await bothTampered(keep(2001), keep(2001), { sqlite: putBack, pg: putBack });
      expect(result).toMatchObject({ ok: false, problem: 'removed', first_bad_entry_id: 2002 });
    });

    it('the newest entry removed: removed from the end, named by the last one left', async () => {
      const result = await bothTampered(keep(ENTRIES), keep(ENTRIES), {
        sqlite: putBack,
        pg: putBack,
      });
      expect(result).toMatchObject({
        ok: false,
        problem: 'removed',
        first_bad_entry_id: ENTRIES - 1,
      });
    });

    it('after the undo both verify again', async () => {
      const job = { kind: 'audit.verify', accountId: 1 };
      expect(await onPg.run(job)).toMatchObject({ ok: true, checked: ENTRIES });
      expect(await onSqlite.run(job)).toMatchObject({ ok: true, checked: ENTRIES });
    });
  });

  it('closing the PostgreSQL pool leaves none of its workers’ connections open', async () => {
    const pgPool = new PgReadPool({ connectionString: db.url, chainKey: chain.derivedKey() });
    await pgPool.run({ kind: 'audit.verify', accountId: 2 });
    const c = createPgClient(db.url);
    await c.connect();
    const workers = async () =>
      (
        await c.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'orgdesk-read-worker' AND datname = $1",
          [db.name],
        )
      ).rows[0]!.n;
    try {
      // The shared pool's workers are connected too; this one adds its own.
      const before = await workers();
      expect(before).toBeGreaterThan(0);
      await pgPool.close();
      await onPg.close();
      // A backend ends a moment after its client said goodbye: wait for the server to see it.
      let left = await workers();
      for (let i = 0; i < 500 && left > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        left = await workers();
      }
      expect(left).toBe(0);
    } finally {
      await c.end();
    }
  });
});
