// ORG-2's re-count on PostgreSQL (HostCountsRepo): the twin of
// main/db/sqlite/repos/host-counts.ts, the same ranges of hosts_org_seen_idx and the same
// arithmetic (features/hosts/host-counts.ts), over the transaction's connection. Raw statements
// through `tx.query`, whose pool parses int8 (count(*), epoch ms) to numbers.
import {
  changedCounts,
  countBounds,
  countsByDelta,
  countsFromScratch,
  countsMoved,
  nextChangeAt,
  type KeptCounts,
} from '../../../features/hosts/host-counts';
import type { HostCountsRepo } from '../../../features/hosts/host-counts.repo';
import type { PgTx } from '../uow';

const count = (where: string) =>
  `(SELECT count(*) FROM hosts WHERE organization_id = $1 AND ${where})`;
const first = (column: string, where: string) =>
  `(SELECT ${column} FROM hosts WHERE organization_id = $1 AND ${where} ORDER BY ${column} LIMIT 1)`;

const DUE = `SELECT organization_id AS id FROM organization_host_counts
  WHERE next_change_at IS NOT NULL AND next_change_at <= $1 ORDER BY next_change_at LIMIT $2`;
const KEPT = `SELECT hosts, online, offline, stale, as_of FROM organization_host_counts
  WHERE organization_id = $1`;
// $2 onlineSince, $3 staleBefore, $4 asOfOnline, $5 asOfStale (as on SQLite).
const CROSSED = `SELECT ${count('last_seen_at >= $4 AND last_seen_at < $2')} AS r1,
  ${count('last_seen_at >= $5 AND last_seen_at < $3')} AS r2,
  ${count('last_seen_at IS NULL AND registered_at >= $5 AND registered_at < $3')} AS r3`;
const FULL = `SELECT ${count('last_seen_at >= $3 AND last_seen_at < $2')}
    + ${count('last_seen_at IS NULL AND registered_at >= $3')} AS offline,
  ${count('last_seen_at < $3')} + ${count('last_seen_at IS NULL AND registered_at < $3')} AS stale`;
const NEXT = `SELECT ${first('last_seen_at', 'last_seen_at >= $2')} AS online,
  ${first('last_seen_at', 'last_seen_at >= $3 AND last_seen_at < $2')} AS offline,
  ${first('registered_at', 'last_seen_at IS NULL AND registered_at >= $3')} AS never`;

export class PgHostCountsRepo implements HostCountsRepo {
  constructor(private readonly tx: PgTx) {}

  async refreshDue(now: number, limit: number): Promise<number> {
    const { rows } = await this.tx.query<{ id: number }>(DUE, [now, limit]);
    for (const { id } of rows) await this.refreshOne(Number(id), now);
    return rows.length;
  }

  private async one<T>(text: string, params: unknown[]): Promise<T> {
    const { rows } = await this.tx.query(text, params);
    return rows[0] as T;
  }

  private async refreshOne(id: number, now: number): Promise<void> {
    const kept = await this.one<KeptCounts | undefined>(KEPT, [id]);
    if (!kept) return;
    const b = countBounds(kept, now);
    // count(*) is int8: numbers through the pool's parser (main/db/pg/database.ts).
    const values = countsByDelta(kept, now)
      ? countsMoved(
          kept,
          await this.one(CROSSED, [id, b.onlineSince, b.staleBefore, b.asOfOnline, b.asOfStale]),
        )
      : countsFromScratch(kept, await this.one(FULL, [id, b.onlineSince, b.staleBefore]));
    const next = nextChangeAt(await this.one(NEXT, [id, b.onlineSince, b.staleBefore]));
    const changed = changedCounts(kept, values);
    // Only the counts that changed are set (as on SQLite; on PostgreSQL any SET of an indexed
    // column already rules out a HOT update, so this keeps the two engines' statements alike).
    const sets = [
      ...changed.map((k, i) => `${k} = $${i + 4}`),
      'as_of = $2',
      'next_change_at = $3',
    ];
    await this.tx.query(
      `UPDATE organization_host_counts SET ${sets.join(', ')} WHERE organization_id = $1`,
      [id, now, next, ...changed.map((k) => values[k])],
    );
  }
}
