// IDN-1 and IDN-3 through the real server: TOTP enrolment and sign-in with a second factor,
// recovery codes, "Require MFA" over tRPC and REST, step-up on the injectable clock, and codes
// accepted once even when sent together. Codes are computed with otplib, as an app would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { totpCode } from '../main/features/mfa/totp';
import { sqlRows } from './fixtures/raw-sql';
import { startServer, type Json, type TestServer } from './fixtures/server';

const PASSWORD = 'a long enough password';
let s: TestServer;
let seq = 0;
let orgId: number;

beforeAll(async () => {
  s = await startServer();
  const org = await s.request('POST', '/api/v1/organizations', { body: { name: 'Acme' } });
  expect(org.status).toBe(201);
  orgId = org.json.id;
});
afterAll(() => s.close());

/** A new user of the admin's account with a password and these roles; their email. */
async function newUser(roles: Json[] = []): Promise<{ id: number; email: string }> {
  const email = `mfa${++seq}@mfa.test`;
  const created = await s.request('POST', '/api/v1/users', {
    body: { email, name: `M${seq}`, password: PASSWORD },
  });
  expect(created.status).toBe(201);
  if (roles.length) {
    const set = await s.request('PUT', `/api/v1/users/${created.json.id}/roles`, {
      body: { roles },
      token: s.adminToken,
    });
    expect(set.status).toBe(200);
  }
  return { id: created.json.id, email };
}

const login = (email: string) =>
  s.request('POST', '/api/v1/auth/login', { token: null, body: { email, password: PASSWORD } });

/** Moves the clock to the next TOTP step, so the next code is a fresh one. */
const nextStep = () => s.clock.advance(30_000);
const code = (secret: string) => totpCode(secret, s.clock.now());

/** Enrols and confirms TOTP for the session `token`: the secret and the recovery codes. */
async function enrol(token: string): Promise<{ secret: string; recovery: string[] }> {
  const started = await s.request('POST', '/api/v1/me/mfa/totp', { token });
  expect(started.status).toBe(200);
  const { secret, otpauth_uri } = started.json;
  expect(otpauth_uri).toMatch(/^otpauth:\/\/totp\/Orgdesk:.*secret=/);
  const confirmed = await s.request('POST', '/api/v1/me/mfa/totp/confirm', {
    token,
    body: { code: code(secret) },
  });
  expect(confirmed.status).toBe(200);
  expect(confirmed.json.recovery_codes).toHaveLength(10);
  return { secret, recovery: confirmed.json.recovery_codes };
}

async function sessionOf(email: string): Promise<string> {
  const r = await login(email);
  expect(r.status).toBe(200);
  expect(r.json.token).toMatch(/^odk_ses_/);
  return r.json.token;
}

/** Signs in with password and code: the session token. */
async function signInWithCode(email: string, secret: string): Promise<string> {
  nextStep();
  const first = await login(email);
  expect(first.json).toMatchObject({ mfa_required: true, methods: ['totp', 'recovery_code'] });
  const second = await s.request('POST', '/api/v1/auth/mfa', {
    token: null,
    body: { mfa_token: first.json.mfa_token, code: code(secret) },
  });
  expect(second.status).toBe(200);
  return second.json.token;
}

/** A tRPC query over HTTP, as the web console sends it. */
async function trpcQuery(path: string, token: string, input?: unknown): Promise<Json> {
  const q = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const r = await s.request('GET', `/trpc/${path}${q}`, { token });
  return r.json;
}

