// PLAT-2: support engineers belong to the platform. Only a platform operator creates one
// (POST /users with is_support_engineer) or marks and unmarks a user (PATCH /users/{id}); an
// account admin gets 403 for that and for any change to an existing support engineer; a support
// engineer holds no tenant role. Here the bootstrap admin is the operator, and a second account
// admin of the same account is not.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';

let s: TestServer;
let admin: { token: string; userId: number };
let seq = 0;

beforeAll(async () => {
  s = await startServer();
  admin = await s.userToken([{ role: 'account_admin' }]);
});
afterAll(() => s.close());

const as = (token: string) => ({
  post: (path: string, body: unknown) => s.request('POST', `/api/v1${path}`, { token, body }),
  patch: (path: string, body: unknown) => s.request('PATCH', `/api/v1${path}`, { token, body }),
  put: (path: string, body: unknown) => s.request('PUT', `/api/v1${path}`, { token, body }),
});
const operator = () => as(s.adminToken);
const accountAdmin = () => as(admin.token);

let plain: Json;
beforeEach(async () => {
  plain = (await operator().post('/users', { email: `plain${++seq}@se.test`, name: 'Plain' })).json;
});

describe('PLAT-2: only a platform operator makes support engineers', () => {
  it('POST /users with is_support_engineer: 403 for an account admin, 201 for the operator', async () => {
    const refused = await accountAdmin().post('/users', {
      email: 'se-by-admin@se.test',
      name: 'SE',
      is_support_engineer: true,
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toMatch(/platform operator/);
    const list = await s.request('GET', '/api/v1/users');
    expect(JSON.stringify(list.json)).not.toContain('se-by-admin@se.test');
    // An ordinary user is still the account admin's to create.
    expect(
      (await accountAdmin().post('/users', { email: `ok${seq}@se.test`, name: 'OK' })).status,
    ).toBe(201);

    const made = await operator().post('/users', {
      email: 'se-by-operator@se.test',
      name: 'SE',
      is_support_engineer: true,
    });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ is_support_engineer: true, roles: [] });
  });

  it('PATCH {"is_support_engineer": true}: 403 for an account admin; the operator marks and unmarks', async () => {
    const path = `/users/${plain.id}`;
    const refused = await accountAdmin().patch(path, { is_support_engineer: true });
    expect(refused.status).toBe(403);
    expect((await accountAdmin().patch(path, { is_support_engineer: false })).status).toBe(403);

    const marked = await operator().patch(path, { is_support_engineer: true });
    expect(marked.status).toBe(200);
    expect(marked.json.is_support_engineer).toBe(true);
    const token = await s.services.auth.issueToken(plain.id, 'personal', 'se');
    expect((await s.request('GET', '/api/v1/users/me', { token })).json.is_support_engineer).toBe(
      true,
    );

    const unmarked = await operator().patch(path, { is_support_engineer: false });
    expect(unmarked.json.is_support_engineer).toBe(false);
    const audit = await s.request(
      'GET',
      `/api/v1/audit?target_type=user&target_id=${plain.id}&action=user.updated`,
    );
    expect((audit.json as Json[]).map((e) => e.details).reverse()).toEqual([
      { is_support_engineer: true },
      { is_support_engineer: false },
    ]);
  });

  it("an account admin cannot change an existing support engineer's fields or roles", async () => {
    const se = (
      await operator().post('/users', {
        email: `se${seq}@se.test`,
        name: 'Sam',
        is_support_engineer: true,
      })
    ).json;
    const path = `/users/${se.id}`;
    for (const body of [
      { name: 'Renamed' },
      { is_active: false },
      { password: 'a long enough password' },
    ]) {
      const res = await accountAdmin().patch(path, body);
      expect(res.status, JSON.stringify(body)).toBe(403);
    }
    expect((await accountAdmin().put(`${path}/roles`, { roles: [] })).status).toBe(403);
    expect(
      (await accountAdmin().put(`${path}/roles`, { roles: [{ role: 'account_admin' }] })).status,
    ).toBe(403);
    const after = (await s.request('GET', '/api/v1/users')).json.find((u: Json) => u.id === se.id);
    expect(after).toMatchObject({ name: 'Sam', is_active: true, roles: [] });

    // The operator may change them, but never give them a tenant role.
    expect((await operator().patch(path, { name: 'Sam S' })).json.name).toBe('Sam S');
    const role = await operator().put(`${path}/roles`, { roles: [{ role: 'account_admin' }] });
    expect(role.status).toBe(400);
    expect(role.json.error.field).toBe('roles');
  });

  it('support engineers hold no tenant role: marking a user with roles, or an operator, is refused', async () => {
    const org = (await operator().post('/organizations', { name: `SE Org ${seq}` })).json;
    await operator().put(`/users/${plain.id}/roles`, {
      roles: [{ role: 'reader', organization_id: org.id }],
    });
    const withRoles = await operator().patch(`/users/${plain.id}`, { is_support_engineer: true });
    expect(withRoles.status).toBe(409);
    expect(withRoles.json.error).toMatchObject({ field: 'is_support_engineer' });
    expect(withRoles.json.error.message).toMatch(/roles/);

    const me = (await s.request('GET', '/api/v1/users/me')).json;
    const self = await operator().patch(`/users/${me.id}`, { is_support_engineer: true });
    expect(self.status).toBe(400);
    expect(self.json.error.message).toMatch(/platform operator/);
    expect((await s.request('GET', '/api/v1/users/me')).json.is_support_engineer).toBe(false);
  });
});
