import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict } from '../../core/errors';
import type { DomainError } from '../../core/errors';
import { canonicalTimezone, isUniqueViolation, nameKey } from '../../core/names';
import type { LocationRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import type { Permission } from '../../../shared/permissions';
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
import type { HostsService } from '../hosts/hosts.service';
import { assignWith, buildMatcher, type LocationMatcherCache } from './location-matcher';

export interface LocationsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  matchers: LocationMatcherCache;
  hosts: Pick<HostsService, 'reassignUnpinned'>;
}

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

  private async describe(r: Repos, rows: LocationRow[]): Promise<Location[]> {
    const ids = rows.map((row) => row.id);
    if (ids.length === 0) return [];
    const subnets = new Map<number, string[]>();
    for (const s of await r.locations.subnetsOf(ids)) {
      subnets.set(s.locationId, [...(subnets.get(s.locationId) ?? []), s.cidr]);
    }
    const counts = await r.locations.hostCounts(ids);
    return rows.map((row) =>
      this.toLocation(row, subnets.get(row.id) ?? [], counts.get(row.id) ?? 0),
    );
  }

  /** One location as it stands now in this unit of work (after its own changes). */
  private async described(r: Repos, id: number): Promise<Location> {
    return (await this.describe(r, [(await r.locations.byId(id))!]))[0]!;
  }

  /** A location of an org the actor can see, or NOT_FOUND (foreign ids look absent). */
  private async locate(r: Repos, actor: Actor, id: number, ...perms: Permission[]) {
    return this.locateAs(r, actor, id, perms.length > 0, perms);
  }

  /**
   * `lock`: `r` is a write that changes the location (FOR UPDATE on PostgreSQL). A read that
   * checks a write permission (the delete preview) passes false: PostgreSQL runs reads READ
   * ONLY and refuses a row lock there.
   */
  private async locateAs(r: Repos, actor: Actor, id: number, lock: boolean, perms: Permission[]) {
    const row = await r.locations.byId(id, { forUpdate: lock });
    return this.d.access.requireInOrg(r, actor, 'Location', id, row, ...perms);
  }

  async list(actor: Actor, organizationId: number): Promise<Location[]> {
    return this.d.uow.read(async (r) => {
      await this.d.access.requireOrg(r, actor, organizationId);
      return this.describe(r, await r.locations.ofOrg(organizationId));
    });
  }

  async get(actor: Actor, id: number): Promise<Location> {
    return this.d.uow.read(async (r) => {
      const { row } = await this.locate(r, actor, id);
      return (await this.describe(r, [row]))[0]!;
    });
  }

  /** Writes the subnet set of a location; a network already used elsewhere in the org is named. */
  private async writeSubnets(
    r: Repos,
    orgId: number,
    locationId: number,
    cidrs: string[],
  ): Promise<void> {
    const clash = await r.locations.subnetClash(orgId, locationId, cidrs);
    if (clash) {
      throw conflict(
        `${clash.cidr} is already a subnet of location "${clash.name}" in this organization; remove it there first or use a different network`,
        `subnets.${cidrs.indexOf(clash.cidr)}`,
      );
    }
    await r.locations.replaceSubnets(orgId, locationId, cidrs);
  }

  private nameTaken(name: string): DomainError {
    return conflict(
      `A location named "${name}" already exists in this organization (ignoring case); choose another name`,
      'name',
    );
  }

  /**
   * After subnets (or the default) change, unpinned hosts follow the new longest-prefix answer:
   * a matcher built from this unit of work's own state (never cached: it may roll back), and the
   * cached one dropped once it commits.
   */
  private async afterSubnetChange(r: Repos, orgId: number): Promise<number> {
    const m = buildMatcher(orgId, await r.locations.matcherInput(orgId));
    r.afterCommit(() => this.d.matchers.invalidate(orgId));
    return this.d.hosts.reassignUnpinned(r, orgId, (ip) => assignWith(m, ip).locationId);
  }

  async create(actor: Actor, raw: z.input<typeof createLocationInput>): Promise<SavedLocation> {
    const input = createLocationInput.parse(raw);
    const now = this.d.clock.now();
    try {
      return await this.d.uow.write(async (r) => {
        const org = await this.d.access.requireOrg(
          r,
          actor,
          input.organization_id,
          'locations.manage',
        );
        // After the check, as before: a caller who may not see the org learns nothing more.
        const cidrs = normalizeSubnets(input.subnets);
        const timezone = normalizeTimezone(input.timezone);
        const row = await r.locations.insert({
          organizationId: org.id,
          name: input.name,
          nameKey: nameKey(input.name),
          timezone,
          isDefault: false,
          createdAt: now,
          updatedAt: now,
        });
        await this.writeSubnets(r, org.id, row.id, cidrs);
        if (input.is_default) await r.locations.makeDefault(org.id, row.id, now);
        const moved = await this.afterSubnetChange(r, org.id);
        await r.audit.record(actor, {
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
        return { ...(await this.described(r, row.id)), hosts_reassigned: moved };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(input.name);
      throw err;
    }
  }

  async update(actor: Actor, raw: z.input<typeof updateLocationInput>): Promise<SavedLocation> {
    const { id, patch } = updateLocationInput.parse(raw);
    const now = this.d.clock.now();
    let current: string | undefined;
    try {
      return await this.d.uow.write(async (r) => {
        const { row, org } = await this.locate(r, actor, id, 'locations.manage');
        current = row.name;
        const cidrs = patch.subnets === undefined ? undefined : normalizeSubnets(patch.subnets);
        const timezone =
          patch.timezone === undefined ? undefined : normalizeTimezone(patch.timezone);
        await r.locations.update(id, {
          updatedAt: now,
          ...(patch.name !== undefined ? { name: patch.name, nameKey: nameKey(patch.name) } : {}),
          ...(timezone !== undefined ? { timezone } : {}),
        });
        if (cidrs !== undefined) await this.writeSubnets(r, org.id, id, cidrs);
        if (patch.is_default && !row.isDefault) await r.locations.makeDefault(org.id, id, now);
        const moved =
          cidrs !== undefined || patch.is_default ? await this.afterSubnetChange(r, org.id) : 0;
        await r.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'location.updated',
          targetType: 'location',
          targetId: id,
          details: { ...patch, ...(cidrs ? { subnets: cidrs } : {}), hosts_reassigned: moved },
        });
        return { ...(await this.described(r, id)), hosts_reassigned: moved };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.nameTaken(patch.name ?? current ?? '');
      throw err;
    }
  }

  /** LOC-4: the default location stays; refused for it, by the preview and the delete alike. */
  private async deletable(r: Repos, actor: Actor, id: number, lock = true) {
    const found = await this.locateAs(r, actor, id, lock, ['locations.manage']);
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
  private async deletionPlan(r: Repos, orgId: number, id: number) {
    const def = (await r.locations.defaultOf(orgId))!;
    const remaining = new PrefixMatcher(
      (await r.locations.subnetsExcept(orgId, id)).flatMap((s) => {
        const parsed = parseCidr(s.cidr);
        return parsed.ok ? [{ cidr: parsed.cidr, value: s.locationId }] : [];
      }),
    );
    const targets = new Map<number, number[]>();
    let pinned = 0;
    const rows = await r.locations.hostsAt(id);
    for (const h of rows) {
      if (h.pinned) pinned++;
      const to = h.pinned ? def : (remaining.match(h.ip)?.value ?? def);
      targets.set(to, [...(targets.get(to) ?? []), h.id]);
    }
    const names = await r.locations.names([...targets.keys()]);
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
        default_location_id: def,
        moves,
      } satisfies DeletedLocation,
    };
  }

  /** LOC-4: what deleting `id` would do, in the delete's own words; writes nothing. */
  async deletePreview(actor: Actor, id: number): Promise<DeletedLocation> {
    return this.d.uow.read(async (r) => {
      const { org } = await this.deletable(r, actor, id, false);
      return (await this.deletionPlan(r, org.id, id)).answer;
    });
  }

  /** LOC-4: re-places the location's hosts (see deletionPlan), then deletes it: one transaction. */
  async delete(actor: Actor, id: number): Promise<DeletedLocation> {
    return this.d.uow.write(async (r) => {
      const { row, org } = await this.deletable(r, actor, id);
      const { targets, answer } = await this.deletionPlan(r, org.id, id);
      for (const [to, ids] of targets) await r.locations.moveHosts(ids, to);
      await r.locations.delete(id);
      r.afterCommit(() => this.d.matchers.invalidate(org.id));
      await r.audit.record(actor, {
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
  }

  /** LOC-3 tester: the same function agents are assigned with. */
  async resolve(actor: Actor, raw: z.input<typeof resolveIpInput>): Promise<ResolveResult> {
    const input = resolveIpInput.parse(raw);
    return this.d.uow.read(async (r) => {
      await this.d.access.requireOrg(r, actor, input.organization_id);
      if (!parseIp(input.ip)) {
        throw badRequest(
          `"${input.ip}" is not an IPv4 or IPv6 address (e.g. 10.1.2.3 or 2001:db8::1)`,
          'ip',
        );
      }
      const hit = await this.d.matchers.assignIn(r, input.organization_id, input.ip);
      const loc = (await r.locations.byId(hit.locationId))!;
      return { location_id: hit.locationId, location_name: loc.name, matched_subnet: hit.subnet };
    });
  }
}
