// INT-1/INT-2 (issue 18 item 1): the outbox is written in the audit entry's own transaction, is
// drained by one lease holder at a time, retries with backoff and gives up after 24 h.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxDrainer } from '../main/features/integrations/outbox-drainer';
import { retryDelayMs, RETRY_CAP_MS, RETRY_FIRST_MS } from '../shared/integrations';
import { t } from './fixtures/tables';
import { startReceiver, type Receiver } from './fixtures/webhook-receiver';
import { createWorld, type World } from './fixtures/world';

let w: World;
let rx: Receiver;
let secret: string | null = null;

beforeAll(() => {
  process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE = '1';
});
afterAll(() => {
  delete process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE;
});
beforeEach(async () => {
  w = await createWorld();
  rx = await startReceiver({
    secret: () => secret,
    nowSeconds: () => Math.floor(w.clock.now() / 1000),
  });
  const created = await w.caller(w.admin).integrations.create({ kind: 'webhook', url: rx.url });
  secret = created.secret;
  // The creation's own entry is the first delivery.
  await w.services.infra.outbox.drainOnce();
  rx.received.length = 0;
});
afterEach(async () => {
  await rx.close();
  await w.close();
});

const rows = () => w.db.select().from(t.outbox).orderBy(t.outbox.id);

describe('the outbox', () => {
  it('a change that rolls back queues and sends nothing; one that commits is queued, then sent', async () => {
    const before = (await rows()).length;
    await expect(
      w.services.infra.uow.write(async (r) => {
        await r.audit.record(w.admin, {
          accountId: w.accountId,
          action: 'organization.created',
          targetType: 'organization',
          targetId: 999,
        });
        throw new Error('the change fails after its audit entry');
      }),
    ).rejects.toThrow('the change fails');
    expect((await rows()).length).toBe(before);
    expect(await w.services.infra.outbox.drainOnce()).toBe(0);
    expect(rx.received).toEqual([]);

    const org = await w.caller(w.admin).organizations.create({ name: 'Forwarded Org' });
    const queued = (await rows()).filter((r) => r.status === 'pending');
    expect(queued.length).toBe(1);
    expect(await w.services.infra.outbox.drainOnce()).toBe(1);
    expect(rx.received.map((r) => [r.json.event, r.json.organization_id, r.verified])).toEqual([
      ['organization.created', org.id, true],
    ]);
    expect((await rows()).filter((r) => r.status === 'pending')).toEqual([]);
  });

  it('the test send and the deliveries page read the destination in a read-only unit of work', async () => {
    // Neither locks the row: PostgreSQL refuses FOR UPDATE in a READ ONLY transaction.
    const [d] = await w.caller(w.admin).integrations.list();
    expect(await w.caller(w.admin).integrations.test({ id: d!.id })).toMatchObject({ ok: true });
    expect(rx.received.map((r) => [r.json.event, r.verified])).toEqual([
      ['integration.test', true],
    ]);
    const page = await w.caller(w.admin).integrations.deliveries({ id: d!.id });
    expect(page.items.map((i) => [i.event, i.status])).toEqual([
      ['integration.created', 'delivered'],
    ]);
  });

  it('the event filter decides what is queued', async () => {
    const [d] = await w.caller(w.admin).integrations.list();
    await w.caller(w.admin).integrations.update({
      id: d!.id,
      patch: { events: ['support_access.*', 'host.registered'] },
    });
    await w.services.infra.outbox.drainOnce();
    rx.received.length = 0;
    await w.caller(w.admin).organizations.create({ name: 'Not Asked For' });
    await w.caller(w.admin).supportAccess.emergencyDisable({ reason: 'Filter test' });
    await w.services.infra.outbox.drainOnce();
    expect(rx.received.map((r) => r.json.event)).toEqual(['support_access.emergency_disabled']);
  });

  it('a failure is retried after 10 s, then with doubling delays capped at 10 min; a dead letter after 24 h', async () => {
    expect([1, 2, 3, 4, 7, 8, 30].map(retryDelayMs)).toEqual([
      10_000,
      20_000,
      40_000,
      80_000,
      RETRY_CAP_MS,
      RETRY_CAP_MS,
      RETRY_CAP_MS,
    ]);
    expect(RETRY_FIRST_MS).toBeLessThanOrEqual(10_000);
    rx.status = 503;
    await w.caller(w.admin).organizations.create({ name: 'Retried Org' });
    await w.services.infra.outbox.drainOnce();
    expect(rx.received.length).toBe(1);
    let [d] = await w.caller(w.admin).integrations.list();
    expect(d!.status).toMatchObject({
      backlog: 1,
      failures: 1,
      last_error: 'the receiver answered HTTP 503',
    });
    // Not before the backoff has passed…
    w.clock.advance(9_000);
    await w.services.infra.outbox.drainOnce();
    expect(rx.received.length).toBe(1);
    // …then again, and the next delay is twice as long.
    w.clock.advance(1_000);
    await w.services.infra.outbox.drainOnce();
    expect(rx.received.length).toBe(2);
    [d] = await w.caller(w.admin).integrations.list();
    expect(Date.parse(d!.status.next_attempt_at!) - w.clock.now()).toBe(20_000);
    // 24 h later the entry is a dead letter: nothing more is sent for it.
    w.clock.advance(24 * 3_600_000);
    rx.status = 200;
    await w.caller(w.admin).integrations.update({ id: d!.id, patch: { enabled: true } });
    await w.services.infra.outbox.drainOnce();
    const events = rx.received.map((r) => r.json.event);
    expect(events.filter((e) => e === 'organization.created').length).toBe(2);
    [d] = await w.caller(w.admin).integrations.list();
    expect(d!.status).toMatchObject({ dead: 1, backlog: 0, failures: 0 });
    const log = await w.caller(w.admin).integrations.deliveries({ id: d!.id, status: 'dead' });
    expect(log.items.map((i) => [i.event, i.attempts])).toEqual([['organization.created', 2]]);
    expect(log.items[0]!.last_error).toMatch(/gave up after 24 h/);
  });

  it('a webhook sends in order and stops at the first failure: only what was tried counts as an attempt', async () => {
    rx.status = 503;
    await w.caller(w.admin).organizations.create({ name: 'First In Line' });
    await w.caller(w.admin).organizations.create({ name: 'Second In Line' });
    await w.services.infra.outbox.drainOnce();
    expect(rx.received.length).toBe(1);
    const [d] = await w.caller(w.admin).integrations.list();
    const pending = await w
      .caller(w.admin)
      .integrations.deliveries({ id: d!.id, status: 'pending' });
    expect(pending.items.map((i) => [i.attempts, i.last_error, i.response_status])).toEqual([
      [0, null, null],
      [1, 'the receiver answered HTTP 503', 503],
    ]);
  });

  it('one drainer at a time: another holder is refused the lease until it runs out', async () => {
    const other = new OutboxDrainer({
      uow: w.services.infra.uow,
      clock: w.clock,
      box: w.services.infra.box,
      allowPrivate: true,
      holder: 'replica-b',
    });
    await w.caller(w.admin).organizations.create({ name: 'Leased Org' });
    // The world's own drainer takes the lease with its first pass that has work.
    expect(await w.services.infra.outbox.drainOnce()).toBe(1);
    await w.caller(w.admin).organizations.create({ name: 'Second Org' });
    expect(await other.drainOnce()).toBe(0);
    expect(await w.db.select().from(t.workerLeases)).toEqual([
      expect.objectContaining({ holder: w.services.infra.outbox.holder }),
    ]);
    // A holder that stops (or dies) loses it: released at once, or expired after 60 s.
    w.clock.advance(60_000);
    expect(await other.drainOnce()).toBe(1);
    expect(await w.services.infra.outbox.drainOnce()).toBe(0);
    await other.release();
    await w.caller(w.admin).organizations.create({ name: 'Third Org' });
    expect(await w.services.infra.outbox.drainOnce()).toBe(1);
    expect(rx.received.map((r) => r.json.event)).toEqual([
      'organization.created',
      'organization.created',
      'organization.created',
    ]);
  });
});
