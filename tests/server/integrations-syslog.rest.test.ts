// INT-1 (issue 18 item 2) against a real rsyslog from Debian: RFC 5424 over TLS with
// octet-counted framing (RFC 5425), the collector's certificate checked against the configured
// CA, every audit entry in sequence order, the backlog drained after the collector was down.
import { createSocket } from 'node:dgram';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedSession } from '../fixtures/audit-session';
import { startRsyslog, structuredData, type Rsyslog } from '../fixtures/rsyslog';
import { startServer, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until the collector has written at least `n` lines; no timing is asserted. */
async function linesAtLeast(rs: Rsyslog, n: number): Promise<string[]> {
  for (let i = 0; i < 400 && rs.lines().length < n; i++) await sleep(25);
  return rs.lines();
}

// Not skipped without rsyslog: .ci/run installs it, and a missing collector must fail loudly.
describe('syslog forwarding to rsyslog', () => {
  let s: TestServer;
  let tls: Rsyslog;
  let tcp: Rsyslog;

  beforeAll(async () => {
    s = await startServer();
    tls = await startRsyslog({ tls: true });
    tcp = await startRsyslog({ tls: false });
  });
  afterAll(async () => {
    await s?.close();
    await tls?.close();
    await tcp?.close();
  });

  const entries = () =>
    s.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.accountId, s.accountId))
      .orderBy(asc(t.auditEntries.seq));

  it('every audit entry of a session arrives over TLS in sequence order, with its structured data; again after the collector was down', async () => {
    const created = await s.request('POST', '/api/v1/integrations/destinations', {
      body: {
        kind: 'syslog',
        name: 'SIEM',
        url: `tls://localhost:${tls.port}`,
        ca_pem: tls.caPem,
      },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ kind: 'syslog', secret: null, has_secret: false });
    const firstSeq = (await entries()).at(-1)!.seq; // the destination's own creation
    // A webhook beside it: its secret must not reach the collector either (its own deliveries
    // are refused, loopback without ORGDESK_WEBHOOK_ALLOW_PRIVATE, and need no network).
    const hook = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'webhook', url: 'https://127.0.0.1:1/hook' },
    });
    expect(hook.json.secret).toMatch(/^whsec_/);
    const session = await scriptedSession(s, 'one', [hook.json.secret]);
    await s.services.infra.outbox.drainOnce();

    const wanted = async () => (await entries()).filter((e) => e.seq >= firstSeq);
    let lines = await linesAtLeast(tls, (await wanted()).length);
    expect(lines.length).toBe((await wanted()).length);
    expect(lines.map((l) => structuredData(l).action)).toContain('host.registered');
    const sd = lines.map(structuredData);
    expect(sd.map((d) => Number(d.seq))).toEqual((await wanted()).map((e) => e.seq));
    for (const [i, e] of (await wanted()).entries()) {
      expect(sd[i]).toEqual({
        account: String(s.accountId),
        org: e.organizationId === null ? '-' : String(e.organizationId),
        actor: e.actorLabel,
        actor_id: e.actorUserId === null ? '-' : String(e.actorUserId),
        action: e.action,
        target_type: e.targetType,
        target: e.targetId ?? '-',
        seq: String(e.seq),
        hash: e.hash,
      });
      // RFC 5424 header: <PRI>1 TIMESTAMP HOST APP PROCID MSGID
      expect(lines[i]).toMatch(
        new RegExp(
          `^<110>1 ${new Date(e.at).toISOString().replace(/[.]/g, '\\.')} \\S+ orgdesk - ${e.action.replace(/[.]/g, '\\.')} \\[`,
        ),
      );
    }

    // The collector goes away for a while: the backlog waits, the status says why.
    await tls.stop();
    const down = await scriptedSession(s, 'two');
    await s.services.infra.outbox.drainOnce();
    const dest = (await s.request('GET', '/api/v1/integrations/destinations')).json.find(
      (d: { kind: string }) => d.kind === 'syslog',
    );
    expect(dest.status.backlog).toBeGreaterThan(0);
    expect(dest.status.last_error).toMatch(/ECONNREFUSED/);
    expect(dest.status.failures).toBe(1);
    expect(dest.enabled).toBe(true);
    await tls.start();
    s.clock.advance(10_000);
    await s.services.infra.outbox.drainOnce();
    lines = await linesAtLeast(tls, (await wanted()).length);
    const seqs = lines.map((l) => Number(structuredData(l).seq));
    // At least once: every entry, first seen in sequence order; a re-send repeats a sequence
    // with the very same line.
    const firstSeen = [...new Set(seqs)];
    expect(firstSeen).toEqual((await wanted()).map((e) => e.seq));
    const bySeq = new Map<number, string>();
    for (const l of lines) {
      const q = Number(structuredData(l).seq);
      if (bySeq.has(q)) expect(l).toBe(bySeq.get(q));
      bySeq.set(q, l);
    }
    const after = (await s.request('GET', '/api/v1/integrations/destinations')).json.find(
      (d: { kind: string }) => d.kind === 'syslog',
    );
    expect(after.status).toMatchObject({ backlog: 0, failures: 0, dead: 0 });
    expect(after.status.last_delivered_at).not.toBeNull();

    // Nothing secret left: no org secret, token, password or webhook secret in what rsyslog wrote.
    const written = lines.join('\n');
    for (const secret of [...session.secrets, ...down.secrets]) {
      expect(written).not.toContain(secret);
    }
    await s.request('DELETE', `/api/v1/integrations/destinations/${hook.json.id}`);
  });

  it("the collector's certificate is verified against ca_pem: another CA is refused", async () => {
    const wrong = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'syslog', url: `tls://localhost:${tls.port}`, ca_pem: tls.otherCaPem },
    });
    expect(wrong.status).toBe(201);
    const test = await s.request('POST', `/api/v1/integrations/destinations/${wrong.json.id}/test`);
    expect(test.status).toBe(200);
    expect(test.json.ok).toBe(false);
    expect(test.json.error).toMatch(/certificate/i);
    const right = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'syslog', url: `tls://localhost:${tls.port}`, ca_pem: tls.caPem },
    });
    const good = await s.request('POST', `/api/v1/integrations/destinations/${right.json.id}/test`);
    expect(good.json).toEqual({ ok: true, error: null, response_status: null });
    for (const id of [wrong.json.id, right.json.id]) {
      expect((await s.request('DELETE', `/api/v1/integrations/destinations/${id}`)).status).toBe(
        200,
      );
    }
  });

  it('plain TCP uses the same octet-counted framing', async () => {
    const res = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'syslog', url: `tcp://127.0.0.1:${tcp.port}`, events: ['organization.*'] },
    });
    expect(res.status).toBe(201);
    await s.request('POST', '/api/v1/organizations', { body: { name: 'Over Plain TCP' } });
    await s.services.infra.outbox.drainOnce();
    const lines = await linesAtLeast(tcp, 1);
    expect(lines.map((l) => structuredData(l).action)).toEqual(['organization.created']);
    await s.request('DELETE', `/api/v1/integrations/destinations/${res.json.id}`);
  });

  it('UDP sends one RFC 5424 message per datagram', async () => {
    const sock = createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    try {
      const res = await s.request('POST', '/api/v1/integrations/destinations', {
        body: { kind: 'syslog', url: `udp://127.0.0.1:${port}`, events: ['organization.created'] },
      });
      await s.request('POST', '/api/v1/organizations', { body: { name: 'Over UDP' } });
      await s.services.infra.outbox.drainOnce();
      for (let i = 0; i < 200 && got.length < 1; i++) await sleep(10);
      expect(got.length).toBe(1);
      expect(got[0]).toMatch(/^<110>1 /);
      expect(structuredData(got[0]!).action).toBe('organization.created');
      await s.request('DELETE', `/api/v1/integrations/destinations/${res.json.id}`);
    } finally {
      sock.close();
    }
  });

  it('a syslog url must be tls://, tcp:// or udp:// with a port; ca_pem only with tls://', async () => {
    const bad = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'syslog', url: 'https://collector.example.com' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ field: 'url' });
    const ca = await s.request('POST', '/api/v1/integrations/destinations', {
      body: { kind: 'syslog', url: `tcp://127.0.0.1:${tcp.port}`, ca_pem: tls.caPem },
    });
    expect(ca.status).toBe(400);
    expect(ca.json.error).toMatchObject({ field: 'ca_pem' });
  });
});
