// The host-status SQL on PostgreSQL: the twin of main/db/sqlite/repos/host-stats.ts (the hosts
// page filters by it, the organizations and fleet repositories count host health with it).
import { sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import {
  ONLINE_WITHIN_MS,
  STALE_AFTER_MS,
  type HostStatus,
} from '../../../../shared/schemas/hosts.schema';
import type { HostStats } from '../../../../shared/schemas/organizations.schema';
import { hosts, organizationHostCounts } from '../schema';
import { idArray, int8 } from './sql-helpers';

/** hostStatus() (AGT-3) as disjoint ranges of hosts_org_seen_idx, as on SQLite. */
export function statusRanges(now: number): Record<HostStatus, SQL[]> {
  const onlineSince = now - ONLINE_WITHIN_MS;
  const staleBefore = now - STALE_AFTER_MS;
  const seen = hosts.lastSeenAt;
  const registered = hosts.registeredAt;
  return {
    online: [sql`${seen} >= ${onlineSince}`],
    offline: [
      sql`${seen} >= ${staleBefore} AND ${seen} < ${onlineSince}`,
      sql`${seen} IS NULL AND ${registered} >= ${staleBefore}`,
    ],
    stale: [sql`${seen} < ${staleBefore}`, sql`${seen} IS NULL AND ${registered} < ${staleBefore}`],
  };
}

/** The hosts in `status` at `now`, as a WHERE condition. */
export function statusFilter(status: HostStatus, now: number): SQL {
  return sql`(${sql.join(
    statusRanges(now)[status].map((range) => sql`(${range})`),
    sql` OR `,
  )})`;
}

/**
 * Host health per org for one page of orgs, as on SQLite: the total from the trigger-kept
 * counts, offline and stale as count(*)s over their ranges, online what is left. Raw SQL: the
 * ids are an unnest of one array parameter (SQLite's json_each), which the builder does not spell.
 */
export async function hostStatsFor(
  db: NodePgDatabase,
  orgIds: number[],
  now: number,
): Promise<Map<number, HostStats>> {
  const out = new Map<number, HostStats>();
  if (orgIds.length === 0) return out;
  const ranges = statusRanges(now);
  const counted = (parts: SQL[]) =>
    sql.join(
      parts.map(
        (where) =>
          sql`(SELECT count(*) FROM ${hosts} WHERE ${hosts.organizationId} = ids.value AND ${where})`,
      ),
      sql` + `,
    );
  const { rows } = await db.execute<{ org: string; total: string; offline: string; stale: string }>(
    sql`SELECT ids.value AS org,
      coalesce((SELECT ${organizationHostCounts.hosts} FROM ${organizationHostCounts}
        WHERE ${organizationHostCounts.organizationId} = ids.value), 0) AS total,
      ${counted(ranges.offline)} AS offline,
      ${counted(ranges.stale)} AS stale
    FROM unnest(${idArray(orgIds)}) WITH ORDINALITY AS ids(value, n)
    ORDER BY ids.n`,
  );
  for (const row of rows) {
    const [org, total, offline, stale] = [row.org, row.total, row.offline, row.stale].map(int8);
    out.set(org!, {
      online: total! - offline! - stale!,
      offline: offline!,
      stale: stale!,
      total: total!,
    });
  }
  return out;
}
