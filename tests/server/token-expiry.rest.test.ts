// IDN-5 over real HTTP: a personal token always expires (90 days unless chosen, at most a year)
// and is refused from then on; it never holds more than its owner holds now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const DAY = 24 * 60 * 60 * 1000;
const me = (token: string) => s.request('GET', '/api/v1/users/me', { token });

describe('personal token expiry (IDN-5)', () => {
  it('expires in 90 days unless chosen, and is refused from that moment on', async () => {
    const created = await s.request('POST', '/api/v1/tokens', { body: { name: 'nightly' } });
    expect(created.status).toBe(201);
    const { token, expires_at } = created.json as { token: string; expires_at: string };
    expect(expires_at).toBe(new Date(s.clock.now() + 90 * DAY).toISOString());
    expect((await me(token)).status).toBe(200);
    s.clock.advance(90 * DAY - 1);
    expect((await me(token)).status).toBe(200);
    s.clock.advance(1);
    expect((await me(token)).status).toBe(401);
  });

  it('at most a year; never "never": the message names the field and the limit', async () => {
    const year = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'yearly', expires_in_days: 365 },
    });
    expect(year.status).toBe(201);
    expect(year.json.expires_at).toBe(new Date(s.clock.now() + 365 * DAY).toISOString());

    const tooLong = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'forever-ish', expires_in_days: 366 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.field).toBe('expires_in_days');
    expect(tooLong.json.error.message).toMatch(/expires_in_days must be at most 365/);

    const never = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'forever', expires_in_days: null },
    });
    expect(never.status).toBe(400);
    expect(never.json.error.field).toBe('expires_in_days');
    expect(never.json.error.message).toMatch(/expires_in_days/);
  });
});

describe('a token minted by a token (IDN-5)', () => {
  it('never outlives the token that minted it: a leaked token cannot renew itself for a year', async () => {
    const parent = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'short-lived', expires_in_days: 5 },
    });
    expect(parent.status).toBe(201);
    const child = await s.request('POST', '/api/v1/tokens', {
      token: parent.json.token,
      body: { name: 'renewal', expires_in_days: 365 },
    });
    expect(child.status).toBe(201);
    expect(child.json.expires_at).toBe(parent.json.expires_at);
    s.clock.advance(5 * DAY);
    expect((await me(child.json.token)).status).toBe(401);
  });
});

describe('personal token scope (IDN-5, TEN-6)', () => {
  it("a token of a demoted owner loses the right with the owner's role", async () => {
    const org = await s.request('POST', '/api/v1/organizations', { body: { name: 'Scope Org' } });
    expect(org.status).toBe(201);
    const owner = await s.request('POST', '/api/v1/users', {
      body: { email: 'owner@scope.test', name: 'Owner', password: 'a long enough passphrase' },
    });
    expect(owner.status).toBe(201);
    const grant = (role: string) =>
      s.request('PUT', `/api/v1/users/${owner.json.id}/roles`, {
        body: {
          roles: [role === 'account_admin' ? { role } : { role, organization_id: org.json.id }],
        },
      });
    expect((await grant('account_admin')).status).toBe(200);
    const login = await s.request('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: 'owner@scope.test', password: 'a long enough passphrase' },
    });
    const token = (
      await s.request('POST', '/api/v1/tokens', {
        token: login.json.token,
        body: { name: 'automation' },
      })
    ).json.token as string;
    const rename = (name: string) =>
      s.request('PATCH', `/api/v1/organizations/${org.json.id}`, { token, body: { name } });
    expect((await rename('Scope Org 2')).status).toBe(200);

    expect((await grant('reader')).status).toBe(200);
    expect((await rename('Scope Org 3')).status).toBe(403);
    // Still the owner's reads: the token is the owner's rights now, no more and no less.
    expect((await s.request('GET', `/api/v1/organizations/${org.json.id}`, { token })).status).toBe(
      200,
    );
  });
});
