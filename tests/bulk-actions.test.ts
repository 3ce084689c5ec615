// UI-13: bulk move and remove of hosts, bulk deactivate of orgs, and "remove all hosts" before a
// hard delete. A bulk call is all or nothing: one id the caller may not touch refuses the whole
// call, and nothing changes; every item is audited.
import type { TRPCError } from '@trpc/server';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../main/core/access';
import { HostsService, REMOVE_ALL_CHUNK } from '../main/features/hosts/hosts.service';
import { MAX_BULK_IDS } from '../shared/constants';
import { diffDumps, dumpDatabase } from './fixtures/isolation-world';
import { sqlValue } from './fixtures/raw-sql';
import { t } from './fixtures/tables';
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

/** `n` hosts in `org`'s default location, in multi-row inserts; their ids in insertion order. */
async function addHosts(org: number, n: number, prefix = 'h'): Promise<number[]> {
  const location =
    org === orgId
      ? defaultId
      : (
          await w.db
            .select({ id: t.locations.id })
            .from(t.locations)
            .where(and(eq(t.locations.organizationId, org), eq(t.locations.isDefault, true)))
        )[0]!.id;
  const ids: number[] = [];
  for (let start = 0; start < n; start += 500) {
    const rows = await w.db
      .insert(t.hosts)
      .values(
        Array.from({ length: Math.min(500, n - start) }, (_, j) => ({
          organizationId: org,
          locationId: location,
          hostname: `${prefix}-${start + j}`,
          ip: '10.0.0.1',
          agentType: 'go' as const,
          registeredAt: w.clock.now(),
          lastSeenAt: w.clock.now(),
        })),
      )
      .returning({ id: t.hosts.id });
    // Ids grow in the order of the values on both engines; RETURNING's own order is not promised.
    ids.push(...rows.map((r) => r.id).sort((a, b) => a - b));
  }
  return ids;
}

const audits = (action: string) =>
  w.db
    .select()
    .from(t.auditEntries)
    .where(eq(t.auditEntries.action, action))
    .orderBy(t.auditEntries.id);
const hostCount = async (org = orgId) =>
  Number(await sqlValue(w.db, sql`SELECT count(*) FROM hosts WHERE organization_id = ${org}`));
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
    const ids = await addHosts(orgId, 3);
    expect(await api.hosts.moveMany({ organization_id: orgId, ids, location_id: labId })).toEqual({
      ids,
      count: 3,
    });
    const rows = await w.db
      .select()
      .from(t.hosts)
      .where(inArray(t.hosts.id, ids))
      .orderBy(t.hosts.id);
    expect(rows.map((r) => [r.locationId, r.pinned])).toEqual(ids.map(() => [labId, true]));
    const entries = await audits('host.moved');
    expect(entries.map((e) => Number(e.targetId))).toEqual(ids);
    expect(JSON.parse(entries[0]!.details)).toEqual({
      from_location_id: defaultId,
      to_location_id: labId,
      pinned: true,
      bulk: true,
    });
  });

  it('refuses the whole call for one id of another account, another org or none at all', async () => {
    const ids = await addHosts(orgId, 2);
    const other = await w.otherAccount();
    const foreignOrg = await w.caller(other.admin).organizations.create({ name: 'Foreign' });
    const [foreign] = await addHosts(foreignOrg.id, 1, 'foreign');
    const [sibling] = await addHosts(otherOrgId, 1, 'sibling');
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
    const ids = await addHosts(orgId, 2);
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
    const ids = await addHosts(orgId, 4);
    expect(await api.hosts.removeMany({ organization_id: orgId, ids: ids.slice(0, 3) })).toEqual({
      ids: ids.slice(0, 3),
      count: 3,
    });
    expect(await hostCount()).toBe(1);
    expect((await audits('host.removed')).map((e) => JSON.parse(e.details))).toEqual([
      { hostname: 'h-0', bulk: true },
      { hostname: 'h-1', bulk: true },
      { hostname: 'h-2', bulk: true },
    ]);
  });

  it('removes nothing when one id is not the caller’s to remove', async () => {
    const ids = await addHosts(orgId, 2);
    const [sibling] = await addHosts(otherOrgId, 1, 'sibling');
    await refusedUnchanged(
      () => api.hosts.removeMany({ organization_id: orgId, ids: [...ids, sibling!] }),
      'NOT_FOUND',
    );
    expect(await hostCount()).toBe(2);
    // The same call without the sibling's host goes through: it was that one id that refused it.
    expect(await api.hosts.removeMany({ organization_id: orgId, ids })).toEqual({ ids, count: 2 });
    expect(await hostCount()).toBe(0);
  });
});

