// ORG-2 sort by host counts: the per-org status counts of organization_host_counts (migration
// 0008) are kept by triggers on every host write, evaluated at the row's `as_of`; what no write
// announces is time itself moving a host across a threshold (online → offline five minutes after
// its last heartbeat, offline → stale after thirty days). Each row says when that can first
// happen (`next_change_at`); this job re-counts the rows that are due, at the app's clock, and
// computes their next change. It is idempotent, so replicas running it at once do no harm.
//
// Infrastructure, not a service (issue 14: it keeps its raw connection on purpose): it is the
// triggers' counterpart (raw prepared statements, like a migration step), it also runs on
// connections that have no unit of work (desktop/export's copy of the database, the review's
// writable copy), and on the live database it runs from a timer, a turn of its own, so never
// inside an open unit of work (those span microtasks only). A PostgreSQL backend brings its own.
import type Database from 'better-sqlite3';
import type { Db } from '../../db/database';
import {
  HOST_COUNTS_REFRESH_MS,
  ONLINE_WITHIN_MS,
  STALE_AFTER_MS,
} from '../../../shared/constants';
import type { JobLease } from '../../core/lease';
import type { IntervalTimers } from '../governance/retention-scheduler';

/** Rows re-counted per transaction: one tick never holds the database long. */
const BATCH = 500;
/**
 * Up to this age of `as_of`, no host can cross both thresholds between `as_of` and now, so the
 * re-count only counts the hosts that crossed one (a few index entries), not the whole org.
 */
const DELTA_WINDOW_MS = STALE_AFTER_MS - ONLINE_WITHIN_MS;

interface Kept {
  hosts: number;
  online: number;
  offline: number;
  stale: number;
  as_of: number;
}

interface Statements {
  due: Database.Statement<[number, number], { id: number }>;
  kept: Database.Statement<[number], Kept>;
  crossed: Database.Statement<Record<string, number>, { r1: number; r2: number; r3: number }>;
  full: Database.Statement<Record<string, number>, { offline: number; stale: number }>;
  next: Database.Statement<
    Record<string, number>,
    { online: number | null; offline: number | null; never: number | null }
  >;
  /** By the set of counts that changed: an index is rewritten only when its count changed. */
  setCounts: Map<string, Database.Statement<Record<string, number | null>>>;
  setTimes: Database.Statement<Record<string, number | null>>;
}

function prepare(sqlite: Database.Database): Statements {
  const count = (where: string) =>
    `(SELECT count(*) FROM hosts WHERE organization_id = :id AND ${where})`;
  const first = (column: string, where: string) =>
    `(SELECT ${column} FROM hosts WHERE organization_id = :id AND ${where} ORDER BY ${column} LIMIT 1)`;
  return {
    due: sqlite.prepare(
      `SELECT organization_id AS id FROM organization_host_counts
       WHERE next_change_at IS NOT NULL AND next_change_at <= ? ORDER BY next_change_at LIMIT ?`,
    ),
    kept: sqlite.prepare(
      `SELECT hosts, online, offline, stale, as_of FROM organization_host_counts
       WHERE organization_id = ?`,
    ),
    // The hosts that crossed a threshold between as_of (A) and now (N), as ranges of
    // hosts_org_seen_idx: online → offline (last seen in [A-5 min, N-5 min)), offline → stale
    // (in [A-30 d, N-30 d)), never seen offline → stale (registered in [A-30 d, N-30 d)).
    crossed: sqlite.prepare(
      `SELECT ${count('last_seen_at >= :asOfOnline AND last_seen_at < :onlineSince')} AS r1,
         ${count('last_seen_at >= :asOfStale AND last_seen_at < :staleBefore')} AS r2,
         ${count('last_seen_at IS NULL AND registered_at >= :asOfStale AND registered_at < :staleBefore')} AS r3`,
    ),
    // The statuses at now from scratch, as disjoint ranges (as hostStatsFor counts them).
    full: sqlite.prepare(
      `SELECT ${count('last_seen_at >= :staleBefore AND last_seen_at < :onlineSince')}
           + ${count('last_seen_at IS NULL AND registered_at >= :staleBefore')} AS offline,
         ${count('last_seen_at < :staleBefore')}
           + ${count('last_seen_at IS NULL AND registered_at < :staleBefore')} AS stale`,
    ),
    // Each status's earliest host at now: its change comes first.
    next: sqlite.prepare(
      `SELECT ${first('last_seen_at', 'last_seen_at >= :onlineSince')} AS online,
         ${first('last_seen_at', 'last_seen_at >= :staleBefore AND last_seen_at < :onlineSince')} AS offline,
         ${first('registered_at', 'last_seen_at IS NULL AND registered_at >= :staleBefore')} AS never`,
    ),
    setCounts: new Map(),
    // Many re-counts find no host crossed (the due time is a lower bound): then only the times
    // change, and the count indexes are left alone.
    setTimes: sqlite.prepare(
      `UPDATE organization_host_counts SET as_of = :now, next_change_at = :next
       WHERE organization_id = :id`,
    ),
  };
}

export class HostStatusCounts {
  // Prepared on first use: a read-only connection (an export under review) never refreshes.
  private q: Statements | null = null;

  constructor(private readonly db: Pick<Db, '$client'>) {}

