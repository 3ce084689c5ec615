import { createHash } from 'node:crypto';
import {
  and,
  asc,
  count,
  desc,
  eq,
  inArray,
  isNull,
  lte,
  max,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { DomainError, conflict } from '../../core/errors';
import { yieldToEventLoop, type Yield } from '../../core/yield';
import type { Db } from '../../db/database';
import { hosts, locations } from '../../db/schema';
import {
  STALE_AFTER_MS,
  hostStatus,
  listHostsInput,
  type HostSortKey,
  moveHostInput,
  moveHostsInput,
  removeAllHostsInput,
  removeHostsInput,
  type Host,
  type HostIdentityReset,
  type MoveHostsInput,
  type RemoveAllHostsInput,
  type RemovedAllHosts,
  type RemovedHost,
  type RemoveHostsInput,
} from '../../../shared/schemas/hosts.schema';
import type { BulkResult } from '../../../shared/schemas/bulk.schema';
import type { Page, SortOrder } from '../../../shared/schemas/common.schema';
import type { LocationMatcherCache } from '../locations/location-matcher';
import { statusFilter } from './host-stats';

export interface HostsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
  matchers: LocationMatcherCache;
  /** How many hosts "remove all" deletes per transaction (tests make it small). */
  removeAllChunk?: number;
  /** Between two chunks of "remove all"; tests pass their own to watch the chunks go by. */
  yieldNow?: Yield;
}

/**
 * Hosts per transaction of "remove all" (UI-13). Each host is a delete (with the counts trigger)
 * and an audit entry (a chain lookup, an HMAC, an insert). Measured on the bench's dataset
 * (an org of 100,000 hosts) on a loaded 2-core machine: 500 per chunk took 78 ms a chunk on
 * average, over the 50 ms a chunk may hold the event loop; 100 per chunk takes about a fifth.
 */
export const REMOVE_ALL_CHUNK = 100;

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

/**
 * AGT-4 host detail: a Go agent's public key as OpenSSH fingerprints one (SHA256:, the digest in
 * unpadded base64), which the operator can compare with what the agent prints. The key is public,
 * yet only its digest is shown: short enough to read out, and all a comparison needs.
 */
