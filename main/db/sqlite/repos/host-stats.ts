import { sql, type SQL } from 'drizzle-orm';
import { allCached } from '../../cached-query';
import type { Db } from '../../database';
import { hosts, organizationHostCounts } from '../../schema';
import {
  ONLINE_WITHIN_MS,
  STALE_AFTER_MS,
  type HostStatus,
} from '../../../../shared/schemas/hosts.schema';
import type { HostStats } from '../../../../shared/schemas/organizations.schema';

// The host-status SQL on SQLite (issue 14: moved here from features/hosts/ with the hosts
// conversion): the hosts page filters by it, and the organizations and fleet repositories count
// host health with it.

/**
 * The SQL twin of hostStatus() in shared/ (AGT-3): each status as disjoint ranges of the covering
 * index (organization_id, last_seen_at, registered_at), every host in exactly one. Ranges rather
 * than a CASE, so SQLite seeks them instead of testing every host of the org.
 */
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
 * Host health per org for one page of orgs. Summing a CASE over every host evaluates per row
 * (13.8 ms for a page holding an org of 100,000 hosts), and so does GROUP BY over an IN list.
 * Instead: the total is the trigger-kept organization_host_counts row, offline and stale are
 * plain count(*)s over their ranges (statusRanges), per org, as correlated subqueries, and
 * online is what is left, so its (usually large) range is never walked (1.4 ms for that page).
 */
export function hostStatsFor(db: Db, orgIds: number[], now: number): Map<number, HostStats> {
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
  const rows = allCached<{ org: number; total: number; offline: number; stale: number }>(
    db,
    sql`SELECT ids.value AS org,
      coalesce((SELECT ${organizationHostCounts.hosts} FROM ${organizationHostCounts}
        WHERE ${organizationHostCounts.organizationId} = ids.value), 0) AS total,
      ${counted(ranges.offline)} AS offline,
      ${counted(ranges.stale)} AS stale
    FROM json_each(${JSON.stringify(orgIds)}) AS ids`,
  );
  for (const r of rows) {
    out.set(r.org, {
      online: r.total - r.offline - r.stale,
      offline: r.offline,
      stale: r.stale,
      total: r.total,
    });
  }
  return out;
}
