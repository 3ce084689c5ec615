// AUD-2: the audit page names each entry's target (org, location, host, user, token, workflow…)
// as it is called now, resolved on the server within what the caller may read; a target that is
// gone, erased or not the caller's shows its id and target_deleted, never another tenant's name.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditPageOutput, type AuditEntry } from '../shared/schemas/audit.schema';
import { nextSeq } from './fixtures/audit-rows';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

const target = (items: AuditEntry[], action: string, id: number | string) =>
  items.find((e) => e.action === action && e.target_id === String(id));

/** An entry in `accountId`'s trail, written straight to the table (the chain is not read here). */
async function forge(
  accountId: number,
  targetType: string,
  targetId: number,
  organizationId?: number,
) {
  const seq = await nextSeq(w.db, accountId);
  await w.db.insert(t.auditEntries).values({
    at: w.clock.now(),
    accountId,
    organizationId: organizationId ?? null,
    actorUserId: null,
    actorLabel: 'system',
    action: 'test.forged',
    targetType,
    targetId: String(targetId),
    details: '{}',
    prevHash: '0'.repeat(64),
    hash: '0'.repeat(64),
    seq,
  });
}

describe('AUD-2 audit targets by name', () => {
  it('names organizations, locations, hosts and users as they are called now', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    await api.organizations.update({ id: org.id, patch: { name: 'Acme Corp' } });
    const loc = await api.locations.create({ organization_id: org.id, name: 'DC-East' });
    const [host] = await w.db
      .insert(t.hosts)
      .values({
        organizationId: org.id,
        locationId: org.default_location_id,
        hostname: 'web-01',
        ip: '10.0.0.5',
        agentType: 'go',
        registeredAt: 0,
      })
      .returning({ id: t.hosts.id });
    const hostId = host!.id;
    await api.hosts.move({ id: hostId, location_id: loc.id });
    const user = await api.users.create({ email: 'ana@example.com', name: 'Ana Lima' });

    const page = await api.audit.list();
    expect(() => auditPageOutput.parse(page)).not.toThrow();
    expect(target(page.items, 'organization.created', org.id)).toMatchObject({
      target_type: 'organization',
      target_name: 'Acme Corp',
      target_deleted: false,
    });
    expect(target(page.items, 'location.created', loc.id)).toMatchObject({
      target_name: 'DC-East',
      target_deleted: false,
    });
    expect(page.items.find((e) => e.target_type === 'host')).toMatchObject({
      target_id: String(hostId),
      target_name: 'web-01',
      target_deleted: false,
    });
    expect(page.items.find((e) => e.target_type === 'user')).toMatchObject({
      target_id: String(user.id),
      target_name: 'Ana Lima',
      target_deleted: false,
    });
  });

  it('a deleted target shows its id and target_deleted; an erased user gives no name', async () => {
    const org = await api.organizations.create({ name: 'Doomed' });
    const loc = await api.locations.create({ organization_id: org.id, name: 'Gone soon' });
    await api.locations.delete({ id: loc.id });
    const user = await api.users.create({ email: 'bo@example.com', name: 'Bo Secret' });
    await api.gdpr.eraseUser({ user_id: user.id, confirm: 'bo@example.com' });
    await api.organizations.delete({ id: org.id, hard_delete: true });

    const page = await api.audit.list();
    for (const e of page.items.filter((x) => x.target_type === 'location')) {
      expect(e).toMatchObject({ target_name: null, target_deleted: true });
    }
    expect(target(page.items, 'organization.created', org.id)).toMatchObject({
      target_name: null,
      target_deleted: true,
    });
    const erased = page.items.filter((e) => e.target_type === 'user');
    expect(erased.length).toBeGreaterThan(0);
    for (const e of erased) expect(e).toMatchObject({ target_name: null, target_deleted: true });
    expect(JSON.stringify(page)).not.toContain('Bo Secret');
  });

  it("never names another tenant's object, nor in an org's trail one of a sibling org", async () => {
    const other = await w.otherAccount('Other');
    const theirs = await w.caller(other.admin).organizations.create({ name: 'Their Secret Org' });
    const theirUser = await w.caller(other.admin).users.create({
      email: 'eve@other.example',
      name: 'Eve Other',
    });
    const acme = await api.organizations.create({ name: 'Acme' });
    const beta = await api.organizations.create({ name: 'Beta' });
    await forge(w.accountId, 'organization', theirs.id);
    await forge(w.accountId, 'location', theirs.default_location_id);
    await forge(w.accountId, 'user', theirUser.id);
    // In Acme's trail, an entry pointing at Beta and its location.
    await forge(w.accountId, 'organization', beta.id, acme.id);
    await forge(w.accountId, 'location', beta.default_location_id, acme.id);

    const all = (await api.audit.list()).items.filter((e) => e.action === 'test.forged');
    expect(JSON.stringify(all)).not.toMatch(/Their Secret Org|Eve Other/);
    const foreign = all.filter((e) => e.organization_id === null);
    expect(foreign).toHaveLength(3);
    for (const e of foreign) expect(e).toMatchObject({ target_name: null, target_deleted: true });

    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId: acme.id }]);
    const mine = (await w.caller(orgAdmin).audit.list({ organization_id: acme.id })).items;
    const sibling = mine.filter((e) => e.action === 'test.forged');
    expect(sibling).toHaveLength(2);
    for (const e of sibling) expect(e).toMatchObject({ target_name: null, target_deleted: true });
    // Its own org is named.
    expect(target(mine, 'organization.created', acme.id)).toMatchObject({ target_name: 'Acme' });
  });

  it('a filtered page (read off the event loop) names its targets too', async () => {
    const org = await api.organizations.create({ name: 'Filtered' });
    const page = await api.audit.list({ action: 'organization.created' });
    expect(target(page.items, 'organization.created', org.id)).toMatchObject({
      target_name: 'Filtered',
    });
  });
});
