import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries } from '../../main/db/schema';
import { ReplayCache } from '../../main/features/agents/replay-cache';
import {
  goAgent,
  startServer,
  unixSeconds,
  type Json,
  type TestResponse,
  type TestServer,
} from '../fixtures/server';

let s: TestServer;
let org: Json;
let office: Json;
let lab: Json;
let v6: Json;
/** Every secret value this file sees, to prove none reaches the log or the audit trail. */
const secrets = new Set<string>();

beforeAll(async () => {
  s = await startServer();
  secrets.add(s.adminToken);
  org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Agents Org' } })).json;
  secrets.add(org.secret);
  const loc = (name: string, subnets: string[]) =>
    s.request('POST', `/api/v1/organizations/${org.id}/locations`, { body: { name, subnets } });
  office = (await loc('Office', ['10.1.0.0/16'])).json;
  lab = (await loc('Lab', ['10.1.5.0/24'])).json;
  v6 = (await loc('V6', ['2001:db8::/32'])).json;
});
afterAll(() => s.close());

function register(secret: string | null, body: Record<string, unknown>): Promise<TestResponse> {
  return s.request('POST', '/api/v1/agents/register', {
    token: null,
    headers: secret === null ? {} : { 'X-Organization-Secret': secret },
    body,
  });
}

function legacyBeat(secret: string, hostId: number, body: Record<string, unknown> = {}) {
  return s.request('POST', '/api/v1/agents/heartbeat', {
    token: null,
    headers: { 'X-Organization-Secret': secret, 'X-Host-Id': String(hostId) },
    body,
  });
}

function goBeat(
  agent: ReturnType<typeof goAgent>,
  hostId: number,
  body = '{}',
  timestamp = unixSeconds(s.clock),
) {
  return s.request('POST', '/api/v1/agents/heartbeat', {
    token: null,
    raw: body,
    headers: agent.heartbeatHeaders(hostId, timestamp, body),
  });
}

async function newOrg(name: string): Promise<Json> {
  const res = await s.request('POST', '/api/v1/organizations', { body: { name } });
  secrets.add(res.json.secret);
  return res.json;
}

