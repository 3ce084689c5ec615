import type { Clock } from '../../core/clock';
import {
  assertLeaseOutlastsInterval,
  LeaseRetry,
  retryTimersOf,
  type JobLease,
  type RetryTimers,
} from '../../core/lease';
import type { CleanupReport } from '../../../shared/schemas/governance.schema';
import type { GovernanceService } from './governance.service';

/**
 * The timer functions the scheduler uses; tests pass their own and fire ticks by hand. The
 * one-shot pair is the lease's early retry (core/lease.ts; none given: the ticks alone).
 */
export interface IntervalTimers extends Partial<RetryTimers> {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const nodeTimers: IntervalTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    // A pending cleanup must never keep the process alive on shutdown.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export const DEFAULT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export interface RetentionSchedulerOptions {
  governance: Pick<GovernanceService, 'runCleanup'>;
  clock: Clock;
  intervalMs?: number;
  timers?: IntervalTimers;
  onReport?: (report: CleanupReport) => void;
  onError?: (err: unknown) => void;
  /**
   * SCALE-2: the job's lease (`RETENTION_LEASE`); a tick runs the pass only while this process
   * holds it, so the cleanup runs in one replica at a time. None: every tick runs (one process).
   */
  lease?: JobLease;
}

/** The retention cleanup's lease name, the same in every replica. */
export const RETENTION_LEASE = 'retention-cleanup';

/**
 * GOV-3 "on a schedule": runs the retention cleanup for every account at a fixed interval.
 * The composition root starts it (`new RetentionScheduler({...}).start()`) and stops it on
 * shutdown; each batch is its own short transaction, so a tick never holds the database long.
 */
export class RetentionScheduler {
  private handle: unknown = null;
  /** The pass in flight: one at a time (a slow pass is not overlapped by the next tick). */
  private inFlight: Promise<CleanupReport | null> | null = null;
  private readonly intervalMs: number;
  private readonly timers: IntervalTimers;
  private readonly retry: LeaseRetry;

  constructor(private readonly o: RetentionSchedulerOptions) {
    this.intervalMs = o.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0)
      throw new RangeError('intervalMs must be a positive number of milliseconds');
    assertLeaseOutlastsInterval(o.lease, this.intervalMs);
    this.timers = o.timers ?? nodeTimers;
    this.retry = new LeaseRetry(retryTimersOf(o.timers), () => {
      if (this.handle !== null) void this.tick();
    });
  }

  get running(): boolean {
    return this.handle !== null;
  }

  start(): void {
    if (this.handle !== null) return;
    // tick() never rejects (it reports errors), so nothing is left unhandled.
    this.handle = this.timers.setInterval(() => void this.tick(), this.intervalMs);
    // Under a lease the first attempt is at start: a replica that finds the job held learns when
    // the holder's lease runs out, and so takes over within its TTL should the holder die.
    if (this.o.lease) void this.tick();
  }

  stop(): void {
    if (this.handle === null) return;
    this.timers.clearInterval(this.handle);
    this.handle = null;
    this.retry.cancel();
  }

  /**
   * Stops ticking, waits for a pass in flight, and gives the lease up so another replica takes
   * the job at its next tick (`release: false` leaves it to run out, as a killed process does).
   */
  async shutdown(opts: { release?: boolean } = {}): Promise<void> {
    this.stop();
    await this.settled();
    if (opts.release !== false) await this.o.lease?.release();
  }

  /**
   * One cleanup pass now (or the one already running); an error is reported, never thrown into
   * the timer. The pass is a series of short units of work, so requests run between its batches.
   */
  tick(): Promise<CleanupReport | null> {
    this.inFlight ??= this.pass().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Resolves once no pass is running (shutdown waits for it before closing the database). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async pass(): Promise<CleanupReport | null> {
    try {
      if (this.o.lease) {
        const verdict = await this.o.lease.attempt(this.intervalMs);
        if (this.handle !== null) this.retry.follow(verdict);
        // Another replica holds the job: nothing to do here until its lease runs out.
        if (!verdict.run) return null;
      }
      const report = await this.o.governance.runCleanup(this.o.clock.now());
      this.o.onReport?.(report);
      return report;
    } catch (err) {
      if (this.o.onError) this.o.onError(err);
      else console.error('Retention cleanup failed:', err);
      return null;
    }
  }
}
