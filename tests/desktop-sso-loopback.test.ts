// IDN-4 / RFC 8252: the desktop's Node side of single sign-on to a remote server, with Node's
// fetch playing the system browser against a real OpenID provider (oidc-provider) and a real
// Orgdesk server. Untested here: Electron's shell.openExternal opening the real browser.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInThroughBrowser } from '../main/desktop/connections/sso-loopback';
import { FetchBrowser, startIdp, type TestIdp } from './fixtures/oidc-provider';
import { startServer, type TestServer } from './fixtures/server';

let server: TestServer;
let idp: TestIdp;

const isLoopbackCallback = (u: URL) =>
  u.hostname === '127.0.0.1' && u.pathname === '/orgdesk/sso-callback';

/** The system browser: signs in at the provider, then follows the redirect to the listener. */
const browserAs = (
  login: string,
  seen: { opened?: string; landed?: URL; page?: string; visited?: string[] },
) => ({
  async open(url: string) {
    seen.opened = url;
    const b = new FetchBrowser();
    seen.landed = await b.signIn(url, login, isLoopbackCallback);
    seen.page = await (await b.request(seen.landed)).text();
    seen.visited = b.visited;
  },
});

beforeAll(async () => {
  server = await startServer();
  idp = await startIdp({
    redirectUris: [`${server.url}/api/v1/auth/oidc/callback`],
    users: [
      { sub: 'grace', email: 'grace@acme.test', groups: ['orgdesk-admins'] },
      { sub: 'mallory', email: 'mallory@evil.test', groups: ['orgdesk-admins'] },
    ],
  });
  const put = await server.request('PUT', '/api/v1/account/sso', {
    body: {
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['acme.test'],
      extra_scopes: 'groups',
      group_mappings: [{ group: 'orgdesk-admins', role: 'account_admin' }],
      enabled: true,
    },
  });
  expect(put.status, put.text).toBe(200);
});

afterAll(async () => {
  await idp?.close();
  await server?.close();
});

describe('IDN-4 desktop sign-in through the system browser and a loopback redirect (RFC 8252)', () => {
  it('signs in end to end: the provider login, the loopback listener, PKCE, a session', async () => {
    const seen: { opened?: string; landed?: URL; page?: string; visited?: string[] } = {};
    const session = await signInThroughBrowser({
      serverUrl: server.url,
      account: { email: 'grace@acme.test' },
      browser: browserAs('grace', seen),
    });
    // The browser was handed the server's own sign-in address, went on to the provider, and came
    // back to 127.0.0.1 on an OS-chosen port.
    expect(seen.opened!.startsWith(`${server.url}/api/v1/auth/oidc/authorize?`)).toBe(true);
    expect(seen.visited!.some((u) => new URL(u).origin === idp.issuer)).toBe(true);
    expect(seen.landed!.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen.landed!.searchParams.get('code')).toMatch(/^odk_sso_/);
    expect(seen.page).toContain('You can close this window');
    const me = await server.request('GET', '/api/v1/users/me', { token: session.token });
    expect(me.json).toMatchObject({ email: 'grace@acme.test', roles: [{ role: 'account_admin' }] });
  });

  it("the one-time code that reached the browser is useless without the app's verifier", async () => {
    const seen: { landed?: URL } = {};
    await signInThroughBrowser({
      serverUrl: server.url,
      account: { email: 'grace@acme.test' },
      browser: browserAs('grace', seen),
    });
    // Another process that read the redirect (the code, the state) cannot take a session.
    const stolen = await server.request('POST', '/api/v1/auth/oidc/exchange', {
      token: null,
      body: {
        code: seen.landed!.searchParams.get('code'),
        code_verifier: 'x'.repeat(43),
      },
    });
    expect(stolen.status).toBe(401);
  });

  it('a request to the listener without its state is refused and the real answer still awaited', async () => {
    const seen: { opened?: string; landed?: URL; page?: string } = {};
    let forged: Response | undefined;
    const session = await signInThroughBrowser({
      serverUrl: server.url,
      account: { account_id: server.accountId },
      browser: {
        async open(url) {
          // Find the listener's port from what the server will send the browser back to.
          const b = new FetchBrowser();
          const landed = await b.signIn(url, 'grace', isLoopbackCallback);
          const fake = new URL(landed);
          fake.searchParams.set('state', 'forged-state-forged-state');
          forged = await fetch(fake);
          seen.page = await (await b.request(landed)).text();
        },
      },
    });
    expect(forged!.status).toBe(400);
    expect(await forged!.text()).toContain('not started by this Orgdesk window');
    expect(session.token).toMatch(/^odk_ses_/);
  });

  it('the provider refusing (a domain outside the allowed ones) is said in plain words', async () => {
    const seen: { page?: string } = {};
    await expect(
      signInThroughBrowser({
        serverUrl: server.url,
        account: { account_id: server.accountId },
        browser: browserAs('mallory', seen),
      }),
    ).rejects.toThrow(
      /Single sign-on failed: mallory@evil\.test is outside this account's allowed domains/,
    );
    expect(seen.page).toContain('Sign-in failed');
  });

  it('a browser that never comes back ends in a timeout that says so', async () => {
    let opened = '';
    await expect(
      signInThroughBrowser({
        serverUrl: server.url,
        account: { account_id: server.accountId },
        browser: { open: async (url) => void (opened = url) },
        timeoutMs: 50,
      }),
    ).rejects.toThrow('The browser did not come back within 0 s; sign in again');
    expect(opened.startsWith(`${server.url}/api/v1/auth/oidc/authorize?`)).toBe(true);
  });

  it('an account without SSO is refused before any browser opens', async () => {
    let opened = false;
    await expect(
      signInThroughBrowser({
        serverUrl: server.url,
        account: { account_id: 424242 },
        browser: { open: async () => void (opened = true) },
      }),
    ).rejects.toThrow('Single sign-on is not turned on for this account');
    expect(opened).toBe(false);
  });
});
