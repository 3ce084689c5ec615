// Sign-in throttling per account (email) and per client address. An attempt is *reserved* before
// the password hash runs (scrypt takes tens of milliseconds, and attempts arriving together must
// not all see the same empty count), so at most `free` failures are ever evaluated however they
// arrive: one after another, in parallel, or batched. Memory only for now: a restart resets it
// (SCALE-2 moves it to a table); `decide` is the whole policy, pure, so a store can reuse it.

export interface ThrottlePolicy {
  /** Failed attempts evaluated before the first lockout. */
  free: number;
  /** The first lockout; each failure past `free` doubles it. */
  baseMs: number;
  maxMs: number;
  /** A key with no failure for this long (and no lockout, nothing in flight) is forgotten. */
  windowMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  free: 5,
  baseMs: 1000,
  maxMs: 15 * 60 * 1000,
  windowMs: 15 * 60 * 1000,
};

/** What the throttle knows about one key (an email or an address). */
export interface KeyState {
  /** Failures concluded in the current window. */
  failed: number;
  /** Attempts reserved whose password check has not concluded yet. */
  inFlight: number;
  lastFailAt: number;
  /** No attempt is evaluated before this time (0: no lockout). */
  until: number;
}

export type ThrottleVerdict =
  { allow: true } | { allow: false; retryAfterMs: number; key: string; reason: string };

const live = (s: KeyState | undefined, now: number, p: ThrottlePolicy): KeyState | undefined =>
  s && (s.inFlight > 0 || s.until > now || now - s.lastFailAt < p.windowMs) ? s : undefined;

/**
 * May one more attempt under these keys be evaluated now? Each key allows an attempt while its
 * concluded failures plus those in flight stay under `free`; past that, only one attempt at a
 * time, once its lockout has run out. A refusal says how long to wait (at least `baseMs` while
 * the attempts in flight have not concluded).
 */
export function decide(
  states: ReadonlyMap<string, KeyState | undefined>,
  now: number,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): ThrottleVerdict {
  let refusal: Extract<ThrottleVerdict, { allow: false }> | null = null;
  const refuse = (key: string, retryAfterMs: number, reason: string) => {
    if (!refusal || retryAfterMs > refusal.retryAfterMs)
      refusal = { allow: false, retryAfterMs, key, reason };
  };
  for (const [key, raw] of states) {
    const s = live(raw, now, policy);
    if (!s) continue;
    if (s.until > now) refuse(key, s.until - now, 'locked after repeated failures');
    else if (s.failed < policy.free) {
      if (s.failed + s.inFlight >= policy.free) {
        refuse(key, policy.baseMs, 'the remaining attempts are being checked');
      }
    } else if (s.inFlight > 0) refuse(key, policy.baseMs, 'one attempt at a time after a lockout');
  }
  return refusal ?? { allow: true };
}

/** The lockout after `failed` concluded failures: none below `free`, then base, 2×base, … */
export function lockoutMs(
  failed: number,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): number {
  if (failed < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failed - policy.free));
}

/** A reserved attempt; settle it exactly once (fail, succeed or release). */
export interface SignInTicket {
  readonly keys: readonly string[];
  /** Per key, the failures concluded when this attempt was reserved. */
  readonly failedBefore: ReadonlyMap<string, number>;
  settled: boolean;
}

export type Reservation =
  { ok: true; ticket: SignInTicket } | { ok: false; retryAfterMs: number; reason: string };

const MAX_KEYS = 100_000;

export class SignInThrottle {
  private readonly policy: ThrottlePolicy;
  // Insertion order is recency order (a touched key is re-inserted): eviction drops the oldest.
  private readonly keys = new Map<string, KeyState>();

  constructor(policy: Partial<ThrottlePolicy> = {}) {
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
  }

  /** Reserves an attempt under all of these keys, or says how long to wait. */
  reserve(keys: readonly string[], now: number): Reservation {
    const states = new Map(keys.map((k) => [k, live(this.keys.get(k), now, this.policy)]));
    const verdict = decide(states, now, this.policy);
    if (!verdict.allow) {
      return { ok: false, retryAfterMs: verdict.retryAfterMs, reason: verdict.reason };
    }
    const failedBefore = new Map<string, number>();
    for (const k of keys) {
      const s = states.get(k) ?? { failed: 0, inFlight: 0, lastFailAt: 0, until: 0 };
      s.inFlight++;
      failedBefore.set(k, s.failed);
      this.touch(k, s);
    }
    this.evict(now);
    return { ok: true, ticket: { keys: [...keys], failedBefore, settled: false } };
  }

  /** The password was wrong (or the account unknown or inactive): it counts under every key. */
  fail(ticket: SignInTicket, now: number): void {
    this.settle(ticket, (s) => {
      s.failed++;
      s.lastFailAt = now;
      const lock = lockoutMs(s.failed, this.policy);
      if (lock > 0) s.until = now + lock;
    });
  }

  /**
   * The password was right. Under the keys in `clear` (the account's own: its owner proved the
   * password) the failures concluded *before* this attempt was reserved are forgiven; those
   * reserved beside it still count when they conclude. Other keys (the address) keep theirs:
   * signing in to one's own account must not make room for guesses at someone else's.
   */
  succeed(ticket: SignInTicket, clear: readonly string[]): void {
    this.settle(ticket, (s, key) => {
      if (!clear.includes(key)) return;
      s.failed = Math.max(0, s.failed - (ticket.failedBefore.get(key) ?? 0));
      if (s.failed < this.policy.free) s.until = 0;
    });
  }

  /** The check did not conclude (an unexpected error): the reservation is returned unused. */
  release(ticket: SignInTicket): void {
    this.settle(ticket, () => {});
  }

  /** For tests and diagnostics. */
  state(key: string): Readonly<KeyState> | undefined {
    return this.keys.get(key);
  }

  private settle(ticket: SignInTicket, apply: (s: KeyState, key: string) => void): void {
    if (ticket.settled) return;
    ticket.settled = true;
    for (const k of ticket.keys) {
      const s = this.keys.get(k) ?? { failed: 0, inFlight: 1, lastFailAt: 0, until: 0 };
      s.inFlight = Math.max(0, s.inFlight - 1);
      apply(s, k);
      this.touch(k, s);
    }
  }

  private touch(key: string, s: KeyState): void {
    this.keys.delete(key);
    this.keys.set(key, s);
  }

  /**
   * Bounded memory without a reset an attacker could force: forgotten keys go first, then the
   * least recently touched ones that have nothing in flight (a flood of new keys from one
   * address is stopped by that address's own key long before this matters).
   */
  private evict(now: number): void {
    if (this.keys.size <= MAX_KEYS) return;
    for (const [k, s] of this.keys) {
      if (this.keys.size <= MAX_KEYS * 0.9) break;
      if (!live(s, now, this.policy) || s.inFlight === 0) this.keys.delete(k);
    }
  }
}
