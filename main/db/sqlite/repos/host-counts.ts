// ORG-2's re-count on SQLite (HostCountsRepo): the statements that were
// features/hosts/host-status-counts.ts's, moved here unchanged (issue 15), raw prepared
// statements beside the triggers of migrations 0008/0009 that keep the counts on every host
// write. Also synchronous (`refreshHostCountsNow`) for the desktop export's copies of the
// database, which have no unit of work.
import type Database from 'better-sqlite3';
import {
  HOST_COUNTS_BATCH,
  changedCounts,
  countBounds,
  countsByDelta,
  countsFromScratch,
  countsMoved,
  nextChangeAt,
  type KeptCounts,
} from '../../../features/hosts/host-counts';
import type { HostCountsRepo } from '../../../features/hosts/host-counts.repo';

interface Statements {
  due: Database.Statement<[number, number], { id: number }>;
  kept: Database.Statement<[number], KeptCounts>;
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

export class SqliteHostCountsRepo implements HostCountsRepo {
  // Prepared on first use: a read-only connection (an export under review) never refreshes.
  private q: Statements | null = null;

  constructor(private readonly sqlite: Database.Database) {}

  private get s(): Statements {
    return (this.q ??= prepare(this.sqlite));
  }

  async refreshDue(now: number, limit: number): Promise<number> {
    return this.refreshDueNow(now, limit);
  }

  /** refreshDue, synchronous, in the caller's transaction (refreshHostCountsNow's batches). */
  refreshDueNow(now: number, limit: number): number {
    const ids = this.s.due.all(now, limit);
    for (const { id } of ids) this.refreshOne(id, now);
    return ids.length;
  }

  private refreshOne(id: number, now: number): void {
    const kept = this.s.kept.get(id);
    if (!kept) return;
    const b = countBounds(kept, now);
    const values = countsByDelta(kept, now)
      ? countsMoved(kept, this.s.crossed.get({ id, ...b })!)
      : countsFromScratch(
          kept,
          this.s.full.get({ id, onlineSince: b.onlineSince, staleBefore: b.staleBefore })!,
        );
    const next = nextChangeAt(
      this.s.next.get({ id, onlineSince: b.onlineSince, staleBefore: b.staleBefore })!,
    );
    const changed = changedCounts(kept, values);
    if (changed.length === 0) {
      this.s.setTimes.run({ id, now, next });
      return;
    }
    // SQLite rewrites the index entries of every column a SET names (two indexes per count):
    // only the counts that changed are named.
    const key = changed.join();
    let statement = this.s.setCounts.get(key);
    if (!statement) {
      statement = this.sqlite.prepare(
        `UPDATE organization_host_counts SET ${changed.map((k) => `${k} = :${k}`).join(', ')},
           as_of = :now, next_change_at = :next WHERE organization_id = :id`,
      );
      this.s.setCounts.set(key, statement);
    }
    statement.run({ id, now, next, ...Object.fromEntries(changed.map((k) => [k, values[k]])) });
  }
}

/**
 * Every org due at `now`, re-counted on a connection with no unit of work (the desktop
 * export's copy of the database, the review's writable copy), in transactions of
 * HOST_COUNTS_BATCH orgs; how many.
 */
export function refreshHostCountsNow(sqlite: Database.Database, now: number): number {
  const repo = new SqliteHostCountsRepo(sqlite);
  let done = 0;
  for (;;) {
    const n = sqlite.transaction(() => repo.refreshDueNow(now, HOST_COUNTS_BATCH))();
    done += n;
    if (n < HOST_COUNTS_BATCH) return done;
  }
}
