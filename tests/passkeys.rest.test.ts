// IDN-2 through the real server: passkeys registered, listed, renamed and removed, a sign-in's
// second step and a step-up with one, and the refusals (unknown credential, wrong, expired and
// replayed challenge, a replayed assertion). The browser's part is played by a software
// authenticator that builds the WebAuthn bytes in Node (tests/fixtures/soft-authenticator.ts);
// Chromium's virtual authenticator plays it in tests/e2e/passkeys.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { sqlRows, sqlValue } from './fixtures/raw-sql';
import { softAuthenticator, type SoftAuthenticator } from './fixtures/soft-authenticator';
import { startServer, type Json, type TestServer } from './fixtures/server';

const PASSWORD = 'a long enough password';
let s: TestServer;
let seq = 0;
/** The origin a browser on this machine uses: 127.0.0.1 is no valid RP ID, localhost is. */
let origin: string;

beforeAll(async () => {
  s = await startServer();
  origin = `http://localhost:${s.port}`;
});
afterAll(() => s.close());

async function newUser(): Promise<{ id: number; email: string; session: string }> {
  const email = `pk${++seq}@pk.test`;
  const created = await s.request('POST', '/api/v1/users', {
    body: { email, name: `P${seq}`, password: PASSWORD },
  });
  expect(created.status).toBe(201);
  const signedIn = await login(email);
  expect(signedIn.status).toBe(200);
  return { id: created.json.id, email, session: signedIn.json.token };
}

const login = (email: string) =>
  s.request('POST', '/api/v1/auth/login', { token: null, body: { email, password: PASSWORD } });

async function register(session: string, a: SoftAuthenticator, name = 'Laptop'): Promise<Json> {
  const options = await s.request('POST', '/api/v1/me/passkeys/options', { token: session });
  expect(options.status).toBe(200);
  expect(options.json.options).toMatchObject({ rp: { id: 'localhost' }, attestation: 'none' });
  const done = await s.request('POST', '/api/v1/me/passkeys', {
    token: session,
    body: { name, response: a.register(options.json.options, origin) },
  });
  expect(done.status).toBe(201);
  return done.json;
}

/** Password, then the passkey's request options: the mfa_token and the options. */
async function startSignIn(email: string): Promise<{ mfaToken: string; options: Json }> {
  const first = await login(email);
  expect(first.status).toBe(200);
  expect(first.json).toMatchObject({ mfa_required: true, methods: ['passkey'] });
  const options = await s.request('POST', '/api/v1/auth/mfa/passkey/options', {
    token: null,
    body: { mfa_token: first.json.mfa_token },
  });
  expect(options.status).toBe(200);
  return { mfaToken: first.json.mfa_token, options: options.json.options };
}

const complete = (mfaToken: string, response: unknown) =>
  s.request('POST', '/api/v1/auth/mfa/passkey', {
    token: null,
    body: { mfa_token: mfaToken, response },
  });

