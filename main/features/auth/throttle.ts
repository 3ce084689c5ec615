// Sign-in throttling per account (email) and per client address (and, with the same mechanism,
// second-factor codes per user). An attempt is *reserved* before the password hash runs (scrypt
// takes tens of milliseconds, and attempts arriving together must not all see the same empty
// count), so at most `free` failures are ever evaluated however they arrive: one after another,
// in parallel, batched, or spread over replicas. SCALE-2: the counts live in the database
// (`sign_in_throttle`, DatabaseThrottleStore), each reservation and each conclusion its own short
// write outside the password check, so every process on one database shares them and a restart
// resets nothing. `decide` is the whole policy, pure; the stores only keep states.
import type { SignInThrottleRow } from '../../domain/rows';
import type { UnitOfWork } from '../../core/uow';
import type { ThrottleRepo } from './throttle.repo';

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
  /**
   * Reservations in flight count until this time only: a process killed mid-check never
   * concludes its reservations, and they must not lock the key for good. Unset: no limit.
   */
  inFlightUntil?: number;
}

/** Longer than any password check (scrypt: tens of ms; a slow disk or a busy machine: seconds). */
export const IN_FLIGHT_TTL_MS = 60_000;

export type ThrottleVerdict =
  { allow: true } | { allow: false; retryAfterMs: number; key: string; reason: string };

/** The reservations of a key still counted at `now` (those past `inFlightUntil` are not). */
const inFlightAt = (s: KeyState, now: number): number =>
  s.inFlightUntil !== undefined && s.inFlightUntil <= now ? 0 : s.inFlight;

const live = (s: KeyState | undefined, now: number, p: ThrottlePolicy): KeyState | undefined =>
  s &&
  (inFlightAt(s, now) > 0 || s.until > now || (s.failed > 0 && now - s.lastFailAt < p.windowMs))
    ? s
    : undefined;

/** When a key is forgotten if nothing happens to it: its row's `expires_at`. */
export const forgottenAt = (s: KeyState, p: ThrottlePolicy): number =>
  Math.max(
    s.until,
    s.failed > 0 ? s.lastFailAt + p.windowMs : 0,
    s.inFlight > 0 ? (s.inFlightUntil ?? Infinity) : 0,
  );

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
    const inFlight = inFlightAt(s, now);
    if (s.until > now) refuse(key, s.until - now, 'locked after repeated failures');
    else if (s.failed < policy.free) {
      if (s.failed + inFlight >= policy.free) {
        refuse(key, policy.baseMs, 'the remaining attempts are being checked');
      }
    } else if (inFlight > 0) refuse(key, policy.baseMs, 'one attempt at a time after a lockout');
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
  /** When it was reserved: a conclusion after its reservations expired changes no count in flight. */
  readonly reservedAt: number;
  settled: boolean;
}

export type Reservation =
  { ok: true; ticket: SignInTicket } | { ok: false; retryAfterMs: number; reason: string };

/**
 * Where the throttle keeps its states. `change` runs `step` over the states of `keys` (a key
 * without one is absent from the map) as one atomic change: `step` sets, changes or deletes
 * entries in place, and the store keeps what is left. `step` is pure and may run more than once
 * (a database write retried after a serialization failure): it answers only through its result.
 */
export interface ThrottleStore {
  change<T>(
    keys: readonly string[],
    now: number,
    step: (states: Map<string, KeyState>) => T,
  ): Promise<T>;
}

const MAX_KEYS = 100_000;

/**
 * One process's states, in memory: for tests of the policy and for a throttle nothing else
 * shares. Bounded without a reset an attacker could force: forgotten keys go first, then the
 * least recently touched ones that have nothing in flight.
 */
export class MemoryThrottleStore implements ThrottleStore {
  // Insertion order is recency order (a touched key is re-inserted): eviction drops the oldest.
  private readonly keys = new Map<string, KeyState>();

  async change<T>(
    keys: readonly string[],
    now: number,
    step: (states: Map<string, KeyState>) => T,
  ): Promise<T> {
    const states = new Map<string, KeyState>();
    for (const k of keys) {
      const s = this.keys.get(k);
      if (s) states.set(k, { ...s });
    }
    const result = step(states);
    for (const k of keys) {
      this.keys.delete(k);
      const s = states.get(k);
      if (s) this.keys.set(k, s);
    }
    this.evict(now);
    return result;
  }

  /** For tests and diagnostics. */
  state(key: string): Readonly<KeyState> | undefined {
    return this.keys.get(key);
  }

  private evict(now: number): void {
    if (this.keys.size <= MAX_KEYS) return;
    for (const [k, s] of this.keys) {
      if (this.keys.size <= MAX_KEYS * 0.9) break;
      if (inFlightAt(s, now) === 0 && s.until <= now) this.keys.delete(k);
    }
  }
}

/** Rows past their `expires_at` deleted by each throttle write: more than any write creates. */
const PURGE_PER_WRITE = 8;

