// Issue 15 item 4 (SCALE-2): the Orgdesk server as two replicas on one PostgreSQL database, each
// its own process (`npm run server`'s entry with ORGDESK_DATABASE_URL), behind a small round-robin
// proxy on loopback that sends each request to the next replica (`to: i` pins the next one to
// replica i; `direct: i` bypasses the proxy, for requests sent at once). What one replica writes,
// the other must act on at once: nothing needed for correctness lives in a process's memory.
// The scheduled jobs (one expiry entry per grant, lease takeover after kill -9) are in
// replicas-jobs.test.ts, whose replicas run them every second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../main/db/pg/database';
import { codeMigrations } from '../../main/db/pg/migrate';
import { createTestDatabase, pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import {
  ADMIN_EMAIL,
  startReplicaExpectingExit,
  startReplicaSet,
  type ReplicaSet,
} from '../fixtures/replicas';
import { goAgent } from '../fixtures/server';

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe.skipIf(!pgAvailable)('two replicas on one PostgreSQL database', () => {
  let env: PgTestEnv;
  let w: ReplicaSet;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    // A fresh EMPTY database, migrated by two `npm run migrate` processes started at the same
    // moment; then both replicas start at once (the first start's bootstrap races too).
    w = await startReplicaSet(env.url, { migrate: 'two-clis' });
  }, 180_000);

  afterAll(async () => {
    await w?.close();
    if (env?.available) await env.release();
  }, 60_000);

  it('concurrent start on an empty database: two migrate runs apply each migration once; both replicas ready; one account', async () => {
    const tags = codeMigrations().map((m) => m.tag);
    // Both exit 0: one applied everything, the other waited for the lock and found it current.
    expect(w.migrations.map((m) => m.code)).toEqual([0, 0]);
    expect(w.migrations.map((m) => m.stdout.trim()).sort()).toEqual([
      `orgdesk migrate: applied ${tags.join(', ')} (${tags.length} in all)`,
      `orgdesk migrate: the database is current (${tags.length} migrations)`,
    ]);
    const journal = await w.sql.query<{ created_at: string }>(
      'SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY id',
    );
    expect(journal.rows.map((r) => Number(r.created_at))).toEqual(
      codeMigrations().map((m) => m.createdAt),
    );
    for (const r of w.replicas) {
      const res = await fetch(`${r.url}/readyz`);
      expect(res.status, r.output()).toBe(200);
    }
    const me = await w.api('/users/me', { to: 0 });
    expect(me.status).toBe(200);
    const accounts = await w.api('/accounts', { to: 1 });
    expect(accounts.status, accounts.text).toBe(200);
    expect(accounts.body).toHaveLength(1);
    const admins = await w.sql.query('SELECT id FROM users WHERE email = $1', [ADMIN_EMAIL]);
    expect(admins.rowCount).toBe(1);
  });

  it('an org created on one replica is read, changed and audited through the other', async () => {
    const created = await w.api('/organizations', {
      method: 'POST',
      body: { name: 'Replicated Org' },
      to: 0,
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    const read = await w.api(`/organizations/${id}`, { to: 1 });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Replicated Org');
    const renamed = await w.api(`/organizations/${id}`, {
      method: 'PATCH',
      body: { name: 'Renamed Org' },
      to: 1,
    });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await w.api(`/organizations/${id}`, { to: 0 })).body.name).toBe('Renamed Org');
  });

  it('a token minted on one replica works on the other, and its revocation is seen there at once', async () => {
    const minted = await w.api('/tokens', {
      method: 'POST',
      body: { name: 'replica test' },
      to: 0,
    });
    expect(minted.status, minted.text).toBe(201);
    const token = minted.body.token as string;
    const tokenId = (minted.body.id ?? minted.body.token_info?.id) as number;
    expect((await w.api('/users/me', { token, to: 1 })).status).toBe(200);
    const revoked = await w.api(`/tokens/${tokenId}`, { method: 'DELETE', to: 1 });
    expect([200, 204]).toContain(revoked.status);
    expect((await w.api('/users/me', { token, to: 0 })).status).toBe(401);
  });

  it('a support grant given or ended through one replica is honoured or refused by the other on the very next request (SUP-1, 3, 4, 5); so is a logout', async () => {
    const customer = await w.api('/accounts', {
      method: 'POST',
      body: { name: 'Customer', admin_email: 'admin@customer.test', admin_name: 'Customer admin' },
      to: 0,
    });
    expect(customer.status, customer.text).toBe(201);
    const customerAdmin = customer.body.admin_token as string;
    const org = await w.api('/organizations', {
      method: 'POST',
      body: { name: 'Customer Org' },
      token: customerAdmin,
      to: 1,
    });
    expect(org.status, org.text).toBe(201);
    // A support engineer of the platform (the bootstrap account), made by its operator.
    const engineerLogin = {
      email: 'engineer@replicas.test',
      password: 'replica engineer pass 7319',
    };
    const made = await w.api('/users', {
      method: 'POST',
      body: { ...engineerLogin, name: 'Support engineer', is_support_engineer: true },
      to: 0,
    });
    expect(made.status, made.text).toBe(201);
    // From an address of its own: the throttle case below fails sign-ins from the proxy's.
    const login = await w.api('/auth/login', {
      method: 'POST',
      token: null,
      body: engineerLogin,
      headers: { 'x-forwarded-for': '198.51.100.7' },
      to: 1,
    });
    expect(login.status, login.text).toBe(200);
    const engineer = login.body.token as string;
    const engineerReads = async (to: number) =>
      (await w.api(`/organizations/${org.body.id}`, { token: engineer, to })).status;
    const asCustomer = (path: string, body: unknown, to: number) =>
      w.api(`/support-access/${path}`, { method: 'POST', body, token: customerAdmin, to });

    expect(await engineerReads(1)).toBe(404);
    // SUP-1 through replica 0: replica 1 lets the engineer read on the very next request.
    expect((await asCustomer('enable', { duration_hours: 1 }, 0)).status).toBe(200);
    expect(await engineerReads(1)).toBe(200);
    // SUP-3 through replica 0: replica 1 refuses on the very next request.
    const disabled = await asCustomer('disable', {}, 0);
    expect(disabled.status, disabled.text).toBe(200);
    expect(await engineerReads(1)).toBe(404);
    // SUP-4: asked through replica 1, approved through replica 0, honoured by replica 1.
    const asked = await w.api('/support-access/requests', {
      method: 'POST',
      token: engineer,
      body: { account_id: customer.body.account.id, reason: 'hosts offline', duration_hours: 2 },
      to: 1,
    });
    expect(asked.status, asked.text).toBe(201);
    const approved = await asCustomer(`requests/${asked.body.id}/approve`, {}, 0);
    expect(approved.status, approved.text).toBe(200);
    expect(await engineerReads(1)).toBe(200);
    // No grant ever allows a write, whichever replica is asked.
    const write = await w.api('/organizations', {
      method: 'POST',
      body: { name: 'Evil' },
      token: engineer,
      to: 0,
    });
    expect(write.status).toBe(403);
    // SUP-3 emergency disable through replica 0, with the customer grant on again as well:
    // both grants end, and replica 1 refuses the next read.
    expect((await asCustomer('enable', {}, 1)).status).toBe(200);
    expect(await engineerReads(0)).toBe(200);
    const emergency = await asCustomer('emergency-disable', { reason: 'suspected breach' }, 0);
    expect(emergency.status, emergency.text).toBe(200);
    expect(emergency.body.active).toBe(false);
    expect(await engineerReads(1)).toBe(404);
    expect(await engineerReads(0)).toBe(404);
    // The engineer's console session, signed in through replica 1, ended through replica 0:
    // replica 1 refuses it on the next request.
    expect((await w.api('/users/me', { token: engineer, to: 1 })).status).toBe(200);
    const out = await w.api('/auth/logout', { method: 'POST', token: engineer, to: 0 });
    expect(out.status, out.text).toBe(200);
    expect((await w.api('/users/me', { token: engineer, to: 1 })).status).toBe(401);
  });

  it('a subnet edit through one replica places the next registration, and heartbeat, through the other (LOC-3)', async () => {
    const org = await w.api('/organizations', {
      method: 'POST',
      body: { name: 'Subnet Org' },
      to: 0,
    });
    expect(org.status, org.text).toBe(201);
    const orgId = org.body.id as number;
    const secret = org.body.secret as string;
    const defaultLocation = org.body.default_location_id as number;
    const location = async (name: string) => {
      const made = await w.api(`/organizations/${orgId}/locations`, {
        method: 'POST',
        body: { name },
        to: 0,
      });
      expect(made.status, made.text).toBe(201);
      return made.body.id as number;
    };
    const branch = await location('Branch');
    const lab = await location('Lab');
    const setSubnets = async (id: number, subnets: string[]) => {
      const saved = await w.api(`/locations/${id}`, { method: 'PATCH', body: { subnets }, to: 0 });
      expect(saved.status, saved.text).toBe(200);
    };
    const register = async (hostname: string, ip: string) => {
      const res = await w.agent(
        'register',
        { 'x-organization-secret': secret },
        JSON.stringify({ hostname, ip, agent_type: 'legacy' }),
        { to: 1 },
      );
      expect(res.status, res.text).toBe(201);
      return res.body as { host_id: number; location_id: number };
    };

    // Replica 1 builds (and keeps) the org's matcher: no subnets yet, so the default location.
    const warm = await register('subnet-warm', '10.42.1.5');
    expect(warm.location_id).toBe(defaultLocation);
    // Replica 0 gives the branch the subnet; replica 1's next registration lands there.
    await setSubnets(branch, ['10.42.0.0/16']);
    expect((await register('subnet-next', '10.42.1.6')).location_id).toBe(branch);
    // Replica 0 gives the lab a subnet; a heartbeat through replica 1 moving a host into it
    // follows it too (the heartbeat's own matcher lookup).
    await setSubnets(lab, ['10.43.0.0/16']);
    const beat = await w.agent(
      'heartbeat',
      { 'x-organization-secret': secret, 'x-host-id': String(warm.host_id) },
      JSON.stringify({ ip: '10.43.0.9' }),
      { to: 1 },
    );
    expect(beat.status, beat.text).toBe(200);
    expect(beat.body.location_id).toBe(lab);
    // And back: the branch's subnet removed through replica 0, replica 1 falls to the default.
    await setSubnets(branch, []);
    expect((await register('subnet-after', '10.42.1.7')).location_id).toBe(defaultLocation);
  });

  it('a signed heartbeat accepted by one replica, replayed byte for byte to the other, is refused (AGT-2)', async () => {
    const org = await w.api('/organizations', { method: 'POST', body: { name: 'Replay Org' } });
    const secret = org.body.secret as string;
    const agent = goAgent();
    const reg = await w.agent(
      'register',
      { 'x-organization-secret': secret },
      JSON.stringify({
        hostname: 'replay-host',
        ip: '10.7.0.1',
        agent_type: 'go',
        public_key: agent.publicKey,
      }),
      { to: 0 },
    );
    expect(reg.status, reg.text).toBe(201);
    const hostId = reg.body.host_id as number;
    const raw = JSON.stringify({ ip: '10.7.0.1' });
    const headers = agent.heartbeatHeaders(hostId, nowSeconds(), raw);
    const first = await w.agent('heartbeat', headers, raw, { to: 0 });
    expect(first.status, first.text).toBe(200);
    const replayed = await w.agent('heartbeat', headers, raw, { to: 1 });
    expect(replayed.status, replayed.text).toBe(409);
    expect(replayed.body.error.message).toMatch(/replay/);
    // And the other way round, for a heartbeat first accepted by replica 1.
    const next = agent.heartbeatHeaders(hostId, nowSeconds() + 1, raw);
    expect((await w.agent('heartbeat', next, raw, { to: 1 })).status).toBe(200);
    expect((await w.agent('heartbeat', next, raw, { to: 0 })).status).toBe(409);
  });

  it('the sign-in throttle is shared: wrong passwords alternating between replicas are refused after five', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await w.api('/auth/login', {
        method: 'POST',
        token: null,
        body: { email: ADMIN_EMAIL, password: `wrong password number ${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('concurrent audited writes on both replicas leave one chain that verifies', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      w.api('/organizations', { method: 'POST', body: { name: `Burst ${i}` } }),
    );
    const answers = await Promise.all(writes);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(w.proxy.served.slice(-40))).toEqual(new Set([0, 1]));
    const verified = await w.api('/audit/verify', { to: 1 });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.ok).toBe(true);
  });

  it('an agent registered through one replica is the same host through the other, and heartbeats there', async () => {
    const org = await w.api('/organizations', { method: 'POST', body: { name: 'Agents Org' } });
    const secret = org.body.secret as string;
    const reg = await w.agent(
      'register',
      { 'x-organization-secret': secret },
      JSON.stringify({ hostname: 'replica-host', ip: '10.9.0.1', agent_type: 'legacy' }),
      { to: 0 },
    );
    expect(reg.status, reg.text).toBe(201);
    const hostId = String(reg.body.host_id);
    const again = await w.agent(
      'register',
      { 'x-organization-secret': secret },
      JSON.stringify({ hostname: 'REPLICA-HOST', ip: '10.9.0.1', agent_type: 'legacy' }),
      { to: 1 },
    );
    // One host for one hostname, whichever replica is asked.
    expect(String(again.body.host_id)).toBe(hostId);
    const beat = await w.agent(
      'heartbeat',
      { 'x-organization-secret': secret, 'x-host-id': hostId },
      '{}',
      { to: 1 },
    );
    expect(beat.status, beat.text).toBe(200);
  });

  it('one agent registering through both replicas at once, round after round, is one host (AGT-1)', async () => {
    const org = await w.api('/organizations', { method: 'POST', body: { name: 'Race Org' } });
    const orgId = org.body.id as number;
    const secret = org.body.secret as string;
    const ROUNDS = 5;
    const PER_REPLICA = 4;
    for (let round = 0; round < ROUNDS; round++) {
      const agent = goAgent();
      const hostname = `race-${round}`;
      // The same agent (key and hostname, in ASCII cases the folding makes one) on both at once.
      const attempts = Array.from({ length: 2 * PER_REPLICA }, (_, i) =>
        w.agent(
          'register',
          { 'x-organization-secret': secret },
          JSON.stringify({
            hostname: i % 4 === 3 ? hostname.toUpperCase() : hostname,
            ip: `10.8.${round}.1`,
            agent_type: 'go',
            public_key: agent.publicKey,
          }),
          { direct: i % 2 },
        ),
      );
      const answers = await Promise.all(attempts);
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses, answers.map((a) => a.text).join('\n')).toEqual([
        200, 200, 200, 200, 200, 200, 200, 201,
      ]);
      expect(new Set(answers.map((a) => a.body.host_id)).size).toBe(1);
      const rows = await w.sql.query(
        'SELECT id FROM hosts WHERE organization_id = $1 AND lower(hostname) = $2',
        [orgId, hostname],
      );
      expect(rows.rowCount).toBe(1);
    }
    // The org's host count (kept by triggers) agrees with the rows, as the console shows it.
    const shown = await w.api(`/organizations/${orgId}`, { to: 0 });
    const counted = await w.sql.query<{ n: string }>(
      'SELECT count(*) AS n FROM hosts WHERE organization_id = $1',
      [orgId],
    );
    expect(Number(counted.rows[0]!.n)).toBe(ROUNDS);
    expect(shown.body.stats.total).toBe(ROUNDS);
    expect((await w.api('/audit/verify', { to: 1 })).body.ok).toBe(true);
  });

  it('a replica refuses to serve a database whose schema is not its own, saying why', async () => {
    // An empty database (nobody ran `npm run migrate`), and one a newer release migrated.
    const empty = await createTestDatabase(env.available ? env.url : '', { empty: true });
    const ahead = await createTestDatabase(env.available ? env.url : '');
    try {
      const pool = createPgPool(ahead.url, { max: 1 });
      try {
        await pool.query(
          `INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('next', $1)`,
          [codeMigrations().at(-1)!.createdAt + 1],
        );
      } finally {
        await pool.end();
      }
      const [none, newer] = await Promise.all([
        startReplicaExpectingExit(empty.url),
        startReplicaExpectingExit(ahead.url),
      ]);
      expect(none.code, none.output).toBe(2);
      expect(none.output).toMatch(/Orgdesk server could not start: .*no Orgdesk schema/);
      expect(none.output).toMatch(/npm run migrate/);
      expect(none.output).not.toContain(empty.url);
      expect(newer.code, newer.output).toBe(2);
      expect(newer.output).toMatch(/Orgdesk server could not start: .*newer release/);
      expect(newer.output).not.toMatch(/listening on/);
    } finally {
      await empty.drop();
      await ahead.drop();
    }
  }, 120_000);
});
