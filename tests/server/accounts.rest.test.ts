// PLAT-1 over REST: platform operators list, create, rename and deactivate accounts. They see
// names and counts, never tenant content; the first admin of a new account gets a personal API
// token shown once; a deactivated account's tokens, sessions and agents stop, and work again on
// reactivation (read on every request, never cached); every change is in the audit trail.
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  goAgent,
  startServer,
  unixSeconds,
  type Json,
  type TestResponse,
  type TestServer,
} from '../fixtures/server';
import { t } from '../fixtures/tables';

let s: TestServer;
/** The bootstrap admin's account: theirs, with an org and a host of its own. */
let homeOrg: Json;

beforeAll(async () => {
  s = await startServer();
  homeOrg = (
    await s.request('POST', '/api/v1/organizations', {
      body: { name: 'Home Org Crown Jewels', description: 'home secret description' },
    })
  ).json;
  const reg = await s.request('POST', '/api/v1/agents/register', {
    token: null,
    headers: { 'X-Organization-Secret': homeOrg.secret },
    body: { hostname: 'home-host-1', ip: '10.0.0.1', agent_type: 'legacy' },
  });
  expect(reg.status).toBe(201);
});
afterAll(() => s.close());

const createAccount = (name: string, email: string): Promise<TestResponse> =>
  s.request('POST', '/api/v1/accounts', {
    body: { name, admin_email: email, admin_name: `Admin of ${name}` },
  });

const ACCOUNT_KEYS = ['counts', 'created_at', 'id', 'is_active', 'name', 'require_mfa'];

