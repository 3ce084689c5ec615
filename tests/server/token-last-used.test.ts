// IDN-5: tokens record when they were last used, written at most once a minute per token so a
// busy script's reads stay reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';

const MINUTE = 60_000;
let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

/** Rows changed on the server's connection so far: a request that wrote nothing leaves it alone. */
const changes = () =>
  (s.opened.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
const iso = (ms: number) => new Date(ms).toISOString();
const lastUsed = async (id: number) => {
  const list = await s.request('GET', '/api/v1/tokens');
  expect(list.status).toBe(200);
  return (list.json as Json[]).find((t) => t.id === id).last_used_at as string | null;
};

describe('last_used_at', () => {
  it('a personal token records its last use, at most one write a minute', async () => {
    const created = await s.request('POST', '/api/v1/tokens', { body: { name: 'script' } });
    expect(created.status).toBe(201);
    expect(created.json.last_used_at).toBeNull();
    const { id, token } = created.json as { id: number; token: string };
    expect(await lastUsed(id)).toBeNull();

    const first = s.clock.now();
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect(await lastUsed(id)).toBe(iso(first));

    // Within the minute: answered, and nothing written.
    s.clock.advance(MINUTE - 1);
    const before = changes();
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect(changes()).toBe(before);
    expect(await lastUsed(id)).toBe(iso(first));

    // A minute after the recorded use: one write, the new time.
    s.clock.advance(1);
    const again = changes();
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect(changes()).toBe(again + 1);
    expect(await lastUsed(id)).toBe(iso(first + MINUTE));
  });

  it('a token that does not authenticate records nothing', async () => {
    const created = await s.request('POST', '/api/v1/tokens', { body: { name: 'revoked' } });
    const { id, token } = created.json as { id: number; token: string };
    expect((await s.request('DELETE', `/api/v1/tokens/${id}`)).status).toBe(200);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(401);
    expect(await lastUsed(id)).toBeNull();
  });

  it('a console session records its last use too', async () => {
    const user = await s.request('POST', '/api/v1/users', {
      body: { email: 'sess@last-used.test', name: 'Sess', password: 'a long enough password' },
    });
    expect(user.status).toBe(201);
    const login = await s.request('POST', '/api/v1/auth/login', {
      token: null,
      body: { email: 'sess@last-used.test', password: 'a long enough password' },
    });
    expect(login.status).toBe(200);
    s.clock.advance(5000);
    expect((await s.request('GET', '/api/v1/users/me', { token: login.json.token })).status).toBe(
      200,
    );
    const row = s.opened.sqlite
      .prepare("SELECT last_used_at AS t FROM api_tokens WHERE kind = 'session' AND user_id = ?")
      .get(user.json.id) as { t: number | null };
    expect(row.t).toBe(s.clock.now());
  });
});
