import { and, asc, count, eq, inArray, ne } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict } from '../../core/errors';
import type { DomainError } from '../../core/errors';
import { canonicalTimezone, isUniqueViolation, nameKey } from '../../core/names';
import type { Db } from '../../db/database';
import { hosts, locationSubnets, locations } from '../../db/schema';
import { PrefixMatcher, parseCidr, parseIp } from '../../../shared/cidr';
import {
  createLocationInput,
  resolveIpInput,
  updateLocationInput,
  type DeletedLocation,
  type Location,
  type ResolveResult,
  type SavedLocation,
} from '../../../shared/schemas/locations.schema';
import type { LocationMatcherCache } from './location-matcher';

export interface LocationsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
  matchers: LocationMatcherCache;
}

type LocationRow = typeof locations.$inferSelect;

/** Host ids per UPDATE … IN (…): well inside SQLite's bound-parameter limit. */
const ID_CHUNK = 500;

/** LOC-2: canonical CIDRs, or a field error naming the bad entry and the fix. */
function normalizeSubnets(subnets: string[]): string[] {
  const seen = new Map<string, number>();
  return subnets.map((text, i) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) throw badRequest(parsed.error, `subnets.${i}`);
    const prior = seen.get(parsed.cidr.text);
    if (prior !== undefined) {
      throw badRequest(
        `${parsed.cidr.text} is listed twice (entries ${prior + 1} and ${i + 1}); keep one`,
        `subnets.${i}`,
      );
    }
    seen.set(parsed.cidr.text, i);
    return parsed.cidr.text;
  });
}

function normalizeTimezone(tz: string | null | undefined): string {
  if (tz === null || tz === undefined) return 'UTC';
  const canonical = canonicalTimezone(tz);
  if (!canonical) {
    throw badRequest(
      `"${tz}" is not an IANA time zone; use a name such as Europe/Berlin or America/New_York`,
      'timezone',
    );
  }
  return canonical;
}

export class LocationsService {
  constructor(private readonly d: LocationsDeps) {}