describe('PLAT-1: accounts, for platform operators', () => {
  it('POST /accounts creates an account and its first admin, whose API token is shown once', async () => {
    const res = await createAccount('Contoso', 'first.admin@contoso.test');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      account: {
        name: 'Contoso',
        is_active: true,
        counts: { organizations: 0, users: 1, hosts: 0 },
      },
      admin: { email: 'first.admin@contoso.test' },
    });
    expect(Object.keys(res.json).sort()).toEqual(['account', 'admin', 'admin_token']);
    const token: string = res.json.admin_token;
    expect(token).toMatch(/^odk_pat_[A-Za-z0-9_-]{43}$/);

    // The token is the new account's admin, and nothing more: no platform role.
    const me = await s.request('GET', '/api/v1/users/me', { token });
    expect(me.json).toMatchObject({
      id: res.json.admin.id,
      account_id: res.json.account.id,
      email: 'first.admin@contoso.test',
      roles: [{ role: 'account_admin' }],
      is_platform_operator: false,
      is_support_engineer: false,
    });
    const orgs = await s.request('GET', '/api/v1/organizations', { token });
    expect(orgs.json).toEqual([]);
    expect((await s.request('GET', '/api/v1/accounts', { token })).status).toBe(403);

    // Shown once: stored as a digest only, and in no audit entry or log line.
    const rows = await s.db
      .select()
      .from(t.apiTokens)
      .where(eq(t.apiTokens.userId, res.json.admin.id));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(await s.db.select().from(t.auditEntries))).not.toContain(token);
    expect(s.logs.join('\n')).not.toContain(token);
  });

  it('GET /accounts lists names and counts, never tenant content; GET /accounts/{id} reads one', async () => {
    const created = (await createAccount('Fabrikam', 'admin@fabrikam.test')).json;
    const fabToken: string = created.admin_token;
    const fabOrg = (
      await s.request('POST', '/api/v1/organizations', {
        token: fabToken,
        body: { name: 'Fabrikam Secret Plant', region: 'fabrikam-region' },
      })
    ).json;
    await s.request('POST', '/api/v1/users', {
      token: fabToken,
      body: { email: 'second@fabrikam.test', name: 'Second Fabrikam User' },
    });
    for (const hostname of ['fab-1', 'fab-2']) {
      await s.request('POST', '/api/v1/agents/register', {
        token: null,
        headers: { 'X-Organization-Secret': fabOrg.secret },
        body: { hostname, ip: '10.9.0.1', agent_type: 'legacy' },
      });
    }

    const list = await s.request('GET', '/api/v1/accounts');
    expect(list.status).toBe(200);
    expect(Number(list.headers['x-total-count'])).toBe(list.json.length);
    const fab = list.json.find((a: Json) => a.id === created.account.id);
    expect(fab).toMatchObject({
      name: 'Fabrikam',
      is_active: true,
      counts: { organizations: 1, users: 2, hosts: 2 },
    });
    const home = list.json.find((a: Json) => a.id === s.accountId);
    expect(home.counts).toEqual({ organizations: 1, users: 1, hosts: 1 });
    for (const a of list.json) expect(Object.keys(a).sort()).toEqual(ACCOUNT_KEYS);
    // Names and counts only: no org, user, host, region or secret of any tenant.
    for (const secret of [
      'Fabrikam Secret Plant',
      'fabrikam-region',
      'second@fabrikam.test',
      'admin@fabrikam.test',
      'fab-1',
      fabOrg.secret,
      'Home Org Crown Jewels',
      'home secret description',
      'home-host-1',
    ]) {
      expect(list.text).not.toContain(secret);
    }

    const one = await s.request('GET', `/api/v1/accounts/${created.account.id}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(fab);
    const none = await s.request('GET', '/api/v1/accounts/999999');
    expect(none.status).toBe(404);
    expect(none.json.error.code).toBe('NOT_FOUND');

    // Paged like every server-side list.
    const page = await s.request('GET', '/api/v1/accounts?limit=1&skip=1');
    expect(page.json).toHaveLength(1);
    expect(Number(page.headers['x-total-count'])).toBe(list.json.length);
    expect((await s.request('GET', '/api/v1/accounts?limit=1001')).status).toBe(400);
  });

  it('PATCH renames; deactivating stops tokens, sessions and agents at once, reactivating restores them', async () => {
    const created = (await createAccount('Northwind', 'admin@northwind.test')).json;
    const id: number = created.account.id;
    const token: string = created.admin_token;
    const me = (await s.request('GET', '/api/v1/users/me', { token })).json;
    await s.request('PATCH', `/api/v1/users/${me.id}`, {
      token,
      body: { password: 'a long enough password' },
    });
    const session = (
      await s.request('POST', '/api/v1/auth/login', {
        token: null,
        body: { email: 'admin@northwind.test', password: 'a long enough password' },
      })
    ).json.token as string;
    const org = (
      await s.request('POST', '/api/v1/organizations', { token, body: { name: 'NW Org' } })
    ).json;
    const agent = goAgent();
    const host = (
      await s.request('POST', '/api/v1/agents/register', {
        token: null,
        headers: { 'X-Organization-Secret': org.secret },
        body: { hostname: 'nw-go', ip: '10.3.0.1', agent_type: 'go', public_key: agent.publicKey },
      })
    ).json;
    const legacy = (
      await s.request('POST', '/api/v1/agents/register', {
        token: null,
        headers: { 'X-Organization-Secret': org.secret },
        body: { hostname: 'nw-legacy', ip: '10.3.0.2', agent_type: 'legacy' },
      })
    ).json;
    const beat = (ts: number) =>
      s.request('POST', '/api/v1/agents/heartbeat', {
        token: null,
        raw: '{}',
        headers: agent.heartbeatHeaders(host.host_id, ts, '{}'),
      });
    const legacyBeat = () =>
      s.request('POST', '/api/v1/agents/heartbeat', {
        token: null,
        headers: { 'X-Organization-Secret': org.secret, 'X-Host-Id': String(legacy.host_id) },
        body: {},
      });
    const register = () =>
      s.request('POST', '/api/v1/agents/register', {
        token: null,
        headers: { 'X-Organization-Secret': org.secret },
        body: { hostname: 'nw-new', ip: '10.3.0.3', agent_type: 'legacy' },
      });

    const renamed = await s.request('PATCH', `/api/v1/accounts/${id}`, {
      body: { name: 'Northwind Traders' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id, name: 'Northwind Traders', is_active: true });

    const off = await s.request('PATCH', `/api/v1/accounts/${id}`, { body: { is_active: false } });
    expect(off.json).toMatchObject({ id, is_active: false });
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(401);
    expect((await s.request('GET', '/api/v1/users/me', { token: session })).status).toBe(401);
    const login = await s.request('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: 'admin@northwind.test', password: 'a long enough password' },
    });
    expect(login.status).toBe(401);
    expect((await register()).status).toBe(403);
    expect((await legacyBeat()).status).toBe(403);
    s.clock.advance(1000);
    expect((await beat(unixSeconds(s.clock))).status).toBe(403);
    // Operators still see it, flagged, with its counts.
    const listed = (await s.request('GET', '/api/v1/accounts')).json.find((a: Json) => a.id === id);
    expect(listed).toMatchObject({ is_active: false, counts: { organizations: 1, hosts: 2 } });

    const on = await s.request('PATCH', `/api/v1/accounts/${id}`, { body: { is_active: true } });
    expect(on.json.is_active).toBe(true);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect((await s.request('GET', '/api/v1/users/me', { token: session })).status).toBe(200);
    expect((await register()).status).toBe(201);
    expect((await legacyBeat()).status).toBe(200);
    s.clock.advance(1000);
    expect((await beat(unixSeconds(s.clock))).status).toBe(200);
  });

  it('IDN-1: a platform operator sets require_mfa on an account, audited; its users without a factor must enrol', async () => {
    const made = await createAccount('Strict', 'boss@strict.test');
    expect(made.status).toBe(201);
    const id = made.json.account.id;
    expect(made.json.account.require_mfa).toBe(false);
    const set = await s.request('PATCH', `/api/v1/accounts/${id}`, {
      body: { require_mfa: true },
    });
    expect(set.status).toBe(200);
    expect(set.json.require_mfa).toBe(true);
    const blocked = await s.request('GET', '/api/v1/organizations', {
      token: made.json.admin_token,
    });
    expect(blocked.json.error.code).toBe('MFA_ENROLMENT_REQUIRED');
    const [entry] = await s.db
      .select({ details: t.auditEntries.details })
      .from(t.auditEntries)
      .where(and(eq(t.auditEntries.accountId, id), eq(t.auditEntries.action, 'account.updated')))
      .orderBy(desc(t.auditEntries.id))
      .limit(1);
    expect(JSON.parse(entry!.details)).toMatchObject({
      changes: { require_mfa: { from: false, to: true } },
    });
  });

  it('refuses, naming the field: bad input, require_mfa not a boolean, deactivating your own account', async () => {
    const bad = await s.request('POST', '/api/v1/accounts', {
      body: { name: ' ', admin_email: 'x@y.test', admin_name: 'X' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('name');
    const email = await s.request('POST', '/api/v1/accounts', {
      body: { name: 'E', admin_email: 'not an email', admin_name: 'X' },
    });
    expect(email.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'admin_email' });
    const taken = await createAccount('Taken', 'admin@orgdesk.local');
    expect(taken.status).toBe(409);
    expect(taken.json.error.field).toBe('admin_email');

    const mfa = await s.request('PATCH', `/api/v1/accounts/${s.accountId}`, {
      body: { require_mfa: 'yes' },
    });
    expect(mfa.status).toBe(400);
    expect(mfa.json.error.field).toBe('require_mfa');

    const own = await s.request('PATCH', `/api/v1/accounts/${s.accountId}`, {
      body: { is_active: false },
    });
    expect(own.status).toBe(400);
    expect(own.json.error).toMatchObject({ field: 'is_active' });
    expect(own.json.error.message).toMatch(/your own account/);
    expect((await s.request('GET', '/api/v1/users/me')).status).toBe(200);
    expect(
      (await s.request('PATCH', '/api/v1/accounts/999999', { body: { name: 'x' } })).status,
    ).toBe(404);
  });

  it('only platform operators: an account admin gets 403 everywhere; a read-only operator token only reads', async () => {
    const admin = await s.userToken([{ role: 'account_admin' }]);
    const target = `/api/v1/accounts/${s.accountId}`;
    const calls: [string, string, unknown][] = [
      ['GET', '/api/v1/accounts', undefined],
      ['GET', target, undefined],
      ['GET', '/api/v1/accounts/999999', undefined],
      ['POST', '/api/v1/accounts', { name: 'Mine', admin_email: 'mine@x.test', admin_name: 'M' }],
      ['PATCH', target, { name: 'Pwned' }],
      ['PATCH', '/api/v1/accounts/999999', { name: 'Pwned' }],
    ];
    for (const [method, path, body] of calls) {
      const res = await s.request(method, path, { token: admin.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error.message).toMatch(/platform operator/);
    }

    const ro = (
      await s.request('POST', '/api/v1/tokens', { body: { name: 'ro', read_only: true } })
    ).json.token as string;
    expect((await s.request('GET', '/api/v1/accounts', { token: ro })).status).toBe(200);
    expect((await s.request('GET', target, { token: ro })).status).toBe(200);
    expect((await s.request('PATCH', target, { token: ro, body: { name: 'x' } })).status).toBe(403);
    const create = await s.request('POST', '/api/v1/accounts', {
      token: ro,
      body: { name: 'RO', admin_email: 'ro@x.test', admin_name: 'RO' },
    });
    expect(create.status).toBe(403);
  });

  it("every change is in the account's audit trail, and in the operator's own", async () => {
    const created = (await createAccount('Litware', 'admin@litware.test')).json;
    const id: number = created.account.id;
    await s.request('PATCH', `/api/v1/accounts/${id}`, { body: { name: 'Litware Inc' } });
    await s.request('PATCH', `/api/v1/accounts/${id}`, { body: { is_active: false } });
    await s.request('PATCH', `/api/v1/accounts/${id}`, { body: { is_active: true } });

    const theirs = await s.request('GET', `/api/v1/audit?account_id=${id}`, {
      token: created.admin_token,
    });
    expect(theirs.status).toBe(200);
    const trail = (theirs.json as Json[])
      .filter((e) => e.action.startsWith('account.'))
      .map((e) => [e.action, e.actor_label, e.details]);
    expect(trail.reverse()).toEqual([
      [
        'account.created',
        'admin@orgdesk.local',
        { name: 'Litware', admin_user_id: created.admin.id },
      ],
      [
        'account.updated',
        'admin@orgdesk.local',
        { changes: { name: { from: 'Litware', to: 'Litware Inc' } } },
      ],
      [
        'account.updated',
        'admin@orgdesk.local',
        { changes: { is_active: { from: true, to: false } } },
      ],
      [
        'account.updated',
        'admin@orgdesk.local',
        { changes: { is_active: { from: false, to: true } } },
      ],
    ]);

    // The platform's own trail says which account its operator changed, without its content.
    const ours = await s.request(
      'GET',
      `/api/v1/audit?account_id=${s.accountId}&target_type=account&target_id=${id}`,
    );
    expect((ours.json as Json[]).map((e) => [e.action, e.details]).reverse()).toEqual([
      ['account.created', { fields: ['name', 'admin'] }],
      ['account.updated', { fields: ['name'] }],
      ['account.updated', { fields: ['is_active'], is_active: false }],
      ['account.updated', { fields: ['is_active'], is_active: true }],
    ]);
    expect(ours.text).not.toContain('Litware');
    const verify = await s.request('GET', `/api/v1/audit/verify?account_id=${id}`, {
      token: created.admin_token,
    });
    expect(verify.json).toMatchObject({ ok: true });
  });
});
