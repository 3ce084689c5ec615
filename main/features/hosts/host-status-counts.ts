// ORG-2 sort by host counts: the per-org status counts of organization_host_counts (migration
// 0008) are kept by triggers on every host write, evaluated at the row's `as_of`; what no write
// announces is time itself moving a host across a threshold (online → offline five minutes after
// its last heartbeat, offline → stale after thirty days). Each row says when that can first
// happen (`next_change_at`); this job re-counts the rows that are due, at the app's clock, and
// computes their next change. It is idempotent, so replicas running it at once do no harm.
//
// A service over the unit of work (issue 15): the re-count is a repository method
// (HostCountsRepo, one adapter per engine), one write per batch. The desktop export's copies of
// the database, which have no unit of work, use the SQLite adapter's refreshHostCountsNow.
import { HOST_COUNTS_REFRESH_MS } from '../../../shared/constants';
import {
  assertLeaseOutlastsInterval,
  LeaseRetry,
  retryTimersOf,
  type JobLease,
} from '../../core/lease';
import type { UnitOfWork } from '../../core/uow';
import type { Repos } from '../../repos';
import type { IntervalTimers } from '../governance/retention-scheduler';
import { HOST_COUNTS_BATCH } from './host-counts';

export class HostStatusCounts {
  constructor(private readonly uow: Pick<UnitOfWork<Pick<Repos, 'hostCounts'>>, 'write'>) {}

  /**
   * Re-counts every org whose counts are due at `now` (at most `maxRows`), in batches of their
   * own transactions; answers how many it re-counted.
   */
  async refreshDue(now: number, maxRows = Number.POSITIVE_INFINITY): Promise<number> {
    let done = 0;
    while (done < maxRows) {
      const limit = Math.min(HOST_COUNTS_BATCH, maxRows - done);
      const n = await this.uow.write((r) => r.hostCounts.refreshDue(now, limit));
      done += n;
      if (n < HOST_COUNTS_BATCH) break;
    }
    return done;
  }
}

const nodeTimers: IntervalTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    // A pending refresh must never keep the process alive on shutdown.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * Orgs re-counted before a tick lets other work run (it continues right after): one batch, tens
 * of milliseconds at 100,000 orgs.
 */
const TICK_ROWS = HOST_COUNTS_BATCH;

/**
 * Runs the refresh every HOST_COUNTS_REFRESH_MS (and once at start, which after an upgrade
 * re-counts every org): the composition roots start it and stop it on shutdown. A long pass
 * (many orgs due at once) yields to requests every TICK_ROWS orgs and goes on.
 */
/** The host counts refresh's lease name, the same in every replica. */
export const HOST_COUNTS_LEASE = 'host-counts-refresh';

export class HostCountsScheduler {
  private handle: unknown = null;
  private running: Promise<number> | null = null;
  private readonly retry: LeaseRetry;

  constructor(
    private readonly o: {
      counts: HostStatusCounts;
      clock: { now(): number };
      timers?: IntervalTimers;
      /** How a long pass continues after yielding (setImmediate). */
      defer?: (fn: () => void) => void;
      intervalMs?: number;
      onError?: (err: unknown) => void;
      /**
       * SCALE-2: the job's lease (`HOST_COUNTS_LEASE`): only its holder re-counts (0 while
       * another replica holds it). Without one, every tick re-counts (one process).
       */
      lease?: JobLease;
    },
  ) {
    assertLeaseOutlastsInterval(o.lease, this.intervalMs);
    this.retry = new LeaseRetry(retryTimersOf(o.timers), () => {
      if (this.handle !== null) void this.tick();
    });
  }

  private get intervalMs(): number {
    return this.o.intervalMs ?? HOST_COUNTS_REFRESH_MS;
  }

  /** Starts the timer and the pass at start; the promise settles when that pass has ended. */
  start(): Promise<number> {
    if (this.handle !== null) return this.idle();
    this.handle = (this.o.timers ?? nodeTimers).setInterval(
      () => void this.tick(),
      this.intervalMs,
    );
    return this.tick();
  }

  /** Settles when the pass under way (if any) has ended: tests and shutdown wait on it. */
  idle(): Promise<number> {
    return this.running ?? Promise.resolve(0);
  }

  stop(): void {
    if (this.handle === null) return;
    (this.o.timers ?? nodeTimers).clearInterval(this.handle);
    this.handle = null;
    this.retry.cancel();
  }

  /** Stops, waits for a pass in flight, and gives the lease up (unless `release: false`). */
  async shutdown(opts: { release?: boolean } = {}): Promise<void> {
    this.stop();
    await this.idle();
    if (opts.release !== false) await this.o.lease?.release();
  }

  /**
   * One pass now (none while one is under way: the timer may fire during a long one); an error
   * is reported, never thrown into the timer.
   */
  tick(): Promise<number> {
    if (this.running) return this.running;
    const pass = this.pass().finally(() => {
      if (this.running === pass) this.running = null;
    });
    this.running = pass;
    return pass;
  }

  private async pass(): Promise<number> {
    try {
      if (this.o.lease) {
        const verdict = await this.o.lease.attempt(this.intervalMs);
        if (this.handle !== null) this.retry.follow(verdict);
        // Another replica holds the job (or ours ran out before the renewal returned).
        if (!verdict.run) return 0;
      }
      const n = await this.o.counts.refreshDue(this.o.clock.now(), TICK_ROWS);
      if (n === TICK_ROWS && this.handle !== null) {
        (this.o.defer ?? ((fn) => void setImmediate(fn)))(() => {
          if (this.handle !== null) void this.tick();
        });
      }
      return n;
    } catch (err) {
      if (this.o.onError) this.o.onError(err);
      else console.error('Host status counts refresh failed:', err);
      return 0;
    }
  }
}
