// Issue 14 item 3: the writes whose rule held only because SQLite has one writer are now
// conditional statements, so they hold on an engine with many. On SQLite two requests cannot
// interleave inside a unit of work, so each race is played here inside one: the second writer
// arrives after the first committed its change, exactly as it would on PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

const uow = () => w.services.infra.uow;

async function newOrg(name: string) {
  return w.caller(w.admin).organizations.create({ name });
}

describe('conditional writes (issue 14 item 3)', () => {
  it('a host is inserted once per org and folded hostname; the second insert writes nothing', async () => {
    const org = await newOrg('Hosts');
    const values = (hostname: string) => ({
      hostname,
      ip: '10.0.0.1',
      ipKey: null,
      agentType: 'legacy' as const,
      publicKey: null,
      now: 1,
      secretGeneration: 0,
      organizationId: org.id,
      locationId: org.default_location_id,
    });
    const [a, b] = await uow().write(async (r) => [
      await r.agents.insertHostIfAbsent(values('web-01')),
      await r.agents.insertHostIfAbsent(values('WEB-01')),
    ]);
    expect(a?.hostname).toBe('web-01');
    expect(b).toBeUndefined();
    const found = await uow().read((r) => r.agents.hostByHostname(org.id, 'Web-01'));
    expect(found?.id).toBe(a!.id);
  });

  it('a support request is decided once: a second decision finds it no longer pending', async () => {
    const platform = await w.otherAccount('Platform', { platformOperator: true });
    const engineer = await w.userWith(platform.accountId, [], { support: true });
    const req = await w.caller(engineer).supportAccess.request({
      account_id: w.accountId,
      reason: 'hosts offline',
      duration_hours: 2,
    });
    const decide = (status: 'approved' | 'denied') => ({
      status,
      decidedAt: 5,
      decidedByUserId: w.admin.userId,
      decisionReason: null,
      grantId: null,
    });
    const [first, second] = await uow().write(async (r) => [
      await r.supportAccess.decideRequest(req.id, decide('approved')),
      await r.supportAccess.decideRequest(req.id, decide('denied')),
    ]);
    expect(first?.status).toBe('approved');
    expect(second).toBeUndefined();
  });

  it('a grant is revoked once and its expiry claimed once', async () => {
    const enabled = await w.caller(w.admin).supportAccess.enable({ duration_hours: 1 });
    const id = enabled.grant.id;
    const revoked = await uow().write(async (r) => [
      await r.supportAccess.revokeGrant(id, 10, w.admin.userId, null),
      await r.supportAccess.revokeGrant(id, 11, w.admin.userId, null),
    ]);
    expect(revoked).toEqual([true, false]);

    const other = await w.caller(w.admin).supportAccess.enable({ duration_hours: 1 });
    const after = other.grant.id;
    w.clock.advance(2 * 60 * 60 * 1000);
    const now = w.clock.now();
    const claims = await uow().write(async (r) => [
      (await r.supportAccess.claimEndedGrants(w.accountId, now, 86_400_000)).map((g) => g.id),
      (await r.supportAccess.claimEndedGrants(w.accountId, now, 86_400_000)).map((g) => g.id),
    ]);
    expect(claims).toEqual([[after], []]);
  });

  it('a feature flag is one upsert: the second set updates the same row', async () => {
    const scope = { accountId: w.accountId, organizationId: null, feature: 'remote_shell' };
    const [a, b] = await uow().write(async (r) => [
      await r.featureFlags.upsert(scope, false, 1),
      await r.featureFlags.upsert(scope, true, 2),
    ]);
    expect(b!.id).toBe(a!.id);
    expect(b).toMatchObject({ enabled: true, updatedAt: 2 });
    const rows = await uow().read((r) => r.featureFlags.ofAccount(w.accountId));
    expect(rows).toHaveLength(1);
  });

  it('every location or subnet change bumps the org’s location revision in its transaction', async () => {
    const org = await newOrg('Revisions');
    const rev = () => uow().read((r) => r.locations.locationRevision(org.id));
    const start = await rev();
    const loc = await w.caller(w.admin).locations.create({
      organization_id: org.id,
      name: 'Lab',
      subnets: ['10.5.0.0/16'],
    });
    const created = await rev();
    expect(created).toBeGreaterThan(start);
    // A change that rolls back leaves the revision as it was.
    await expect(
      uow().write(async (r) => {
        await r.locations.delete(loc.id);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await rev()).toBe(created);
    await w.caller(w.admin).locations.delete({ id: loc.id });
    expect(await rev()).toBeGreaterThan(created);
  });
});
