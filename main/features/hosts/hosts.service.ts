import { and, asc, count, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { DomainError, conflict } from '../../core/errors';
import type { Db } from '../../db/database';
import { hosts, locations } from '../../db/schema';
import {
  STALE_AFTER_MS,
  hostStatus,
  listHostsInput,
  type HostSortKey,
  moveHostInput,
  type Host,
  type HostIdentityReset,
  type RemovedHost,
} from '../../../shared/schemas/hosts.schema';
import type { Page, SortOrder } from '../../../shared/schemas/common.schema';
import type { LocationMatcherCache } from '../locations/location-matcher';
import { statusFilter } from './host-stats';

export interface HostsDeps {
  db: Db;
  clock: Clock;
  access: AccessService;
  audit: AuditLog;
  matchers: LocationMatcherCache;
}

type HostRow = typeof hosts.$inferSelect;

/** One stretch of a sorted host list: the hosts `where` picks, in the order of one index. */
export interface HostSegment {
  where: SQL | null;
  orderBy: SQL[];
}

const nocase = sql`${hosts.hostname} COLLATE NOCASE`;

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

export class HostsService {
  constructor(private readonly d: HostsDeps) {}

  toHost(row: HostRow): Host {
    return {
      id: row.id,
      organization_id: row.organizationId,
      location_id: row.locationId,
      hostname: row.hostname,
      ip: row.ip,
      agent_type: row.agentType,
      status: hostStatus(row.lastSeenAt, row.registeredAt, this.d.clock.now()),
      pinned: row.pinned,
      registered_at: iso(row.registeredAt),
      last_seen_at: isoOrNull(row.lastSeenAt),
    };
  }

  private locate(actor: Actor, id: number, ...perms: Parameters<AccessService['requireOrg']>[2][]) {
    const row = this.d.db.select().from(hosts).where(eq(hosts.id, id)).get();
    return this.d.access.requireInOrg(actor, 'Host', id, row, ...perms);
  }

  /**
   * AGT-4 page, sorted server-side (UI-11, hostSortSegments). `search` matches a part of the
   * hostname ignoring case, or the start of the IP (canonical text, so ignoring case too): both
   * literal, wildcards included.
   */
  list(actor: Actor, raw: z.input<typeof listHostsInput>): Page<Host> {
    const input = listHostsInput.parse(raw);
    this.d.access.requireOrg(actor, input.organization_id);
    const now = this.d.clock.now();
    const where: SQL[] = [eq(hosts.organizationId, input.organization_id)];
    if (input.location_id) where.push(eq(hosts.locationId, input.location_id));
    if (input.status) where.push(statusFilter(input.status, now));
    if (input.search) {
      const term = input.search.toLowerCase();
      where.push(
        or(
          sql`instr(lower(${hosts.hostname}), ${term}) > 0`,
          sql`substr(lower(${hosts.ip}), 1, ${term.length}) = ${term}`,
        )!,
      );
    }
    const filter = and(...where);
    const segments = hostSortSegments(
      input.sort,
      input.order,
      now,
      input.sort === 'location' ? this.locationOrder(input.organization_id) : [],
    );
    return this.d.db.transaction(() => {
      // One segment: its count is the total. Several: each is counted, and the page cut across.
      const counts = segments.map(
        (seg) =>
          this.d.db
            .select({ n: count() })
            .from(hosts)
            .where(seg.where ? and(filter, seg.where) : filter)
            .get()?.n ?? 0,
      );
      const total = counts.reduce((a, b) => a + b, 0);
      const rows: HostRow[] = [];
      let skip = input.skip;
      for (const [i, seg] of segments.entries()) {
        if (rows.length >= input.limit) break;
        if (skip >= counts[i]!) {
          skip -= counts[i]!;
          continue;
        }
        rows.push(
          ...this.d.db
            .select()
            .from(hosts)
            .where(seg.where ? and(filter, seg.where) : filter)
            .orderBy(...seg.orderBy)
            .limit(input.limit - rows.length)
            .offset(skip)
            .all(),
        );
        skip = 0;
      }
      return { items: rows.map((r) => this.toHost(r)), total };
    });
  }

  /** The org's locations by name (their name keys), for the sort by location. */
  private locationOrder(orgId: number): number[] {
    return this.d.db
      .select({ id: locations.id })
      .from(locations)
      .where(eq(locations.organizationId, orgId))
      .orderBy(asc(locations.nameKey), asc(locations.id))
      .all()
      .map((l) => l.id);
  }

  get(actor: Actor, id: number): Host {
    return this.toHost(this.locate(actor, id).row);
  }

  /** AGT-4: a hand move pins the host so automatic assignment leaves it alone. */
  move(actor: Actor, raw: z.input<typeof moveHostInput>): Host {
    const input = moveHostInput.parse(raw);
    const { row, org } = this.locate(actor, input.id, 'hosts.manage');
    const target = this.d.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.id, input.location_id), eq(locations.organizationId, org.id)))
      .get();
    if (!target) {
      throw new DomainError(
        'NOT_FOUND',
        `Location ${input.location_id} not found in this organization`,
        'location_id',
      );
    }
    return this.d.db.transaction(() => {
      const updated = this.d.db
        .update(hosts)
        .set({ locationId: target.id, pinned: true })
        .where(eq(hosts.id, row.id))
        .returning()
        .get()!;
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'host.moved',
        targetType: 'host',
        targetId: row.id,
        details: { from_location_id: row.locationId, to_location_id: target.id, pinned: true },
      });
      return this.toHost(updated);
    });
  }

  /** Clears the pin and lets the subnets decide again, at once. */
  unpin(actor: Actor, id: number): Host {
    const { row, org } = this.locate(actor, id, 'hosts.manage');
    const assigned = this.d.matchers.assign(org.id, row.ip);
    return this.d.db.transaction(() => {
      const updated = this.d.db
        .update(hosts)
        .set({ pinned: false, locationId: assigned.locationId })
        .where(eq(hosts.id, row.id))
        .returning()
        .get()!;
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'host.unpinned',
        targetType: 'host',
        targetId: row.id,
        details: { from_location_id: row.locationId, to_location_id: assigned.locationId },
      });
      return this.toHost(updated);
    });
  }

  /**
   * AGT-2 "reset host identity": for a Go host whose key was lost or must be replaced (a
   * reinstall, a stolen key). Its key is cleared, so nothing the old key signs is accepted, and
   * the next registration of its hostname with the org secret may bring a new key. That is also
   * who may take it over: reset just before the host enrolls again. Audited.
   */
  resetIdentity(actor: Actor, id: number): HostIdentityReset {
    const { row, org } = this.locate(actor, id, 'hosts.manage');
    if (row.agentType !== 'go') {
      throw conflict(
        `Host ${id} is a legacy agent: it has no key to reset, it authenticates with the org secret (regenerate the secret to lock it out)`,
      );
    }
    const now = this.d.clock.now();
    this.d.db.transaction(() => {
      // The signed-timestamp floor belonged to the old key: the new one starts afresh.
      this.d.db
        .update(hosts)
        .set({ publicKey: null, lastSignedAt: null })
        .where(eq(hosts.id, id))
        .run();
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'host.identity_reset',
        targetType: 'host',
        targetId: id,
        details: { hostname: row.hostname, had_key: row.publicKey !== null },
      });
    });
    return { id, hostname: row.hostname, identity_reset_at: iso(now) };
  }

  remove(actor: Actor, id: number): RemovedHost {
    const { row, org } = this.locate(actor, id, 'hosts.manage');
    this.d.db.transaction(() => {
      this.d.db.delete(hosts).where(eq(hosts.id, id)).run();
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'host.removed',
        targetType: 'host',
        targetId: id,
        details: { hostname: row.hostname },
      });
    });
    return { id };
  }

  /** Re-runs LOC-3 for every unpinned host of an org; returns how many moved. */
  reassignUnpinned(orgId: number): number {
    const rows = this.d.db
      .select({ id: hosts.id, ip: hosts.ip, locationId: hosts.locationId })
      .from(hosts)
      .where(and(eq(hosts.organizationId, orgId), eq(hosts.pinned, false)))
      .all();
    let moved = 0;
    for (const h of rows) {
      const target = this.d.matchers.assign(orgId, h.ip).locationId;
      if (target !== h.locationId) {
        this.d.db.update(hosts).set({ locationId: target }).where(eq(hosts.id, h.id)).run();
        moved++;
      }
    }
    return moved;
  }
}
