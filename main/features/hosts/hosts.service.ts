import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import type { Offload } from '../../core/offload';
import { DomainError, conflict } from '../../core/errors';
import { yieldToEventLoop, type Yield } from '../../core/yield';
import type { HostRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import type { Permission } from '../../../shared/permissions';
import {
  hostStatus,
  listHostsInput,
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
import type { Page } from '../../../shared/schemas/common.schema';
import type { LocationMatcherCache } from '../locations/location-matcher';
import type { HostPageQuery } from './hosts.repo';

export interface HostsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /** Where a page of more than HOSTS_PAGE_INLINE_LIMIT hosts is read (a read worker). */
  offload: Offload;
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

/**
 * Hosts a page reads on the event loop; a larger one is read on a read worker over its own
 * connection, as ORG-2's large pages are. A page of 1,000 (the hosts view's largest) of an org of
 * 100,000 hosts held the loop 17 ms at p50 on a loaded 2-core machine, and the /healthz probes
 * beside a loop of them saw p99 63 ms (bench/event-loop-bench.ts); a worker's round trip costs a
 * small page more than its read.
 */
export const HOSTS_PAGE_INLINE_LIMIT = 200;

const locationNotFound = (id: number) =>
  new DomainError('NOT_FOUND', `Location ${id} not found in this organization`, 'location_id');

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

  /** A host of an org the actor can see (with `perms`), or NOT_FOUND: foreign ids look absent. */
  private async locate(r: Repos, actor: Actor, id: number, ...perms: Permission[]) {
    const row = await r.hosts.byId(id, { forUpdate: perms.length > 0 });
    return this.d.access.requireInOrg(r, actor, 'Host', id, row, ...perms);
  }

  /**
   * AGT-4 page, sorted server-side (UI-11, the SQL in the repository). `search` matches a part of
   * the hostname ignoring case, or the start of the IP (canonical text, so ignoring case too):
   * both literal, wildcards included. One read: the check, the total and the page agree.
   */
  async list(actor: Actor, raw: z.input<typeof listHostsInput>): Promise<Page<Host>> {
    const input = listHostsInput.parse(raw);
    const query: HostPageQuery = {
      orgId: input.organization_id,
      locationId: input.location_id ?? undefined,
      status: input.status ?? undefined,
      search: input.search ?? undefined,
      sort: input.sort,
      order: input.order,
      skip: input.skip,
      limit: input.limit,
      now: this.d.clock.now(),
    };
    const toPage = ({ total, rows }: { total: number; rows: HostRow[] }): Page<Host> => ({
      items: rows.map((row) => this.toHost(row)),
      total,
    });
    if (input.limit > HOSTS_PAGE_INLINE_LIMIT) {
      // The access check on the event loop, as every call's; then the read on a worker.
      await this.d.uow.read((r) => this.d.access.requireOrg(r, actor, input.organization_id));
      return toPage(await this.d.offload.run({ kind: 'hosts.page', query }));
    }
    return this.d.uow.read(async (r) => {
      await this.d.access.requireOrg(r, actor, input.organization_id);
      return toPage(await r.hosts.page(query));
    });
  }

  async get(actor: Actor, id: number): Promise<Host> {
    return this.d.uow.read(async (r) => this.toHost((await this.locate(r, actor, id)).row));
  }

  /** AGT-4: a hand move pins the host so automatic assignment leaves it alone. */
  async move(actor: Actor, raw: z.input<typeof moveHostInput>): Promise<Host> {
    const input = moveHostInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const { row, org } = await this.locate(r, actor, input.id, 'hosts.manage');
      const target = await r.hosts.locationInOrg(input.location_id, org.id);
      if (!target) throw locationNotFound(input.location_id);
      const updated = (await r.hosts.update(row.id, { locationId: target.id, pinned: true }))!;
      await r.audit.record(actor, {
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
  async unpin(actor: Actor, id: number): Promise<Host> {
    return this.d.uow.write(async (r) => {
      const { row, org } = await this.locate(r, actor, id, 'hosts.manage');
      const assigned = await this.d.matchers.assignIn(r, org.id, row.ip);
      const updated = (await r.hosts.update(row.id, {
        pinned: false,
        locationId: assigned.locationId,
      }))!;
      await r.audit.record(actor, {
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
  async resetIdentity(actor: Actor, id: number): Promise<HostIdentityReset> {
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const { row, org } = await this.locate(r, actor, id, 'hosts.manage');
      if (row.agentType !== 'go') {
        throw conflict(
          `Host ${id} is a legacy agent: it has no key to reset, it authenticates with the org secret (regenerate the secret to lock it out)`,
        );
      }
      // The signed-timestamp floor belonged to the old key: the new one starts afresh.
      await r.hosts.update(id, { publicKey: null, lastSignedAt: null });
      await r.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'host.identity_reset',
        targetType: 'host',
        targetId: id,
        details: { hostname: row.hostname, had_key: row.publicKey !== null },
      });
      return { id, hostname: row.hostname, identity_reset_at: iso(now) };
    });
  }

  async remove(actor: Actor, id: number): Promise<RemovedHost> {
    return this.d.uow.write(async (r) => {
      const { row, org } = await this.locate(r, actor, id, 'hosts.manage');
      await r.hosts.remove([id]);
      await this.recordRemoved(r, actor, org, row, {});
      return { id };
    });
  }

  /**
   * UI-13: every id is put through the access chokepoint, one by one, before anything changes. An
   * id that does not exist, that the caller may not see, or that belongs to another org than the
   * one named refuses the WHOLE call as NOT_FOUND (naming that id), exactly as a single call
   * would: a bulk call never half-succeeds silently, and never skips what it cannot see.
   */
  private async locateAll(r: Repos, actor: Actor, orgId: number, ids: number[]) {
    const org = await this.d.access.requireOrg(r, actor, orgId, 'hosts.manage');
    const rows = await r.hosts.byIds(ids, { forUpdate: true });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const located: HostRow[] = [];
    for (const id of ids) {
      const { row: host } = await this.d.access.requireInOrg(
        r,
        actor,
        'Host',
        id,
        byId.get(id),
        'hosts.manage',
      );
      if (host.organizationId !== org.id) {
        throw new DomainError('NOT_FOUND', `Host ${id} not found in this organization`, 'ids');
      }
      located.push(host);
    }
    return { org, rows: located };
  }

  /** UI-13 bulk move (AGT-4 for each): all of them pinned to one location, one transaction. */
  async moveMany(actor: Actor, raw: MoveHostsInput): Promise<BulkResult> {
    const input = moveHostsInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const { org, rows } = await this.locateAll(r, actor, input.organization_id, input.ids);
      const target = await r.hosts.locationInOrg(input.location_id, org.id);
      if (!target) throw locationNotFound(input.location_id);
      await r.hosts.moveMany(input.ids, target.id);
      for (const row of rows) {
        await r.audit.record(actor, {
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
      return { ids: input.ids, count: input.ids.length };
    });
  }

  /** UI-13 bulk remove: all of them or none, each audited. */
  async removeMany(actor: Actor, raw: RemoveHostsInput): Promise<BulkResult> {
    const input = removeHostsInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const { org, rows } = await this.locateAll(r, actor, input.organization_id, input.ids);
      await r.hosts.remove(input.ids);
      for (const row of rows) await this.recordRemoved(r, actor, org, row, { bulk: true });
      return { ids: input.ids, count: input.ids.length };
    });
  }

  private async recordRemoved(
    r: Repos,
    actor: Actor,
    org: { id: number; accountId: number },
    row: Pick<HostRow, 'id' | 'hostname'>,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await r.audit.record(actor, {
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
   * REMOVE_ALL_CHUNK (100) hosts, each one unit of work with its audit entries, with a yield
   * between them; access is checked again inside each chunk, so a revoked role stops the job. The
   * last chunk carries the summary entry and reads what remains, so the job's end is one
   * transaction too. The console watches the org's host count for progress.
   */
  async removeAll(actor: Actor, raw: RemoveAllHostsInput): Promise<RemovedAllHosts> {
    const input = removeAllHostsInput.parse(raw);
    const orgId = input.organization_id;
    const { org, n, top } = await this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, orgId, 'hosts.manage');
      return { org, n: await r.hosts.countInOrg(orgId), top: await r.hosts.topIdInOrg(orgId) };
    });
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
      const step = await this.d.uow.write(async (r) => {
        const ref = await this.d.access.requireOrg(r, actor, orgId, 'hosts.manage');
        const rows = await r.hosts.chunkInOrg(orgId, top, chunk);
        if (rows.length > 0) await r.hosts.remove(rows.map((row) => row.id));
        for (const row of rows) await this.recordRemoved(r, actor, ref, row, { remove_all: true });
        if (rows.length === chunk) return { done: rows.length, remaining: null };
        if (removed + rows.length > 0) {
          await r.audit.record(actor, {
            accountId: org.accountId,
            organizationId: orgId,
            action: 'hosts.removed_all',
            targetType: 'organization',
            targetId: orgId,
            details: { removed: removed + rows.length },
          });
        }
        return { done: rows.length, remaining: await r.hosts.countInOrg(orgId) };
      });
      removed += step.done;
      if (step.remaining !== null) {
        return { organization_id: orgId, removed, remaining: step.remaining };
      }
      await yieldNow();
    }
  }

  /**
   * Re-runs LOC-3 for every unpinned host of an org; returns how many moved. A helper of the
   * caller's unit of work (locations, after a subnet change): it takes `r`, never starts one.
   */
  async reassignUnpinned(
    r: Pick<Repos, 'hosts'>,
    orgId: number,
    assign: (ip: string) => number,
  ): Promise<number> {
    let moved = 0;
    for (const h of await r.hosts.unpinned(orgId)) {
      const target = assign(h.ip);
      if (target !== h.locationId) {
        await r.hosts.setLocation(h.id, target);
        moved++;
      }
    }
    return moved;
  }
}