export function keyFingerprint(publicKey: string | null): string | null {
  if (publicKey === null) return null;
  const digest = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
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
      key_fingerprint: keyFingerprint(row.publicKey),
      registered_at: iso(row.registeredAt),
      last_seen_at: isoOrNull(row.lastSeenAt),
    };
  }

  private locate(actor: Actor, id: number, ...perms: Parameters<SyncAccess['requireOrg']>[2][]) {
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

  /**
   * UI-13: every id is put through the access chokepoint, one by one, before anything changes. An
   * id that does not exist, that the caller may not see, or that belongs to another org than the
   * one named refuses the WHOLE call as NOT_FOUND (naming that id), exactly as a single call
   * would: a bulk call never half-succeeds silently, and never skips what it cannot see.
   */
  private locateAll(actor: Actor, orgId: number, ids: number[]) {
    const org = this.d.access.requireOrg(actor, orgId, 'hosts.manage');
    const rows = this.d.db.select().from(hosts).where(inArray(hosts.id, ids)).all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const located = ids.map((id) => {
      const row = byId.get(id);
      const { row: host } = this.d.access.requireInOrg(actor, 'Host', id, row, 'hosts.manage');
      if (host.organizationId !== org.id) {
        throw new DomainError('NOT_FOUND', `Host ${id} not found in this organization`, 'ids');
      }
      return host;
    });
    return { org, rows: located };
  }

  /** UI-13 bulk move (AGT-4 for each): all of them pinned to one location, one transaction. */
  moveMany(actor: Actor, raw: MoveHostsInput): BulkResult {
    const input = moveHostsInput.parse(raw);
    const { org, rows } = this.locateAll(actor, input.organization_id, input.ids);
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
    this.d.db.transaction(() => {
      this.d.db
        .update(hosts)
        .set({ locationId: target.id, pinned: true })
        .where(inArray(hosts.id, input.ids))
        .run();
      for (const row of rows) {
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'host.moved',
          targetType: 'host',
          targetId: row.id,
          details: {
            from_location_id: row.locationId,
            to_location_id: target.id,
            pinned: true,
            bulk: true,
          },
        });
      }
    });
    return { ids: input.ids, count: input.ids.length };
  }

  /** UI-13 bulk remove: all of them or none, each audited. */
  removeMany(actor: Actor, raw: RemoveHostsInput): BulkResult {
    const input = removeHostsInput.parse(raw);
    const { org, rows } = this.locateAll(actor, input.organization_id, input.ids);
    this.d.db.transaction(() => {
      this.d.db.delete(hosts).where(inArray(hosts.id, input.ids)).run();
      for (const row of rows) this.recordRemoved(actor, org, row, { bulk: true });
    });
    return { ids: input.ids, count: input.ids.length };
  }

  private recordRemoved(
    actor: Actor,
    org: { id: number; accountId: number },
    row: Pick<HostRow, 'id' | 'hostname'>,
    extra: Record<string, unknown>,
  ): void {
    this.d.audit.record(actor, {
      accountId: org.accountId,
      organizationId: org.id,
      action: 'host.removed',
      targetType: 'host',
      targetId: row.id,
      details: { hostname: row.hostname, ...extra },
    });
  }

  /**
   * UI-13 / ORG-5: removes every host of an org, the step before a hard delete. The caller
   * confirms with the count they were shown; if the org has another count now, nothing is removed
   * (CONFLICT naming the count). Only the hosts that existed at that moment go (ids up to the
   * highest then), so an agent registering meanwhile is never removed unconfirmed. Chunks of
   * REMOVE_ALL_CHUNK (100) hosts, each one transaction with its audit entries, with a yield between
   * them; access is checked again before each chunk, so a revoked role stops the job. The console
   * watches the org's host count for progress.
   */
  async removeAll(actor: Actor, raw: RemoveAllHostsInput): Promise<RemovedAllHosts> {
    const input = removeAllHostsInput.parse(raw);
    const orgId = input.organization_id;
    const org = this.d.access.requireOrg(actor, orgId, 'hosts.manage');
    const counted = () =>
      this.d.db.select({ n: count() }).from(hosts).where(eq(hosts.organizationId, orgId)).get()
        ?.n ?? 0;
    const { n, top } = this.d.db.transaction(() => ({
      n: counted(),
      top:
        this.d.db
          .select({ top: max(hosts.id) })
          .from(hosts)
          .where(eq(hosts.organizationId, orgId))
          .get()?.top ?? 0,
    }));
    if (n !== input.confirm_count) {
      throw conflict(
        `${org.name} has ${n} host${n === 1 ? '' : 's'} now, not ${input.confirm_count}; check the count and confirm again with ${n}`,
        'confirm_count',
      );
    }
    const chunk = this.d.removeAllChunk ?? REMOVE_ALL_CHUNK;
    const yieldNow = this.d.yieldNow ?? yieldToEventLoop;
    let removed = 0;
    for (;;) {
      const ref = this.d.access.requireOrg(actor, orgId, 'hosts.manage');
      const done = this.d.db.transaction(() => {
        const rows = this.d.db
          .select({ id: hosts.id, hostname: hosts.hostname })
          .from(hosts)
          .where(and(eq(hosts.organizationId, orgId), lte(hosts.id, top)))
          .orderBy(asc(hosts.id))
          .limit(chunk)
          .all();
        if (rows.length === 0) return 0;
        this.d.db
          .delete(hosts)
          .where(
            inArray(
              hosts.id,
              rows.map((r) => r.id),
            ),
          )
          .run();
        for (const row of rows) this.recordRemoved(actor, ref, row, { remove_all: true });
        return rows.length;
      });
      removed += done;
      if (done < chunk) break;
      await yieldNow();
    }
    if (removed > 0) {
      this.d.db.transaction(() =>
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: orgId,
          action: 'hosts.removed_all',
          targetType: 'organization',
          targetId: orgId,
          details: { removed },
        }),
      );
    }
    return { organization_id: orgId, removed, remaining: counted() };
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
