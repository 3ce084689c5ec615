// AUD-3 verification off the event loop (one request must not stall the server): the chain is
// walked on a worker thread over its own read-only connection, in batches with progress, one
// verification per account at a time.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRun } from './fixtures/raw-sql';
import { settlesAfterATurn } from './fixtures/event-loop';
import { startServer, type TestServer } from './fixtures/server';

const ENTRIES = 20_000;

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  // A long, valid chain: the engine's audit append chains each entry (one unit of work for speed).
  const actor = (await s.services.auth.actorForUser(s.adminUserId))!;
  await s.services.infra.uow.write(async (r) => {
    for (let i = 0; i < ENTRIES; i++) {
      await r.audit.record(actor, {
        accountId: s.accountId,
        action: 'test.bulk',
        targetType: 'thing',
        targetId: i,
        details: { i },
      });
    }
  });
  // 20,000 appends: on PostgreSQL under a loaded machine this outlasts the default hook timeout.
}, 180_000);
afterAll(() => s.close());

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('AUD-3 verification runs off the event loop', () => {
  it('the event loop turns while a verification runs: its answer comes after a setImmediate queued behind it', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    const order: string[] = [];
    const verified = Promise.resolve(s.services.auditTrail.verify(admin)).then((r) => {
      order.push('verified');
      return r;
    });
    setImmediate(() => order.push('event loop turned'));
    const result = await verified;
    expect(order).toEqual(['event loop turned', 'verified']);
    expect(result).toMatchObject({ ok: true });
    expect(result.checked).toBeGreaterThan(ENTRIES);
  });

  it('reports progress while it runs, and a second request joins the running one', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    const trail = s.services.auditTrail;
    const startedBefore = trail.verificationsStarted;
    const first = trail.verify(admin);
    const second = trail.verify(admin);
    const seen: { running: boolean; checked: number; total: number }[] = [];
    let settled = false;
    void Promise.allSettled([first, second]).then(() => (settled = true));
    while (!settled) {
      seen.push(await trail.verifyStatus(admin));
      await tick();
    }
    const [a, b] = await Promise.all([first, second]);
    expect(a).toEqual(b);
    expect(trail.verificationsStarted - startedBefore).toBe(1);
    const running = seen.filter((x) => x.running);
    expect(running.length).toBeGreaterThan(0);
    const last = running.at(-1)!;
    expect(last.total).toBe(a.checked);
    for (const st of running) expect(st.checked).toBeLessThanOrEqual(st.total || st.checked);
    expect(await trail.verifyStatus(admin)).toMatchObject({ running: false, checked: 0 });
  });

  it('over HTTP: /healthz answers while a verification is in flight; the status route shows it', async () => {
    const verify = s.request('GET', '/api/v1/audit/verify');
    let done = false;
    void verify.then(() => (done = true));
    const health = await s.request('GET', '/healthz', { token: null });
    expect(health.status).toBe(200);
    const status = await s.request('GET', '/api/v1/audit/verify/status');
    expect(status.status).toBe(200);
    expect(Object.keys(status.json).sort()).toEqual(['checked', 'running', 'started_at', 'total']);
    const res = await verify;
    expect(done).toBe(true);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true });
    // A tampered entry is still found by the worker.
    await sqlRun(
      s.db,
      sql`UPDATE audit_entries SET details = '{"i":-1}' WHERE id = ${ENTRIES / 2}`,
    );
    const broken = await s.request('GET', '/api/v1/audit/verify');
    expect(broken.json).toMatchObject({
      ok: false,
      first_bad_entry_id: ENTRIES / 2,
      problem: 'altered',
    });
  });

  it('audit exports, filtered audit pages and GDPR exports are read off the event loop too', async () => {
    const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
    const calls: [string, () => Promise<unknown>][] = [
      ['audit export', () => s.services.auditTrail.export(admin, { format: 'csv' })],
      ['filtered page', () => s.services.auditTrail.list(admin, { actor: 'nobody' })],
      ['gdpr account', () => s.services.gdpr.exportAccount(admin)],
      ['gdpr user', () => s.services.gdpr.exportUser(admin, { user_id: s.adminUserId })],
    ];
    for (const [name, call] of calls) {
      expect(await settlesAfterATurn(async () => call()), name).toBe(true);
    }
  });
});
