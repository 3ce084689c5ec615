// Sign-in throttling over real HTTP (the trust boundary, item 2): however attempts arrive —
// one after another, in parallel, or batched into one tRPC request — at most 5 failed attempts
// per account and per address are evaluated; the rest are answered 429 with Retry-After and
// never reach the password check. The check is core/crypto's scrypt, wrapped to count its calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../main/core/crypto';
import { startServer, type TestServer } from '../fixtures/server';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password at all';

let s: TestServer;
/** Every password the server checked, in order. */
let checked: string[] = [];

beforeAll(async () => {
  s = await startServer({
    passwordVerifier: (password, stored) => {
      checked.push(password);
      return verifyPassword(password, stored);
    },
  });
});
afterAll(() => s.close());
beforeEach(() => {
  checked = [];
});

let seq = 0;
async function newUser(): Promise<string> {
  const email = `user${++seq}@throttle.test`;
  const res = await s.request('POST', '/api/v1/users', {
    body: { email, name: `User ${seq}`, password: PASSWORD },
  });
  expect(res.status).toBe(201);
  return email;
}

/** A client address of its own per test (any 127.x.y.z reaches the server). */
let addr = 10;
const newAddress = () => `127.0.1.${++addr}`;

const restLogin = (email: string, password: string, localAddress: string) =>
  s.request('POST', '/api/v1/auth/login', { token: null, body: { email, password }, localAddress });

const wrongChecks = () => checked.filter((p) => p !== PASSWORD).length;

describe('sign-in throttle (per email and per address, however the attempts arrive)', () => {
  it('a tRPC batch holding more than one auth.login is refused whole, before any password is checked', async () => {
    const email = await newUser();
    // The attack of the issue: 49 wrong passwords and the right one in one request.
    const n = 50;
    const paths = Array.from({ length: n }, () => 'auth.login').join(',');
    const body = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        String(i),
        { email, password: i === n - 1 ? PASSWORD : `${WRONG} ${i}` },
      ]),
    );
    const res = await s.request('POST', `/trpc/${paths}?batch=1`, {
      token: null,
      body,
      localAddress: newAddress(),
    });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/one sign-in per request/i);
    expect(res.text).not.toContain('odk_ses_');
    expect(checked).toEqual([]);

    // Two sign-ins are already too many, even within the batch size limit.
    const two = await s.request('POST', '/trpc/auth.login,auth.login?batch=1', {
      token: null,
      body: { 0: { email, password: WRONG }, 1: { email, password: PASSWORD } },
      localAddress: newAddress(),
    });
    expect(two.status).toBe(400);
    expect(two.json.error.data.code).toBe('BAD_REQUEST');
    expect(two.json.error.message).toMatch(/one sign-in per request/i);
    expect(checked).toEqual([]);

    // One sign-in in a batch is fine.
    const one = await s.request('POST', '/trpc/auth.login?batch=1', {
      token: null,
      body: { 0: { email, password: PASSWORD } },
      localAddress: newAddress(),
    });
    expect(one.status).toBe(200);
    expect(one.json[0].result.data.token).toMatch(/^odk_ses_/);
  });

  it('20 parallel REST logins for one account: at most 5 evaluated, the rest 429 with Retry-After; the right password among them resets nothing', async () => {
    const email = await newUser();
    const from = newAddress();
    const attempts = Array.from({ length: 20 }, (_, i) =>
      restLogin(email, i === 7 ? PASSWORD : `${WRONG} ${i}`, from),
    );
    const answers = await Promise.all(attempts);
    const statuses = answers.map((r) => r.status);
    const throttled = answers.filter((r) => r.status === 429);
    // At most 5 wrong passwords evaluated (the rule: failures, concluded or in flight, stay under
    // 5), plus the right one: a success frees its slot without a failure, so where it concludes
    // before the last attempts are reserved (PostgreSQL's round trips) one more is evaluated.
    expect(
      wrongChecks(),
      `checked: ${checked.length}, statuses ${statuses.join(',')}`,
    ).toBeLessThanOrEqual(5);
    expect(checked.length).toBeLessThanOrEqual(6);
    expect(throttled.length).toBeGreaterThanOrEqual(14);
    for (const r of throttled) {
      expect(r.json.error.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Every answer is one of: evaluated (401/200) or throttled (429), never anything else.
    expect(statuses.every((st) => [200, 401, 429].includes(st))).toBe(true);

    // A success inside the flood must not wipe the failures reserved beside it: from another
    // address (so only the account's count applies), wrong guesses go on being counted, and
    // no more than 5 wrong passwords are ever evaluated for this account.
    const later = newAddress();
    let answered429 = false;
    for (let i = 0; i < 6 && !answered429; i++) {
      answered429 = (await restLogin(email, `${WRONG} later ${i}`, later)).status === 429;
    }
    expect(answered429).toBe(true);
    expect(wrongChecks()).toBeLessThanOrEqual(5);
  });

  it('20 parallel REST logins from one address for different accounts: at most 5 evaluated', async () => {
    const from = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => restLogin(`nobody${i}@throttle.test`, WRONG, from)),
    );
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(answers.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(15);
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });

  it('parallel tRPC sign-ins (one per request) are held to the same 5', async () => {
    const email = await newUser();
    const from = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        s.request('POST', '/trpc/auth.login', {
          token: null,
          body: { email, password: `${WRONG} ${i}` },
          localAddress: from,
        }),
      ),
    );
    expect(checked.length).toBeLessThanOrEqual(5);
    const throttled = answers.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThanOrEqual(7);
    for (const r of throttled) expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('sequential: 5 wrong passwords are evaluated; the 6th attempt, even the right one, is 429 without a password check', async () => {
    const email = await newUser();
    const from = newAddress();
    for (let i = 0; i < 5; i++) {
      const res = await restLogin(email, `${WRONG} ${i}`, from);
      expect(res.status, `attempt ${i + 1}`).toBe(401);
    }
    expect(checked.length).toBe(5);
    const sixth = await restLogin(email, PASSWORD, from);
    expect(sixth.status).toBe(429);
    expect(sixth.json.error.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(checked.length).toBe(5);
    // Once the wait is over, the right password is evaluated and works.
    s.clock.advance(Number(sixth.headers['retry-after']) * 1000);
    expect((await restLogin(email, PASSWORD, newAddress())).status).toBe(200);
    expect(checked.length).toBe(6);
  });
});
