import {
  assertLeaseOutlastsInterval,
  LeaseRetry,
  retryTimersOf,
  type JobLease,
} from '../../core/lease';
import type { SnapshotReport } from '../../../shared/schemas/fleet.schema';
import type { IntervalTimers } from '../governance/retention-scheduler';
import type { FleetSnapshots } from './fleet-snapshots';

const nodeTimers: IntervalTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    // A pending snapshot must never keep the process alive on shutdown.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * How often the scheduler looks whether this hour's snapshot is taken. Shorter than the hour on
 * purpose: a timer started at 10:47 with an hour's period drifts, and could tick twice in one
 * hour and skip the next. Checking every 10 minutes costs one indexed lookup per account when
 * the snapshot exists, and takes it within 10 minutes of the hour when it does not.
 */
export const SNAPSHOT_CHECK_INTERVAL_MS = 10 * 60 * 1000;

export interface SnapshotSchedulerOptions {
  snapshots: Pick<FleetSnapshots, 'take'>;
  intervalMs?: number;
  timers?: IntervalTimers;
  onReport?: (report: SnapshotReport) => void;
  onError?: (err: unknown) => void;
  /** SCALE-2: the job's lease (`SNAPSHOT_LEASE`): only its holder takes snapshots. */
  lease?: JobLease;
}

/** The fleet snapshots' lease name, the same in every replica. */
export const SNAPSHOT_LEASE = 'fleet-snapshots';

/**
 * UI-12: takes the hourly health snapshots. `start()` takes one at once (a server that was down
 * fills the current hour as soon as it is back) and then checks every 10 minutes; ticks never
 * overlap, and each is idempotent per hour (FleetSnapshots.take).
 */
export class SnapshotScheduler {
  private handle: unknown = null;
  private running: Promise<SnapshotReport | null> | null = null;
  private readonly intervalMs: number;
  private readonly timers: IntervalTimers;
  private readonly retry: LeaseRetry;

  constructor(private readonly o: SnapshotSchedulerOptions) {
    this.intervalMs = o.intervalMs ?? SNAPSHOT_CHECK_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0)
      throw new RangeError('intervalMs must be a positive number of milliseconds');
    assertLeaseOutlastsInterval(o.lease, this.intervalMs);
    this.timers = o.timers ?? nodeTimers;
    this.retry = new LeaseRetry(retryTimersOf(o.timers), () => {
      if (this.handle !== null) void this.tick();
    });
  }

  get started(): boolean {
    return this.handle !== null;
  }

  start(): void {
    if (this.handle !== null) return;
    this.handle = this.timers.setInterval(() => void this.tick(), this.intervalMs);
    void this.tick();
  }

  stop(): void {
    if (this.handle === null) return;
    this.timers.clearInterval(this.handle);
    this.handle = null;
    this.retry.cancel();
  }

  /** Stops, waits for a check in flight, and gives the lease up (unless `release: false`). */
  async shutdown(opts: { release?: boolean } = {}): Promise<void> {
    this.stop();
    await this.running;
    if (opts.release !== false) await this.o.lease?.release();
  }

  /** One check now (joining one already under way); an error is reported, never thrown. */
  tick(): Promise<SnapshotReport | null> {
    if (this.running) return this.running;
    const lease = this.o.lease;
    const run = (lease ? lease.attempt(this.intervalMs) : Promise.resolve(null))
      .then(async (verdict) => {
        if (verdict && this.handle !== null) this.retry.follow(verdict);
        // Another replica holds the job: it takes this hour's snapshot.
        if (verdict && !verdict.run) return null;
        const report = await this.o.snapshots.take();
        this.o.onReport?.(report);
        return report;
      })
      .catch((err: unknown) => {
        if (this.o.onError) this.o.onError(err);
        else console.error('Fleet snapshot failed:', err);
        return null;
      })
      .finally(() => {
        this.running = null;
      });
    this.running = run;
    return run;
  }
}
