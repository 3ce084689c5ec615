// IDN-5 over real HTTP: each user lists their sessions (created, last used, address, client) and
// ends one or all others; an account admin signs a user out everywhere. A revoked session is
// refused at its very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';
import { DESKTOP_USER_AGENT } from '../../shared/constants';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const PASSWORD = 'correct horse battery staple';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

async function createUser(email: string) {
  const res = await s.request('POST', '/api/v1/users', {
    body: { email, name: email.split('@')[0], password: PASSWORD },
  });
  expect(res.status).toBe(201);
  return res.json as { id: number };
}

async function signIn(email: string, localAddress: string, userAgent: string): Promise<string> {
  const res = await s.request('POST', '/api/v1/auth/login', {
    token: null,
    body: { email, password: PASSWORD },
    localAddress,
    headers: { 'User-Agent': userAgent },
  });
  expect(res.status).toBe(200);
  return res.json.token as string;
}

const me = (token: string) => s.request('GET', '/api/v1/users/me', { token });
const actions = async (action: string) =>
  (await s.db.select().from(t.auditEntries).orderBy(t.auditEntries.id)).filter(
    (e) => e.action === action,
  );

describe('my sessions (IDN-5)', () => {
  it('lists each session with created, last used, address and client; the current one marked', async () => {
    await createUser('lister@sessions.test');
    const browser = await signIn('lister@sessions.test', '127.0.0.21', FIREFOX);
    s.clock.advance(60_000);
    const desktop = await signIn('lister@sessions.test', '127.0.0.22', `${DESKTOP_USER_AGENT}/1.0`);
    s.clock.advance(60_000);
    expect((await me(browser)).status).toBe(200);

    const list = await s.request('GET', '/api/v1/me/sessions', { token: desktop });
    expect(list.status).toBe(200);
    const sessions = list.json as Json[];
    expect(sessions).toHaveLength(2);
    const [newest, oldest] = sessions;
    expect(newest).toMatchObject({
      client: 'Orgdesk desktop',
      client_address: '127.0.0.22',
      current: true,
    });
    expect(oldest).toMatchObject({
      client: FIREFOX,
      client_address: '127.0.0.21',
      current: false,
      last_used_at: new Date(s.clock.now()).toISOString(),
    });
    expect(Date.parse(oldest.created_at)).toBeLessThan(Date.parse(newest.created_at));
    // Never the token or its digest.
    expect(JSON.stringify(sessions)).not.toMatch(/token|digest/i);
  });

  it('a revoked session is refused at its next request; another user cannot see or end it', async () => {
    await createUser('victim@sessions.test');
    const stolen = await signIn('victim@sessions.test', '127.0.0.31', FIREFOX);
    const mine = await signIn('victim@sessions.test', '127.0.0.32', FIREFOX);
    expect((await me(stolen)).status).toBe(200);
    const list = (await s.request('GET', '/api/v1/me/sessions', { token: mine })).json as Json[];
    const target = list.find((x) => !x.current)!;

    // Someone else's id reads like an absent one.
    await createUser('other@sessions.test');
    const other = await signIn('other@sessions.test', '127.0.0.33', FIREFOX);
    const foreign = await s.request('DELETE', `/api/v1/me/sessions/${target.id}`, {
      token: other,
    });
    expect(foreign.status).toBe(404);
    expect((await me(stolen)).status).toBe(200);

    const revoked = await s.request('DELETE', `/api/v1/me/sessions/${target.id}`, { token: mine });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toMatchObject({ id: target.id, current: false });
    expect((await me(stolen)).status).toBe(401);
    expect((await me(mine)).status).toBe(200);
    const after = (await s.request('GET', '/api/v1/me/sessions', { token: mine })).json as Json[];
    expect(after.map((x) => x.id)).not.toContain(target.id);
    expect((await actions('session.revoked')).some((e) => e.targetId !== null)).toBe(true);
  });

  it('"sign out everywhere else" ends every other session and keeps this one', async () => {
    await createUser('many@sessions.test');
    const a = await signIn('many@sessions.test', '127.0.0.41', FIREFOX);
    const b = await signIn('many@sessions.test', '127.0.0.42', FIREFOX);
    const here = await signIn('many@sessions.test', '127.0.0.43', FIREFOX);
    const res = await s.request('POST', '/api/v1/me/sessions/revoke-others', { token: here });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ revoked: 2 });
    expect((await me(a)).status).toBe(401);
    expect((await me(b)).status).toBe(401);
    expect((await me(here)).status).toBe(200);
    const list = (await s.request('GET', '/api/v1/me/sessions', { token: here })).json as Json[];
    expect(list).toHaveLength(1);
    expect(list[0].current).toBe(true);
  });

  it('an account admin signs a user out everywhere (audited); an org admin may not; a foreign id is not found', async () => {
    const user = await createUser('roaming@sessions.test');
    const one = await signIn('roaming@sessions.test', '127.0.0.51', FIREFOX);
    const two = await signIn('roaming@sessions.test', '127.0.0.52', FIREFOX);
    const script = (
      await s.request('POST', '/api/v1/tokens', { token: one, body: { name: 'script' } })
    ).json.token as string;

    const org = await s.request('POST', '/api/v1/organizations', {
      body: { name: 'Sessions Org' },
    });
    expect(org.status).toBe(201);
    const reader = await s.userToken([{ role: 'org_admin', orgId: org.json.id }]);
    const refused = await s.request('POST', `/api/v1/users/${user.id}/sign-out`, {
      token: reader.token,
    });
    expect(refused.status).toBe(403);
    expect((await me(one)).status).toBe(200);

    const res = await s.request('POST', `/api/v1/users/${user.id}/sign-out`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ revoked: 2 });
    expect((await me(one)).status).toBe(401);
    expect((await me(two)).status).toBe(401);
    // A personal token is a script's credential, not a sign-in: it stays.
    expect((await me(script)).status).toBe(200);
    const entry = (await actions('user.signed_out_everywhere')).at(-1)!;
    expect(entry).toMatchObject({ targetId: String(user.id), actorUserId: s.adminUserId });

    const missing = await s.request('POST', '/api/v1/users/999999/sign-out');
    expect(missing.status).toBe(404);
  });
});