describe('AGT-1 registration', () => {
  it('a missing or wrong secret is 401', async () => {
    const body = { hostname: 'h1', ip: '10.1.1.1', agent_type: 'legacy' };
    const missing = await register(null, body);
    expect(missing.status).toBe(401);
    expect(missing.json.error.message).toMatch(/X-Organization-Secret/);
    for (const wrong of ['odk_orgsec_wrong', org.secret + 'x', org.secret.slice(0, -1), '']) {
      const res = await register(wrong, body);
      expect(res.status, wrong).toBe(401);
    }
    // A bearer token is not an org secret.
    expect((await register(s.adminToken, body)).status).toBe(401);
  });

  it.each([
    [{ hostname: 'h', ip: '10.1.2', agent_type: 'legacy' }, 'ip'],
    [{ hostname: 'h', ip: '300.1.1.1', agent_type: 'legacy' }, 'ip'],
    [{ hostname: 'h', ip: '10.1.1.1/24', agent_type: 'legacy' }, 'ip'],
    [{ hostname: 'h', agent_type: 'legacy' }, 'ip'],
    [{ hostname: 'bad host', ip: '10.1.1.1', agent_type: 'legacy' }, 'hostname'],
    [{ hostname: '', ip: '10.1.1.1', agent_type: 'legacy' }, 'hostname'],
    [{ hostname: 'h', ip: '10.1.1.1', agent_type: 'rust' }, 'agent_type'],
    [{ hostname: 'h', ip: '10.1.1.1', agent_type: 'go' }, 'public_key'],
    [{ hostname: 'h', ip: '10.1.1.1', agent_type: 'go', public_key: 'abc' }, 'public_key'],
    [
      { hostname: 'h', ip: '10.1.1.1', agent_type: 'legacy', public_key: goAgent().publicKey },
      'public_key',
    ],
    [{ hostname: 'h', ip: '10.1.1.1', agent_type: 'legacy', os: 'linux' }, 'os'],
  ])('bad input %j is 400 naming %s', async (body, field) => {
    const res = await register(org.secret, body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'BAD_REQUEST', field });
  });

  it('lands by longest prefix (LOC-3) and shows in the org stats and the location', async () => {
    const cases: [string, string, number][] = [
      ['lab-1', '10.1.5.7', lab.id],
      ['office-1', '10.1.9.9', office.id],
      ['home-1', '192.168.0.10', org.default_location_id],
      ['v6-1', '2001:db8:0:0::42', v6.id],
    ];
    for (const [hostname, ip, locationId] of cases) {
      const res = await register(org.secret, { hostname, ip, agent_type: 'legacy' });
      expect(res.status, hostname).toBe(201);
      expect(res.json).toEqual({
        host_id: expect.any(Number),
        organization_id: org.id,
        location_id: locationId,
        created: true,
      });
    }
    const read = await s.request('GET', `/api/v1/organizations/${org.id}`);
    expect(read.json.stats).toEqual({ online: 4, offline: 0, stale: 0, total: 4 });
    const locations = await s.request('GET', `/api/v1/organizations/${org.id}/locations`);
    const count = (id: number) =>
      locations.json.find((l: { id: number }) => l.id === id).host_count as number;
    expect([count(lab.id), count(office.id), count(v6.id), count(org.default_location_id)]).toEqual(
      [1, 1, 1, 1],
    );
    const hosts = await s.request('GET', `/api/v1/organizations/${org.id}/hosts?search=v6`);
    expect(hosts.headers['x-total-count']).toBe('1');
    expect(hosts.json[0]).toMatchObject({ hostname: 'v6-1', ip: '2001:db8::42', status: 'online' });
  });

  it('the hosts list sorts by IP over the query string and finds a host by the start of its IP', async () => {
    const path = `/api/v1/organizations/${org.id}/hosts`;
    const byIp = await s.request('GET', `${path}?sort=ip&order=desc`);
    expect(byIp.status).toBe(200);
    expect(byIp.json.map((h: { hostname: string }) => h.hostname)).toEqual([
      'v6-1',
      'home-1',
      'office-1',
      'lab-1',
    ]);
    const prefix = await s.request('GET', `${path}?search=10.1.&sort=ip`);
    expect(prefix.headers['x-total-count']).toBe('2');
    expect(prefix.json.map((h: { ip: string }) => h.ip)).toEqual(['10.1.5.7', '10.1.9.9']);
    const bad = await s.request('GET', `${path}?sort=cpu`);
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'sort' });
  });

  it('the secret decides the org; the IP only the location', async () => {
    const other = await newOrg('Other Agents Org');
    const res = await register(other.secret, {
      hostname: 'lab-1',
      ip: '10.1.5.7',
      agent_type: 'legacy',
    });
    expect(res.status).toBe(201);
    expect(res.json.organization_id).toBe(other.id);
    expect(res.json.location_id).toBe(other.default_location_id);
  });

  it('re-registering a hostname (any case) updates that host: same id, new IP, LOC-3 again', async () => {
    const first = await register(org.secret, {
      hostname: 'mover',
      ip: '10.1.9.1',
      agent_type: 'legacy',
    });
    expect(first.json.location_id).toBe(office.id);
    const again = await register(org.secret, {
      hostname: 'MOVER',
      ip: '10.1.5.1',
      agent_type: 'legacy',
    });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      host_id: first.json.host_id,
      organization_id: org.id,
      location_id: lab.id,
      created: false,
    });
    // Pinned by a hand move: re-registration keeps its location.
    const moved = await s.request('POST', `/api/v1/hosts/${first.json.host_id}/move`, {
      body: { location_id: v6.id },
    });
    expect(moved.json.pinned).toBe(true);
    const pinned = await register(org.secret, {
      hostname: 'mover',
      ip: '10.1.9.2',
      agent_type: 'legacy',
    });
    expect(pinned.json.location_id).toBe(v6.id);
  });

  it('registration uses the cached per-org matcher, rebuilt only when subnets change', async () => {
    const before = s.services.infra.matchers.get(org.id);
    await register(org.secret, { hostname: 'cache-1', ip: '10.1.5.50', agent_type: 'legacy' });
    await register(org.secret, { hostname: 'cache-2', ip: '10.1.6.50', agent_type: 'legacy' });
    expect(s.services.infra.matchers.get(org.id)).toBe(before);
    const loc = await s.request('POST', `/api/v1/organizations/${org.id}/locations`, {
      body: { name: 'Cache Lab', subnets: ['10.1.6.0/24'] },
    });
    expect(loc.status).toBe(201);
    const after = s.services.infra.matchers.get(org.id);
    expect(after).not.toBe(before);
    const res = await register(org.secret, {
      hostname: 'cache-3',
      ip: '10.1.6.51',
      agent_type: 'legacy',
    });
    expect(res.json.location_id).toBe(loc.json.id);
  });

  it('a deactivated org accepts no registration (403), and does again once reactivated', async () => {
    const dead = await newOrg('Dormant');
    await s.request('DELETE', `/api/v1/organizations/${dead.id}`);
    const res = await register(dead.secret, {
      hostname: 'd1',
      ip: '10.0.0.1',
      agent_type: 'legacy',
    });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toMatch(/deactivated/);
    await s.request('PATCH', `/api/v1/organizations/${dead.id}`, { body: { is_active: true } });
    const ok = await register(dead.secret, {
      hostname: 'd1',
      ip: '10.0.0.1',
      agent_type: 'legacy',
    });
    expect(ok.status).toBe(201);
  });

  it('a regenerated secret refuses new registrations at once (no grace)', async () => {
    const o = await newOrg('Rotate Now');
    const rotated = await s.request('POST', `/api/v1/organizations/${o.id}/secret/regenerate`, {
      body: { confirm: true },
    });
    secrets.add(rotated.json.secret);
    const body = { hostname: 'r1', ip: '10.0.0.1', agent_type: 'legacy' };
    expect((await register(o.secret, body)).status).toBe(401);
    expect((await register(rotated.json.secret, body)).status).toBe(201);
  });

  it('during a grace window the previous secret still registers; after it, not', async () => {
    const o = await newOrg('Rotate Gently');
    const rotated = await s.request('POST', `/api/v1/organizations/${o.id}/secret/regenerate`, {
      body: { confirm: true, grace_period_hours: 1 },
    });
    secrets.add(rotated.json.secret);
    const body = (n: number) => ({ hostname: `g${n}`, ip: '10.0.0.1', agent_type: 'legacy' });
    expect((await register(o.secret, body(1))).status).toBe(201);
    expect((await register(rotated.json.secret, body(2))).status).toBe(201);
    s.clock.advance(3_600_000);
    expect((await register(o.secret, body(3))).status).toBe(401);
    expect((await register(rotated.json.secret, body(4))).status).toBe(201);
  });
});

