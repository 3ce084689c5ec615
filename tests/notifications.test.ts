// INT-3 (issue 18 item 4): an account's admins are told of support access and failing
// forwarding: one notification per admin, written in the event's own transaction.
import { TRPCError } from '@trpc/server';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../main/core/actor';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

const HOUR = 3_600_000;

let w: World;
let api: Caller;
let admin2: Actor;
let tech: Actor;
let se: Actor;

beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const orgId = (await api.organizations.create({ name: 'Acme' })).id;
  admin2 = await w.userWith(w.accountId, [{ role: 'account_admin' }]);
  tech = await w.userWith(w.accountId, [{ role: 'technician', orgId }]);
  const platform = (await w.otherAccount('Platform support')).accountId;
  se = await w.userWith(platform, [], { support: true });
});
afterEach(() => w.close());

const kinds = async (actor: Actor) =>
  (await w.caller(actor).notifications.list({ limit: 100 })).items.map((n) => n.kind);

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof TRPCError) return e.code;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('INT-3 notifications of support access', () => {
  it('each account admin is told of a request, its approval, the end of the grant and an emergency disable; others are not', async () => {
    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 7', duration_hours: 4 });
    const first = await api.notifications.list();
    expect(first.items[0]).toMatchObject({
      kind: 'support_access.requested',
      title: `Support access requested by ${se.label}`,
      read_at: null,
    });
    expect(first.items[0]!.body).toContain('for 4 h');
    expect(first.items[0]!.body).toContain('ticket 7');

    const decided = await api.supportAccess.approve({ id: req.id, reason: 'ok' });
    await api.supportAccess.enable({ duration_hours: 2, reason: 'onboarding help' });
    await api.supportAccess.emergencyDisable({ reason: 'suspicious' });

    const expected = [
      'support_access.emergency_disabled',
      'support_access.grant_revoked',
      'support_access.grant_revoked',
      'support_access.enabled',
      'support_access.approved',
      'support_access.requested',
    ];
    expect(await kinds(w.admin)).toEqual(expected);
    expect(await kinds(admin2)).toEqual(expected);
    expect(await kinds(tech)).toEqual([]);
    expect(await kinds(se)).toEqual([]);

    const approved = (await api.notifications.list()).items.find(
      (n) => n.kind === 'support_access.approved',
    )!;
    // Who and until when.
    expect(approved.title).toBe(`Support access granted to ${se.label}`);
    expect(approved.body).toContain(decided.grant!.expires_at);
    expect(approved.body).toContain(w.admin.label);
  });

  it('a grant that runs out is told of by its expiry', async () => {
    const enabled = await api.supportAccess.enable({ duration_hours: 1, reason: 'quick look' });
    w.clock.advance(2 * HOUR);
    await w.services.supportAccess.expireStale();
    const [latest] = (await api.notifications.list()).items;
    expect(latest).toMatchObject({
      kind: 'support_access.grant_expired',
      title: 'Support access expired',
    });
    expect(latest!.body).toContain(enabled.grant.expires_at);
  });

  it('a change that rolls back tells no one', async () => {
    await expect(
      w.services.infra.uow.write(async (r) => {
        await r.audit.record(w.admin, {
          accountId: w.accountId,
          action: 'support_access.emergency_disabled',
          targetType: 'account',
          targetId: w.accountId,
          details: { reason: 'rolled back' },
        });
        throw new Error('the change fails after its audit entry');
      }),
    ).rejects.toThrow('the change fails');
    expect(await w.db.select().from(t.notifications)).toEqual([]);
    expect(await api.notifications.unreadCount()).toEqual({ unread: 0 });
  });
});

describe('INT-3 the notification list', () => {
  it('is paged newest first, counts unread, and marks one or all read', async () => {
    await api.supportAccess.enable({ duration_hours: 1 });
    await api.supportAccess.disable({});
    await api.supportAccess.enable({ duration_hours: 3 });
    expect(await api.notifications.unreadCount()).toEqual({ unread: 3 });
    const page = await api.notifications.list({ skip: 1, limit: 1 });
    expect(page.total).toBe(3);
    expect(page.items.map((n) => n.kind)).toEqual(['support_access.disabled']);

    expect(await api.notifications.markRead({ id: page.items[0]!.id })).toEqual({
      marked: 1,
      unread: 2,
    });
    expect((await api.notifications.list({ status: 'unread' })).items.map((n) => n.kind)).toEqual([
      'support_access.enabled',
      'support_access.enabled',
    ]);
    // Another admin's mailbox is their own.
    expect(await w.caller(admin2).notifications.unreadCount()).toEqual({ unread: 3 });
    expect(await api.notifications.markRead({ id: null })).toEqual({ marked: 2, unread: 0 });
    expect(await w.caller(admin2).notifications.unreadCount()).toEqual({ unread: 3 });
  });

  it("another user's notification id reads as absent", async () => {
    await api.supportAccess.enable({ duration_hours: 1 });
    const [mine] = (await api.notifications.list()).items;
    expect(await code(w.caller(admin2).notifications.markRead({ id: mine!.id }))).toBe('NOT_FOUND');
    const other = await w.otherAccount('Other');
    expect(await code(w.caller(other.admin).notifications.markRead({ id: mine!.id }))).toBe(
      'NOT_FOUND',
    );
    expect((await api.notifications.list()).items[0]!.read_at).toBeNull();
  });
});

describe('INT-3 a failing destination', () => {
  it('the admins are told when forwarding starts failing, once, not on every retry', async () => {
    // A port nobody listens on: bound, then closed.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await api.integrations.create({ kind: 'syslog', name: 'SIEM', url: `tcp://127.0.0.1:${port}` });
    await w.services.infra.outbox.drainOnce();
    w.clock.advance(HOUR);
    await w.services.infra.outbox.drainOnce();
    const failing = (await api.notifications.list()).items.filter(
      (n) => n.kind === 'integration.failing',
    );
    expect(failing.map((n) => n.title)).toEqual(['Forwarding to "SIEM" is failing']);
    expect(await kinds(admin2)).toContain('integration.failing');
  });
});