/**
 * SCALE-2: the states in `sign_in_throttle`, each change one short write of its own (never
 * around the password check). Every process on the database sees the same counts; forgotten
 * keys are deleted as they are written, and expired rows are purged a few per write, so the
 * table holds about the keys live in the last window.
 */
export class DatabaseThrottleStore implements ThrottleStore {
  constructor(
    private readonly uow: UnitOfWork<{ throttle: ThrottleRepo }>,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  change<T>(
    keys: readonly string[],
    now: number,
    step: (states: Map<string, KeyState>) => T,
  ): Promise<T> {
    return this.uow.write(async (r) => {
      const rows = await r.throttle.lockKeys(keys);
      const states = new Map<string, KeyState>(
        rows.map((row) => [
          row.key,
          {
            failed: row.failed,
            inFlight: row.inFlight,
            inFlightUntil: row.inFlightUntil,
            lastFailAt: row.lastFailAt,
            until: row.lockedUntil,
          },
        ]),
      );
      const result = step(states);
      const save: SignInThrottleRow[] = [];
      const forget: string[] = [];
      for (const k of keys) {
        const s = states.get(k);
        if (!s) {
          // Deleted whether or not it had a row (PostgreSQL's lockKeys leaves a placeholder).
          forget.push(k);
          continue;
        }
        save.push({
          key: k,
          failed: s.failed,
          inFlight: s.inFlight,
          inFlightUntil: s.inFlightUntil ?? 0,
          lastFailAt: s.lastFailAt,
          lockedUntil: s.until,
          expiresAt: forgottenAt(s, this.policy),
        });
      }
      await r.throttle.saveKeys(save, forget);
      await r.throttle.purgeExpired(now, PURGE_PER_WRITE);
      return result;
    });
  }
}

export class SignInThrottle {
  private readonly policy: ThrottlePolicy;
  private readonly store: ThrottleStore;

  constructor(policy: Partial<ThrottlePolicy> = {}, store?: ThrottleStore) {
    this.policy = { ...DEFAULT_THROTTLE_POLICY, ...policy };
    this.store = store ?? new MemoryThrottleStore();
  }

  /** Reserves an attempt under all of these keys, or says how long to wait. */
  reserve(keys: readonly string[], now: number): Promise<Reservation> {
    return this.store.change(keys, now, (states): Reservation => {
      const current = new Map(keys.map((k) => [k, live(states.get(k), now, this.policy)]));
      const verdict = decide(current, now, this.policy);
      if (!verdict.allow) {
        this.forgetDead(states, now);
        return { ok: false, retryAfterMs: verdict.retryAfterMs, reason: verdict.reason };
      }
      const failedBefore = new Map<string, number>();
      for (const k of keys) {
        const s = current.get(k) ?? { failed: 0, inFlight: 0, lastFailAt: 0, until: 0 };
        const next: KeyState = {
          ...s,
          inFlight: inFlightAt(s, now) + 1,
          inFlightUntil: now + IN_FLIGHT_TTL_MS,
        };
        failedBefore.set(k, s.failed);
        states.set(k, next);
      }
      return {
        ok: true,
        ticket: { keys: [...keys], failedBefore, reservedAt: now, settled: false },
      };
    });
  }

  /** The password was wrong (or the account unknown or inactive): it counts under every key. */
  fail(ticket: SignInTicket, now: number): Promise<void> {
    return this.settle(ticket, now, (s) => {
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
  succeed(ticket: SignInTicket, clear: readonly string[], now = ticket.reservedAt): Promise<void> {
    return this.settle(ticket, now, (s, key) => {
      if (!clear.includes(key)) return;
      s.failed = Math.max(0, s.failed - (ticket.failedBefore.get(key) ?? 0));
      if (s.failed < this.policy.free) s.until = 0;
    });
  }

  /** The check did not conclude (an unexpected error): the reservation is returned unused. */
  release(ticket: SignInTicket, now = ticket.reservedAt): Promise<void> {
    return this.settle(ticket, now, () => {});
  }

  private async settle(
    ticket: SignInTicket,
    now: number,
    apply: (s: KeyState, key: string) => void,
  ): Promise<void> {
    if (ticket.settled) return;
    ticket.settled = true;
    await this.store.change(ticket.keys, now, (states) => {
      for (const k of ticket.keys) {
        const s = states.get(k) ?? { failed: 0, inFlight: 1, lastFailAt: 0, until: 0 };
        // A reservation past its time no longer counts, and is not taken back twice.
        const expired = s.inFlightUntil !== undefined && s.inFlightUntil <= now;
        s.inFlight = expired ? 0 : Math.max(0, s.inFlight - 1);
        apply(s, k);
        states.set(k, s);
      }
      this.forgetDead(states, now);
    });
  }

  /** Keys with nothing left to remember are deleted (a success on a clean key leaves no row). */
  private forgetDead(states: Map<string, KeyState>, now: number): void {
    for (const [k, s] of states) if (!live(s, now, this.policy)) states.delete(k);
  }
}
