// IDN-4: OpenID Connect single sign-on against a real provider (oidc-provider) on loopback, over
// the real Orgdesk server: configuration (secret sealed, never answered, never audited), the
// discovery test, and the flow start → provider login → callback → one-time code → session.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './fixtures/server';
import { t } from './fixtures/tables';
import { FetchBrowser, startIdp, type TestIdp } from './fixtures/oidc-provider';

const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

let server: TestServer;
let idp: TestIdp;
let orgA: number;
let orgB: number;

const SECRET_MARK = 'idp-client-secret-0123456789abcdef';

async function configure(overrides: Record<string, unknown> = {}) {
  const res = await server.request('PUT', '/api/v1/account/sso', {
    body: {
      issuer: idp.issuer,
      client_id: idp.clientId,
      client_secret: idp.clientSecret,
      allowed_domains: ['acme.test'],
      extra_scopes: 'groups',
      group_mappings: [
        { group: 'orgdesk-admins', role: 'account_admin' },
        { group: 'helpdesk', role: 'technician', organization_id: orgA },
        { group: 'auditors', role: 'reader', organization_id: orgB },
      ],
      enabled: true,
      ...overrides,
    },
  });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

/** Start as the console does, sign in at the provider, and stop where the server sends the browser back. */
async function signInAt(login: string, extra: Record<string, unknown> = {}) {
  const { verifier, challenge } = pkce();
  const start = await server.request('POST', '/api/v1/auth/oidc/start', {
    token: null,
    body: { account_id: server.accountId, code_challenge: challenge, ...extra },
  });
  expect(start.status, start.text).toBe(200);
  const browser = new FetchBrowser();
  const callback = await browser.signIn(
    start.json.authorization_url,
    login,
    (u) => u.pathname === '/api/v1/auth/oidc/callback',
  );
  const res = await browser.request(callback);
  return { verifier, callback, res, back: res.headers.get('location') };
}

async function exchange(back: string, verifier: string) {
  const code = new URL(back).searchParams.get('code');
  return server.request('POST', '/api/v1/auth/oidc/exchange', {
    token: null,
    body: { code, code_verifier: verifier },
  });
}

beforeAll(async () => {
  server = await startServer();
  idp = await startIdp({
    redirectUris: [`${server.url}/api/v1/auth/oidc/callback`],
    users: [
      { sub: 'ada', email: 'ada@acme.test', name: 'Ada Lovelace', groups: ['helpdesk'] },
      { sub: 'eve', email: 'eve@elsewhere.test', groups: ['orgdesk-admins'] },
      { sub: 'nobody', email: 'nobody@acme.test', groups: ['unmapped'] },
      { sub: 'gw', email: 'gw@acme.test', groups: [], hd: 'acme.test' },
    ],
  });
  orgA = (await server.request('POST', '/api/v1/organizations', { body: { name: 'Alpha' } })).json
    .id;
  orgB = (await server.request('POST', '/api/v1/organizations', { body: { name: 'Beta' } })).json
    .id;
});

afterAll(async () => {
  await idp?.close();
  await server?.close();
});

describe('IDN-4 configuration', () => {
  it('an account admin saves it; the secret is sealed, never answered and never audited', async () => {
    const saved = await configure();
    expect(saved).toMatchObject({
      configured: true,
      issuer: idp.issuer,
      has_client_secret: true,
      enabled: true,
      redirect_uri: `${server.url}/api/v1/auth/oidc/callback`,
    });
    const read = await server.request('GET', '/api/v1/account/sso');
    expect(read.text).not.toContain(SECRET_MARK);
    expect(read.json.has_client_secret).toBe(true);
    const [stored] = await server.db
      .select({ c: t.ssoConfigs.clientSecretCiphertext })
      .from(t.ssoConfigs);
    expect(stored!.c!.toString('latin1')).not.toContain(SECRET_MARK);
    const audit = await server.request('GET', '/api/v1/audit?action=sso.configured');
    expect(audit.json.length).toBeGreaterThan(0);
    expect(audit.json[0].details.client_key_replaced).toBe(true);
    const everything = await server.request('GET', '/api/v1/audit');
    expect(everything.text).not.toContain(SECRET_MARK);
    expect(audit.text).not.toContain(SECRET_MARK);
    expect(server.logs.join('\n')).not.toContain(SECRET_MARK);
    // Saving again without the secret keeps it.
    const again = await configure({ client_secret: undefined });
    expect(again.has_client_secret).toBe(true);
  });

  it("is the account admin's: a technician is refused, naming the permission", async () => {
    const tech = await server.userToken([{ role: 'technician', orgId: orgA }]);
    const res = await server.request('GET', '/api/v1/account/sso', { token: tech.token });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain('users.manage');
  });

  it('a mapping naming an org of another account reads as absent', async () => {
    const res = await server.request('PUT', '/api/v1/account/sso', {
      body: {
        issuer: idp.issuer,
        client_id: idp.clientId,
        allowed_domains: ['acme.test'],
        group_mappings: [{ group: 'x', role: 'reader', organization_id: 999999 }],
        enabled: true,
      },
    });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe('Organization 999999 not found');
  });

  it('test: discovery against the real provider says what it found', async () => {
    await configure();
    const res = await server.request('POST', '/api/v1/account/sso/test');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: true, issuer: idp.issuer, pkce_s256: true });
    expect(res.json.message).toContain('PKCE S256 supported');
    expect(res.json.authorization_endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth$/);
  });

  it('test: an issuer that answers nothing is said in plain words', async () => {
    await configure({ issuer: 'http://127.0.0.1:9/nothing-here', enabled: false });
    const res = await server.request('POST', '/api/v1/account/sso/test');
    expect(res.json.ok).toBe(false);
    expect(res.json.message).toMatch(
      /^Discovery at http:\/\/127\.0\.0\.1:9\/nothing-here\/\.well-known\/openid-configuration failed: /,
    );
    await configure();
  });
});

