// SCALE-2: one process at a time runs each scheduled job (retention cleanup, support expiry,
// fleet snapshots, host counts refresh), under a named lease row in `worker_leases`. Every replica
// runs the same schedulers; at each tick a scheduler takes or renews its job's lease and runs the
// pass only while it holds it. The holder renews at every tick, so it keeps the job; a killed
// holder stops renewing and its lease runs out after `ttlMs`.
//
// Takeover within the TTL (issue 15 target): a replica refused the lease learns, from the same
// attempt, when the holder's lease runs out, and tries again right then (plus a small jittered
// margin) instead of at its next tick, which could come up to an interval later. So after a kill
// another replica holds the job at most the dead holder's remaining TTL + margin later. The
// decision is `nextLeaseAttempt`, a pure function; LeaseRetry is its one-shot timer.
//
// A holder whose renewal returned only after the lease it wrote had already run out (a long GC
// pause, a slow statement) does not run the pass: another replica may hold the job by then.
// Job steps stay idempotent anyway (claims, per-hour keys), so the brief overlap of a holder
// whose pass outlived its lease is harmless.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from './clock';
import type { LeaseRepo, LeaseState } from './lease.repo';
import type { UnitOfWork } from './uow';

/** This process's name on its leases: readable in the table, unique per start. */
export const defaultLeaseHolder = (): string =>
  `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface JobLeaseDeps {
  uow: UnitOfWork<{ leases: LeaseRepo }>;
  clock: Clock;
  /** The job's name, the same in every replica (`retention-cleanup`, …). */
  name: string;
  holder: string;
  /**
   * How long a taken lease lasts without renewal: longer than the job's interval (the holder
   * renews it at every tick), and the time a killed holder's job waits before another takes it.
   */
  ttlMs: number;
  /** The retry's jitter, in [0, 1): Math.random unless a test fixes it. */
  random?: () => number;
}

/** After the holder's expiry, how long a refused replica waits at least before trying again. */
export const LEASE_RETRY_MARGIN_MS = 50;
/**
 * Spread on top of the margin (uniform), so N refused replicas do not all try at one instant:
 * the retry falls in [expiry + 50 ms, expiry + 250 ms).
 */
export const LEASE_RETRY_JITTER_MS = 200;

export interface LeaseAttemptFacts {
  /** What the lease row said after the attempt (LeaseRepo.attempt). */
  state: LeaseState;
  /** This process's clock once the attempt returned. */
  now: number;
  /** The job's regular tick: the holder renews at each, a refused replica tries at each. */
  intervalMs: number;
  /** In [0, 1): where in the jitter the retry falls. */
  jitter: number;
}

/**
 * What a scheduler does after one attempt at its job's lease: run the pass or not, and whether to
 * try again before its next regular tick (`retryInMs`, from now; null: the next tick will do).
 */
export type LeaseVerdict =
  | { run: true; retryInMs: null; reason: string }
  | { run: false; retryInMs: number | null; reason: string };

export function nextLeaseAttempt(f: LeaseAttemptFacts): LeaseVerdict {
  const { state, now, intervalMs } = f;
  const margin = LEASE_RETRY_MARGIN_MS + Math.floor(f.jitter * LEASE_RETRY_JITTER_MS);
  if (state.taken) {
    if (now < state.expiresAt) {
      return {
        run: true,
        retryInMs: null,
        reason: `held until ${state.expiresAt}; renewed at the next tick, ${state.expiresAt - now - intervalMs} ms before it would run out`,
      };
    }
    // Our own lease ran out while the statement that wrote it was under way: another replica may
    // hold the job already. Try again at once: the attempt tells who holds it now.
    return {
      run: false,
      retryInMs: margin,
      reason: `the renewal returned ${now - state.expiresAt} ms after the lease it wrote ran out (a pause or a slow statement): not running past it`,
    };
  }
  if (state.expiresAt === null) {
    return {
      run: false,
      retryInMs: null,
      reason: 'held by another replica (its expiry not read): the next tick tries again',
    };
  }
  // The holder's clock wrote the expiry; ours decides the takeover (`expires_at <= now`), so a
  // retry at the expiry itself could find it not yet due: hence the margin.
  const wait = Math.max(0, state.expiresAt - now) + margin;
  if (wait >= intervalMs) {
    return {
      run: false,
      retryInMs: null,
      reason: `held by ${state.holder} until ${state.expiresAt}: the next tick comes first`,
    };
  }
  return {
    run: false,
    retryInMs: wait,
    reason: `held by ${state.holder} until ${state.expiresAt}: trying again ${wait} ms from now, when it runs out (before the next tick)`,
  };
}

export class JobLease {
  constructor(private readonly d: JobLeaseDeps) {
    if (!Number.isFinite(d.ttlMs) || d.ttlMs <= 0) {
      throw new RangeError('ttlMs must be a positive number of milliseconds');
    }
  }

  get name(): string {
    return this.d.name;
  }

  get holder(): string {
    return this.d.holder;
  }

  get ttlMs(): number {
    return this.d.ttlMs;
  }

  /**
   * Takes or renews the lease (one short write) and decides, at the clock once it returned,
   * whether to run the pass and when to try again (`nextLeaseAttempt`).
   */
  async attempt(intervalMs: number): Promise<LeaseVerdict> {
    const now = this.d.clock.now();
    const state = await this.d.uow.write((r) =>
      r.leases.attempt(this.d.name, this.d.holder, now, now + this.d.ttlMs),
    );
    return nextLeaseAttempt({
      state,
      now: this.d.clock.now(),
      intervalMs,
      jitter: (this.d.random ?? Math.random)(),
    });
  }

  /** Takes or renews the lease; false while another process holds it (or it ran out meanwhile). */
  async take(): Promise<boolean> {
    return (await this.attempt(Number.POSITIVE_INFINITY)).run;
  }

  /**
   * Gives it up (a clean shutdown), so another replica takes the job at its next attempt (its
   * tick, or its retry at the expiry it last read, whichever comes first).
   */
  async release(): Promise<void> {
    await this.d.uow.write((r) => r.leases.release(this.d.name, this.d.holder));
  }
}

/** The lease of a job with this interval: a tick and a half, so one late tick does not lose it. */
export const leaseTtlFor = (intervalMs: number): number => Math.ceil(intervalMs * 1.5);

/**
 * A job's lease must outlast its interval, or the holder would lose it between two renewals and
 * every tick would be a takeover: a scheduler checks it when it is built.
 */
export function assertLeaseOutlastsInterval(lease: JobLease | undefined, intervalMs: number): void {
  if (lease && !(lease.ttlMs > intervalMs)) {
    throw new RangeError(
      `the ${lease.name} lease's ttlMs (${lease.ttlMs}) must exceed the job's interval (${intervalMs} ms): use leaseTtlFor(intervalMs)`,
    );
  }
}

/** The one-shot timer a scheduler's early retry uses; tests pass their own, or none. */
export interface RetryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const nodeRetryTimers: RetryTimers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    // A pending retry must never keep the process alive on shutdown.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A scheduler's early retry of its lease (at most one pending): armed from a verdict's
 * `retryInMs`, replaced by the next verdict, cancelled on stop. Without timers (a test firing
 * ticks by hand with interval timers only) it arms nothing.
 */
export class LeaseRetry {
  private handle: unknown = null;

  constructor(
    private readonly timers: RetryTimers | null,
    private readonly fire: () => void,
  ) {}

  follow(verdict: LeaseVerdict): void {
    this.cancel();
    if (verdict.retryInMs === null || !this.timers) return;
    this.handle = this.timers.setTimeout(() => {
      this.handle = null;
      this.fire();
    }, verdict.retryInMs);
  }

  cancel(): void {
    if (this.handle === null) return;
    this.timers?.clearTimeout(this.handle);
    this.handle = null;
  }
}

/** The retry timers of a scheduler given `timers`: theirs when they have one-shot ones. */
export const retryTimersOf = (timers: Partial<RetryTimers> | undefined): RetryTimers | null =>
  timers === undefined
    ? nodeRetryTimers
    : timers.setTimeout && timers.clearTimeout
      ? (timers as RetryTimers)
      : null;
