// UI-13: bulk move and remove of hosts, bulk deactivate of orgs, and "remove all hosts" before a
// hard delete. A bulk call is all or nothing: one id the caller may not touch refuses the whole
// call, and nothing changes; every item is audited.
import type { TRPCError } from '@trpc/server';
import { and, eq, inArray } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../main/core/access';
import { auditEntries, hosts, organizations, roleAssignments } from '../main/db/schema';
import { HostsService, REMOVE_ALL_CHUNK } from '../main/features/hosts/hosts.service';
import { MAX_BULK_IDS } from '../shared/constants';
import { dumpDatabase, diffDumps } from './fixtures/isolation-world';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
let orgId: number;
let defaultId: number;
let labId: number;
let otherOrgId: number;

beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const org = await api.organizations.create({ name: 'Acme' });
  orgId = org.id;
  defaultId = org.default_location_id;
  labId = (await api.locations.create({ organization_id: orgId, name: 'Lab' })).id;
  otherOrgId = (await api.organizations.create({ name: 'Sibling' })).id;
});
afterEach(() => w.close());

function addHosts(org: number, n: number, prefix = 'h'): number[] {
  const location =
    org === orgId
      ? defaultId
      : w.opened.sqlite
          .prepare('SELECT id FROM locations WHERE organization_id = ? AND is_default = 1')
          .pluck()
          .get(org);
  const ids: number[] = [];
  w.opened.db.transaction(() => {
    for (let i = 0; i < n; i++) {
      ids.push(
        w.opened.db
          .insert(hosts)
          .values({
            organizationId: org,
            locationId: location as number,
            hostname: `${prefix}-${i}`,
            ip: '10.0.0.1',
            agentType: 'go',
            registeredAt: w.clock.now(),
            lastSeenAt: w.clock.now(),
          })
          .returning({ id: hosts.id })
          .get().id,
      );
    }
  });
  return ids;
}

const audits = (action: string) =>
  w.opened.db.select().from(auditEntries).where(eq(auditEntries.action, action)).all();
const hostCount = (org = orgId) =>
  w.opened.sqlite.prepare('SELECT count(*) FROM hosts WHERE organization_id = ?').pluck().get(org);
const fail = (p: Promise<unknown>) =>
  p.then(
    () => null as unknown as TRPCError,
    (e: TRPCError) => e,
  );

/** Runs `call`, expects it refused with `code`, and that not one row changed. */
async function refusedUnchanged(call: () => Promise<unknown>, code: string, message?: RegExp) {
  const before = await dumpDatabase(w);
  const err = await fail(call());
  expect(err?.code).toBe(code);
  if (message) expect(err.message).toMatch(message);
  expect(diffDumps(before, await dumpDatabase(w))).toEqual([]);
}

describe('hosts.moveMany', () => {
  it('moves and pins every host, one audit entry each', async () => {
    const ids = addHosts(orgId, 3);
    expect(await api.hosts.moveMany({ organization_id: orgId, ids, location_id: labId })).toEqual({
      ids,
      count: 3,
    });
    const rows = w.opened.db.select().from(hosts).where(inArray(hosts.id, ids)).all();
    expect(rows.map((r) => [r.locationId, r.pinned])).toEqual(ids.map(() => [labId, true]));
    const entries = audits('host.moved');
    expect(entries.map((e) => Number(e.targetId))).toEqual(ids);
    expect(JSON.parse(entries[0]!.details)).toEqual({
      from_location_id: defaultId,
      to_location_id: labId,
      pinned: true,
      bulk: true,
    });
  });

  it('refuses the whole call for one id of another account, another org or none at all', async () => {
    const ids = addHosts(orgId, 2);
    const other = await w.otherAccount();
    const foreignOrg = await w.caller(other.admin).organizations.create({ name: 'Foreign' });
    const [foreign] = addHosts(foreignOrg.id, 1, 'foreign');
    const [sibling] = addHosts(otherOrgId, 1, 'sibling');
    for (const bad of [foreign!, sibling!, 999_999]) {
      await refusedUnchanged(
        () =>
          api.hosts.moveMany({ organization_id: orgId, ids: [...ids, bad], location_id: labId }),
        'NOT_FOUND',
        new RegExp(`Host ${bad} not found`),
      );
    }
    // A location of another org is not found either.
    const siblingLocation = (await api.locations.list({ organization_id: otherOrgId }))[0]!.id;
    await refusedUnchanged(
      () => api.hosts.moveMany({ organization_id: orgId, ids, location_id: siblingLocation }),
      'NOT_FOUND',
      /Location .* not found in this organization/,
    );
  });

  it('is refused without hosts.manage, and for an org the caller cannot see', async () => {
    const ids = addHosts(orgId, 2);
    const reader = await w.userWith(w.accountId, [{ role: 'reader', orgId }]);
    await refusedUnchanged(
      () => w.caller(reader).hosts.moveMany({ organization_id: orgId, ids, location_id: labId }),
      'FORBIDDEN',
      /hosts\.manage/,
    );
    const tech = await w.userWith(w.accountId, [{ role: 'technician', orgId: otherOrgId }]);
    await refusedUnchanged(
      () => w.caller(tech).hosts.moveMany({ organization_id: orgId, ids, location_id: labId }),
      'NOT_FOUND',
    );
  });

  it(`takes 1 to ${MAX_BULK_IDS} distinct ids`, async () => {
    const many = Array.from({ length: MAX_BULK_IDS + 1 }, (_, i) => i + 1);
    for (const ids of [[], many, [1, 1]]) {
      const err = await fail(
        api.hosts.moveMany({ organization_id: orgId, ids, location_id: labId }),
      );
      expect(err.code).toBe('BAD_REQUEST');
    }
    const err = await fail(api.hosts.removeMany({ organization_id: orgId, ids: many }));
    expect(err.message).toMatch(/at most 500 ids/);
  });
});

