// IDN-5: tokens record when they were last used, written at most once a minute per token so a
// busy script's reads stay reads.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlValue } from '../fixtures/raw-sql';
import { startServer, type Json, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';
import { onPg } from '../fixtures/test-engine';

const MINUTE = 60_000;
let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

/**
 * What changes when the server writes. SQLite: the rows changed on the server's one connection
 * so far, so a request that wrote nothing leaves it alone and one stamp adds exactly 1.
 * PostgreSQL has no such counter across a pool's connections (its statistics arrive late): the
 * token row's xmin, the transaction that last wrote it, which any UPDATE of the row replaces,
 * even one setting the same value.
 */
const changes = async (tokenId: number): Promise<number | string> =>
  onPg
    ? (await sqlValue<string>(s.db, sql`SELECT xmin::text FROM api_tokens WHERE id = ${tokenId}`))!
    : (await sqlValue<number>(s.db, sql`SELECT total_changes()`))!;
/** One write more than at `before` (SQLite: exactly one; PostgreSQL: the row was rewritten). */
const oneWriteSince = async (tokenId: number, before: number | string) => {
  const now = await changes(tokenId);
  if (onPg) expect(now).not.toBe(before);
  else expect(now).toBe((before as number) + 1);
};
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
    const before = await changes(id);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    expect(await changes(id)).toBe(before);
    expect(await lastUsed(id)).toBe(iso(first));

    // A minute after the recorded use: one write, the new time.
    s.clock.advance(1);
    const again = await changes(id);
    expect((await s.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
    await oneWriteSince(id, again);
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
    // The stamp is a write of its own after the request's read (AuthService.recordUse): on
    // PostgreSQL the answer does not queue behind it, so wait for it to land (2 s at most).
    const stamped = async () =>
      (
        await s.db
          .select({ t: t.apiTokens.lastUsedAt })
          .from(t.apiTokens)
          .where(and(eq(t.apiTokens.kind, 'session'), eq(t.apiTokens.userId, user.json.id)))
      )[0]!.t;
    for (let i = 0; i < 100 && (await stamped()) !== s.clock.now(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await stamped()).toBe(s.clock.now());
  });
});
