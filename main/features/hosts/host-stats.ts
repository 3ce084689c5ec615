import { inArray, sql } from 'drizzle-orm';
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

/** Host health per org for one page of orgs: one grouped, index-covered query. */
export function hostStatsFor(db: Db, orgIds: number[], now: number): Map<number, HostStats> {
  const out = new Map<number, HostStats>();
  if (orgIds.length === 0) return out;
  const onlineSince = now - ONLINE_WITHIN_MS;
  const staleBefore = now - STALE_AFTER_MS;
  const rows = db
    .select({
      orgId: hosts.organizationId,
      total: sql<number>`count(*)`,
      online: sql<number>`sum(${hosts.lastSeenAt} >= ${onlineSince})`,
      stale: sql<number>`sum(coalesce(${hosts.lastSeenAt}, ${hosts.registeredAt}) < ${staleBefore})`,
    })
    .from(hosts)
    .where(inArray(hosts.organizationId, orgIds))
    .groupBy(hosts.organizationId)
    .all();
  for (const id of orgIds) out.set(id, { ...EMPTY });
  for (const r of rows) {
    const online = Number(r.online ?? 0);
    const stale = Number(r.stale ?? 0);
    out.set(r.orgId, { online, stale, offline: r.total - online - stale, total: r.total });
  }
  return out;
}
