// UI-11's host order on PostgreSQL: main/db/sqlite/repos/hosts-sql.ts with lower() for NOCASE
// (ASCII folding under "C", the hostname indexes' expression) and NULLs placed as SQLite places
// them (ip_key and last_seen_at are nullable).
import { and, asc, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { STALE_AFTER_MS, type HostSortKey } from '../../../../shared/schemas/hosts.schema';
import type { SortOrder } from '../../../../shared/schemas/common.schema';
import { hosts } from '../schema';
import { byNullable } from './sql-helpers';

export interface HostSegment {
  where: SQL | null;
  orderBy: SQL[];
}

/** SQLite's `hostname COLLATE NOCASE`: the expression of hosts_org_hostname_nocase_idx. */
export const nocase = sql`lower(${hosts.hostname})`;

/** hosts.list's order as segments (see hostSortSegments on SQLite for each sort). */
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
      return [{ where: null, orderBy: [byNullable(hosts.ipKey, down), by(hosts.id, down)] }];
    case 'last_seen':
      return [
        {
          where: null,
          orderBy: [byNullable(seen, down), by(registered, down), by(hosts.id, down)],
        },
      ];
    case 'status': {
      const staleBefore = now - STALE_AFTER_MS;
      // Inside these segments last_seen_at is never NULL (or always): plain directions.
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
