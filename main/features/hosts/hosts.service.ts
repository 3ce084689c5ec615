import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { DomainError, conflict } from '../../core/errors';
import type { Db } from '../../db/database';
import { hosts, locations } from '../../db/schema';
import {
  hostStatus,
  listHostsInput,
  moveHostInput,
  type Host,
  type HostIdentityReset,
  type RemovedHost,
} from '../../../shared/schemas/hosts.schema';
import type { Page } from '../../../shared/schemas/common.schema';
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

  list(actor: Actor, raw: z.input<typeof listHostsInput>): Page<Host> {
    const input = listHostsInput.parse(raw);
    this.d.access.requireOrg(actor, input.organization_id);
    const where: SQL[] = [eq(hosts.organizationId, input.organization_id)];
    if (input.location_id) where.push(eq(hosts.locationId, input.location_id));
    if (input.status) where.push(statusFilter(input.status, this.d.clock.now()));
    if (input.search)
      where.push(sql`instr(lower(${hosts.hostname}), ${input.search.toLowerCase()}) > 0`);
    const filter = and(...where);
    const total = this.d.db.select({ n: count() }).from(hosts).where(filter).get()?.n ?? 0;
    const rows = this.d.db
      .select()
      .from(hosts)
      .where(filter)
      // Case-insensitive, as people read names; and it walks hosts_org_hostname_nocase_idx in
      // order instead of sorting every host of the org for each page.
      .orderBy(sql`${hosts.hostname} COLLATE NOCASE`, asc(hosts.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    return { items: rows.map((r) => this.toHost(r)), total };
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
