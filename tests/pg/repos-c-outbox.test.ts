// Parity of the group C delivery repositories (issue 15): integrations (destinations, the
// outbox, the worker lease) and notifications (the bell and the email queue). The same script
// of repository calls runs on a migrated SQLite database and on a PostgreSQL test database,
// seeded alike, and every result must be deeply equal. Then on PostgreSQL: two replicas racing
// for the lease (one wins), and two real drainers draining one outbox at once (every entry
// delivered once, never by both).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../../main/core/actor';
import { ManualClock } from '../../main/core/clock';
import { SecretBox } from '../../main/core/crypto';
import type { UnitOfWork } from '../../main/core/uow';
import { OutboxDrainer, webhookSecretAad } from '../../main/features/integrations/outbox-drainer';
import type { DeliveryRow } from '../../main/features/integrations/integrations.repo';
import type { Uow } from '../../main/repos';
import { pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import { startReceiver, type Receiver } from '../fixtures/webhook-receiver';
import {
  barrier,
  bothEngines,
  openEngines,
  type C,
  type Engines,
  type Seed,
} from './repos-c-harness';

const T0 = 1_750_000_000_000;
const HOUR = 3_600_000;

const users = (rows: [number, number, string, boolean][]) =>
  rows.map(([id, accountId, email, isActive]) => ({
    id,
    accountId,
    email,
    emailKey: email.toLowerCase(),
    name: `User ${id}`,
    passwordHash: 'x',
    isActive,
    createdAt: T0,
    updatedAt: T0,
  }));

const entry = (id: number, accountId: number, seq: number, action: string) => ({
  id,
  at: T0 - 100_000 + id,
  accountId,
  organizationId: id % 2 === 0 ? null : 10,
  actorUserId: id % 3 === 0 ? null : 1,
  actorLabel: id % 3 === 0 ? 'system' : 'admin@one.example',
  action,
  targetType: 'organization',
  targetId: id % 4 === 0 ? null : String(id),
  details: '{}',
  prevHash: `p${id}`,
  hash: `h${id}`,
  seq,
});

const SEED = (destinations: Record<string, unknown>[] = DESTINATIONS): Seed => [
  [
    'accounts',
    [
      { id: 1, name: 'one', createdAt: T0 },
      { id: 2, name: 'two', createdAt: T0 },
    ],
  ],
  [
    'users',
    users([
      [3, 1, 'zed@one.example', true],
      [1, 1, 'Admin@one.example', true],
      [2, 1, 'gone@one.example', false],
      [4, 1, 'tech@one.example', true],
      [5, 2, 'two@two.example', true],
    ]),
  ],
  [
    'roleAssignments',
    [
      { id: 1, userId: 3, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 2, userId: 1, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 3, userId: 2, accountId: 1, organizationId: null, role: 'account_admin' },
      { id: 4, userId: 4, accountId: 1, organizationId: null, role: 'technician' },
      // Twice an admin (an account-wide row and a stray one): told once.
      { id: 5, userId: 1, accountId: 1, organizationId: null, role: 'account_admin' },
    ],
  ],
  [
    'auditEntries',
    [
      entry(1, 1, 1, 'organization.created'),
      entry(2, 1, 2, 'host.registered'),
      // Seq follows the outbox ids below (outbox 2 → entry 2, 3 → 4, 4 → 5, 5 → 3), as the
      // append makes them on both engines: it allocates an account's outbox rows under its chain
      // head, so SQLite's claim walks ids (h/outbox-cost) and PostgreSQL's orders by seq alike.
      entry(3, 1, 5, 'organization.updated'),
      entry(4, 1, 3, 'organization.deleted'),
      entry(5, 1, 4, 'host.deleted'),
      entry(6, 2, 1, 'organization.created'),
    ],
  ],
  ['integrationDestinations', destinations],
  [
    'outbox',
    [
      // id, destination, account, entry, status, createdAt
      [1, 1, 1, 1, 'delivered', T0 - 90_000],
      [2, 1, 1, 2, 'pending', T0 - 80_000],
      [3, 1, 1, 4, 'pending', T0 - 70_000],
      [4, 1, 1, 5, 'pending', T0 - 60_000],
      [5, 1, 1, 3, 'dead', T0 - 50_000],
      [6, 2, 1, 1, 'pending', T0 - 25 * HOUR],
      [7, 2, 1, 2, 'pending', T0 - 1000],
      [8, 4, 2, 6, 'pending', T0 - 1000],
      [9, 3, 1, 3, 'pending', T0 - 25 * HOUR],
    ]
      .filter(([, destinationId]) => destinations.some((d) => d.id === destinationId))
      .map(([id, destinationId, accountId, auditEntryId, status, createdAt]) => ({
        id,
        destinationId,
        accountId,
        auditEntryId,
        status,
        createdAt,
        attempts: id === 5 ? 3 : 0,
        lastError: id === 6 ? 'connection refused' : null,
        lastAttemptAt: id === 6 ? T0 - 2 * HOUR : null,
      })),
  ],
  [
    'workerLeases',
    [
      { name: 'held', holder: 'replica-a', expiresAt: T0 + 1000 },
      { name: 'ran-out', holder: 'replica-a', expiresAt: T0 },
    ],
  ],
  [
    'notifications',
    [
      // id, account, user, readAt
      [1, 1, 1, null],
      [2, 1, 1, T0 - 5],
      [3, 1, 1, null],
      [4, 1, 3, null],
      [5, 2, 1, null],
      [6, 1, 1, null],
    ].map(([id, accountId, userId, readAt]) => ({
      id,
      accountId,
      userId,
      auditEntryId: id === 1 ? 1 : null,
      kind: 'integration.disabled',
      title: `title ${id}`,
      body: `body ${id}`,
      createdAt: T0 - 1000 + Number(id),
      readAt,
    })),
  ],
  [
    'emailOutbox',
    [
      // id, notification, status, nextAttemptAt, createdAt
      [1, 1, 'pending', 0, T0 - 1000],
      [2, 3, 'pending', T0 + 5000, T0 - 1000],
      [3, 4, 'sent', 0, T0 - 1000],
      [4, 6, 'pending', T0 - 1, T0 - 25 * HOUR],
      [5, 2, 'pending', T0, T0 - 10],
    ].map(([id, notificationId, status, nextAttemptAt, createdAt]) => ({
      id,
      notificationId,
      accountId: 1,
      toAddress: `to-${id}@one.example`,
      subject: `[Orgdesk] s${id}`,
      body: `b${id}`,
      status,
      nextAttemptAt,
      createdAt,
      lastError: id === 4 ? 'smtp down' : null,
    })),
  ],
];

const DESTINATIONS = [
  // id, account, kind, enabled, nextAttemptAt
  [1, 1, 'webhook', true, 0],
  [2, 1, 'syslog', true, T0 - 10],
  [3, 1, 'webhook', false, 0],
  [4, 2, 'syslog', true, T0 + 1000],
  [5, 1, 'syslog', true, 0],
].map(([id, accountId, kind, enabled, nextAttemptAt]) => ({
  id,
  accountId,
  kind,
  name: `dest ${id}`,
  url: kind === 'webhook' ? `https://hooks.example/${id}` : `tcp://logs.example:514`,
  events: id === 2 ? '["organization.*"]' : null,
  caPem: null,
  secretCiphertext: kind === 'webhook' ? `sealed-${id}` : null,
  enabled,
  disabledReason: enabled ? null : 'failing',
  failures: id === 2 ? 2 : 0,
  nextAttemptAt,
  createdAt: T0 - 200_000,
  updatedAt: T0 - 200_000,
}));

async function script(uow: UnitOfWork<C>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const log = (name: string, v: unknown) => {
    out[name] = v;
  };
  // integrations: the console's side
  await uow.write(async (r) => {
    log('int.ofAccount', [await r.integrations.ofAccount(1), await r.integrations.ofAccount(9)]);
    log('int.get', [
      await r.integrations.get(1, 2),
      await r.integrations.get(2, 2), // another account's: absent
      await r.integrations.get(1, 3, { forUpdate: true }),
    ]);
    log('int.counts', [
      [...(await r.integrations.counts([3, 1, 2, 99])).entries()],
      [...(await r.integrations.counts([])).entries()],
    ]);
    const created = await r.integrations.insert({
      accountId: 2,
      kind: 'webhook',
      name: 'fresh',
      url: 'https://fresh.example/hook',
      events: '["host.*"]',
      caPem: null,
      secretCiphertext: 'sealed',
      now: T0,
    });
    log('int.insert', created);
    log('int.update', [
      await r.integrations.update(created.id, { name: 'renamed', events: null }, T0 + 1),
      await r.integrations.update(
        created.id,
        { enabled: false, disabledReason: 'manual', failures: 3, nextAttemptAt: T0 + 9 },
        T0 + 2,
      ),
    ]);
    await r.integrations.remove(created.id);
    log('int.remove', await r.integrations.get(2, created.id));
    log('int.deliveries', [
      await r.integrations.deliveries(1, undefined, 0, 10),
      await r.integrations.deliveries(1, 'pending', 1, 1),
      await r.integrations.deliveries(1, 'dead', 0, 10),
      await r.integrations.deliveries(99, undefined, 0, 10),
    ]);
    log('int.redeliver', [
      await r.integrations.redeliver(1, 5, T0 + 3),
      await r.integrations.redeliver(2, 5, T0 + 3), // another destination's row
      await r.integrations.redeliver(1, 1, T0 + 4),
    ]);
    log('int.afterRedeliver', await r.integrations.deliveries(1, undefined, 0, 10));
  });
  // integrations: the drain (its lease is the jobs' LeaseRepo, in the same unit of work)
  await uow.write(async (r) => {
    log('int.lease', [
      await r.leases.acquire('new', 'me', T0, T0 + 60_000),
      await r.leases.acquire('new', 'other', T0 + 1, T0 + 60_001), // held
      await r.leases.acquire('new', 'me', T0 + 2, T0 + 60_002), // renewed
      await r.leases.acquire('held', 'me', T0, T0 + 60_000), // another's, live
      await r.leases.acquire('ran-out', 'me', T0, T0 + 60_000), // ran out at T0
    ]);
    await r.leases.release('new', 'other'); // not the holder: nothing
    await r.leases.release('new', 'me');
    log('int.release', [
      await r.leases.acquire('new', 'other', T0 + 3, T0 + 60_003),
      await r.leases.acquire('new', 'me', T0 + 4, T0 + 60_004),
    ]);
    log('int.due.before', await r.integrations.due(T0, 10));
    log('int.expire', [
      await r.integrations.expire(T0 - 24 * HOUR, T0),
      await r.integrations.expire(T0 - 24 * HOUR, T0),
    ]);
    log('int.due', [
      await r.integrations.due(T0, 10),
      await r.integrations.due(T0, 1),
      await r.integrations.due(T0 + 2000, 10),
    ]);
    log('int.claim', [
      await r.integrations.claim(1, 10),
      await r.integrations.claim(1, 2),
      await r.integrations.claim(2, 10),
      await r.integrations.claim(5, 10),
    ]);
    await r.integrations.delivered([3, 2], T0 + 5, 204);
    await r.integrations.delivered([2], T0 + 6, 500); // delivered already: not again
    await r.integrations.delivered([], T0 + 6, null);
    await r.integrations.failed(4, 'HTTP 503', 503, T0 + 7);
    await r.integrations.failed(4, 'timed out', null, T0 + 8);
    await r.integrations.outcome(1, {
      failures: 0,
      nextAttemptAt: 0,
      lastDeliveredAt: T0 + 5,
    });
    await r.integrations.outcome(2, {
      failures: 3,
      nextAttemptAt: T0 + 40_000,
      lastError: 'refused',
      lastErrorAt: T0 + 8,
      enabled: false,
      disabledReason: 'failing',
    });
    log('int.afterDrain', [
      await r.integrations.deliveries(1, undefined, 0, 10),
      await r.integrations.deliveries(2, undefined, 0, 10),
      await r.integrations.ofAccount(1),
      [...(await r.integrations.counts([1, 2, 3])).entries()],
    ]);
  });
  // notifications
  await uow.write(async (r) => {
    log('n.page', [
      await r.notifications.page(1, 1, { unreadOnly: false, skip: 0, limit: 10 }),
      await r.notifications.page(1, 1, { unreadOnly: true, skip: 1, limit: 1 }),
      await r.notifications.page(2, 3, { unreadOnly: false, skip: 0, limit: 10 }),
    ]);
    log('n.unread', [
      await r.notifications.unread(1, 1),
      await r.notifications.unread(2, 1),
      await r.notifications.unread(1, 4),
    ]);
    log('n.has', [
      await r.notifications.has(1, 1, 2),
      await r.notifications.has(1, 3, 2), // another user's
      await r.notifications.has(2, 1, 2), // another account's
    ]);
    log('n.markRead', [
      await r.notifications.markRead(1, 1, 1, T0),
      await r.notifications.markRead(1, 1, 1, T0 + 1), // read already
      await r.notifications.markRead(1, 3, 3, T0 + 1), // another user's
      await r.notifications.markRead(1, 1, null, T0 + 2),
      await r.notifications.markRead(1, 1, null, T0 + 3),
    ]);
    log('n.tellAdmins', [
      await r.notifications.tellAdmins(
        1,
        'integration.failing',
        { title: 'Collector failing', body: 'dest 2 keeps failing' },
        T0 + 4,
      ),
      await r.notifications.tellAdmins(2, 'integration.failing', { title: 't', body: 'b' }, T0),
    ]);
    log('n.told', [
      await r.notifications.page(1, 1, { unreadOnly: true, skip: 0, limit: 10 }),
      await r.notifications.page(1, 3, { unreadOnly: true, skip: 0, limit: 10 }),
      await r.notifications.page(1, 2, { unreadOnly: true, skip: 0, limit: 10 }),
    ]);
    log('n.dueEmails', [
      await r.notifications.dueEmails(T0, 10),
      await r.notifications.dueEmails(T0 + 10_000, 2),
    ]);
    log('n.expireEmails', [
      await r.notifications.expireEmails(T0 - 24 * HOUR, T0),
      await r.notifications.expireEmails(T0 - 24 * HOUR, T0),
    ]);
    await r.notifications.emailSent(1, T0 + 5);
    await r.notifications.emailFailed(5, 'smtp 451', T0 + 60_000);
    await r.notifications.emailFailed(5, 'smtp 452', T0 + 120_000);
    log('n.afterSend', [
      await r.notifications.dueEmails(T0 + 10_000, 10),
      await r.notifications.dueEmails(T0 + 200_000, 10),
    ]);
  });
  return out;
}

describe.skipIf(!pgAvailable)('group C delivery repositories: SQLite and PostgreSQL agree', () => {
  let env: PgTestEnv;
  let engines: Engines;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  afterEach(async () => {
    await engines?.close();
    engines = undefined as unknown as Engines;
  });

  describe('seeded alike', () => {
    beforeEach(async () => {
      engines = await openEngines(env.available ? env.url : '', SEED());
    });

    it('every method of integrations and notifications answers the same on both engines', async () => {
      const { onSqlite, onPg } = await bothEngines(engines, T0, script);
      for (const name of Object.keys(onSqlite)) {
        expect({ [name]: onPg[name] }).toEqual({ [name]: onSqlite[name] });
      }
      expect(Object.keys(onPg)).toEqual(Object.keys(onSqlite));
      // The script reached real rows, not a run of undefineds that agree.
      expect(onPg['int.lease']).toEqual([true, false, true, false, true]);
      expect(onPg['int.expire']).toEqual([2, 0]);
      expect((onPg['int.claim'] as unknown[][])[0]!.length).toBe(5);
      expect(onPg['n.tellAdmins']).toEqual([2, 0]);
      expect((onPg['n.dueEmails'] as unknown[][])[0]!.length).toBe(5);
    });

    it('two replicas taking one lease at once: one holds it, the other is refused', async () => {
      const uow = engines.pgUow(T0);
      const gate = barrier();
      let ready = 0;
      const take = (holder: string) =>
        uow.write(async (r) => {
          await r.integrations.due(T0, 1);
          if (++ready === 2) gate.resolve();
          await gate.promise;
          return r.leases.acquire('raced', holder, T0, T0 + 60_000);
        });
      const results = await Promise.all([take('a'), take('b')]);
      expect(results.sort()).toEqual([false, true]);
      // And a lease that ran out, raced for by two others: one takes it over.
      const again = await Promise.all([
        uow.write((r) => r.leases.acquire('ran-out', 'b', T0, T0 + 60_000)),
        uow.write((r) => r.leases.acquire('ran-out', 'c', T0, T0 + 60_000)),
      ]);
      expect(again.sort()).toEqual([false, true]);
    });
  });

  describe('the audit append fills the outbox and tells the admins', () => {
    beforeEach(async () => {
      engines = await openEngines(env.available ? env.url : '', SEED());
      // A fresh trail: the seed's entries have no chain head, and the append starts one.
      const clear = 'DELETE FROM outbox; DELETE FROM audit_entries';
      engines.opened.sqlite.exec(clear);
      await engines.pool.query(clear);
    });

    const admin: Actor = {
      ...systemActor(1),
      via: 'session',
      userId: 1,
      label: 'Admin@one.example',
    };

    /** Audited changes (one rolled back), then what the outbox and the bell hold. */
    async function appends(uow: UnitOfWork<C>): Promise<Record<string, unknown>> {
      const out: Record<string, unknown> = {};
      await uow.write((r) =>
        r.audit.record(admin, {
          accountId: 1,
          organizationId: 10,
          action: 'organization.created',
          targetType: 'organization',
          targetId: 10,
        }),
      );
      await uow.write(async (r) => {
        await r.audit.record(admin, {
          accountId: 1,
          action: 'host.registered',
          targetType: 'host',
          targetId: 7,
        });
        await r.audit.record(admin, {
          accountId: 1,
          action: 'support_access.requested',
          targetType: 'support_request',
          targetId: 3,
          details: { engineer_user_id: 5, duration_hours: 4, reason: 'ticket 42' },
        });
        await r.audit.record(systemActor(2), {
          accountId: 2,
          action: 'organization.created',
          targetType: 'organization',
          targetId: 20,
        });
      });
      await uow
        .write(async (r) => {
          await r.audit.record(admin, {
            accountId: 1,
            action: 'organization.deleted',
            targetType: 'organization',
            targetId: 10,
          });
          throw new Error('the change fails after its entry');
        })
        .catch(() => undefined);
      await uow.read(async (r) => {
        const strip = (x: { items: DeliveryRow[]; total: number }) => ({
          total: x.total,
          items: x.items.map(({ id: _id, auditEntryId: _e, ...rest }) => rest),
        });
        for (const id of [1, 2, 3, 4, 5]) {
          out[`outbox.${id}`] = strip(await r.integrations.deliveries(id, undefined, 0, 50));
        }
        for (const userId of [1, 2, 3, 4, 5]) {
          const account = userId === 5 ? 2 : 1;
          const page = await r.notifications.page(account, userId, {
            unreadOnly: true,
            skip: 0,
            limit: 50,
          });
          out[`bell.${userId}`] = page.items.map(({ id: _id, auditEntryId, ...rest }) => ({
            ...rest,
            fromEntry: auditEntryId !== null,
          }));
        }
        out.emails = (await r.notifications.dueEmails(T0 + 1e9, 50)).map(({ id: _id, ...e }) => e);
      });
      return out;
    }

    it('on both engines alike: one outbox row per matching enabled destination, a notice per admin', async () => {
      const { onSqlite, onPg } = await bothEngines(engines, T0, appends);
      for (const name of Object.keys(onSqlite)) {
        expect({ [name]: onPg[name] }).toEqual({ [name]: onSqlite[name] });
      }
      // What SQLite's append does (the reference): organization.created reaches the webhook,
      // the organization.* syslog and the catch-all syslog; host.registered the two catch-alls;
      // the disabled one nothing; the support request tells admins 1 and 3 (active), by email too.
      const actions = (id: number) =>
        (onSqlite[`outbox.${id}`] as { items: { action: string }[] }).items.map((i) => i.action);
      expect(actions(1)).toEqual([
        'support_access.requested',
        'host.registered',
        'organization.created',
      ]);
      expect(actions(2)).toEqual(['organization.created']);
      expect(actions(3)).toEqual([]);
      expect(actions(4)).toEqual(['organization.created']);
      expect((onSqlite['bell.3'] as { kind: string }[]).map((n) => n.kind)).toContain(
        'support_access.requested',
      );
      expect((onSqlite['bell.2'] as unknown[]).length).toBe(0);
    });
  });

  describe('two real drainers on one PostgreSQL outbox', () => {
    const box = new SecretBox({ masterKey: () => Buffer.alloc(32, 7) });
    const secret = 'whsec-test';
    let rx: Receiver;
    const clock = new ManualClock(T0);

    beforeEach(async () => {
      clock.set(T0);
      rx = await startReceiver({ secret: () => secret, nowSeconds: () => Math.floor(T0 / 1000) });
      const hook = {
        ...DESTINATIONS[0]!,
        url: rx.url,
        secretCiphertext: box.encrypt(secret, webhookSecretAad(1, 1)).toString('base64'),
      };
      engines = await openEngines(env.available ? env.url : '', SEED([hook]));
      // 60 more entries for the one webhook, pending (the 3 of the seed are pending too).
      const values = Array.from({ length: 60 }, (_, i) => i + 100);
      await engines.pool.query(
        `INSERT INTO audit_entries (id, at, account_id, actor_label, action, target_type,
                                    details, prev_hash, hash, seq)
         SELECT id, ${T0} + id, 1, 'system', 'host.registered', 'host', '{}', 'p', 'h', id
         FROM unnest($1::int8[]) AS id`,
        [values],
      );
      await engines.pool.query(
        `INSERT INTO outbox (destination_id, account_id, audit_entry_id, created_at)
         SELECT 1, 1, id, ${T0} FROM unnest($1::int8[]) AS id`,
        [values],
      );
      await engines.pool.query(
        "DELETE FROM outbox WHERE destination_id <> 1 OR status <> 'pending'",
      );
    });
    afterEach(async () => {
      await rx.close();
    });

    it('draining at once: every entry is delivered once, by whichever holds the lease', async () => {
      const uow = engines.pgUow(T0, 10) as unknown as Uow;
      const drainer = (holder: string) =>
        new OutboxDrainer({ uow, clock, box, allowPrivate: true, holder });
      const a = drainer('replica-a');
      const b = drainer('replica-b');
      const delivered = { a: 0, b: 0 };
      // Both start at once; one takes the lease and delivers (25 per webhook pass).
      const [firstA, firstB] = await Promise.all([a.drainOnce(), b.drainOnce()]);
      expect([firstA, firstB].sort((x, y) => x - y)).toEqual([0, 25]);
      delivered.a += firstA;
      delivered.b += firstB;
      // The holder hands over (a shutdown); the other takes it on its next pass.
      await (firstA > 0 ? a : b).release();
      for (let pass = 0; pass < 6; pass++) {
        const [x, y] = await Promise.all([a.drainOnce(), b.drainOnce()]);
        delivered.a += x;
        delivered.b += y;
      }
      expect(delivered.a + delivered.b).toBe(63);
      const ids = rx.received.map((m) => (m.json as { id: number }).id);
      expect(ids).toHaveLength(63);
      expect(new Set(ids).size).toBe(63);
      // In sequence order across the handover (entry 5 is seq 4, entry 4 seq 5).
      expect(ids).toEqual([2, 4, 5, ...Array.from({ length: 60 }, (_, i) => i + 100)]);
      expect(rx.received.every((m) => m.verified)).toBe(true);
      const { rows } = await engines.pool.query<{ status: string; attempts: number; n: number }>(
        'SELECT status, attempts, count(*)::int AS n FROM outbox GROUP BY status, attempts',
      );
      expect(rows).toEqual([{ status: 'delivered', attempts: 1, n: 63 }]);
    });
  });
});