describe('IDN-4 sign-in through the provider', () => {
  it('creates the user on first sign-in with the mapped roles and issues a normal session', async () => {
    const { res, back, verifier } = await signInAt('ada');
    expect(res.status).toBe(303);
    expect(back).toMatch(new RegExp(`^${server.url}/sign-in/sso\\?code=odk_sso_`));
    const session = await exchange(back!, verifier);
    expect(session.status, session.text).toBe(200);
    expect(session.json.token).toMatch(/^odk_ses_/);
    const me = await server.request('GET', '/api/v1/users/me', { token: session.json.token });
    expect(me.json).toMatchObject({
      email: 'ada@acme.test',
      name: 'Ada Lovelace',
      roles: [{ role: 'technician', organization_id: orgA }],
    });
    // The one-time code and the provider's code travel in query strings, which the log omits.
    expect(server.logs.join('\n')).not.toContain('odk_sso_');
    expect(server.logs.join('\n')).not.toContain(session.json.token);
    const created = await server.request('GET', '/api/v1/audit?action=user.created_by_sso');
    expect(created.json.map((e: { details: { email: string } }) => e.details.email)).toContain(
      'ada@acme.test',
    );
  });

  it('a group change at the provider takes effect at the next sign-in, audited', async () => {
    idp.users.get('ada')!.groups = ['auditors'];
    const { back, verifier } = await signInAt('ada');
    const session = await exchange(back!, verifier);
    const me = await server.request('GET', '/api/v1/users/me', { token: session.json.token });
    expect(me.json.roles).toEqual([{ role: 'reader', organization_id: orgB }]);
    const synced = await server.request('GET', '/api/v1/audit?action=user.roles_synced_by_sso');
    const last = synced.json[0];
    expect(last.details).toMatchObject({
      email: 'ada@acme.test',
      groups: ['auditors'],
      added: [{ role: 'reader', organization_id: orgB }],
      removed: [{ role: 'technician', organization_id: orgA }],
    });
  });

  it('a wrong state is refused and leaves no session', async () => {
    const { callback } = await signInAt('ada');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state-we-stored-0123456789');
    const res = await fetch(forged, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('unknown, already used or expired');
  });

  it('a replayed callback is refused: the state is taken once', async () => {
    const { callback, res } = await signInAt('ada');
    expect(res.status).toBe(303);
    const replay = await fetch(callback, { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
  });

  it('the one-time code works once, and only with the verifier of the client that started', async () => {
    const { back, verifier } = await signInAt('ada');
    const wrong = await exchange(back!, pkce().verifier);
    expect(wrong.status).toBe(401);
    // The wrong verifier did not burn it for the rightful client…
    const ok = await exchange(back!, verifier);
    expect(ok.status).toBe(200);
    // …and the rightful client cannot use it twice.
    const twice = await exchange(back!, verifier);
    expect(twice.status).toBe(401);
    expect(twice.json.error.message).toContain('already used');
  });

  it('a user outside the allowed domains is sent back with the reason, and no user is made', async () => {
    const { back } = await signInAt('eve');
    const u = new URL(back!);
    expect(u.searchParams.get('error')).toBe('domain_not_allowed');
    expect(u.searchParams.get('error_description')).toContain(
      "outside this account's allowed domains",
    );
    expect(u.searchParams.get('code')).toBeNull();
    const users = await server.request('GET', '/api/v1/users');
    expect(users.text).not.toContain('eve@elsewhere.test');
  });

  it('groups that map to no role give no access (deny by default)', async () => {
    const { back } = await signInAt('nobody');
    expect(new URL(back!).searchParams.get('error')).toBe('no_role');
  });

  it("a one-valued claim works as a group: Google Workspace's hd (README)", async () => {
    await configure({
      groups_claim: 'hd',
      group_mappings: [{ group: 'acme.test', role: 'reader', organization_id: orgA }],
    });
    const { back, verifier } = await signInAt('gw');
    const session = await exchange(back!, verifier);
    const me = await server.request('GET', '/api/v1/users/me', { token: session.json.token });
    expect(me.json.roles).toEqual([{ role: 'reader', organization_id: orgA }]);
    await configure();
  });

  it('an account without SSO turned on cannot be started, and reads like an absent one', async () => {
    const res = await server.request('POST', '/api/v1/auth/oidc/start', {
      token: null,
      body: { account_id: 999999, code_challenge: pkce().challenge },
    });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toContain('not turned on');
  });

  it('start by email finds the account from its allowed domain', async () => {
    const res = await server.request('POST', '/api/v1/auth/oidc/start', {
      token: null,
      body: { email: 'newcomer@acme.test', code_challenge: pkce().challenge },
    });
    expect(res.status, res.text).toBe(200);
    expect(new URL(res.json.authorization_url).origin).toBe(idp.issuer);
  });

  it('a redirect_uri other than a loopback address is refused (RFC 8252)', async () => {
    const res = await server.request('POST', '/api/v1/auth/oidc/start', {
      token: null,
      body: {
        account_id: server.accountId,
        code_challenge: pkce().challenge,
        redirect_uri: 'https://evil.test/steal',
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe('redirect_uri');
  });
});

describe('IDN-4 issuers over plain http', () => {
  it('are refused unless the server allows a provider on loopback (no SSRF into 127.0.0.1)', async () => {
    const { OpenIdClientProvider } = await import('../main/features/sso/oidc-client');
    const strict = new OpenIdClientProvider();
    await expect(
      strict.discover({ issuer: idp.issuer, clientId: 'x', clientSecret: null }),
    ).rejects.toThrow('the issuer must use https://');
    const dev = new OpenIdClientProvider({ allowLoopbackHttp: true });
    await expect(
      dev.discover({ issuer: idp.issuer, clientId: 'x', clientSecret: null }),
    ).resolves.toMatchObject({ issuer: idp.issuer, pkceS256: true });
  });
});

describe("IDN-4 the server's own sign-in address (what the desktop opens)", () => {
  beforeAll(async () => {
    await configure();
  });
  const start = async () => {
    const res = await server.request('POST', '/api/v1/auth/oidc/start', {
      token: null,
      body: { account_id: server.accountId, code_challenge: pkce().challenge },
    });
    expect(res.status, res.text).toBe(200);
    return res.json as { authorization_url: string; browser_url: string };
  };

  it("start answers browser_url on the server's own address, which sends the browser to the provider", async () => {
    const started = await start();
    const hop = new URL(started.browser_url);
    expect(hop.origin).toBe(new URL(server.url).origin);
    expect(hop.pathname).toBe('/api/v1/auth/oidc/authorize');
    const res = await fetch(hop, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(started.authorization_url);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('a browser_url sending elsewhere than the server signed is refused, with no redirect', async () => {
    const hop = new URL((await start()).browser_url);
    hop.searchParams.set('to', 'https://evil.test/phish');
    const res = await fetch(hop, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('start the sign-in again from Orgdesk');
  });

  it('an expired browser_url is refused: its expiry is signed too', async () => {
    const hop = new URL((await start()).browser_url);
    hop.searchParams.set('exp', String(Date.now() - 1));
    const res = await fetch(hop, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
  });
});