describe('AGT-2 heartbeats', () => {
  it('a signed Go heartbeat updates last-seen (online again after being offline)', async () => {
    const agent = goAgent();
    const o = await newOrg('Go Org');
    const reg = await register(o.secret, {
      hostname: 'go-1',
      ip: '10.9.0.1',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    expect(reg.status).toBe(201);
    s.clock.advance(10 * 60_000);
    expect((await s.request('GET', `/api/v1/hosts/${reg.json.host_id}`)).json.status).toBe(
      'offline',
    );
    const res = await goBeat(agent, reg.json.host_id);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      host_id: reg.json.host_id,
      location_id: o.default_location_id,
      last_seen_at: new Date(s.clock.now()).toISOString(),
      agent_type: 'go',
    });
    const host = (await s.request('GET', `/api/v1/hosts/${reg.json.host_id}`)).json;
    expect(host.status).toBe('online');
    expect(host.last_seen_at).toBe(new Date(s.clock.now()).toISOString());
  });

  it('refuses a bad signature, a tampered body, a replay and a stale or future timestamp', async () => {
    const agent = goAgent();
    const reg = await register(org.secret, {
      hostname: 'go-strict',
      ip: '10.1.9.50',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    const id = reg.json.host_id as number;
    const now = unixSeconds(s.clock);

    const impostor = goAgent();
    const forged = await goBeat(impostor, id);
    expect(forged.status).toBe(401);
    expect(forged.json.error.message).toMatch(/signature/);

    const headers = agent.heartbeatHeaders(id, now, '{}');
    const tampered = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{"ip":"10.1.5.5"}',
      headers,
    });
    expect(tampered.status).toBe(401);

    const otherHost = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { ...headers, 'X-Host-Id': String(id + 1000) },
    });
    expect(otherHost.status).toBe(401);

    const first = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers,
    });
    expect(first.status).toBe(200);
    const replay = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers,
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error.message).toMatch(/replay/);
    // The same signature re-encoded (no padding) is still the same heartbeat.
    const reencoded = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { ...headers, 'X-Signature': headers['X-Signature']!.replace(/=+$/, '') },
    });
    expect(reencoded.status).toBe(401);

    const stale = await goBeat(agent, id, '{}', now - 5 * 60 - 1);
    expect(stale.status).toBe(401);
    expect(stale.json.error.message).toMatch(/5 minutes/);
    const future = await goBeat(agent, id, '{}', now + 5 * 60 + 1);
    expect(future.status).toBe(401);
    expect((await goBeat(agent, id, '{}', now - 5 * 60)).status).toBe(200);
    expect((await goBeat(agent, id, '{}', now + 5 * 60)).status).toBe(200);
  });

  it('a replay is refused for the whole window, and its entry is dropped after it', async () => {
    const agent = goAgent();
    const reg = await register(org.secret, {
      hostname: 'go-window',
      ip: '10.1.9.51',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    const id = reg.json.host_id as number;
    const ts = unixSeconds(s.clock);
    expect((await goBeat(agent, id, '{}', ts)).status).toBe(200);
    s.clock.advance(5 * 60_000);
    expect((await goBeat(agent, id, '{}', ts)).status).toBe(401);
    s.clock.advance(1000);
    const late = await goBeat(agent, id, '{}', ts);
    expect(late.status).toBe(401);
    expect(late.json.error.message).toMatch(/5 minutes/);
  });

  it('malformed heartbeat headers are 400 naming the header; no credentials is 401', async () => {
    const agent = goAgent();
    const ts = unixSeconds(s.clock);
    const noHost = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { 'X-Timestamp': String(ts), 'X-Signature': agent.sign(1, ts, '{}') },
    });
    expect(noHost.status).toBe(400);
    expect(noHost.json.error.field).toBe('x-host-id');
    const badTs = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { 'X-Host-Id': '1', 'X-Timestamp': 'yesterday', 'X-Signature': 'AAAA' },
    });
    expect(badTs.status).toBe(400);
    expect(badTs.json.error.field).toBe('x-timestamp');
    const none = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { 'X-Host-Id': '1' },
    });
    expect(none.status).toBe(401);
  });

  it('a heartbeat with a new IP moves an unpinned host by LOC-3; a pinned one stays', async () => {
    const agent = goAgent();
    const reg = await register(org.secret, {
      hostname: 'roamer',
      ip: '10.1.9.60',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    expect(reg.json.location_id).toBe(office.id);
    const id = reg.json.host_id as number;
    const moved = await goBeat(agent, id, JSON.stringify({ ip: '10.1.5.60' }));
    expect(moved.status).toBe(200);
    expect(moved.json.location_id).toBe(lab.id);
    const host = (await s.request('GET', `/api/v1/hosts/${id}`)).json;
    expect(host).toMatchObject({ ip: '10.1.5.60', location_id: lab.id });

    await s.request('POST', `/api/v1/hosts/${id}/move`, { body: { location_id: v6.id } });
    s.clock.advance(1000);
    const stays = await goBeat(agent, id, JSON.stringify({ ip: '10.1.9.61' }));
    expect(stays.json.location_id).toBe(v6.id);
    expect((await s.request('GET', `/api/v1/hosts/${id}`)).json.ip).toBe('10.1.9.61');

    s.clock.advance(1000);
    const bad = await goBeat(agent, id, JSON.stringify({ ip: 'not-an-ip' }));
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('ip');
  });

  it('legacy agents send the secret every time; a regenerated one stops them while Go agents keep going', async () => {
    const o = await newOrg('Mixed Fleet');
    const go = goAgent();
    const goHost = (
      await register(o.secret, {
        hostname: 'go-fleet',
        ip: '10.0.0.1',
        agent_type: 'go',
        public_key: go.publicKey,
      })
    ).json.host_id as number;
    const legacyHost = (
      await register(o.secret, { hostname: 'old-fleet', ip: '10.0.0.2', agent_type: 'legacy' })
    ).json.host_id as number;

    expect((await legacyBeat(o.secret, legacyHost)).status).toBe(200);
    // A Go host cannot fall back to the secret; a legacy host cannot use another org's secret.
    expect((await legacyBeat(o.secret, goHost)).status).toBe(401);
    expect((await legacyBeat(org.secret, legacyHost)).status).toBe(401);

    const rotated = await s.request('POST', `/api/v1/organizations/${o.id}/secret/regenerate`, {
      body: { confirm: true },
    });
    secrets.add(rotated.json.secret);
    s.clock.advance(1000);
    const refused = await legacyBeat(o.secret, legacyHost);
    expect(refused.status).toBe(401);
    expect(refused.json.error.message).toMatch(/regenerated/);
    expect((await goBeat(go, goHost)).status).toBe(200);
    expect((await legacyBeat(rotated.json.secret, legacyHost)).status).toBe(200);
  });

  it('the previous secret keeps legacy agents going during the grace window only', async () => {
    const o = await newOrg('Legacy Grace');
    const host = (
      await register(o.secret, { hostname: 'lg', ip: '10.0.0.2', agent_type: 'legacy' })
    ).json.host_id as number;
    const rotated = await s.request('POST', `/api/v1/organizations/${o.id}/secret/regenerate`, {
      body: { confirm: true, grace_period_hours: 2 },
    });
    secrets.add(rotated.json.secret);
    s.clock.advance(2 * 3_600_000 - 1);
    expect((await legacyBeat(o.secret, host)).status).toBe(200);
    s.clock.advance(1);
    expect((await legacyBeat(o.secret, host)).status).toBe(401);
    expect((await legacyBeat(rotated.json.secret, host)).status).toBe(200);
  });
});