describe('IDN-2 passkeys', () => {
  it('registers, lists, renames; stores only the public part; the sign-in then asks for it', async () => {
    const u = await newUser();
    const a = softAuthenticator();
    const added = await register(u.session, a, 'Work laptop');
    expect(added).toMatchObject({ name: 'Work laptop', last_used_at: null });
    const list = await s.request('GET', '/api/v1/me/passkeys', { token: u.session });
    expect(list.json).toEqual([
      { id: added.id, name: 'Work laptop', created_at: expect.any(String), last_used_at: null },
    ]);
    const renamed = await s.request('PATCH', `/api/v1/me/passkeys/${added.id}`, {
      token: u.session,
      body: { name: 'Home laptop' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json.name).toBe('Home laptop');
    const [row] = await sqlRows(
      s.db,
      sql`SELECT credential_id, counter, transports, length(public_key) AS n FROM passkeys WHERE user_id = ${u.id}`,
    );
    expect(row).toEqual({
      credential_id: a.credentialId,
      counter: 0,
      transports: '["internal"]',
      n: expect.any(Number),
    });
    // Nothing of the credential reaches the audit trail or the log.
    const trail = (await sqlRows<{ details: string }>(s.db, sql`SELECT details FROM audit_entries`))
      .map((r) => r.details)
      .join('\n');
    expect(trail).toContain('"name":"Work laptop"');
    expect(trail).not.toContain(a.credentialId);
    expect(s.logs.join('\n')).not.toContain(a.credentialId);
    // The registration challenge works once.
    const again = await s.request('POST', '/api/v1/me/passkeys/options', { token: u.session });
    const response = softAuthenticator().register(again.json.options, origin);
    expect(
      (
        await s.request('POST', '/api/v1/me/passkeys', {
          token: u.session,
          body: { name: 'x', response },
        })
      ).status,
    ).toBe(201);
    const replay = await s.request('POST', '/api/v1/me/passkeys', {
      token: u.session,
      body: { name: 'y', response },
    });
    expect(replay.status).toBe(400);
    expect(replay.json.error.field).toBe('response');
  });

  it('signs in with password and passkey; the counter is raised; a replayed assertion is refused', async () => {
    const u = await newUser();
    const a = softAuthenticator();
    const added = await register(u.session, a);
    const { mfaToken, options } = await startSignIn(u.email);
    const assertion = a.assert(options, origin);
    const done = await complete(mfaToken, assertion);
    expect(done.status).toBe(200);
    expect(done.json.token).toMatch(/^odk_ses_/);
    const list = await s.request('GET', '/api/v1/me/passkeys', { token: done.json.token });
    expect(list.json[0]).toMatchObject({ id: added.id, last_used_at: expect.any(String) });
    expect(await sqlValue(s.db, sql`SELECT counter FROM passkeys WHERE id = ${added.id}`)).toBe(1);
    // The same assertion again: its sign-in is used up.
    expect((await complete(mfaToken, assertion)).status).toBe(401);
    // …and on a fresh sign-in it answers the wrong challenge.
    const next = await startSignIn(u.email);
    const replayed = await complete(next.mfaToken, assertion);
    expect(replayed.status).toBe(401);
    expect(replayed.json.error.field).toBe('response');
    // A fresh challenge signed with a counter that did not go up (a cloned authenticator).
    const stale = await complete(next.mfaToken, a.assert(next.options, origin, { counter: 1 }));
    expect(stale.status).toBe(401);
    // The challenge was not spent by the refusals: the real authenticator still signs in.
    expect(
      (await complete(next.mfaToken, a.assert(next.options, origin, { counter: 2 }))).status,
    ).toBe(200);
    const audit = (await sqlValue<string>(
      s.db,
      sql`SELECT details FROM audit_entries WHERE action = 'auth.signed_in' AND target_id = ${String(u.id)} ORDER BY id DESC LIMIT 1`,
    ))!;
    expect(JSON.parse(audit)).toMatchObject({ second_factor: 'passkey' });
  });

  it('refuses an unknown credential, a challenge of another sign-in, and an expired challenge', async () => {
    const u = await newUser();
    const a = softAuthenticator();
    await register(u.session, a);
    const first = await startSignIn(u.email);
    // A credential the server never registered, answering the right challenge.
    const unknown = await complete(
      first.mfaToken,
      softAuthenticator().assert(first.options, origin),
    );
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.message).toMatch(/not one of yours/);
    // Another user's passkey answers like an unknown one.
    const other = await newUser();
    const b = softAuthenticator();
    await register(other.session, b);
    expect((await complete(first.mfaToken, b.assert(first.options, origin))).status).toBe(401);
    // The challenge of a second sign-in sent with the first one's mfa_token.
    const second = await startSignIn(u.email);
    expect((await complete(first.mfaToken, a.assert(second.options, origin))).status).toBe(401);
    // A registration challenge is no sign-in challenge.
    const reg = await s.request('POST', '/api/v1/me/passkeys/options', { token: u.session });
    expect((await complete(first.mfaToken, a.assert(reg.json.options, origin))).status).toBe(401);
    // A wrong origin.
    expect(
      (await complete(first.mfaToken, a.assert(first.options, 'http://evil.test'))).status,
    ).toBe(401);
    // Five minutes later the challenge has expired.
    const late = await startSignIn(u.email);
    s.clock.advance(5 * 60_000 + 1_000);
    const expired = await complete(late.mfaToken, a.assert(late.options, origin));
    expect(expired.status).toBe(401);
    // Nothing of the challenges reached the log.
    const text = s.logs.join('\n');
    for (const c of [first.options.challenge, second.options.challenge, late.options.challenge]) {
      expect(text).not.toContain(c);
    }
  });

  it('Require MFA: a passkey registered during enrolment counts as the second factor', async () => {
    const u = await newUser();
    const on = await s.request('PUT', '/api/v1/account/mfa', { body: { required: true } });
    expect(on.status).toBe(200);
    try {
      const refused = await s.request('GET', '/api/v1/organizations', { token: u.session });
      expect(refused.json.error.code).toBe('MFA_ENROLMENT_REQUIRED');
      expect(refused.json.error.message).toMatch(/POST \/api\/v1\/me\/passkeys/);
      await register(u.session, softAuthenticator());
      const st = await s.request('GET', '/api/v1/me/mfa', { token: u.session });
      expect(st.json).toMatchObject({ totp: 'none', passkeys: 1, required_by_account: true });
      expect((await s.request('GET', '/api/v1/organizations', { token: u.session })).status).toBe(
        200,
      );
    } finally {
      // The admin has no factor, so over HTTP it could not turn it off again: the service can.
      const admin = (await s.services.auth.actorForUser(s.adminUserId))!;
      await s.services.mfa.setRequireMfa(admin, { required: false });
    }
  });

  it('steps up with a passkey; removing one needs a step-up; another user cannot touch it', async () => {
    const u = await newUser();
    const a = softAuthenticator();
    const added = await register(u.session, a);
    const { mfaToken, options } = await startSignIn(u.email);
    const session = (await complete(mfaToken, a.assert(options, origin))).json.token;
    s.clock.advance(5 * 60_000 + 1_000);
    const stale = await s.request('DELETE', `/api/v1/me/passkeys/${added.id}`, { token: session });
    expect(stale.status).toBe(403);
    expect(stale.json.error.code).toBe('STEP_UP_REQUIRED');
    const opts = await s.request('POST', '/api/v1/auth/step-up/passkey/options', {
      token: session,
    });
    expect(opts.status).toBe(200);
    const stepResponse = a.assert(opts.json.options, origin);
    const stepped = await s.request('POST', '/api/v1/auth/step-up/passkey', {
      token: session,
      body: { response: stepResponse },
    });
    expect(stepped.status).toBe(200);
    expect(stepped.json.step_up_until).toEqual(expect.any(String));
    // The step-up's assertion works once.
    const replay = await s.request('POST', '/api/v1/auth/step-up/passkey', {
      token: session,
      body: { response: stepResponse },
    });
    expect(replay.status).toBe(400);
    // Another user's session: the passkey reads as absent.
    const other = await newUser();
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PATCH', { name: 'Mine now' }],
    ] as const) {
      const foreign = await s.request(method, `/api/v1/me/passkeys/${added.id}`, {
        token: other.session,
        body,
      });
      expect(foreign.status).toBe(404);
    }
    const removed = await s.request('DELETE', `/api/v1/me/passkeys/${added.id}`, {
      token: session,
    });
    expect(removed.status).toBe(200);
    expect((await s.request('GET', '/api/v1/me/passkeys', { token: session })).json).toEqual([]);
    // Without a passkey the sign-in needs none.
    expect((await login(u.email)).json.token).toMatch(/^odk_ses_/);
  });
});
