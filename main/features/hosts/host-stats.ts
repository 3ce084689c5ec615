import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/database';
import { hosts } from '../../db/schema';
import { ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../../../shared/schemas/hosts.schema';
import type { HostStats } from '../../../shared/schemas/organizations.schema';

const EMPTY: HostStats = { online: 0, offline: 0, stale: 0, total: 0 };

/** The SQL twin of hostStatus() in shared/: online, offline, stale from last-seen (AGT-3). */
export function statusCase(now: number) {
  const onlineSince = now - ONLINE_WITHIN_MS;
  const staleBefore = now - STALE_AFTER_MS;
  return sql<'online' | 'offline' | 'stale'>`CASE
    WHEN ${hosts.lastSeenAt} >= ${onlineSince} THEN 'online'
    WHEN ${hosts.lastSeenAt} < ${staleBefore} THEN 'stale'
    WHEN ${hosts.lastSeenAt} IS NULL AND ${hosts.registeredAt} < ${staleBefore} THEN 'stale'
    ELSE 'offline' END`;
}

// The ranges hostStatsFor counts, by the `kind` column of its rows.
const TOTAL = 0;
const SEEN_BEFORE_WINDOW = 1;
const SEEN_LONG_AGO = 2;
const NEVER_SEEN = 3;
const NEVER_SEEN_OLD = 4;

/**
 * Host health per org for one page of orgs. Summing a CASE over every host walks each org's whole
 * index range and evaluates per row (12 ms for an org of 100,000 hosts); instead, each figure is a
 * plain count over a range of the covering index (organization_id, last_seen_at, registered_at),
 * and only the total walks all of an org's hosts. Online is what is left: total minus the hosts
 * last seen before the window minus those never seen.
 */
export function hostStatsFor(db: Db, orgIds: number[], now: number): Map<number, HostStats> {
  const out = new Map<number, HostStats>();
  if (orgIds.length === 0) return out;
  for (const id of orgIds) out.set(id, { ...EMPTY });
  const onlineSince = now - ONLINE_WITHIN_MS;
  const staleBefore = now - STALE_AFTER_MS;
  const ids = sql.join(
    orgIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const range = (kind: number, where: SQL) =>
    sql`SELECT ${hosts.organizationId} AS org, ${kind} AS kind, count(*) AS n FROM ${hosts}
        WHERE ${hosts.organizationId} IN (${ids}) AND ${where} GROUP BY ${hosts.organizationId}`;
  const rows = db.all<{ org: number; kind: number; n: number }>(
    sql.join(
      [
        range(TOTAL, sql`1`),
        range(SEEN_BEFORE_WINDOW, sql`${hosts.lastSeenAt} < ${onlineSince}`),
        range(SEEN_LONG_AGO, sql`${hosts.lastSeenAt} < ${staleBefore}`),
        range(NEVER_SEEN, sql`${hosts.lastSeenAt} IS NULL`),
        range(
          NEVER_SEEN_OLD,
          sql`${hosts.lastSeenAt} IS NULL AND ${hosts.registeredAt} < ${staleBefore}`,
        ),
      ],
      sql` UNION ALL `,
    ),
  );
  const counts = new Map<number, number[]>();
  for (const r of rows) {
    const c = counts.get(r.org) ?? [0, 0, 0, 0, 0];
    c[r.kind] = r.n;
    counts.set(r.org, c);
  }
  for (const [org, [total, seenBefore, longAgo, never, neverOld]] of counts) {
    const online = total! - seenBefore! - never!;
    const stale = longAgo! + neverOld!;
    out.set(org, { online, stale, offline: total! - online - stale, total: total! });
  }
  return out;
}