describe('secrets stay out of the log and the audit trail', () => {
  it('registration is audited, without the secret', () => {
    const rows = s.opened.db.select().from(auditEntries).all();
    const registered = rows.filter((r) => r.action === 'host.registered');
    expect(registered.length).toBeGreaterThan(5);
    expect(registered[0]!.actorLabel).toMatch(/^agent /);
    expect(JSON.parse(registered[0]!.details)).toMatchObject({
      hostname: expect.any(String),
      ip: expect.any(String),
      agent_type: expect.any(String),
      location_id: expect.any(Number),
    });
  });

  it('no secret value appears in the captured server output or in any audit entry', () => {
    expect(secrets.size).toBeGreaterThan(8);
    const log = s.logs.join('\n');
    const audit = JSON.stringify(s.opened.db.select().from(auditEntries).all());
    expect(log).toMatch(/POST \/api\/v1\/agents\/register 201/);
    for (const secret of secrets) {
      if (secret === s.adminToken) {
        // Printed exactly once, on purpose, by the first-start bootstrap.
        expect(log.split(secret)).toHaveLength(2);
      } else {
        expect(log).not.toContain(secret);
        // Not even a long piece of it (e.g. a truncated echo).
        expect(log).not.toContain(secret.slice(11, 35));
      }
      expect(audit).not.toContain(secret);
    }
  });
});

describe('replay cache', () => {
  it('remembers until expiry, then forgets; refuses when full rather than forgetting live entries', () => {
    const cache = new ReplayCache(2);
    expect(cache.remember('a', 100, 0)).toBe('new');
    expect(cache.remember('a', 100, 50)).toBe('replay');
    expect(cache.remember('b', 200, 50)).toBe('new');
    expect(cache.remember('c', 300, 50)).toBe('full');
    expect(cache.remember('c', 300, 100)).toBe('new');
    expect(cache.size).toBe(2);
    expect(cache.remember('a', 400, 150)).toBe('full');
  });
});