  private toLocation(row: LocationRow, subnets: string[], hostCount: number): Location {
    return {
      id: row.id,
      organization_id: row.organizationId,
      name: row.name,
      subnets,
      timezone: row.timezone,
      is_default: row.isDefault,
      host_count: hostCount,
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt),
    };
  }

  private describe(rows: LocationRow[]): Location[] {
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    const subnets = new Map<number, string[]>();
    for (const s of this.d.db
      .select({ locationId: locationSubnets.locationId, cidr: locationSubnets.cidr })
      .from(locationSubnets)
      .where(inArray(locationSubnets.locationId, ids))
      .orderBy(asc(locationSubnets.id))
      .all()) {
      subnets.set(s.locationId, [...(subnets.get(s.locationId) ?? []), s.cidr]);
    }
    const counts = new Map(
      this.d.db
        .select({ locationId: hosts.locationId, n: count() })
        .from(hosts)
        .where(inArray(hosts.locationId, ids))
        .groupBy(hosts.locationId)
        .all()
        .map((r) => [r.locationId, r.n]),
    );
    return rows.map((r) => this.toLocation(r, subnets.get(r.id) ?? [], counts.get(r.id) ?? 0));
  }

  /** A location of an org the actor can see, or NOT_FOUND (foreign ids look absent). */
  private locate(actor: Actor, id: number, ...perms: Parameters<SyncAccess['requireOrg']>[2][]) {
    const row = this.d.db.select().from(locations).where(eq(locations.id, id)).get();
    return this.d.access.requireInOrg(actor, 'Location', id, row, ...perms);
  }

  list(actor: Actor, organizationId: number): Location[] {
    this.d.access.requireOrg(actor, organizationId);
    const rows = this.d.db
      .select()
      .from(locations)
      .where(eq(locations.organizationId, organizationId))
      .orderBy(asc(locations.nameKey), asc(locations.id))
      .all();
    return this.describe(rows);
  }

  get(actor: Actor, id: number): Location {
    return this.describe([this.locate(actor, id).row])[0]!;
  }

  /** Writes the subnet set of a location; a network already used elsewhere in the org is named. */
  private writeSubnets(orgId: number, locationId: number, cidrs: string[]): void {
    if (cidrs.length > 0) {
      const clash = this.d.db
        .select({ cidr: locationSubnets.cidr, name: locations.name })
        .from(locationSubnets)
        .innerJoin(locations, eq(locations.id, locationSubnets.locationId))
        .where(
          and(
            eq(locationSubnets.organizationId, orgId),
            ne(locationSubnets.locationId, locationId),
            inArray(locationSubnets.cidr, cidrs),
          ),
        )
        .get();
      if (clash) {
        throw conflict(
          `${clash.cidr} is already a subnet of location "${clash.name}" in this organization; remove it there first or use a different network`,
          `subnets.${cidrs.indexOf(clash.cidr)}`,
        );
      }
    }
    this.d.db.delete(locationSubnets).where(eq(locationSubnets.locationId, locationId)).run();
    if (cidrs.length > 0) {
      this.d.db
        .insert(locationSubnets)
        .values(cidrs.map((cidr) => ({ locationId, organizationId: orgId, cidr })))
        .run();
    }
  }

  /** LOC-4: moves the default flag in one step; the partial unique index forbids two defaults. */
  private makeDefault(orgId: number, locationId: number, now: number): void {
    this.d.db
      .update(locations)
      .set({ isDefault: false, updatedAt: now })
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)))
      .run();
    this.d.db
      .update(locations)
      .set({ isDefault: true, updatedAt: now })
      .where(eq(locations.id, locationId))
      .run();
  }

  private nameTaken(name: string): DomainError {
    return conflict(
      `A location named "${name}" already exists in this organization (ignoring case); choose another name`,
      'name',
    );
  }

  /** After subnets change, unpinned hosts follow the new longest-prefix answer. */
  private afterSubnetChange(orgId: number): number {
    this.d.matchers.invalidate(orgId);
    // TEMPORARY (issue 14): HostsService.reassignUnpinned is async over the unit of work now;
    // this synchronous transaction cannot await it, so the same SQL runs here until locations is
    // converted too.
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

  create(actor: Actor, raw: z.input<typeof createLocationInput>): SavedLocation {
    const input = createLocationInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id, 'locations.manage');
    const cidrs = normalizeSubnets(input.subnets);
    const timezone = normalizeTimezone(input.timezone);
    const now = this.d.clock.now();
    try {
      return this.d.db.transaction(() => {
        const row = this.d.db
          .insert(locations)
          .values({
            organizationId: org.id,
            name: input.name,
            nameKey: nameKey(input.name),
            timezone,
            isDefault: false,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        this.writeSubnets(org.id, row.id, cidrs);
        if (input.is_default) this.makeDefault(org.id, row.id, now);
        const moved = this.afterSubnetChange(org.id);
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'location.created',
          targetType: 'location',
          targetId: row.id,
          details: {
            name: row.name,
            subnets: cidrs,
            timezone,
            is_default: input.is_default,
            hosts_reassigned: moved,
          },
        });
        return { ...this.get(actor, row.id), hosts_reassigned: moved };
      });
    } catch (err) {
      this.d.matchers.invalidate(org.id);
      if (isUniqueViolation(err)) throw this.nameTaken(input.name);
      throw err;
    }
  }

  update(actor: Actor, raw: z.input<typeof updateLocationInput>): SavedLocation {
    const { id, patch } = updateLocationInput.parse(raw);
    const { row, org } = this.locate(actor, id, 'locations.manage');
    const cidrs = patch.subnets === undefined ? undefined : normalizeSubnets(patch.subnets);
    const timezone = patch.timezone === undefined ? undefined : normalizeTimezone(patch.timezone);
    const now = this.d.clock.now();
    try {
      return this.d.db.transaction(() => {
        this.d.db
          .update(locations)
          .set({
            updatedAt: now,
            ...(patch.name !== undefined ? { name: patch.name, nameKey: nameKey(patch.name) } : {}),
            ...(timezone !== undefined ? { timezone } : {}),
          })
          .where(eq(locations.id, id))
          .run();
        if (cidrs !== undefined) this.writeSubnets(org.id, id, cidrs);
        if (patch.is_default && !row.isDefault) this.makeDefault(org.id, id, now);
        const moved = cidrs !== undefined || patch.is_default ? this.afterSubnetChange(org.id) : 0;
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'location.updated',
          targetType: 'location',
          targetId: id,
          details: { ...patch, ...(cidrs ? { subnets: cidrs } : {}), hosts_reassigned: moved },
        });
        return { ...this.get(actor, id), hosts_reassigned: moved };
      });
    } catch (err) {
      this.d.matchers.invalidate(org.id);
      if (isUniqueViolation(err)) throw this.nameTaken(patch.name ?? row.name);
      throw err;
    }
  }

  /** LOC-4: the default location stays; refused for it, by the preview and the delete alike. */
  private deletable(actor: Actor, id: number) {
    const found = this.locate(actor, id, 'locations.manage');
    if (found.row.isDefault) {
      throw conflict(
        `"${found.row.name}" is the default location and cannot be deleted; make another location the default first`,
      );
    }
    return found;
  }

  /**
   * LOC-4: where each host of location `id` goes once it is gone: unpinned hosts where their IP
   * resolves over the org's other subnets (LOC-3's longest prefix, else the default), pinned
   * hosts to the default. Reads only, so the preview and the delete share it.
   */
  private deletionPlan(orgId: number, id: number) {
    const def = this.d.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.organizationId, orgId), eq(locations.isDefault, true)))
      .get()!;
    const remaining = new PrefixMatcher(
      this.d.db
        .select({ cidr: locationSubnets.cidr, locationId: locationSubnets.locationId })
        .from(locationSubnets)
        .where(and(eq(locationSubnets.organizationId, orgId), ne(locationSubnets.locationId, id)))
        .all()
        .flatMap((s) => {
          const parsed = parseCidr(s.cidr);
          return parsed.ok ? [{ cidr: parsed.cidr, value: s.locationId }] : [];
        }),
    );
    const targets = new Map<number, number[]>();
    let pinned = 0;
    const rows = this.d.db
      .select({ id: hosts.id, ip: hosts.ip, pinned: hosts.pinned })
      .from(hosts)
      .where(eq(hosts.locationId, id))
      .all();
    for (const h of rows) {
      if (h.pinned) pinned++;
      const to = h.pinned ? def.id : (remaining.match(h.ip)?.value ?? def.id);
      targets.set(to, [...(targets.get(to) ?? []), h.id]);
    }
    const names = new Map(
      targets.size === 0
        ? []
        : this.d.db
            .select({ id: locations.id, name: locations.name })
            .from(locations)
            .where(inArray(locations.id, [...targets.keys()]))
            .all()
            .map((l) => [l.id, l.name]),
    );
    const moves = [...targets]
      .map(([locationId, ids]) => ({
        location_id: locationId,
        location_name: names.get(locationId)!,
        hosts: ids.length,
      }))
      .sort((a, b) => b.hosts - a.hosts || a.location_name.localeCompare(b.location_name));
    return {
      targets,
      answer: {
        id,
        hosts_moved: rows.length,
        pinned_hosts: pinned,
        default_location_id: def.id,
        moves,
      } satisfies DeletedLocation,
    };
  }

  /** LOC-4: what deleting `id` would do, in the delete's own words; writes nothing. */
  deletePreview(actor: Actor, id: number): DeletedLocation {
    const { org } = this.deletable(actor, id);
    return this.deletionPlan(org.id, id).answer;
  }

  /** LOC-4: re-places the location's hosts (see deletionPlan), then deletes it: one transaction. */
  delete(actor: Actor, id: number): DeletedLocation {
    const { row, org } = this.deletable(actor, id);
    try {
      return this.d.db.transaction(() => {
        const { targets, answer } = this.deletionPlan(org.id, id);
        for (const [to, ids] of targets) {
          for (let i = 0; i < ids.length; i += ID_CHUNK) {
            this.d.db
              .update(hosts)
              .set({ locationId: to })
              .where(inArray(hosts.id, ids.slice(i, i + ID_CHUNK)))
              .run();
          }
        }
        this.d.db.delete(locations).where(eq(locations.id, id)).run();
        this.d.matchers.invalidate(org.id);
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'location.deleted',
          targetType: 'location',
          targetId: id,
          details: {
            name: row.name,
            hosts_moved: answer.hosts_moved,
            pinned_hosts: answer.pinned_hosts,
            moves: answer.moves.map((m) => ({ location_id: m.location_id, hosts: m.hosts })),
          },
        });
        return answer;
      });
    } finally {
      this.d.matchers.invalidate(org.id);
    }
  }

  /** LOC-3 tester: the same function agents are assigned with. */
  resolve(actor: Actor, raw: z.input<typeof resolveIpInput>): ResolveResult {
    const input = resolveIpInput.parse(raw);
    this.d.access.requireOrg(actor, input.organization_id);
    if (!parseIp(input.ip)) {
      throw badRequest(
        `"${input.ip}" is not an IPv4 or IPv6 address (e.g. 10.1.2.3 or 2001:db8::1)`,
        'ip',
      );
    }
    const hit = this.d.matchers.assign(input.organization_id, input.ip);
    const loc = this.d.db
      .select({ name: locations.name })
      .from(locations)
      .where(eq(locations.id, hit.locationId))
      .get()!;
    return { location_id: hit.locationId, location_name: loc.name, matched_subnet: hit.subnet };
  }
}
