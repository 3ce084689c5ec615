// UI-11's host order on SQLite (moved unchanged from hosts.service.ts with the hosts conversion,
// issue 14): each sort is segments of one index, walked forward or backward.
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { hosts } from '../../schema';
import { STALE_AFTER_MS, type HostSortKey } from '../../../../shared/schemas/hosts.schema';
import type { SortOrder } from '../../../../shared/schemas/common.schema';

/** One stretch of a sorted host list: the hosts `where` picks, in the order of one index. */
export interface HostSegment {
  where: SQL | null;
  orderBy: SQL[];
}

export const nocase = sql`${hosts.hostname} COLLATE NOCASE`;

/**
 * UI-11: hosts.list's order as segments, each one index walked forward or backward; a page is
 * cut across them (ascending; descending is the exact reverse, segment by segment).
 * - hostname: ignoring (ASCII) case, then id (hosts_org_hostname_nocase_idx);
 * - ip: by address, IPv4 first (hosts_org_ip_idx over ip_key);
 * - last_seen: never seen first, then by time, registration, id (hosts_org_seen_idx);
 * - status: online, offline, stale (AGT-3), in each the most recently seen first and never-seen
 *   hosts after the seen ones (latest registered first). Statuses are ranges of
 *   hosts_org_seen_idx, so the order is four ranges of it: seen online or offline (newest first),
 *   never seen and offline, seen and stale, never seen and stale;
 * - location: by location name (`locationOrder`, the org's locations already in name order),
 *   then hostname (hosts_location_hostname_idx).
 */
export function hostSortSegments(
  sort: HostSortKey,
  order: SortOrder,
  now: number,
  locationOrder: number[],
): HostSegment[] {
  const down = order === 'desc';
  const by = (column: SQL | typeof hosts.id, descending: boolean) =>
    descending ? desc(column) : asc(column);
  const seen = sql`${hosts.lastSeenAt}`;
  const registered = sql`${hosts.registeredAt}`;
  switch (sort) {
    case 'hostname':
      return [{ where: null, orderBy: [by(nocase, down), by(hosts.id, down)] }];
    case 'ip':
      return [{ where: null, orderBy: [by(sql`${hosts.ipKey}`, down), by(hosts.id, down)] }];
    case 'last_seen':
      return [{ where: null, orderBy: [by(seen, down), by(registered, down), by(hosts.id, down)] }];
    case 'status': {
      const staleBefore = now - STALE_AFTER_MS;
      // Ascending here means newest first inside each status: descending index walks.
      const newest = [by(seen, !down), by(registered, !down), by(hosts.id, !down)];
      const newestNever = [by(registered, !down), by(hosts.id, !down)];
      const segments: HostSegment[] = [
        { where: sql`${seen} >= ${staleBefore}`, orderBy: newest },
        {
          where: and(isNull(hosts.lastSeenAt), sql`${registered} >= ${staleBefore}`)!,
          orderBy: newestNever,
        },
        { where: sql`${seen} < ${staleBefore}`, orderBy: newest },
        {
          where: and(isNull(hosts.lastSeenAt), sql`${registered} < ${staleBefore}`)!,
          orderBy: newestNever,
        },
      ];
      return down ? segments.reverse() : segments;
    }
    case 'location': {
      const segments = locationOrder.map((id) => ({
        where: eq(hosts.locationId, id),
        orderBy: [by(nocase, down), by(hosts.id, down)],
      }));
      return down ? segments.reverse() : segments;
    }
  }
}
