// A job on an interval under a lease (SCALE-2): the support-access expiry and any other periodic
// pass that needs nothing more. Ticks never overlap in a process; the lease keeps them to one
// process across replicas (core/lease.ts). Under a lease the first attempt is at start, so a
// replica that finds the job held learns at once when to take it over.
import {
  assertLeaseOutlastsInterval,
  LeaseRetry,
  retryTimersOf,
  type JobLease,
  type RetryTimers,
} from './lease';

/**
 * The timer functions a job uses; tests pass their own and fire ticks by hand. The one-shot
 * pair is the lease's early retry (none given: no early retry, the ticks alone).
 */
export interface JobTimers extends Partial<RetryTimers> {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

const nodeTimers: JobTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    // A pending pass must never keep the process alive on shutdown.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export interface PeriodicJobOptions {
  run: () => Promise<unknown>;
  intervalMs: number;
  /** Only the holder runs the pass; none: every tick runs (one process). */
  lease?: JobLease;
  timers?: JobTimers;
  onError?: (err: unknown) => void;
}

export class PeriodicJob {
  private handle: unknown = null;
  private running: Promise<boolean> | null = null;
  private readonly timers: JobTimers;
  private readonly retry: LeaseRetry;

  constructor(private readonly o: PeriodicJobOptions) {
    if (!Number.isFinite(o.intervalMs) || o.intervalMs <= 0)
      throw new RangeError('intervalMs must be a positive number of milliseconds');
    assertLeaseOutlastsInterval(o.lease, o.intervalMs);
    this.timers = o.timers ?? nodeTimers;
    this.retry = new LeaseRetry(retryTimersOf(o.timers), () => {
      if (this.handle !== null) void this.tick();
    });
  }

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timers.setInterval(() => void this.tick(), this.o.intervalMs);
    if (this.o.lease) void this.tick();
  }

  stop(): void {
    if (this.handle === null) return;
    this.timers.clearInterval(this.handle);
    this.handle = null;
    this.retry.cancel();
  }

  /** Stops, waits for a pass in flight, and gives the lease up (unless `release: false`). */
  async shutdown(opts: { release?: boolean } = {}): Promise<void> {
    this.stop();
    await this.running;
    if (opts.release !== false) await this.o.lease?.release();
  }

  /** One pass now (or the one under way): whether this process ran it. Never rejects. */
  tick(): Promise<boolean> {
    this.running ??= this.pass().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<boolean> {
    try {
      if (this.o.lease) {
        const verdict = await this.o.lease.attempt(this.o.intervalMs);
        // Stopped meanwhile: no retry left behind.
        if (this.handle !== null) this.retry.follow(verdict);
        if (!verdict.run) return false;
      }
      await this.o.run();
      return true;
    } catch (err) {
      if (this.o.onError) this.o.onError(err);
      else console.error('Scheduled job failed:', err);
      return false;
    }
  }
}