describe('IDN-1 TOTP', () => {
  it('sign-in answers mfa_required once enrolled; the session comes only with the code; the mfa_token is single-use', async () => {
    const u = await newUser();
    const { secret } = await enrol(await sessionOf(u.email));
    nextStep();
    const first = await login(u.email);
    expect(first.status).toBe(200);
    expect(first.json.token).toBeUndefined();
    expect(first.json.mfa_token).toMatch(/^odk_mfa_/);
    // The mfa_token is not a session.
    const asBearer = await s.request('GET', '/api/v1/users/me', { token: first.json.mfa_token });
    expect(asBearer.status).toBe(401);
    const wrong = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: {
        mfa_token: first.json.mfa_token,
        code: '000000' === code(secret) ? '111111' : '000000',
      },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.field).toBe('code');
    const ok = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: first.json.mfa_token, code: code(secret) },
    });
    expect(ok.status).toBe(200);
    expect((await s.request('GET', '/api/v1/users/me', { token: ok.json.token })).status).toBe(200);
    nextStep();
    const again = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: first.json.mfa_token, code: code(secret) },
    });
    expect(again.status).toBe(401);
    expect(again.json.error.field).toBe('mfa_token');
  });

  it('a code is accepted once: the same code replayed within its window is refused', async () => {
    const u = await newUser();
    const { secret } = await enrol(await sessionOf(u.email));
    nextStep();
    const c = code(secret);
    const a = await login(u.email);
    const b = await login(u.email);
    const first = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: a.json.mfa_token, code: c },
    });
    expect(first.status).toBe(200);
    s.clock.advance(10_000); // still inside the code's window (±1 step)
    const replay = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: b.json.mfa_token, code: c },
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error.message).toMatch(/already used/);
  });

  it('the confirming code itself cannot be used again to sign in', async () => {
    const u = await newUser();
    const session = await sessionOf(u.email);
    const started = await s.request('POST', '/api/v1/me/mfa/totp', { token: session });
    const c = code(started.json.secret);
    await s.request('POST', '/api/v1/me/mfa/totp/confirm', { token: session, body: { code: c } });
    const a = await login(u.email);
    const replay = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: a.json.mfa_token, code: c },
    });
    expect(replay.status).toBe(401);
  });

  it('two concurrent uses of one code: exactly one session', async () => {
    const u = await newUser();
    const { secret } = await enrol(await sessionOf(u.email));
    nextStep();
    const tokens = await Promise.all([1, 2, 3, 4].map(() => login(u.email)));
    const c = code(secret);
    const answers = await Promise.all(
      tokens.map((t) =>
        s.request('POST', '/api/v1/auth/mfa', {
          token: null,
          body: { mfa_token: t.json.mfa_token, code: c },
        }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
  });

  it('recovery codes sign in, each once, in any case and with or without the dash', async () => {
    const u = await newUser();
    const { recovery } = await enrol(await sessionOf(u.email));
    const [rc] = recovery as [string];
    expect(rc).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const a = await login(u.email);
    const used = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: a.json.mfa_token, code: rc.toUpperCase().replace('-', '') },
    });
    expect(used.status).toBe(200);
    const b = await login(u.email);
    const again = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: b.json.mfa_token, code: rc },
    });
    expect(again.status).toBe(401);
    const st = await s.request('GET', '/api/v1/me/mfa', { token: used.json.token });
    expect(st.json).toMatchObject({ totp: 'enrolled', recovery_codes_left: 9 });
  });

  it('regenerating recovery codes needs a current code; the old ones stop working', async () => {
    const u = await newUser();
    const { secret, recovery } = await enrol(await sessionOf(u.email));
    const session = await signInWithCode(u.email, secret);
    const refused = await s.request('POST', '/api/v1/me/mfa/recovery-codes', {
      token: session,
      body: { code: '12345' + ((Number(code(secret)[5]) + 1) % 10) },
    });
    expect(refused.status).toBe(400);
    nextStep();
    const fresh = await s.request('POST', '/api/v1/me/mfa/recovery-codes', {
      token: session,
      body: { code: code(secret) },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.json.recovery_codes).toHaveLength(10);
    const a = await login(u.email);
    const old = await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: a.json.mfa_token, code: recovery[0] },
    });
    expect(old.status).toBe(401);
  });

  it('removing TOTP needs a current code; then sign-in answers a session again', async () => {
    const u = await newUser();
    const { secret } = await enrol(await sessionOf(u.email));
    const session = await signInWithCode(u.email, secret);
    const noCode = await s.request('DELETE', '/api/v1/me/mfa/totp', { token: session });
    expect(noCode.status, noCode.text).toBe(400);
    const wrong = await s.request('DELETE', '/api/v1/me/mfa/totp?code=not-a-code', {
      token: session,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.field).toBe('code');
    nextStep();
    const removed = await s.request('DELETE', `/api/v1/me/mfa/totp?code=${code(secret)}`, {
      token: session,
    });
    expect(removed.status).toBe(200);
    expect((await login(u.email)).json.token).toMatch(/^odk_ses_/);
  });

  it('a second enrolment while one is confirmed is refused (remove it first)', async () => {
    const u = await newUser();
    const session = await sessionOf(u.email);
    await enrol(session);
    const again = await s.request('POST', '/api/v1/me/mfa/totp', { token: session });
    expect(again.status).toBe(409);
  });
});

