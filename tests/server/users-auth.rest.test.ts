import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;

async function createUser(email: string, extra: Record<string, unknown> = {}) {
  const res = await s.request('POST', '/api/v1/users', {
    body: { email, name: email.split('@')[0], password: PASSWORD, ...extra },
  });
  expect(res.status).toBe(201);
  return res.json;
}

const login = (email: string, password: string, localAddress?: string, headers = {}) =>
  s.request('POST', '/api/v1/auth/login', {
    token: null,
    body: { email, password },
    localAddress,
    headers,
  });

describe('users over REST (TEN-6)', () => {
  it('GET lists the account users; POST creates (201) without ever returning the password', async () => {
    const user = await createUser('ann@users.test');
    expect(user).toMatchObject({
      email: 'ann@users.test',
      name: 'ann',
      is_active: true,
      is_support_engineer: false,
      roles: [],
    });
    expect(JSON.stringify(user)).not.toContain(PASSWORD);
    const list = await s.request('GET', '/api/v1/users');
    expect(list.status).toBe(200);
    expect(list.json.map((u: { email: string }) => u.email)).toContain('ann@users.test');
    expect(JSON.stringify(list.json)).not.toMatch(/password|scrypt/);
  });

  it('POST errors: short password 400, bad email 400, duplicate 409', async () => {
    const short = await s.request('POST', '/api/v1/users', {
      body: { email: 'short@users.test', name: 'S', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.json.error.field).toBe('password');
    const email = await s.request('POST', '/api/v1/users', {
      body: { email: 'not-an-email', name: 'S' },
    });
    expect(email.status).toBe(400);
    expect(email.json.error.field).toBe('email');
    await createUser('dup@users.test');
    const dup = await s.request('POST', '/api/v1/users', {
      body: { email: 'DUP@users.test', name: 'D' },
    });
    expect(dup.status).toBe(409);
  });

  it('PATCH /users/{id} renames and deactivates; errors name the field', async () => {
    const user = await createUser('pat@users.test');
    const res = await s.request('PATCH', `/api/v1/users/${user.id}`, {
      body: { name: 'Pat Smith' },
    });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('Pat Smith');
    const bad = await s.request('PATCH', `/api/v1/users/${user.id}`, { body: { name: '' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('name');
    const self = await s.request('PATCH', `/api/v1/users/${s.adminUserId}`, {
      body: { is_active: false },
    });
    expect(self.status).toBe(400);
    expect(self.json.error.field).toBe('is_active');
    expect((await s.request('PATCH', '/api/v1/users/999999', { body: { name: 'x' } })).status).toBe(
      404,
    );
  });

  it('PUT /users/{id}/roles replaces the roles, per org or account-wide', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Roles Org' } }))
      .json;
    const user = await createUser('roles@users.test');
    const res = await s.request('PUT', `/api/v1/users/${user.id}/roles`, {
      body: { roles: [{ role: 'reader', organization_id: org.id }, { role: 'account_admin' }] },
    });
    expect(res.status).toBe(200);
    expect(res.json.roles).toEqual([
      { role: 'reader', organization_id: org.id },
      { role: 'account_admin' },
    ]);
    const bad = await s.request('PUT', `/api/v1/users/${user.id}/roles`, {
      body: { roles: [{ role: 'wizard' }] },
    });
    expect(bad.status).toBe(400);
    const missingOrg = await s.request('PUT', `/api/v1/users/${user.id}/roles`, {
      body: { roles: [{ role: 'reader', organization_id: 999999 }] },
    });
    expect(missingOrg.status).toBe(404);
    const lastAdmin = await s.request('PUT', `/api/v1/users/${s.adminUserId}/roles`, {
      body: { roles: [] },
    });
    // The new user is also account admin now, so the bootstrap admin may drop the role...
    expect(lastAdmin.status).toBe(200);
    // ...but the last remaining admin may not.
    const adminToken = await s.services.auth.issueToken(user.id, 'personal', 't');
    const refused = await s.request('PUT', `/api/v1/users/${user.id}/roles`, {
      token: adminToken,
      body: { roles: [] },
    });
    expect(refused.status).toBe(409);
    await s.request('PUT', `/api/v1/users/${s.adminUserId}/roles`, {
      token: adminToken,
      body: { roles: [{ role: 'account_admin' }] },
    });
  });

  it('users.manage is required: a technician gets 403', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'UM Org' } }))
      .json;
    const tech = await s.userToken([{ role: 'technician', orgId: org.id }]);
    for (const [method, path, body] of [
      ['GET', '/api/v1/users', undefined],
      ['POST', '/api/v1/users', { email: 'x@users.test', name: 'x' }],
    ] as const) {
      const res = await s.request(method, path, { token: tech.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    const me = await s.request('GET', '/api/v1/users/me', { token: tech.token });
    expect(me.status).toBe(200);
    expect(me.json.email).toBe(tech.email);
  });
});

describe('sign-in, sessions and tokens', () => {
  it('POST /auth/login answers a session token that works, and expires', async () => {
    await createUser('sam@users.test');
    const res = await login('sam@users.test', PASSWORD);
    expect(res.status).toBe(200);
    expect(res.json.token).toMatch(/^odk_ses_/);
    expect(res.json.expires_at).toBe(new Date(s.clock.now() + 12 * HOUR).toISOString());
    const me = await s.request('GET', '/api/v1/users/me', { token: res.json.token });
    expect(me.json.email).toBe('sam@users.test');
    s.clock.advance(12 * HOUR);
    const expired = await s.request('GET', '/api/v1/users/me', { token: res.json.token });
    expect(expired.status).toBe(401);
  });

  it('wrong password or unknown email are the same 401', async () => {
    await createUser('wrong@users.test');
    const a = await login('wrong@users.test', 'not the password', '127.0.0.9');
    const b = await login('nobody@users.test', 'not the password', '127.0.0.9');
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    expect(a.json.error.message).toBe(b.json.error.message);
    const missing = await s.request('POST', '/api/v1/auth/login', { token: null, body: {} });
    expect(missing.status).toBe(400);
  });

  it('POST /auth/logout ends the session', async () => {
    await createUser('out@users.test');
    const { token } = (await login('out@users.test', PASSWORD)).json;
    const res = await s.request('POST', '/api/v1/auth/logout', { token });
    expect(res.status).toBe(200);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(401);
  });

  it('repeated failures are throttled per email and per address, with Retry-After', async () => {
    await createUser('victim@users.test');
    // Five failures are evaluated, then every further attempt waits (429) unchecked.
    for (let i = 0; i < 5; i++) {
      const res = await login('victim@users.test', 'guess', '127.0.0.2');
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const throttled = await login('victim@users.test', PASSWORD, '127.0.0.2');
    expect(throttled.status).toBe(429);
    expect(throttled.json.error.code).toBe('TOO_MANY_REQUESTS');
    expect(throttled.headers['retry-after']).toBe('1');
    // Per email: the right password from another address is still slowed down.
    const elsewhere = await login('victim@users.test', PASSWORD, '127.0.0.3');
    expect(elsewhere.status).toBe(429);
    // Per address: another account from the same address is slowed down too, and a forged
    // X-Forwarded-For does not get around it.
    await createUser('bystander@users.test');
    const sameAddress = await login('bystander@users.test', PASSWORD, '127.0.0.2', {
      'X-Forwarded-For': '203.0.113.7',
    });
    expect(sameAddress.status).toBe(429);
    // Another address, another account: unaffected.
    expect((await login('bystander@users.test', PASSWORD, '127.0.0.4')).status).toBe(200);
    // Once the wait is over the right password works (and clears the account's count; the
    // address keeps its own until its window passes).
    s.clock.advance(1000);
    expect((await login('victim@users.test', PASSWORD, '127.0.0.2')).status).toBe(200);
  });

  it('POST /tokens issues a personal token shown once; GET lists it without the token; DELETE revokes', async () => {
    const res = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'ci', expires_in_days: 30 },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'ci', kind: 'personal', read_only: false });
    expect(res.json.token).toMatch(/^odk_pat_/);
    const token = res.json.token as string;
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    const list = await s.request('GET', '/api/v1/tokens');
    expect(list.status).toBe(200);
    expect(list.json.some((t: { id: number }) => t.id === res.json.id)).toBe(true);
    expect(list.text).not.toContain(token);
    const bad = await s.request('POST', '/api/v1/tokens', { body: { name: '' } });
    expect(bad.status).toBe(400);
    const revoked = await s.request('DELETE', `/api/v1/tokens/${res.json.id}`);
    expect(revoked.status).toBe(200);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(401);
    expect((await s.request('DELETE', `/api/v1/tokens/${res.json.id}`)).status).toBe(404);
  });

  it('deactivating a user ends their tokens at once', async () => {
    const user = await createUser('gone@users.test');
    const token = await s.services.auth.issueToken(user.id, 'personal', 't');
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    await s.request('PATCH', `/api/v1/users/${user.id}`, { body: { is_active: false } });
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(401);
  });
});

describe('what reaches the log', () => {
  it('passwords and session tokens never appear in the server output or the audit trail', async () => {
    await createUser('quiet@users.test');
    const { token } = (await login('quiet@users.test', PASSWORD, '127.0.0.5')).json;
    await s.request('GET', '/api/v1/users/me', { token });
    await login('quiet@users.test', `${PASSWORD}-wrong`, '127.0.0.5');
    const log = s.logs.join('\n');
    expect(log).toMatch(/POST \/api\/v1\/auth\/login 200/);
    const audit = JSON.stringify(await s.db.select().from(t.auditEntries));
    for (const secret of [PASSWORD, token as string, 'quiet@users.test']) {
      expect(log).not.toContain(secret);
    }
    expect(audit).not.toContain(PASSWORD);
    expect(audit).not.toContain(token);
  });
});
