import Database from 'better-sqlite3';
import { eq, like, sql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import { NON_CANONICAL, SMALL_ORDER_CANONICAL } from '../fixtures/ed25519-vectors';
import {
  goAgent,
  restartServer,
  startServer,
  unixSeconds,
  type Json,
  type TestResponse,
  type TestServer,
} from '../fixtures/server';
import { sqlRun } from '../fixtures/raw-sql';
import { t } from '../fixtures/tables';
import { onPg, sqliteOnly } from '../fixtures/test-engine';

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

/**
 * `fn` on a connection of its own to the server's database, as another process (a replica, a
 * tool) would write: nothing in the server's process is told of what it does.
 */
async function fromAnotherConnection<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  if (s.pgDatabase) {
    const pool = createPgPool(s.pgDatabase.url, { max: 1 });
    try {
      return await fn(drizzlePg(pool) as unknown as Db);
    } finally {
      await pool.end();
    }
  }
  const other = new Database(s.opened.sqlite.name);
  try {
    return await fn(drizzleSqlite(other) as unknown as Db);
  } finally {
    other.close();
  }
}

/** Another process's new location with one subnet in `orgId`. */
function addLocationElsewhere(orgId: number, name: string, cidr: string): Promise<{ id: number }> {
  return fromAnotherConnection(async (db) => {
    const [lab] = await db
      .insert(t.locations)
      .values({
        organizationId: orgId,
        name,
        nameKey: name.toLowerCase(),
        createdAt: 1,
        updatedAt: 1,
      })
      .returning({ id: t.locations.id });
    await db.insert(t.locationSubnets).values({ locationId: lab!.id, organizationId: orgId, cidr });
    return lab!;
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

  it('an IPv4-mapped IPv6 address is its IPv4 address: IPv4 subnets match it (LOC-3)', async () => {
    const res = await register(org.secret, {
      hostname: 'mapped-1',
      ip: '::ffff:10.1.5.9',
      agent_type: 'legacy',
    });
    expect(res.status).toBe(201);
    expect(res.json.location_id).toBe(lab.id);
    const host = (await s.request('GET', `/api/v1/hosts/${res.json.host_id}`)).json;
    expect(host.ip).toBe('10.1.5.9');
    const resolved = await s.request(
      'GET',
      `/api/v1/organizations/${org.id}/locations/resolve?ip=${encodeURIComponent('::ffff:10.1.9.9')}`,
    );
    expect(resolved.json).toMatchObject({ location_id: office.id, matched_subnet: '10.1.0.0/16' });
    const beat = await legacyBeat(org.secret, res.json.host_id, { ip: '::ffff:a01:909' });
    expect(beat.status).toBe(200);
    expect(beat.json.location_id).toBe(office.id);
    expect((await s.request('GET', `/api/v1/hosts/${res.json.host_id}`)).json.ip).toBe('10.1.9.9');
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
    const before = await s.services.infra.matchers.get(org.id);
    await register(org.secret, { hostname: 'cache-1', ip: '10.1.5.50', agent_type: 'legacy' });
    await register(org.secret, { hostname: 'cache-2', ip: '10.1.6.50', agent_type: 'legacy' });
    expect(await s.services.infra.matchers.get(org.id)).toBe(before);
    const loc = await s.request('POST', `/api/v1/organizations/${org.id}/locations`, {
      body: { name: 'Cache Lab', subnets: ['10.1.6.0/24'] },
    });
    expect(loc.status).toBe(201);
    const after = await s.services.infra.matchers.get(org.id);
    expect(after).not.toBe(before);
    const res = await register(org.secret, {
      hostname: 'cache-3',
      ip: '10.1.6.51',
      agent_type: 'legacy',
    });
    expect(res.json.location_id).toBe(loc.json.id);
  });

  it('a subnet added by another process is seen by the next registration (LOC-3 revision, SCALE-2)', async () => {
    const org = await newOrg('Elsewhere');
    const first = await register(org.secret, {
      hostname: 'e-1',
      ip: '10.77.0.5',
      agent_type: 'legacy',
    });
    expect(first.status).toBe(201);
    // The matcher is cached now. Another process (a replica, a tool) adds a location and its
    // subnet on its own connection: nothing in this process is told.
    const lab = await addLocationElsewhere(org.id, 'Lab 77', '10.77.0.0/16');
    const next = await register(org.secret, {
      hostname: 'e-2',
      ip: '10.77.0.6',
      agent_type: 'legacy',
    });
    expect(next.status).toBe(201);
    expect(next.json.location_id).toBe(lab.id);
  });

  it('a heartbeat from a new IP is placed by a subnet another process added (LOC-3 revision)', async () => {
    const org = await newOrg('Elsewhere too');
    const host = await register(org.secret, {
      hostname: 'm-1',
      ip: '10.78.0.5',
      agent_type: 'legacy',
    });
    expect(host.status).toBe(201);
    // Cached by the registration; the other process's subnet is not announced here.
    const before = await s.services.infra.matchers.get(org.id);
    const lab = await addLocationElsewhere(org.id, 'Lab 78', '10.79.0.0/16');
    const beat = await legacyBeat(org.secret, host.json.host_id, { ip: '10.79.0.9' });
    expect(beat.status).toBe(200);
    expect(beat.json.location_id).toBe(lab.id);
    expect(await s.services.infra.matchers.get(org.id)).not.toBe(before);
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

  it('a registration whose audit entry cannot be written fails alone: no host, no entry; its batch neighbour lands', async () => {
    // A real failure of the append inside the agents' batch (issue 14: the job is synchronous,
    // so the entry is appended synchronously in its savepoint; a promise could not fail the job).
    // The same refusal in each engine's trigger language.
    if (onPg) {
      await sqlRun(
        s.db,
        sql.raw(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.details::json->>'hostname' = 'audit-refused' THEN
              RAISE EXCEPTION 'audit append refused by the test';
            END IF;
            RETURN NEW;
          END $$`),
      );
      await sqlRun(
        s.db,
        sql.raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries
          FOR EACH ROW EXECUTE FUNCTION refuse_audit()`),
      );
    } else {
      await sqlRun(
        s.db,
        sql.raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_entries
          WHEN json_extract(NEW.details, '$.hostname') = 'audit-refused'
          BEGIN SELECT RAISE(ABORT, 'audit append refused by the test'); END`),
      );
    }
    let answers: TestResponse[];
    try {
      answers = await Promise.all([
        register(org.secret, { hostname: 'audit-refused', ip: '10.1.0.50', agent_type: 'legacy' }),
        register(org.secret, { hostname: 'audit-landed', ip: '10.1.0.51', agent_type: 'legacy' }),
      ]);
    } finally {
      if (onPg) {
        await sqlRun(s.db, sql.raw('DROP TRIGGER refuse_audit ON audit_entries'));
        await sqlRun(s.db, sql.raw('DROP FUNCTION refuse_audit()'));
      } else await sqlRun(s.db, sql.raw('DROP TRIGGER refuse_audit'));
    }
    expect(answers.map((a) => a.status)).toEqual([500, 201]);
    const rows = await s.db
      .select({ hostname: t.hosts.hostname })
      .from(t.hosts)
      .where(like(t.hosts.hostname, 'audit-%'))
      .orderBy(t.hosts.hostname);
    expect(rows).toEqual([{ hostname: 'audit-landed' }]);
    const registered = await s.db
      .select({ details: t.auditEntries.details })
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'host.registered'));
    const entries = registered
      .map((e) => (JSON.parse(e.details) as { hostname?: string }).hostname)
      .filter((h) => h?.startsWith('audit-'));
    expect(entries).toEqual(['audit-landed']);
  });
});

describe('AGT-2 weak keys and non-canonical signatures', () => {
  const b64 = (h: string) => Buffer.from(h, 'hex').toString('base64');

  it.each([...SMALL_ORDER_CANONICAL, ...NON_CANONICAL])(
    'registration refuses the weak key %s (400 naming public_key)',
    async (h) => {
      const res = await register(org.secret, {
        hostname: `weak-${h.slice(0, 8)}-${h.slice(-2)}`,
        ip: '10.1.9.70',
        agent_type: 'go',
        public_key: b64(h),
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'public_key' });
      expect(res.json.error.message).toMatch(/small-order|canonical/);
    },
  );

  it('a host registered with the identity key before this check cannot be impersonated', async () => {
    // With A = identity, R = identity and S = 0 "verify" for every message: anyone could beat for
    // it. Such a row may exist from before the check: its heartbeats are refused.
    const [row] = await s.db
      .insert(t.hosts)
      .values({
        organizationId: org.id,
        locationId: org.default_location_id,
        hostname: 'legacy-weak-key',
        ip: '10.1.9.71',
        agentType: 'go',
        publicKey: b64(SMALL_ORDER_CANONICAL[0]!),
        registeredAt: s.clock.now(),
      })
      .returning();
    const forged = Buffer.concat([Buffer.from(SMALL_ORDER_CANONICAL[0]!, 'hex'), Buffer.alloc(32)]);
    const res = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: {
        'X-Host-Id': String(row!.id),
        'X-Timestamp': String(unixSeconds(s.clock)),
        'X-Signature': forged.toString('base64'),
      },
    });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/weak Ed25519 key/);
    expect((await s.request('GET', `/api/v1/hosts/${row!.id}`)).json.last_seen_at).toBeNull();
  });

  it('a heartbeat whose signature has S + L (a malleated copy) is refused', async () => {
    const agent = goAgent();
    const reg = await register(org.secret, {
      hostname: 'go-malleable',
      ip: '10.1.9.72',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    const id = reg.json.host_id as number;
    const ts = unixSeconds(s.clock);
    const sig = Buffer.from(agent.sign(id, ts, '{}'), 'base64');
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const sPlusL = BigInt('0x' + Buffer.from(sig.subarray(32)).reverse().toString('hex')) + L;
    const malleated = Buffer.concat([
      sig.subarray(0, 32),
      Buffer.from(sPlusL.toString(16).padStart(64, '0'), 'hex').reverse(),
    ]);
    const headers = (signature: Buffer) => ({
      'X-Host-Id': String(id),
      'X-Timestamp': String(ts),
      'X-Signature': signature.toString('base64'),
    });
    const bad = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: headers(malleated),
    });
    expect(bad.status).toBe(401);
    expect(bad.json.error.message).toMatch(/signature/);
    const good = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: headers(sig),
    });
    expect(good.status).toBe(200);
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
    expect(replay.status).toBe(409);
    expect(replay.json.error.message).toMatch(/replay/);
    // The same signature re-encoded (no padding) is still the same heartbeat.
    const reencoded = await s.request('POST', '/api/v1/agents/heartbeat', {
      token: null,
      raw: '{}',
      headers: { ...headers, 'X-Signature': headers['X-Signature']!.replace(/=+$/, '') },
    });
    expect(reencoded.status).toBe(409);

    const stale = await goBeat(agent, id, '{}', now - 5 * 60 - 1);
    expect(stale.status).toBe(401);
    expect(stale.json.error.message).toMatch(/5 minutes/);
    const future = await goBeat(agent, id, '{}', now + 5 * 60 + 1);
    expect(future.status).toBe(401);
    // The window's edges, on a host that has not beaten yet (timestamps must increase).
    const edge = goAgent();
    const edgeId = (
      await register(org.secret, {
        hostname: 'go-edges',
        ip: '10.1.9.52',
        agent_type: 'go',
        public_key: edge.publicKey,
      })
    ).json.host_id as number;
    expect((await goBeat(edge, edgeId, '{}', now - 5 * 60)).status).toBe(200);
    expect((await goBeat(edge, edgeId, '{}', now + 5 * 60)).status).toBe(200);
  });

  // SQLite's one write lock, held by another connection, is what the batch would wait on.
  it.skipIf(sqliteOnly('holds the SQLite file write lock'))(
    'a signature is checked before the agents’ write batch: a forged heartbeat is refused while another connection holds the write lock',
    async () => {
      const agent = goAgent();
      const id = (
        await register(org.secret, {
          hostname: 'go-lockless',
          ip: '10.1.9.53',
          agent_type: 'go',
          public_key: agent.publicKey,
        })
      ).json.host_id as number;
      // Another writer (a tool, a migration) holds SQLite's write lock. Verifying needs only the
      // host's key, read from a snapshot: the forgery, a stale signature and an unknown host are
      // refused without joining a write transaction (which would wait for the lock).
      const other = new Database(s.opened.sqlite.name);
      other.exec('BEGIN IMMEDIATE');
      try {
        const forged = await goBeat(goAgent(), id);
        expect(forged.status).toBe(401);
        expect(forged.json.error.message).toMatch(/signature does not verify/);
        const stale = await goBeat(agent, id, '{}', unixSeconds(s.clock) - 5 * 60 - 1);
        expect(stale.status).toBe(401);
        expect(stale.json.error.message).toMatch(/5 minutes/);
        expect((await goBeat(agent, id + 1000)).status).toBe(401);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect((await goBeat(agent, id)).status).toBe(200);
    },
  );

  it('a replay is refused within the window (409) and after it (401, stale)', async () => {
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
    expect((await goBeat(agent, id, '{}', ts)).status).toBe(409);
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

  // Counted by a TEMP trigger on the server's own SQLite connection (an index rewrite is SQLite's cost).
  it.skipIf(sqliteOnly('a TEMP trigger on the SQLite connection counts the writes'))(
    'a signed heartbeat from the same address writes last-seen and the signed second only (no index of the IP or location rewritten)',
    async () => {
      const agent = goAgent();
      const reg = await register(org.secret, {
        hostname: 'steady',
        ip: '10.1.9.70',
        agent_type: 'go',
        public_key: agent.publicKey,
      });
      const id = reg.json.host_id as number;
      // SQLite rewrites the index entries of every column an UPDATE sets, changed or not; an
      // `UPDATE OF` trigger fires for exactly those columns, so it sees what the heartbeat writes.
      const sqlite = s.opened.sqlite;
      sqlite.exec(`CREATE TEMP TABLE place_writes (host_id INTEGER NOT NULL);
      CREATE TEMP TRIGGER place_written AFTER UPDATE OF ip, ip_key, location_id ON main.hosts
      BEGIN INSERT INTO place_writes VALUES (new.id); END;`);
      try {
        const writes = () =>
          (
            sqlite.prepare('SELECT count(*) AS n FROM place_writes WHERE host_id = ?').get(id) as {
              n: number;
            }
          ).n;
        s.clock.advance(1000);
        expect((await goBeat(agent, id, JSON.stringify({ ip: '10.1.9.70' }))).status).toBe(200);
        s.clock.advance(1000);
        expect((await goBeat(agent, id, '{}')).status).toBe(200);
        expect(writes()).toBe(0);
        s.clock.advance(1000);
        const moved = await goBeat(agent, id, JSON.stringify({ ip: '10.1.5.70' }));
        expect(moved.json.location_id).toBe(lab.id);
        expect(writes()).toBe(1);
        expect((await s.request('GET', `/api/v1/hosts/${id}`)).json).toMatchObject({
          ip: '10.1.5.70',
          location_id: lab.id,
          last_seen_at: new Date(s.clock.now()).toISOString(),
        });
      } finally {
        sqlite.exec('DROP TRIGGER temp.place_written; DROP TABLE temp.place_writes;');
      }
    },
  );

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

describe("AGT-2 a Go host's key changes only with its current key or an admin's reset", () => {
  async function goHost(hostname: string) {
    const agent = goAgent();
    const reg = await register(org.secret, {
      hostname,
      ip: '10.1.9.80',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    expect(reg.status).toBe(201);
    return { agent, id: reg.json.host_id as number };
  }
  const registerRaw = (raw: string, headers: Record<string, string> = {}) =>
    s.request('POST', '/api/v1/agents/register', {
      token: null,
      raw,
      headers: {
        'Content-Type': 'application/json',
        'X-Organization-Secret': org.secret,
        ...headers,
      },
    });
  const goBody = (hostname: string, publicKey: string) =>
    JSON.stringify({ hostname, ip: '10.1.9.81', agent_type: 'go', public_key: publicKey });

  it('re-registering with another key (or as legacy) and no proof is 409, saying what to do', async () => {
    const { agent, id } = await goHost('swap-refused');
    const thief = goAgent();
    const res = await registerRaw(goBody('SWAP-refused', thief.publicKey));
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'CONFLICT', field: 'public_key' });
    expect(res.json.error.message).toContain(`register.${id}.`);
    expect(res.json.error.message).toContain(`/api/v1/hosts/${id}/reset-identity`);
    const asLegacy = await register(org.secret, {
      hostname: 'swap-refused',
      ip: '10.1.9.81',
      agent_type: 'legacy',
    });
    expect(asLegacy.status).toBe(409);
    // Nothing changed: the old key still beats, the new one does not.
    expect((await goBeat(thief, id)).status).toBe(401);
    expect((await goBeat(agent, id)).status).toBe(200);
    expect((await s.request('GET', `/api/v1/hosts/${id}`)).json).toMatchObject({
      ip: '10.1.9.80',
      agent_type: 'go',
    });
    // The same key re-registers freely (a reinstall, a new IP).
    const same = await register(org.secret, {
      hostname: 'swap-refused',
      ip: '10.1.9.82',
      agent_type: 'go',
      public_key: agent.publicKey,
    });
    expect(same.status).toBe(200);
  });

  it('with a signature by the current key the new key is accepted, and the old one stops', async () => {
    const { agent, id } = await goHost('swap-signed');
    const next = goAgent();
    const body = goBody('swap-signed', next.publicKey);
    const ts = unixSeconds(s.clock);
    // Signed by the wrong key, over another body, or too old: refused.
    expect((await registerRaw(body, next.registrationProof(id, ts, body))).status).toBe(401);
    expect((await registerRaw(body, agent.registrationProof(id, ts, '{}'))).status).toBe(401);
    const stale = await registerRaw(body, agent.registrationProof(id, ts - 301, body));
    expect(stale.status).toBe(401);
    expect(stale.json.error.message).toMatch(/5 minutes/);
    // A heartbeat signed at ts uses up that second: a proof must be later, like any signature.
    expect((await goBeat(agent, id, '{}', ts)).status).toBe(200);
    expect((await registerRaw(body, agent.registrationProof(id, ts, body))).status).toBe(409);

    const ok = await registerRaw(body, agent.registrationProof(id, ts + 1, body));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ host_id: id, created: false });
    expect((await goBeat(agent, id, '{}', ts + 2)).status).toBe(401);
    expect((await goBeat(next, id, '{}', ts + 2)).status).toBe(200);
    // Replaying the proof changes nothing: the host already has that key.
    expect((await registerRaw(body, agent.registrationProof(id, ts + 1, body))).status).toBe(200);
    // And the old key can no longer move it back.
    const back = goBody('swap-signed', agent.publicKey);
    expect((await registerRaw(back, agent.registrationProof(id, ts + 3, back))).status).toBe(401);
    const audit = await s.db.select().from(t.auditEntries);
    const rereg = audit.filter(
      (e) => e.action === 'host.reregistered' && e.targetId === String(id),
    );
    expect(rereg.map((e) => JSON.parse(e.details).key_change)).toContain('signed_by_previous_key');
  });

  it('after an admin\'s audited "reset host identity" the next registration may bring a new key', async () => {
    const { agent, id } = await goHost('swap-reset');
    const res = await s.request('POST', `/api/v1/hosts/${id}/reset-identity`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      id,
      hostname: 'swap-reset',
      identity_reset_at: new Date(s.clock.now()).toISOString(),
    });
    const entry = (await s.db.select().from(t.auditEntries)).find(
      (e) => e.action === 'host.identity_reset' && e.targetId === String(id),
    )!;
    expect(entry).toMatchObject({
      actorUserId: s.adminUserId,
      targetType: 'host',
      organizationId: org.id,
    });
    expect(JSON.parse(entry.details)).toEqual({ hostname: 'swap-reset', had_key: true });
    // The old key signs nothing any more.
    s.clock.advance(1000);
    const old = await goBeat(agent, id);
    expect(old.status).toBe(401);
    expect(old.json.error.message).toMatch(/reset/);
    const next = goAgent();
    const again = await registerRaw(goBody('swap-reset', next.publicKey));
    expect(again.status).toBe(200);
    expect(again.json.host_id).toBe(id);
    expect((await goBeat(next, id)).status).toBe(200);
    const set = (await s.db.select().from(t.auditEntries).orderBy(t.auditEntries.id)).filter(
      (e) => e.action === 'host.reregistered' && e.targetId === String(id),
    );
    expect(JSON.parse(set.at(-1)!.details).key_change).toBe('set_after_identity_reset');
    // Once the new key is set, swapping it needs proof again.
    expect((await registerRaw(goBody('swap-reset', goAgent().publicKey))).status).toBe(409);
  });

  it("reset identity needs hosts.manage in the host's org; a foreign org's admin gets 404", async () => {
    const { id } = await goHost('swap-guarded');
    const other = await newOrg('Foreign Admins Org');
    const foreign = await s.userToken([{ role: 'org_admin', orgId: other.id }]);
    const res = await s.request('POST', `/api/v1/hosts/${id}/reset-identity`, {
      token: foreign.token,
    });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('NOT_FOUND');
    const reader = await s.userToken([{ role: 'reader', orgId: org.id }]);
    const denied = await s.request('POST', `/api/v1/hosts/${id}/reset-identity`, {
      token: reader.token,
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/manage hosts|hosts\.manage/);
    const legacy = await register(org.secret, {
      hostname: 'legacy-no-key',
      ip: '10.1.9.83',
      agent_type: 'legacy',
    });
    const noKey = await s.request('POST', `/api/v1/hosts/${legacy.json.host_id}/reset-identity`);
    expect(noKey.status).toBe(409);
    expect(noKey.json.error.message).toMatch(/legacy/);
    const audit = await s.db.select().from(t.auditEntries);
    expect(audit.some((e) => e.action === 'host.identity_reset' && e.targetId === String(id))).toBe(
      false,
    );
  });
});

describe('AGT-2 agents of a deactivated org or account are refused on every endpoint', () => {
  async function fleet(secret: string, prefix: string) {
    const go = goAgent();
    const goId = (
      await register(secret, {
        hostname: `${prefix}-go`,
        ip: '10.3.0.1',
        agent_type: 'go',
        public_key: go.publicKey,
      })
    ).json.host_id as number;
    const legacyId = (
      await register(secret, { hostname: `${prefix}-legacy`, ip: '10.3.0.2', agent_type: 'legacy' })
    ).json.host_id as number;
    expect((await goBeat(go, goId)).status).toBe(200);
    expect((await legacyBeat(secret, legacyId)).status).toBe(200);
    return { go, goId, legacyId };
  }

  it('a deactivated org: its Go and legacy heartbeats are 403, again 200 once reactivated', async () => {
    const o = await newOrg('Dormant Fleet');
    const f = await fleet(o.secret, 'dormant');
    expect((await s.request('DELETE', `/api/v1/organizations/${o.id}`)).status).toBe(200);
    s.clock.advance(1000);
    const go = await goBeat(f.go, f.goId);
    expect(go.status).toBe(403);
    expect(go.json.error.message).toMatch(/organization is deactivated/);
    const legacy = await legacyBeat(o.secret, f.legacyId);
    expect(legacy.status).toBe(403);
    expect(legacy.json.error.message).toMatch(/organization is deactivated/);
    // Refused before anything is written: last-seen stays where it was.
    const seen = (await s.request('GET', `/api/v1/hosts/${f.goId}`)).json.last_seen_at;
    expect(seen).not.toBe(new Date(s.clock.now()).toISOString());
    // Authentication still comes first: a wrong signature is 401, not a hint about the org.
    expect((await goBeat(goAgent(), f.goId)).status).toBe(401);
    await s.request('PATCH', `/api/v1/organizations/${o.id}`, { body: { is_active: true } });
    s.clock.advance(1000);
    expect((await goBeat(f.go, f.goId)).status).toBe(200);
    expect((await legacyBeat(o.secret, f.legacyId)).status).toBe(200);
  });

  it('a deactivated account: registration and both kinds of heartbeat are 403', async () => {
    const acc = await s.services.accounts.provision({
      accountName: 'Dormant Account',
      adminEmail: 'dormant-admin@server.test',
      adminName: 'Dormant Admin',
    });
    const admin = await s.userToken([{ role: 'account_admin' }], { accountId: acc.accountId });
    const o = (
      await s.request('POST', '/api/v1/organizations', {
        token: admin.token,
        body: { name: 'Org Of A Dormant Account' },
      })
    ).json;
    secrets.add(o.secret);
    const f = await fleet(o.secret, 'dormant-acc');
    const setActive = (active: boolean) =>
      s.db.update(t.accounts).set({ isActive: active }).where(eq(t.accounts.id, acc.accountId));
    await setActive(false);
    s.clock.advance(1000);
    const reg = await register(o.secret, {
      hostname: 'dormant-acc-new',
      ip: '10.3.0.3',
      agent_type: 'legacy',
    });
    expect(reg.status).toBe(403);
    expect(reg.json.error.message).toMatch(/account is deactivated/);
    const go = await goBeat(f.go, f.goId);
    expect(go.status).toBe(403);
    expect(go.json.error.message).toMatch(/account is deactivated/);
    const legacy = await legacyBeat(o.secret, f.legacyId);
    expect(legacy.status).toBe(403);
    expect(legacy.json.error.message).toMatch(/account is deactivated/);
    await setActive(true);
    s.clock.advance(1000);
    expect((await goBeat(f.go, f.goId)).status).toBe(200);
    expect((await legacyBeat(o.secret, f.legacyId)).status).toBe(200);
  });
});

describe("AGT-2 replay protection: each host's signed timestamps must increase", () => {
  async function goHost(hostname: string, srv: TestServer = s) {
    const o = await srv.request('POST', '/api/v1/organizations', {
      body: { name: `Org ${hostname}` },
    });
    secrets.add(o.json.secret);
    const agent = goAgent();
    const reg = await srv.request('POST', '/api/v1/agents/register', {
      token: null,
      headers: { 'X-Organization-Secret': o.json.secret },
      body: { hostname, ip: '10.2.0.1', agent_type: 'go', public_key: agent.publicKey },
    });
    expect(reg.status).toBe(201);
    return { agent, id: reg.json.host_id as number };
  }
  const beat = (srv: TestServer, headers: Record<string, string>, body = '{}') =>
    srv.request('POST', '/api/v1/agents/heartbeat', { token: null, raw: body, headers });

  it('a replay is refused after a restart: a new server instance on the same database file', async () => {
    const a = await startServer();
    const { agent, id } = await goHost('restart-1', a);
    const headers = agent.heartbeatHeaders(id, unixSeconds(a.clock), '{}');
    expect((await beat(a, headers)).status).toBe(200);
    expect((await beat(a, headers)).status).toBe(409);
    await a.stop();
    const b = await restartServer(a);
    try {
      const replay = await beat(b, headers);
      expect(replay.status).toBe(409);
      expect(replay.json.error).toMatchObject({ code: 'CONFLICT', field: 'x-timestamp' });
      expect(replay.json.error.message).toMatch(/later X-Timestamp/);
      b.clock.advance(1000);
      expect((await beat(b, agent.heartbeatHeaders(id, unixSeconds(b.clock), '{}'))).status).toBe(
        200,
      );
    } finally {
      await b.close();
    }
  });

  it('two different bodies signed with the same timestamp: the second is refused', async () => {
    const { agent, id } = await goHost('same-second');
    const ts = unixSeconds(s.clock);
    const one = '{}';
    const two = JSON.stringify({ ip: '10.2.0.2' });
    expect((await beat(s, agent.heartbeatHeaders(id, ts, one), one)).status).toBe(200);
    const second = await beat(s, agent.heartbeatHeaders(id, ts, two), two);
    expect(second.status).toBe(409);
    expect((await s.request('GET', `/api/v1/hosts/${id}`)).json.ip).toBe('10.2.0.1');
    // An older timestamp, still inside the 5-minute window, is refused the same way.
    expect((await beat(s, agent.heartbeatHeaders(id, ts - 60, two), two)).status).toBe(409);
    expect((await beat(s, agent.heartbeatHeaders(id, ts + 1, two), two)).status).toBe(200);
  });

  it('the group commit keeps the rule: of two beats with one timestamp in one batch, one lands', async () => {
    const { agent, id } = await goHost('same-batch');
    const ts = unixSeconds(s.clock);
    const bodies = ['{}', JSON.stringify({ ip: '10.2.0.3' }), JSON.stringify({ ip: '10.2.0.4' })];
    const answers = await Promise.all(
      bodies.map((body) => beat(s, agent.heartbeatHeaders(id, ts, body), body)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const [row] = await s.db
      .select({ t: t.hosts.lastSignedAt })
      .from(t.hosts)
      .where(eq(t.hosts.id, id));
    expect(row!.t).toBe(ts);
  });

  it('nothing is kept in memory per heartbeat (no cache that grows)', async () => {
    const { agent, id } = await goHost('no-memory');
    const sizes = () => collectionSizes(s.services.agents);
    // One beat first, so lazily built state (prepared statements, matchers) exists already.
    expect((await beat(s, agent.heartbeatHeaders(id, unixSeconds(s.clock), '{}'))).status).toBe(
      200,
    );
    const before = sizes();
    for (let i = 0; i < 40; i++) {
      s.clock.advance(1000);
      const res = await beat(s, agent.heartbeatHeaders(id, unixSeconds(s.clock), '{}'));
      expect(res.status).toBe(200);
    }
    expect(sizes()).toBe(before);
  });
});

/** The total size of every Map, Set and array reachable from an object (its own fields). */
function collectionSizes(root: object): number {
  const seen = new Set<object>();
  let total = 0;
  const walk = (v: unknown, depth: number) => {
    if (v === null || typeof v !== 'object' || seen.has(v) || depth > 6) return;
    seen.add(v);
    if (v instanceof Map) {
      total += v.size;
      for (const [k, x] of v) {
        walk(k, depth + 1);
        walk(x, depth + 1);
      }
    } else if (v instanceof Set) {
      total += v.size;
      for (const x of v) walk(x, depth + 1);
    } else if (Array.isArray(v)) {
      total += v.length;
      for (const x of v) walk(x, depth + 1);
    } else for (const x of Object.values(v)) walk(x, depth + 1);
  };
  walk(root, 0);
  return total;
}

describe('secrets stay out of the log and the audit trail', () => {
  it('registration is audited, without the secret', async () => {
    const rows = await s.db.select().from(t.auditEntries).orderBy(t.auditEntries.id);
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

  it('no secret value appears in the captured server output or in any audit entry', async () => {
    expect(secrets.size).toBeGreaterThan(8);
    const log = s.logs.join('\n');
    const audit = JSON.stringify(await s.db.select().from(t.auditEntries));
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