describe('hosts.removeMany', () => {
  it('removes every host named, each audited, and leaves the rest', async () => {
    const ids = addHosts(orgId, 4);
    expect(await api.hosts.removeMany({ organization_id: orgId, ids: ids.slice(0, 3) })).toEqual({
      ids: ids.slice(0, 3),
      count: 3,
    });
    expect(hostCount()).toBe(1);
    expect(audits('host.removed').map((e) => JSON.parse(e.details))).toEqual([
      { hostname: 'h-0', bulk: true },
      { hostname: 'h-1', bulk: true },
      { hostname: 'h-2', bulk: true },
    ]);
  });

  it('removes nothing when one id is not the caller’s to remove', async () => {
    const ids = addHosts(orgId, 2);
    const [sibling] = addHosts(otherOrgId, 1, 'sibling');
    await refusedUnchanged(
      () => api.hosts.removeMany({ organization_id: orgId, ids: [...ids, sibling!] }),
      'NOT_FOUND',
    );
    expect(hostCount()).toBe(2);
    // The same call without the sibling's host goes through: it was that one id that refused it.
    expect(await api.hosts.removeMany({ organization_id: orgId, ids })).toEqual({ ids, count: 2 });
    expect(hostCount()).toBe(0);
  });
});

describe('organizations.deactivateMany', () => {
  it('deactivates every org, audits each one that changed', async () => {
    await api.organizations.delete({ id: otherOrgId });
    const before = audits('organization.deactivated').length;
    expect(await api.organizations.deactivateMany({ ids: [orgId, otherOrgId] })).toEqual({
      ids: [orgId, otherOrgId],
      count: 2,
    });
    const rows = w.opened.db.select().from(organizations).all();
    expect(rows.every((r) => !r.isActive)).toBe(true);
    // The sibling was already deactivated: no second entry for it.
    const entries = audits('organization.deactivated').slice(before);
    expect(entries.map((e) => [e.organizationId, JSON.parse(e.details)])).toEqual([
      [orgId, { bulk: true }],
    ]);
  });

  it('changes nothing when one org is foreign, unknown, or not the caller’s to manage', async () => {
    const other = await w.otherAccount();
    const foreign = await w.caller(other.admin).organizations.create({ name: 'Foreign' });
    for (const bad of [foreign.id, 999_999]) {
      await refusedUnchanged(
        () => api.organizations.deactivateMany({ ids: [orgId, bad] }),
        'NOT_FOUND',
        new RegExp(`Organization ${bad} not found`),
      );
    }
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId }]);
    await refusedUnchanged(
      () => w.caller(orgAdmin).organizations.deactivateMany({ ids: [orgId] }),
      'FORBIDDEN',
      /settings\.manage/,
    );
  });
});

