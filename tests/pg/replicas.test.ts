// Issue 15 item 4 (SCALE-2): the Orgdesk server as two replicas on one PostgreSQL database, each
// its own process (`npm run server`'s entry with ORGDESK_DATABASE_URL), behind a small round-robin
// proxy on loopback that sends each request to the next replica. What one replica writes, the
// other must act on at once: nothing needed for correctness lives in a process's memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratePg } from '../../main/db/pg/migrate';
import { createTestDatabase, pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import { startRoundRobinProxy, type RoundRobinProxy } from '../fixtures/round-robin-proxy';

const ADMIN_TOKEN = `odk_pat_${randomBytes(24).toString('hex')}`;
const MASTER_KEY = randomBytes(32).toString('base64');

interface Replica {
  url: string;
  child: ChildProcess;
  output: () => string;
}

function startReplica(databaseUrl: string): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/server/index.ts'], {
    env: {
      ...process.env,
      ORGDESK_DATABASE_URL: databaseUrl,
      ORGDESK_MASTER_KEY: MASTER_KEY,
      ORGDESK_ADMIN_TOKEN: ADMIN_TOKEN,
      ORGDESK_ADMIN_EMAIL: 'admin@replicas.test',
      ORGDESK_PORT: '0',
      ORGDESK_HOST: '127.0.0.1',
      ORGDESK_TRUSTED_PROXIES: '127.0.0.1',
      ORGDESK_SMTP_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, output: () => out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}: ${out}`));
    });
  });
}

const stopReplica = (r: Replica) =>
  new Promise<void>((resolve) => {
    if (r.child.exitCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGTERM');
  });

describe.skipIf(!pgAvailable)('two replicas on one PostgreSQL database', () => {
  let env: PgTestEnv;
  let drop: () => Promise<void>;
  let replicas: Replica[] = [];
  let proxy: RoundRobinProxy;

  const api = async (
    path: string,
    init: { method?: string; body?: unknown; token?: string | null; to?: number } = {},
  ) => {
    if (init.to !== undefined) proxy.pin(init.to);
    const res = await fetch(`${proxy.url}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    // An empty database, migrated as `npm run migrate` does; both replicas then start at once.
    const db = await createTestDatabase(env.url, { empty: true });
    drop = db.drop;
    await migratePg(db.url);
    replicas = await Promise.all([startReplica(db.url), startReplica(db.url)]);
    proxy = await startRoundRobinProxy(replicas.map((r) => r.url));
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(replicas.map(stopReplica));
    await drop?.();
    if (env?.available) await env.release();
  }, 60_000);

  it('both are ready; starting together on an empty database, they bootstrapped one account', async () => {
    for (const r of replicas) {
      const res = await fetch(`${r.url}/readyz`);
      expect(res.status, r.output()).toBe(200);
    }
    const me = await api('/users/me', { to: 0 });
    expect(me.status).toBe(200);
    const accounts = await api('/accounts', { to: 1 });
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
    // A REST list answers its items as the body (the total in a header).
    const items = Array.isArray(accounts.body) ? accounts.body : accounts.body.items;
    expect(items).toHaveLength(1);
  });

  it('an org created on one replica is read, changed and audited through the other', async () => {
    const created = await api('/organizations', {
      method: 'POST',
      body: { name: 'Replicated Org' },
      to: 0,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as number;
    const read = await api(`/organizations/${String(id)}`, { to: 1 });
    expect(read.status).toBe(200);
    expect(read.body.name).toBe('Replicated Org');
    const renamed = await api(`/organizations/${String(id)}`, {
      method: 'PATCH',
      body: { name: 'Renamed Org' },
      to: 1,
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await api(`/organizations/${String(id)}`, { to: 0 })).body.name).toBe('Renamed Org');
  });

  it('a token minted on one replica works on the other, and its revocation is seen there at once', async () => {
    const minted = await api('/tokens', { method: 'POST', body: { name: 'replica test' }, to: 0 });
    expect(minted.status, JSON.stringify(minted.body)).toBe(201);
    const token = minted.body.token as string;
    const tokenId = (minted.body.id ?? (minted.body.token_info as { id: number })?.id) as number;
    expect((await api('/users/me', { token, to: 1 })).status).toBe(200);
    const revoked = await api(`/tokens/${tokenId}`, { method: 'DELETE', to: 1 });
    expect([200, 204]).toContain(revoked.status);
    expect((await api('/users/me', { token, to: 0 })).status).toBe(401);
  });

  it('concurrent audited writes on both replicas leave one chain that verifies', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      api('/organizations', { method: 'POST', body: { name: `Burst ${i}` } }),
    );
    const answers = await Promise.all(writes);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(proxy.served.slice(-40))).toEqual(new Set([0, 1]));
    const verified = await api('/audit/verify', { to: 1 });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.ok).toBe(true);
  });

  it('the sign-in throttle is shared: wrong passwords alternating between replicas are refused after five', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await api('/auth/login', {
        method: 'POST',
        token: null,
        body: { email: 'admin@replicas.test', password: `wrong password number ${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('an agent registered through one replica is the same host through the other, and heartbeats there', async () => {
    const org = await api('/organizations', { method: 'POST', body: { name: 'Agents Org' } });
    const secret = org.body.secret as string;
    const agent = (path: string, headers: Record<string, string>, body: unknown, to: number) => {
      proxy.pin(to);
      return fetch(`${proxy.url}/api/v1/agents/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    };
    const reg = await agent(
      'register',
      { 'x-organization-secret': secret },
      { hostname: 'replica-host', ip: '10.9.0.1', agent_type: 'legacy' },
      0,
    );
    expect(reg.status, await reg.clone().text()).toBe(201);
    const hostId = String(((await reg.json()) as { host_id: number }).host_id);
    const again = await agent(
      'register',
      { 'x-organization-secret': secret },
      { hostname: 'REPLICA-HOST', ip: '10.9.0.1', agent_type: 'legacy' },
      1,
    );
    // One host for one hostname, whichever replica is asked.
    expect(String(((await again.json()) as { host_id: number }).host_id)).toBe(hostId);
    const beat = await agent(
      'heartbeat',
      { 'x-organization-secret': secret, 'x-host-id': hostId },
      {},
      1,
    );
    expect(beat.status, await beat.clone().text()).toBe(200);
  });
});