describe('organizations.deactivateMany', () => {
  it('deactivates every org, audits each one that changed', async () => {
    await api.organizations.delete({ id: otherOrgId });
    const before = (await audits('organization.deactivated')).length;
    expect(await api.organizations.deactivateMany({ ids: [orgId, otherOrgId] })).toEqual({
      ids: [orgId, otherOrgId],
      count: 2,
    });
    const rows = await w.db.select().from(t.organizations);
    expect(rows.every((r) => !r.isActive)).toBe(true);
    // The sibling was already deactivated: no second entry for it.
    const entries = (await audits('organization.deactivated')).slice(before);
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
    await addHosts(orgId, 3);
    await addHosts(otherOrgId, 2, 'sibling');
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
    expect(await hostCount(otherOrgId)).toBe(2);
    expect(await audits('host.removed')).toHaveLength(3);
    expect((await audits('hosts.removed_all')).map((e) => JSON.parse(e.details))).toEqual([
      { removed: 3 },
    ]);
    expect(await api.organizations.delete({ id: orgId, hard_delete: true })).toEqual({
      id: orgId,
      deleted: 'hard',
    });
  });

  it('is refused like any host change: without hosts.manage, or for an org the caller cannot see', async () => {
    await addHosts(orgId, 2);
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
    const { uow, clock, matchers, offload } = w.services.infra;
    return new HostsService({
      uow,
      clock,
      access: new AccessService(clock),
      matchers,
      offload,
      removeAllChunk: chunk,
      yieldNow,
    });
  }

  it('works in chunks, yielding to the event loop between them (the count shows progress)', async () => {
    expect(REMOVE_ALL_CHUNK).toBe(100);
    await addHosts(orgId, 350);
    const seen: number[] = [];
    let otherWorkRan = 0;
    const service = chunkedHosts(100, async () => {
      seen.push(await hostCount());
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
    await addHosts(orgId, 250);
    let late: number[] = [];
    const service = chunkedHosts(100, async () => {
      if (late.length === 0) late = await addHosts(orgId, 2, 'late');
    });
    const result = await service.removeAll(w.admin, { organization_id: orgId, confirm_count: 250 });
    expect(result).toEqual({ organization_id: orgId, removed: 250, remaining: 2 });
    expect(
      await w.db
        .select({ id: t.hosts.id })
        .from(t.hosts)
        .where(eq(t.hosts.organizationId, orgId))
        .orderBy(t.hosts.id),
    ).toEqual(late.map((id) => ({ id })));
  });

  it('checks access again before each chunk: a role taken away stops the removal', async () => {
    await addHosts(orgId, 250);
    const tech = await w.userWith(w.accountId, [{ role: 'technician', orgId }]);
    const service = chunkedHosts(100, async () => {
      await w.db
        .delete(t.roleAssignments)
        .where(
          and(
            eq(t.roleAssignments.userId, tech.userId),
            eq(t.roleAssignments.organizationId, orgId),
          ),
        );
    });
    const err = await service
      .removeAll(tech, { organization_id: orgId, confirm_count: 250 })
      .catch((e: { code: string }) => e);
    expect((err as { code: string }).code).toBe('NOT_FOUND');
    expect(await hostCount()).toBe(150);
  });
});