describe('hosts.removeAll (before a hard delete)', () => {
  it('needs the count the user confirmed, removes every host, and then the hard delete goes through', async () => {
    addHosts(orgId, 3);
    addHosts(otherOrgId, 2, 'sibling');
    const hard = await fail(api.organizations.delete({ id: orgId, hard_delete: true }));
    expect(hard.message).toMatch(/still has 3 hosts; remove them first/);

    await refusedUnchanged(
      () => api.hosts.removeAll({ organization_id: orgId, confirm_count: 2 }),
      'CONFLICT',
      /Acme has 3 hosts now, not 2; check the count and confirm again with 3/,
    );
    expect(await api.hosts.removeAll({ organization_id: orgId, confirm_count: 3 })).toEqual({
      organization_id: orgId,
      removed: 3,
      remaining: 0,
    });
    expect(hostCount(otherOrgId)).toBe(2);
    expect(audits('host.removed')).toHaveLength(3);
    expect(audits('hosts.removed_all').map((e) => JSON.parse(e.details))).toEqual([{ removed: 3 }]);
    expect(await api.organizations.delete({ id: orgId, hard_delete: true })).toEqual({
      id: orgId,
      deleted: 'hard',
    });
  });

  it('is refused like any host change: without hosts.manage, or for an org the caller cannot see', async () => {
    addHosts(orgId, 2);
    const reader = await w.userWith(w.accountId, [{ role: 'reader', orgId }]);
    await refusedUnchanged(
      () => w.caller(reader).hosts.removeAll({ organization_id: orgId, confirm_count: 2 }),
      'FORBIDDEN',
    );
    const other = await w.otherAccount();
    await refusedUnchanged(
      () => w.caller(other.admin).hosts.removeAll({ organization_id: orgId, confirm_count: 2 }),
      'NOT_FOUND',
    );
  });

  function chunkedHosts(chunk: number, yieldNow: () => Promise<void>) {
    const { uow, clock, matchers } = w.services.infra;
    return new HostsService({
      uow,
      clock,
      access: new AccessService(clock),
      matchers,
      removeAllChunk: chunk,
      yieldNow,
    });
  }

  it('works in chunks, yielding to the event loop between them (the count shows progress)', async () => {
    expect(REMOVE_ALL_CHUNK).toBe(100);
    addHosts(orgId, 350);
    const seen: number[] = [];
    let otherWorkRan = 0;
    const service = chunkedHosts(100, async () => {
      seen.push(hostCount() as number);
      // Real yields: other work (a request, a timer) runs between two chunks.
      const ran = new Promise<void>((resolve) =>
        setImmediate(() => {
          otherWorkRan++;
          resolve();
        }),
      );
      await new Promise<void>((resolve) => setImmediate(resolve));
      await ran;
    });
    const result = await service.removeAll(w.admin, { organization_id: orgId, confirm_count: 350 });
    expect(result).toEqual({ organization_id: orgId, removed: 350, remaining: 0 });
    expect(seen).toEqual([250, 150, 50]);
    expect(otherWorkRan).toBe(3);
  });

  it('never removes a host that registered after the confirmation', async () => {
    addHosts(orgId, 250);
    let late: number[] = [];
    const service = chunkedHosts(100, async () => {
      if (late.length === 0) late = addHosts(orgId, 2, 'late');
    });
    const result = await service.removeAll(w.admin, { organization_id: orgId, confirm_count: 250 });
    expect(result).toEqual({ organization_id: orgId, removed: 250, remaining: 2 });
    expect(
      w.opened.db.select({ id: hosts.id }).from(hosts).where(eq(hosts.organizationId, orgId)).all(),
    ).toEqual(late.map((id) => ({ id })));
  });

  it('checks access again before each chunk: a role taken away stops the removal', async () => {
    addHosts(orgId, 250);
    const tech = await w.userWith(w.accountId, [{ role: 'technician', orgId }]);
    const service = chunkedHosts(100, async () => {
      w.opened.db
        .delete(roleAssignments)
        .where(
          and(eq(roleAssignments.userId, tech.userId), eq(roleAssignments.organizationId, orgId)),
        )
        .run();
    });
    const err = await service
      .removeAll(tech, { organization_id: orgId, confirm_count: 250 })
      .catch((e: { code: string }) => e);
    expect((err as { code: string }).code).toBe('NOT_FOUND');
    expect(hostCount()).toBe(150);
  });
});