describe('IDN-1 Require MFA', () => {
  it('a user without a factor can only enrol, over REST and tRPC alike; after enrolling, everything works', async () => {
    const u = await newUser([{ role: 'account_admin' }]);
    const session = await sessionOf(u.email);
    const set = await s.request('PUT', '/api/v1/account/mfa', {
      token: session,
      body: { required: true },
    });
    expect(set.status).toBe(200);
    try {
      const rest = await s.request('GET', '/api/v1/organizations', { token: session });
      expect(rest.status).toBe(403);
      expect(rest.json.error.code).toBe('MFA_ENROLMENT_REQUIRED');
      expect(rest.json.error.message).toMatch(/POST \/api\/v1\/me\/mfa\/totp/);
      const trpc = await trpcQuery('organizations.list', session, {});
      expect(trpc.error.data).toMatchObject({
        code: 'FORBIDDEN',
        reason: 'MFA_ENROLMENT_REQUIRED',
      });
      expect(trpc.error.message).toMatch(/auth\.enrolTotp/);
      // Personal tokens too, and mutations too.
      const pat = await s.request('POST', '/api/v1/tokens', {
        token: session,
        body: { name: 'x' },
      });
      expect(pat.json.error.code).toBe('MFA_ENROLMENT_REQUIRED');
      // What enrolment needs answers.
      expect((await s.request('GET', '/api/v1/users/me', { token: session })).status).toBe(200);
      const st = await s.request('GET', '/api/v1/me/mfa', { token: session });
      expect(st.json).toMatchObject({ totp: 'none', required_by_account: true });
      await enrol(session);
      expect((await s.request('GET', '/api/v1/organizations', { token: session })).status).toBe(
        200,
      );
    } finally {
      // Back to optional for the other tests (this admin is enrolled by now).
      const off = await s.request('PUT', '/api/v1/account/mfa', {
        token: session,
        body: { required: false },
      });
      expect(off.status).toBe(200);
    }
  });

  it('only account admins change it, and the change is audited', async () => {
    const tech = await s.userToken([{ role: 'technician', orgId }]);
    const refused = await s.request('PUT', '/api/v1/account/mfa', {
      token: tech.token,
      body: { required: true },
    });
    expect(refused.status).toBe(403);
    const entries = await sqlRows<{ details: string }>(
      s.db,
      sql`SELECT details FROM audit_entries WHERE action = 'account.updated'`,
    );
    expect(entries.map((e) => JSON.parse(e.details))).toContainEqual({
      changes: { require_mfa: { from: false, to: true } },
    });
  });
});

