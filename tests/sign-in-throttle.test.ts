// The sign-in throttle's decision and bookkeeping, without HTTP (the HTTP side:
// tests/server/sign-in-throttle.test.ts).
import { count } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THROTTLE_POLICY as P,
  DatabaseThrottleStore,
  IN_FLIGHT_TTL_MS,
  MemoryThrottleStore,
  SignInThrottle,
  decide,
  lockoutMs,
  type SignInTicket,
} from '../main/features/auth/throttle';
import { t as tables } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

/** The rows of sign_in_throttle, on the world's engine: the table stays bounded. */
const throttleRowCount = async (w: World) =>
  (await w.db.select({ n: count() }).from(tables.signInThrottle))[0]!.n;

const keys = ['email:a@x.test', 'addr:127.0.0.1'];

async function reserveAll(t: SignInThrottle, n: number, ks = keys, now = 0) {
  // Started together, as concurrent requests are: each must take its own place.
  const results = await Promise.all(Array.from({ length: n }, () => t.reserve(ks, now)));
  const tickets: SignInTicket[] = [];
  let refused = 0;
  for (const r of results) {
    if (r.ok) tickets.push(r.ticket);
    else refused++;
  }
  return { tickets, refused };
}

/** A throttle over a memory store whose states a test can read. */
const memory = () => {
  const store = new MemoryThrottleStore();
  const t = new SignInThrottle({}, store);
  return Object.assign(t, { state: (k: string) => store.state(k) });
};

describe('decide (pure)', () => {
  it('allows while failures plus attempts in flight stay under the free ones', () => {
    const s = (failed: number, inFlight: number, until = 0) =>
      new Map([['k', { failed, inFlight, lastFailAt: 0, until }]]);
    expect(decide(new Map([['k', undefined]]), 0)).toEqual({ allow: true });
    expect(decide(s(2, 2), 0).allow).toBe(true);
    expect(decide(s(2, 3), 0)).toMatchObject({ allow: false, retryAfterMs: P.baseMs, key: 'k' });
    expect(decide(s(5, 0, 1000), 0)).toMatchObject({ allow: false, retryAfterMs: 1000 });
    // After a lockout ran out: one probe at a time.
    expect(decide(s(5, 0, 1000), 1000).allow).toBe(true);
    expect(decide(s(5, 1, 1000), 1000).allow).toBe(false);
  });

  it('the longest wait of any key is the answer', () => {
    const v = decide(
      new Map([
        ['a', { failed: 5, inFlight: 0, lastFailAt: 0, until: 2000 }],
        ['b', { failed: 7, inFlight: 0, lastFailAt: 0, until: 8000 }],
      ]),
      0,
    );
    expect(v).toMatchObject({ allow: false, retryAfterMs: 8000, key: 'b' });
  });

  it('lockouts double past the free failures, capped', () => {
    expect([4, 5, 6, 7].map((n) => lockoutMs(n))).toEqual([0, 1000, 2000, 4000]);
    expect(lockoutMs(100)).toBe(P.maxMs);
  });
});

describe('SignInThrottle', () => {
  it('reserves before the check: 20 attempts at once, 5 places', async () => {
    const t = memory();
    const { tickets, refused } = await reserveAll(t, 20);
    expect(tickets).toHaveLength(5);
    expect(refused).toBe(15);
  });

  it('a success does not wipe the failures reserved beside it', async () => {
    const t = memory();
    const { tickets } = await reserveAll(t, 5);
    await t.succeed(tickets[2]!, ['email:a@x.test']);
    for (const tk of tickets.filter((_, i) => i !== 2)) await t.fail(tk, 10);
    expect(t.state('email:a@x.test')).toMatchObject({ failed: 4, inFlight: 0 });
    // One more may be evaluated, then the account is locked.
    const fifth = await t.reserve(keys, 10);
    expect(fifth.ok).toBe(true);
    if (fifth.ok) await t.fail(fifth.ticket, 10);
    expect(await t.reserve(keys, 10)).toMatchObject({ ok: false, retryAfterMs: 1000 });
  });

  it('a success forgives the account the failures concluded before it, not the address', async () => {
    const t = memory();
    for (const tk of (await reserveAll(t, 3)).tickets) await t.fail(tk, 0);
    const r = await t.reserve(keys, 0);
    if (!r.ok) throw new Error('expected a place');
    await t.succeed(r.ticket, ['email:a@x.test']);
    // Nothing left to remember: the account's key is forgotten.
    expect(t.state('email:a@x.test')).toBeUndefined();
    expect(t.state('addr:127.0.0.1')?.failed).toBe(3);
  });

  it('a released reservation counts for nothing; settling twice counts once', async () => {
    const t = memory();
    const r = await t.reserve(keys, 0);
    if (!r.ok) throw new Error('expected a place');
    await t.release(r.ticket);
    await t.fail(r.ticket, 0);
    expect(t.state('email:a@x.test')).toBeUndefined();
  });

  it('forgets a key a window after its last failure', async () => {
    const t = memory();
    for (const tk of (await reserveAll(t, 5)).tickets) await t.fail(tk, 0);
    expect((await t.reserve(keys, 500)).ok).toBe(false);
    const later = P.windowMs;
    const r = await t.reserve(keys, later);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ticket.failedBefore.get('email:a@x.test')).toBe(0);
  });

  it('reservations of a process killed mid-check stop counting after IN_FLIGHT_TTL_MS', async () => {
    const t = memory();
    // Five places taken and never concluded (the process holding them died).
    expect((await reserveAll(t, 5)).tickets).toHaveLength(5);
    expect(await t.reserve(keys, IN_FLIGHT_TTL_MS - 1)).toMatchObject({ ok: false });
    const after = await t.reserve(keys, IN_FLIGHT_TTL_MS);
    expect(after.ok).toBe(true);
    expect(t.state('email:a@x.test')).toMatchObject({ inFlight: 1, failed: 0 });
  });
});

describe('DatabaseThrottleStore (sign_in_throttle)', () => {
  it('the same policy over the table: 20 at once, 5 places; a lockout; rows of forgotten keys purged', async () => {
    const w = await createWorld();
    try {
      const t = new SignInThrottle({}, new DatabaseThrottleStore(w.services.infra.uow));
      const { tickets, refused } = await reserveAll(t, 20);
      expect([tickets.length, refused]).toEqual([5, 15]);
      for (const tk of tickets) await t.fail(tk, 0);
      expect(await t.reserve(keys, 10)).toMatchObject({ ok: false, retryAfterMs: 990 });
      expect(await throttleRowCount(w)).toBe(2);
      // A success on a clean key leaves no row behind.
      const clean = await t.reserve(['email:b@x.test'], 0);
      if (!clean.ok) throw new Error('expected a place');
      await t.succeed(clean.ticket, ['email:b@x.test']);
      expect(await throttleRowCount(w)).toBe(2);
      // 30 one-off failures, then past their window: each later write purges a few expired
      // rows, so the table shrinks back without any job.
      for (let i = 0; i < 30; i++) {
        const r = await t.reserve([`addr:198.51.100.${i}`], 0);
        if (r.ok) await t.fail(r.ticket, 0);
      }
      expect(await throttleRowCount(w)).toBe(32);
      for (let i = 0; i < 5; i++) {
        const r = await t.reserve(['email:c@x.test'], P.windowMs + 1);
        if (r.ok) await t.release(r.ticket, P.windowMs + 1);
      }
      expect(await throttleRowCount(w)).toBe(0);
    } finally {
      await w.close();
    }
  });
});