  private get s(): Statements {
    return (this.q ??= prepare(this.db.$client));
  }

  /**
   * Re-counts every org whose counts are due at `now` (at most `maxRows`), in batches of their
   * own transactions; answers how many it re-counted.
   */
  refreshDue(now: number, maxRows = Number.POSITIVE_INFINITY): number {
    let done = 0;
    while (done < maxRows) {
      const n = this.db.$client.transaction(() => {
        const ids = this.s.due.all(now, Math.min(BATCH, maxRows - done));
        for (const { id } of ids) this.refreshOne(id, now);
        return ids.length;
      })();
      done += n;
      if (n < BATCH) break;
    }
    return done;
  }

  private refreshOne(id: number, now: number): void {
    const kept = this.s.kept.get(id);
    if (!kept) return;
    const onlineSince = now - ONLINE_WITHIN_MS;
    const staleBefore = now - STALE_AFTER_MS;
    let { online, offline, stale } = kept;
    const age = now - kept.as_of;
    if (age >= 0 && age <= DELTA_WINDOW_MS) {
      // The counts are the statuses at as_of (the triggers keep them so): move the crossers.
      const c = this.s.crossed.get({
        id,
        onlineSince,
        staleBefore,
        asOfOnline: kept.as_of - ONLINE_WITHIN_MS,
        asOfStale: kept.as_of - STALE_AFTER_MS,
      })!;
      online -= c.r1;
      offline += c.r1 - c.r2 - c.r3;
      stale += c.r2 + c.r3;
    } else {
      // Long ago (or after the clock stepped back): from scratch.
      const f = this.s.full.get({ id, onlineSince, staleBefore })!;
      offline = f.offline;
      stale = f.stale;
      online = kept.hosts - offline - stale;
    }
    // The first change after now: the oldest online host goes offline, the oldest offline one
    // goes stale, the oldest never-seen one goes stale (the first instant past each threshold).
    const n = this.s.next.get({ id, onlineSince, staleBefore })!;
    const candidates = [
      n.online === null ? null : n.online + ONLINE_WITHIN_MS + 1,
      n.offline === null ? null : n.offline + STALE_AFTER_MS + 1,
      n.never === null ? null : n.never + STALE_AFTER_MS + 1,
    ].filter((t): t is number => t !== null);
    const next = candidates.length ? Math.min(...candidates) : null;
    const values = { online, offline, stale };
    const changed = (['online', 'offline', 'stale'] as const).filter((k) => values[k] !== kept[k]);
    if (changed.length === 0) {
      this.s.setTimes.run({ id, now, next });
      return;
    }
    // SQLite rewrites the index entries of every column a SET names (two indexes per count):
    // only the counts that changed are named.
    const key = changed.join();
    let statement = this.s.setCounts.get(key);
    if (!statement) {
      statement = this.db.$client.prepare(
        `UPDATE organization_host_counts SET ${changed.map((k) => `${k} = :${k}`).join(', ')},
           as_of = :now, next_change_at = :next WHERE organization_id = :id`,
      );
      this.s.setCounts.set(key, statement);
    }
    statement.run({ id, now, next, ...Object.fromEntries(changed.map((k) => [k, values[k]])) });
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
const TICK_ROWS = BATCH;

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
       * SCALE-2: the job's lease (`HOST_COUNTS_LEASE`): only its holder re-counts. Without one,
       * a tick re-counts at once (synchronously, as before: one process).
       */
      lease?: JobLease;
    },
  ) {}

  start(): void {
    if (this.handle !== null) return;
    this.handle = (this.o.timers ?? nodeTimers).setInterval(
      () => void this.tick(),
      this.o.intervalMs ?? HOST_COUNTS_REFRESH_MS,
    );
    void this.tick();
  }

  stop(): void {
    if (this.handle === null) return;
    (this.o.timers ?? nodeTimers).clearInterval(this.handle);
    this.handle = null;
  }

  /** Stops, waits for a leased tick in flight, and gives the lease up (unless `release: false`). */
  async shutdown(opts: { release?: boolean } = {}): Promise<void> {
    this.stop();
    await this.running;
    if (opts.release !== false) await this.o.lease?.release();
  }

  /**
   * One pass now; an error is reported, never thrown into the timer. With a lease, the pass runs
   * once the lease is taken (the promise says how many orgs it re-counted; 0 while another
   * replica holds it); without, it runs before this returns.
   */
  tick(): number | Promise<number> {
    const lease = this.o.lease;
    if (!lease) return this.pass();
    if (this.running) return this.running;
    const run = lease
      .take()
      .then((held) => (held ? this.pass() : 0))
      .catch((err: unknown) => {
        this.report(err);
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    this.running = run;
    return run;
  }

  private report(err: unknown): void {
    if (this.o.onError) this.o.onError(err);
    else console.error('Host status counts refresh failed:', err);
  }

  private pass(): number {
    try {
      const n = this.o.counts.refreshDue(this.o.clock.now(), TICK_ROWS);
      if (n === TICK_ROWS && this.handle !== null) {
        (this.o.defer ?? ((fn) => void setImmediate(fn)))(() => {
          if (this.handle !== null) void this.tick();
        });
      }
      return n;
    } catch (err) {
      this.report(err);
      return 0;
    }
  }
}
