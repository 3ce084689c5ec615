// INT-2 (issue 18 item 3): signed webhooks over REST, a receiver in the test process verifying
// every signature, the delivery log with redelivery, automatic disable, and the address rule.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryDelayMs, WEBHOOK_DISABLE_AFTER_FAILURES } from '../../shared/integrations';
import { scriptedSession } from '../fixtures/audit-session';
import { startServer, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';
import { startReceiver, verifySignature, type Receiver } from '../fixtures/webhook-receiver';

const DESTS = '/api/v1/integrations/destinations';

describe('webhooks with private destinations allowed (ORGDESK_WEBHOOK_ALLOW_PRIVATE=1)', () => {
  let s: TestServer;
  let rx: Receiver;
  let secret: string | null = null;

  beforeAll(async () => {
    process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE = '1';
    try {
      s = await startServer();
    } finally {
      delete process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE;
    }
    rx = await startReceiver({
      secret: () => secret,
      nowSeconds: () => Math.floor(s.clock.now() / 1000),
    });
  });
  afterAll(async () => {
    await rx?.close();
    await s?.close();
  });

  it('the secret is answered once; every request is signed over "<timestamp>.<body>" with the SPEC body; nothing secret is sent', async () => {
    const created = await s.request('POST', DESTS, {
      body: { kind: 'webhook', url: rx.url, name: 'Receiver' },
    });
    expect(created.status).toBe(201);
    secret = created.json.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.json).toMatchObject({ kind: 'webhook', has_secret: true, events: null });
    // Never again: not in the list, not in an update's answer.
    const listed = await s.request('GET', DESTS);
    expect(listed.text).not.toContain(secret);
    expect(listed.json[0]).not.toHaveProperty('secret');
    // A receiver's own token often sits in its URL: the audit entry names the endpoint only.
    const patched = await s.request('PATCH', `${DESTS}/${created.json.id}`, {
      body: { name: 'Receiver A', url: `${rx.url}?token=receiver-query-token` },
    });
    expect(patched.text).not.toContain(secret);

    const session = await scriptedSession(s, 'hook', [secret!, 'receiver-query-token']);
    await s.services.infra.outbox.drainOnce();
    const events = rx.received.map((r) => r.json.event);
    expect(events.slice(0, 2)).toEqual(['integration.created', 'integration.updated']);
    expect(events).toContain('organization.created');
    expect(events).toContain('organization.secret.revealed');
    expect(events).toContain('organization.secret.regenerated');
    expect(rx.received.every((r) => r.verified)).toBe(true);

    const first = rx.received.find((r) => r.json.event === 'organization.created')!;
    expect(first.headers['x-orgdesk-timestamp']).toBe(String(Math.floor(s.clock.now() / 1000)));
    expect(first.headers['x-orgdesk-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(first.headers['content-type']).toBe('application/json');
    expect(Object.keys(first.json).sort()).toEqual(
      [
        'account_id',
        'actor',
        'event',
        'id',
        'occurred_at',
        'organization_id',
        'sequence',
        'target',
      ].sort(),
    );
    expect(first.json).toMatchObject({
      account_id: s.accountId,
      actor: { user_id: s.adminUserId },
      target: { type: 'organization' },
    });
    // A receiver with the wrong secret, or checking a changed body, or a stale timestamp, refuses.
    const now = Math.floor(s.clock.now() / 1000);
    expect(verifySignature('whsec_wrong', first.headers, first.body, now)).toBe(false);
    expect(verifySignature(secret!, first.headers, `${first.body} `, now)).toBe(false);
    expect(verifySignature(secret!, first.headers, first.body, now + 301)).toBe(false);

    expect(events).toContain('host.registered');
    const everything = rx.received.map((r) => JSON.stringify(r.headers) + r.body).join('\n');
    for (const value of session.secrets) expect(everything).not.toContain(value);
    // Nor anywhere else it could slip out: the audit trail (itself forwarded), the server's log,
    // the database file in clear.
    const audit = JSON.stringify(await s.db.select().from(t.auditEntries));
    expect(audit).not.toContain(secret);
    expect(s.logs.join('\n')).not.toContain(secret);
    for (const file of ['orgdesk.db', 'orgdesk.db-wal']) {
      const path = join(s.dir, file);
      if (existsSync(path)) expect(readFileSync(path).includes(Buffer.from(secret!))).toBe(false);
    }
    expect(audit).not.toContain('receiver-query-token');
  });

  it('the delivery log shows each delivery; a redelivery sends the same event id again', async () => {
    const [dest] = (await s.request('GET', DESTS)).json;
    const log = await s.request('GET', `${DESTS}/${dest.id}/deliveries?limit=5`);
    expect(log.status).toBe(200);
    expect(Number(log.headers['x-total-count'])).toBe(rx.received.length);
    expect(log.json[0]).toMatchObject({ status: 'delivered', attempts: 1, response_status: 200 });
    const one = log.json.at(-1);
    const re = await s.request('POST', `${DESTS}/${dest.id}/deliveries/${one.id}/redeliver`);
    expect(re.json).toEqual({ ok: true });
    const before = rx.received.length;
    await s.services.infra.outbox.drainOnce();
    const resent = rx.received.slice(before);
    expect(resent.map((r) => r.json.id)).toContain(one.audit_entry_id);
    expect(resent.every((r) => r.verified)).toBe(true);
    const missing = await s.request('POST', `${DESTS}/${dest.id}/deliveries/999999/redeliver`);
    expect(missing.status).toBe(404);
  });

  it(`after ${WEBHOOK_DISABLE_AFTER_FAILURES} failures in a row the webhook is disabled, and its status says why`, async () => {
    const [dest] = (await s.request('GET', DESTS)).json;
    rx.status = 500;
    await s.request('POST', '/api/v1/organizations', { body: { name: 'Failing Hook Org' } });
    for (let i = 1; i <= WEBHOOK_DISABLE_AFTER_FAILURES; i++) {
      await s.services.infra.outbox.drainOnce();
      s.clock.advance(retryDelayMs(i));
    }
    const [after] = (await s.request('GET', DESTS)).json;
    expect(after.id).toBe(dest.id);
    expect(after.enabled).toBe(false);
    expect(after.disabled_reason).toMatch(
      new RegExp(`after ${WEBHOOK_DISABLE_AFTER_FAILURES} failed deliveries in a row.*HTTP 500`),
    );
    expect(after.status).toMatchObject({ failures: WEBHOOK_DISABLE_AFTER_FAILURES, backlog: 1 });
    // Disabled: nothing more is tried, and new entries are not queued for it.
    const tried = rx.received.length;
    await s.request('POST', '/api/v1/organizations', { body: { name: 'While Disabled' } });
    s.clock.advance(60 * 60_000);
    await s.services.infra.outbox.drainOnce();
    expect(rx.received.length).toBe(tried);
    // Turned on again by the admin: the backlog goes out.
    rx.status = 200;
    const on = await s.request('PATCH', `${DESTS}/${dest.id}`, { body: { enabled: true } });
    expect(on.json).toMatchObject({ enabled: true, disabled_reason: null });
    await s.services.infra.outbox.drainOnce();
    const [back] = (await s.request('GET', DESTS)).json;
    expect(back.status).toMatchObject({ backlog: 0, failures: 0 });
    expect(rx.received.slice(tried).map((r) => r.json.event)).toEqual([
      'organization.created',
      'integration.updated',
    ]);
  });

  it('test sends one signed integration.test event and answers the outcome', async () => {
    const [dest] = (await s.request('GET', DESTS)).json;
    const before = rx.received.length;
    const res = await s.request('POST', `${DESTS}/${dest.id}/test`);
    expect(res.json).toEqual({ ok: true, error: null, response_status: 200 });
    expect(rx.received.slice(before).map((r) => [r.json.event, r.verified])).toEqual([
      ['integration.test', true],
    ]);
    rx.status = 410;
    const failed = await s.request('POST', `${DESTS}/${dest.id}/test`);
    expect(failed.json).toEqual({
      ok: false,
      error: 'the receiver answered HTTP 410',
      response_status: 410,
    });
    rx.status = 200;
  });

  it('account admins only: an org admin is refused (support engineers and read-only tokens: the isolation matrix)', async () => {
    const [dest] = (await s.request('GET', DESTS)).json;
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Scoped' } }))
      .json;
    const orgAdmin = await s.userToken([{ role: 'org_admin', orgId: org.id }]);
    expect((await s.request('GET', DESTS, { token: orgAdmin.token })).status).toBe(403);
    const del = await s.request('DELETE', `${DESTS}/${dest.id}`, { token: orgAdmin.token });
    expect(del.status).toBe(403);
    expect((await s.request('DELETE', `${DESTS}/${dest.id}`)).json).toEqual({ deleted: true });
  });
});

describe('webhooks without ORGDESK_WEBHOOK_ALLOW_PRIVATE', () => {
  let s: TestServer;
  let rx: Receiver;

  beforeAll(async () => {
    delete process.env.ORGDESK_WEBHOOK_ALLOW_PRIVATE;
    s = await startServer();
    rx = await startReceiver({ secret: () => null, nowSeconds: () => 0 });
  });
  afterAll(async () => {
    await rx?.close();
    await s?.close();
  });

  it('http:// is refused at creation, naming the field', async () => {
    const res = await s.request('POST', DESTS, { body: { kind: 'webhook', url: rx.url } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      field: 'url',
      message: 'url of a webhook must start with https://',
    });
  });

  it('loopback, private and link-local destinations are refused at delivery, after DNS resolution', async () => {
    const port = new URL(rx.url).port;
    for (const [url, address] of [
      [`https://localhost:${port}/hook`, /127\.0\.0\.1|::1/],
      ['https://10.1.2.3/hook', /10\.1\.2\.3/],
      ['https://169.254.169.254/latest', /169\.254\.169\.254/],
      ['https://[fd00::1]/hook', /fd00::1/],
    ] as const) {
      const created = await s.request('POST', DESTS, { body: { kind: 'webhook', url } });
      expect(created.status, url).toBe(201);
      const test = await s.request('POST', `${DESTS}/${created.json.id}/test`);
      expect(test.json.ok, url).toBe(false);
      expect(test.json.error).toMatch(/^refused: .* a loopback, private or link-local address$/);
      expect(test.json.error).toMatch(address);
      await s.request('DELETE', `${DESTS}/${created.json.id}`);
    }
    // Through the outbox too: the status names the refusal, and nothing reached the receiver.
    const hook = await s.request('POST', DESTS, {
      body: { kind: 'webhook', url: `https://localhost:${port}/hook` },
    });
    await s.services.infra.outbox.drainOnce();
    const [dest] = (await s.request('GET', DESTS)).json;
    expect(dest.id).toBe(hook.json.id);
    expect(dest.status.last_error).toMatch(/^refused: localhost resolves to/);
    expect(rx.received).toEqual([]);
  });
});