describe('IDN-3 step-up', () => {
  it('revealing a secret needs a code from the last 5 minutes: refused, stepped up, passes, expires', async () => {
    const u = await newUser([{ role: 'account_admin' }]);
    const { secret } = await enrol(await sessionOf(u.email));
    const session = await signInWithCode(u.email, secret);
    // Signed in with the code just now: passes.
    expect(
      (await s.request('GET', `/api/v1/organizations/${orgId}/secret`, { token: session })).status,
    ).toBe(200);
    s.clock.advance(5 * 60_000 + 1_000);
    const stale = await s.request('GET', `/api/v1/organizations/${orgId}/secret`, {
      token: session,
    });
    expect(stale.status).toBe(403);
    expect(stale.json.error.code).toBe('STEP_UP_REQUIRED');
    expect(stale.json.error.message).toMatch(/POST \/api\/v1\/auth\/step-up/);
    const trpc = await s.request('POST', '/trpc/organizations.copySecret', {
      token: session,
      body: { id: orgId },
    });
    expect(trpc.json.error.data.reason).toBe('STEP_UP_REQUIRED');
    const stepped = await s.request('POST', '/api/v1/auth/step-up', {
      token: session,
      body: { code: code(secret) },
    });
    expect(stepped.status).toBe(200);
    expect(
      (await s.request('GET', `/api/v1/organizations/${orgId}/secret`, { token: session })).status,
    ).toBe(200);
    s.clock.advance(4 * 60_000);
    expect(
      (await s.request('GET', `/api/v1/organizations/${orgId}/secret`, { token: session })).status,
    ).toBe(200);
    s.clock.advance(2 * 60_000);
    expect(
      (await s.request('GET', `/api/v1/organizations/${orgId}/secret`, { token: session })).json
        .error.code,
    ).toBe('STEP_UP_REQUIRED');
  });

  it('a user without a factor is not asked; hard delete asks only with hard_delete=true', async () => {
    const plain = await newUser([{ role: 'account_admin' }]);
    const plainSession = await sessionOf(plain.email);
    expect(
      (
        await s.request('GET', `/api/v1/organizations/${orgId}/secret`, {
          token: plainSession,
        })
      ).status,
    ).toBe(200);
    const u = await newUser([{ role: 'account_admin' }]);
    const { secret } = await enrol(await sessionOf(u.email));
    const session = await signInWithCode(u.email, secret);
    s.clock.advance(6 * 60_000);
    const a = await s.request('POST', '/api/v1/organizations', {
      token: session,
      body: { name: `Doomed ${seq}` },
    });
    expect(a.status).toBe(201);
    const soft = await s.request('DELETE', `/api/v1/organizations/${a.json.id}`, {
      token: session,
    });
    expect(soft.status).toBe(200);
    const hard = await s.request('DELETE', `/api/v1/organizations/${a.json.id}?hard_delete=true`, {
      token: session,
    });
    expect(hard.json.error.code).toBe('STEP_UP_REQUIRED');
  });

  it('a wrong or replayed step-up code is refused', async () => {
    const u = await newUser();
    const { secret } = await enrol(await sessionOf(u.email));
    const session = await signInWithCode(u.email, secret);
    const replay = await s.request('POST', '/api/v1/auth/step-up', {
      token: session,
      body: { code: code(secret) },
    });
    expect(replay.status).toBe(400);
    expect(replay.json.error.field).toBe('code');
  });
});

describe('IDN-1 secrets stay secret', () => {
  it('no TOTP secret, recovery code, code or mfa_token in the logs or audit details', async () => {
    const u = await newUser();
    const session = await sessionOf(u.email);
    const started = await s.request('POST', '/api/v1/me/mfa/totp', { token: session });
    const secret: string = started.json.secret;
    const c = code(secret);
    const confirmed = await s.request('POST', '/api/v1/me/mfa/totp/confirm', {
      token: session,
      body: { code: c },
    });
    const recovery: string[] = confirmed.json.recovery_codes;
    const a = await login(u.email);
    await s.request('POST', '/api/v1/auth/mfa', {
      token: null,
      body: { mfa_token: a.json.mfa_token, code: recovery[0] },
    });
    // At rest (read while enrolled): the secret encrypted, the recovery codes as digests.
    const rows = [
      ...(await sqlRows(s.db, sql`SELECT * FROM user_totp WHERE user_id = ${u.id}`)),
      ...(await sqlRows(s.db, sql`SELECT * FROM mfa_recovery_codes WHERE user_id = ${u.id}`)),
    ];
    expect(rows).toHaveLength(11);
    const stored = JSON.stringify(rows);
    // Removal sends its code in the query string (DELETE takes no body): still never logged.
    s.clock.advance(30_000);
    const removalCode = code(secret);
    const removed = await s.request('DELETE', `/api/v1/me/mfa/totp?code=${removalCode}`, {
      token: session,
    });
    expect(removed.status).toBe(200);
    const details = (
      await sqlRows<{ details: string }>(s.db, sql`SELECT details FROM audit_entries`)
    )
      .map((r) => r.details)
      .join('\n');
    const haystack = `${s.logs.join('\n')}\n${details}`;
    for (const value of [
      secret,
      c,
      removalCode,
      a.json.mfa_token,
      ...recovery,
      ...recovery.map((r) => r.replace('-', '')),
    ]) {
      expect(haystack).not.toContain(value);
    }
    expect(stored).not.toContain(secret);
    for (const r of recovery) expect(stored).not.toContain(r.replace('-', ''));
  });
});
