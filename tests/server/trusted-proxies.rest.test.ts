// SCALE-2, over real HTTP: behind a trusted proxy (ORGDESK_TRUSTED_PROXIES) the client address of
// the sign-in throttle, the audit trail and the sessions list is the one the proxy forwarded; any
// other peer's X-Forwarded-For is ignored. The proxy here is the local address 127.0.0.10.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../fixtures/server';

const PROXY = '127.0.0.10';
const STRANGER = '127.0.0.11';
const PASSWORD = 'correct horse battery staple';

let s: TestServer;
beforeAll(async () => {
  s = await startServer({ trustedProxies: `${PROXY}, 10.0.0.0/8` });
});
afterAll(() => s.close());

async function createUser(email: string) {
  const res = await s.request('POST', '/api/v1/users', {
    body: { email, name: email.split('@')[0], password: PASSWORD },
  });
  expect(res.status).toBe(201);
}

const login = (email: string, password: string, from: string, forwardedFor?: string) =>
  s.request('POST', '/api/v1/auth/login', {
    token: null,
    body: { email, password },
    localAddress: from,
    headers: forwardedFor ? { 'X-Forwarded-For': forwardedFor } : {},
  });

const failedSignInAddresses = async (email: string): Promise<string[]> => {
  const res = await s.request('GET', '/api/v1/audit?action=auth.sign_in_failed&limit=100');
  expect(res.status).toBe(200);
  return (res.json as { details: { email: string; address: string } }[])
    .filter((e) => e.details.email === email)
    .map((e) => e.details.address);
};

describe('ORGDESK_TRUSTED_PROXIES over HTTP', () => {
  it('the audit trail and the session show the address the trusted proxy forwarded', async () => {
    await createUser('behind@proxy.test');
    expect((await login('behind@proxy.test', 'wrong', PROXY, '198.51.100.7')).status).toBe(401);
    // A client prepending its own hop gets the address the proxy saw, not the one it made up.
    expect(
      (await login('behind@proxy.test', 'wrong', PROXY, '203.0.113.1, 198.51.100.8')).status,
    ).toBe(401);
    // A stranger's forged header counts for nothing: its own address is recorded.
    expect((await login('behind@proxy.test', 'wrong', STRANGER, '198.51.100.9')).status).toBe(401);
    expect((await failedSignInAddresses('behind@proxy.test')).sort()).toEqual(
      ['127.0.0.11', '198.51.100.7', '198.51.100.8'].sort(),
    );

    const ok = await login('behind@proxy.test', PASSWORD, PROXY, '198.51.100.7');
    expect(ok.status).toBe(200);
    const sessions = await s.request('GET', '/api/v1/me/sessions', { token: ok.json.token });
    expect(sessions.status).toBe(200);
    expect(sessions.json.find((x: { current: boolean }) => x.current).client_address).toBe(
      '198.51.100.7',
    );
  });

  it('the throttle counts per forwarded address: one client locked out, the others behind the same proxy not', async () => {
    await createUser('a@proxy.test');
    await createUser('b@proxy.test');
    for (let i = 0; i < 5; i++) {
      // Different accounts each time, so only the address key can lock.
      const res = await login(`nobody${i}@proxy.test`, 'guess', PROXY, '198.51.100.66');
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    const locked = await login('a@proxy.test', PASSWORD, PROXY, '198.51.100.66');
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    // Another client behind the same balancer is unaffected (every client shares its address).
    expect((await login('b@proxy.test', PASSWORD, PROXY, '198.51.100.67')).status).toBe(200);
  });
});
