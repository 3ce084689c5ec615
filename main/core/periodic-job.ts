// A job on an interval under a lease (SCALE-2): the support-access expiry and any other periodic
// pass that needs nothing more. Ticks never overlap in a process; the lease keeps them to one
// process across replicas (core/lease.ts).
import type { JobLease } from './lease';

/** The timer functions a job uses; tests pass their own and fire ticks by hand. */
export interface JobTimers {
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

  constructor(private readonly o: PeriodicJobOptions) {
    if (!Number.isFinite(o.intervalMs) || o.intervalMs <= 0)
      throw new RangeError('intervalMs must be a positive number of milliseconds');
    this.timers = o.timers ?? nodeTimers;
  }

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timers.setInterval(() => void this.tick(), this.o.intervalMs);
  }

  stop(): void {
    if (this.handle === null) return;
    this.timers.clearInterval(this.handle);
    this.handle = null;
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
      if (this.o.lease && !(await this.o.lease.take())) return false;
      await this.o.run();
      return true;
    } catch (err) {
      if (this.o.onError) this.o.onError(err);
      else console.error('Scheduled job failed:', err);
      return false;
    }
  }
}
