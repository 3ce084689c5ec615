// The sign-in throttle's decision and bookkeeping, without HTTP (the HTTP side:
// tests/server/sign-in-throttle.test.ts).
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THROTTLE_POLICY as P,
  SignInThrottle,
  decide,
  lockoutMs,
  type SignInTicket,
} from '../main/features/auth/throttle';

const keys = ['email:a@x.test', 'addr:127.0.0.1'];

function reserveAll(t: SignInThrottle, n: number, ks = keys, now = 0) {
  const tickets: SignInTicket[] = [];
  let refused = 0;
  for (let i = 0; i < n; i++) {
    const r = t.reserve(ks, now);
    if (r.ok) tickets.push(r.ticket);
    else refused++;
  }
  return { tickets, refused };
}

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
  it('reserves before the check: 20 attempts at once, 5 places', () => {
    const t = new SignInThrottle();
    const { tickets, refused } = reserveAll(t, 20);
    expect(tickets).toHaveLength(5);
    expect(refused).toBe(15);
  });

  it('a success does not wipe the failures reserved beside it', () => {
    const t = new SignInThrottle();
    const { tickets } = reserveAll(t, 5);
    t.succeed(tickets[2]!, ['email:a@x.test']);
    for (const tk of tickets.filter((_, i) => i !== 2)) t.fail(tk, 10);
    expect(t.state('email:a@x.test')).toMatchObject({ failed: 4, inFlight: 0 });
    // One more may be evaluated, then the account is locked.
    const fifth = t.reserve(keys, 10);
    expect(fifth.ok).toBe(true);
    if (fifth.ok) t.fail(fifth.ticket, 10);
    expect(t.reserve(keys, 10)).toMatchObject({ ok: false, retryAfterMs: 1000 });
  });

  it('a success forgives the account the failures concluded before it, not the address', () => {
    const t = new SignInThrottle();
    for (const tk of reserveAll(t, 3).tickets) t.fail(tk, 0);
    const r = t.reserve(keys, 0);
    if (!r.ok) throw new Error('expected a place');
    t.succeed(r.ticket, ['email:a@x.test']);
    expect(t.state('email:a@x.test')?.failed).toBe(0);
    expect(t.state('addr:127.0.0.1')?.failed).toBe(3);
  });

  it('a released reservation counts for nothing; settling twice counts once', () => {
    const t = new SignInThrottle();
    const r = t.reserve(keys, 0);
    if (!r.ok) throw new Error('expected a place');
    t.release(r.ticket);
    t.fail(r.ticket, 0);
    expect(t.state('email:a@x.test')).toMatchObject({ failed: 0, inFlight: 0 });
  });

  it('forgets a key a window after its last failure', () => {
    const t = new SignInThrottle();
    for (const tk of reserveAll(t, 5).tickets) t.fail(tk, 0);
    expect(t.reserve(keys, 500).ok).toBe(false);
    const later = P.windowMs;
    const r = t.reserve(keys, later);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.ticket.failedBefore.get('email:a@x.test')).toBe(0);
  });
});
