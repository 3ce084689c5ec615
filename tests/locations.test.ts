import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from './fixtures/tables';
import { onPg } from './fixtures/test-engine';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
let orgId: number;
let defaultId: number;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const org = await api.organizations.create({ name: 'Acme' });
  orgId = org.id;
  defaultId = org.default_location_id;
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

async function addHost(ip: string, locationId = defaultId, pinned = false): Promise<number> {
  const [row] = await w.db
    .insert(t.hosts)
    .values({
      organizationId: orgId,
      locationId,
      hostname: ip,
      ip,
      agentType: 'go',
      registeredAt: 0,
      pinned,
    })
    .returning({ id: t.hosts.id });
  return row!.id;
}
const hostLocation = async (id: number) =>
  (await w.db.select({ l: t.hosts.locationId }).from(t.hosts).where(eq(t.hosts.id, id)))[0]!.l;

describe('LOC-1 create, edit, delete', () => {
  it('creates a location with IPv4 and IPv6 subnets and a validated timezone', async () => {
    const loc = await api.locations.create({
      organization_id: orgId,
      name: 'DC-East',
      subnets: ['10.1.0.0/16', '2001:DB8:0::/48'],
      timezone: 'America/New_York',
    });
    expect(loc).toMatchObject({
      name: 'DC-East',
      subnets: ['10.1.0.0/16', '2001:db8::/48'],
      timezone: 'America/New_York',
      is_default: false,
    });
  });

  it('defaults the timezone to UTC and rejects an unknown one naming the field', async () => {
    expect((await api.locations.create({ organization_id: orgId, name: 'A' })).timezone).toBe(
      'UTC',
    );
    const err = await failure(
      api.locations.create({ organization_id: orgId, name: 'B', timezone: 'Mars/Olympus' }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/"Mars\/Olympus" is not an IANA time zone/);
    expect(err.cause).toMatchObject({ field: 'timezone' });
  });

  it('names are unique in the org ignoring case', async () => {
    await api.locations.create({ organization_id: orgId, name: 'HQ' });
    const err = await failure(api.locations.create({ organization_id: orgId, name: 'hq' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/already exists/);
    const other = await api.organizations.create({ name: 'Other' });
    await expect(
      api.locations.create({ organization_id: other.id, name: 'HQ' }),
    ).resolves.toBeTruthy();
  });

  it('renames and replaces subnets', async () => {
    const loc = await api.locations.create({
      organization_id: orgId,
      name: 'A',
      subnets: ['10.0.0.0/8'],
    });
    const updated = await api.locations.update({
      id: loc.id,
      patch: { name: 'B', subnets: ['192.168.0.0/16'] },
    });
    expect(updated).toMatchObject({ name: 'B', subnets: ['192.168.0.0/16'] });
  });

  it('needs locations.manage: a reader cannot, a technician can', async () => {
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId }]));
    expect(
      (await failure(reader.locations.create({ organization_id: orgId, name: 'X' }))).message,
    ).toMatch(/locations\.manage/);
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId }]));
    await expect(
      tech.locations.create({ organization_id: orgId, name: 'X' }),
    ).resolves.toBeTruthy();
  });
});

describe('LOC-2 subnet validation', () => {
  it('rejects host bits with the corrected network in the message and the field index', async () => {
    const err = await failure(
      api.locations.create({
        organization_id: orgId,
        name: 'A',
        subnets: ['10.0.0.0/8', '10.1.2.3/16'],
      }),
    );
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('did you mean 10.1.0.0/16');
    expect(err.cause).toMatchObject({ field: 'subnets.1' });
  });

  it('rejects garbage and a network listed twice', async () => {
    expect(
      (
        await failure(
          api.locations.create({ organization_id: orgId, name: 'A', subnets: ['banana'] }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
    const dup = await failure(
      api.locations.create({
        organization_id: orgId,
        name: 'A',
        subnets: ['10.0.0.0/8', '10.0.0.0/8'],
      }),
    );
    expect(dup.message).toMatch(/listed twice/);
  });

  it('rejects the same network in two locations of one org, naming the other', async () => {
    await api.locations.create({ organization_id: orgId, name: 'First', subnets: ['10.1.0.0/16'] });
    const err = await failure(
      api.locations.create({ organization_id: orgId, name: 'Second', subnets: ['10.1.0.0/16'] }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/location "First"/);
    // Nothing half-written: the second location does not exist.
    expect((await api.locations.list({ organization_id: orgId })).map((l) => l.name)).toEqual([
      'Default',
      'First',
    ]);
  });

  it('allows overlapping networks of different lengths, and the same network in another org', async () => {
    await api.locations.create({ organization_id: orgId, name: 'Wide', subnets: ['10.0.0.0/8'] });
    await expect(
      api.locations.create({ organization_id: orgId, name: 'Narrow', subnets: ['10.1.0.0/16'] }),
    ).resolves.toBeTruthy();
    const other = await api.organizations.create({ name: 'Other' });
    await expect(
      api.locations.create({ organization_id: other.id, name: 'Wide', subnets: ['10.0.0.0/8'] }),
    ).resolves.toBeTruthy();
  });
});

describe('LOC-3 assignment', () => {
  beforeEach(async () => {
    await api.locations.create({ organization_id: orgId, name: 'Wide', subnets: ['10.0.0.0/8'] });
    await api.locations.create({
      organization_id: orgId,
      name: 'Narrow',
      subnets: ['10.1.0.0/16', '10.1.2.0/24'],
    });
    await api.locations.create({ organization_id: orgId, name: 'V6', subnets: ['2001:db8::/32'] });
    await api.locations.create({
      organization_id: orgId,
      name: 'V6-lab',
      subnets: ['2001:db8:1::/48'],
    });
  });

  it.each([
    ['10.1.2.3', 'Narrow', '10.1.2.0/24'],
    ['10.1.9.9', 'Narrow', '10.1.0.0/16'],
    ['10.200.0.1', 'Wide', '10.0.0.0/8'],
    ['2001:db8:1::5', 'V6-lab', '2001:db8:1::/48'],
    ['2001:db8:2::5', 'V6', '2001:db8::/32'],
    ['192.168.1.1', 'Default', null],
    ['::1', 'Default', null],
  ])('%s lands in %s', async (ip, name, subnet) => {
    const r = await api.locations.resolve({ organization_id: orgId, ip });
    expect(r).toMatchObject({ location_name: name, matched_subnet: subnet });
  });

  it('a bad IP is a field error', async () => {
    const err = await failure(api.locations.resolve({ organization_id: orgId, ip: '10.1.2' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.cause).toMatchObject({ field: 'ip' });
  });

  it('sees subnet edits at once (the cached matcher is dropped)', async () => {
    expect(
      (await api.locations.resolve({ organization_id: orgId, ip: '172.16.0.1' })).location_name,
    ).toBe('Default');
    const loc = await api.locations.create({
      organization_id: orgId,
      name: 'Lab',
      subnets: ['172.16.0.0/12'],
    });
    expect(
      (await api.locations.resolve({ organization_id: orgId, ip: '172.16.0.1' })).location_name,
    ).toBe('Lab');
    await api.locations.update({ id: loc.id, patch: { subnets: [] } });
    expect(
      (await api.locations.resolve({ organization_id: orgId, ip: '172.16.0.1' })).location_name,
    ).toBe('Default');
  });

  // Issue 14: the cache follows commits only (invalidated in r.afterCommit); a change that rolls
  // back touches neither the cache nor where an IP lands.
  it('a refused location change leaves the cached matcher as it was; a committed one drops it', async () => {
    const matchers = w.services.infra.matchers;
    const lab = await api.locations.create({
      organization_id: orgId,
      name: 'Lab',
      subnets: ['10.50.0.0/16'],
    });
    const committed = await matchers.get(orgId);
    // Name taken: refused at the insert, rolled back.
    const taken = await failure(
      api.locations.create({ organization_id: orgId, name: 'LAB', subnets: ['192.168.0.0/16'] }),
    );
    expect(taken.message).toMatch(/already exists/);
    expect(await matchers.get(orgId)).toBe(committed);
    // A subnet of another location: refused after the location row was already updated.
    await api.locations.create({
      organization_id: orgId,
      name: 'Edge',
      subnets: ['172.16.0.0/12'],
    });
    const edge = await matchers.get(orgId);
    expect(edge).not.toBe(committed);
    const clash = await failure(
      api.locations.update({ id: lab.id, patch: { name: 'Lab 2', subnets: ['172.16.0.0/12'] } }),
    );
    expect(clash.message).toMatch(/already a subnet of location "Edge"/);
    expect(await matchers.get(orgId)).toBe(edge);
    expect((await api.locations.get({ id: lab.id })).name).toBe('Lab');
    expect(
      (await api.locations.resolve({ organization_id: orgId, ip: '192.168.1.1' })).location_name,
    ).toBe('Default');
  });

  it('unpinned hosts follow subnet changes; pinned ones stay', async () => {
    const free = await addHost('172.16.0.1');
    const pinned = await addHost('172.16.0.2', defaultId, true);
    const lab = await api.locations.create({
      organization_id: orgId,
      name: 'Lab',
      subnets: ['172.16.0.0/12'],
    });
    expect(lab.hosts_reassigned).toBe(1);
    expect(await hostLocation(free)).toBe(lab.id);
    expect(await hostLocation(pinned)).toBe(defaultId);
  });
});

describe('LOC-4 default location', () => {
  it('exactly one default; moving it is atomic', async () => {
    const b = await api.locations.create({ organization_id: orgId, name: 'B' });
    await api.locations.update({ id: b.id, patch: { is_default: true } });
    const list = await api.locations.list({ organization_id: orgId });
    expect(list.filter((l) => l.is_default).map((l) => l.name)).toEqual(['B']);
    const c = await api.locations.create({ organization_id: orgId, name: 'C', is_default: true });
    const after = await api.locations.list({ organization_id: orgId });
    expect(after.filter((l) => l.is_default).map((l) => l.id)).toEqual([c.id]);
  });

  it('the database itself refuses a second default', async () => {
    const err: unknown = await w.db
      .insert(t.locations)
      .values({
        organizationId: orgId,
        name: 'X',
        nameKey: 'x',
        isDefault: true,
        createdAt: 0,
        updatedAt: 0,
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    // The engine's own refusal: SQLite's "UNIQUE constraint failed", PostgreSQL's unique
    // violation (23505, under drizzle's "Failed query") on the one-default index.
    if (onPg) {
      expect((err as { cause?: { code?: string } }).cause?.code).toBe('23505');
    } else expect((err as Error).message).toMatch(/UNIQUE/);
  });

  it('cannot be unset directly or deleted', async () => {
    const err = await failure(
      api.locations.update({ id: defaultId, patch: { is_default: false as never } }),
    );
    expect(err.message).toMatch(/make another location the default/);
    const del = await failure(api.locations.delete({ id: defaultId }));
    expect(del.code).toBe('CONFLICT');
    expect(del.message).toMatch(/is the default location and cannot be deleted/);
  });

  it('LOC-4: deleting a location re-resolves unpinned hosts over the remaining subnets, pinned ones to the default, and says how many went where', async () => {
    const wide = await api.locations.create({
      organization_id: orgId,
      name: 'Wide',
      subnets: ['10.0.0.0/8'],
    });
    const narrow = await api.locations.create({
      organization_id: orgId,
      name: 'Narrow',
      subnets: ['10.1.0.0/16'],
    });
    // In Narrow: two that Wide still covers, one nothing covers, one pinned there by hand.
    const toWide1 = await addHost('10.1.0.1', narrow.id);
    const toWide2 = await addHost('10.1.0.2', narrow.id);
    const toDefault = await addHost('192.168.1.5', narrow.id);
    const pinned = await addHost('10.1.0.3', narrow.id, true);
    const elsewhere = await addHost('10.2.0.1', wide.id);

    const expected = {
      id: narrow.id,
      hosts_moved: 4,
      pinned_hosts: 1,
      default_location_id: defaultId,
      moves: [
        { location_id: defaultId, location_name: 'Default', hosts: 2 },
        { location_id: wide.id, location_name: 'Wide', hosts: 2 },
      ],
    };
    // The preview answers the same counts and writes nothing.
    const audited = async () => (await w.db.select().from(t.auditEntries)).length;
    const before = await audited();
    expect(await api.locations.deletePreview({ id: narrow.id })).toEqual(expected);
    expect(await hostLocation(toWide1)).toBe(narrow.id);
    expect(await audited()).toBe(before);

    expect(await api.locations.delete({ id: narrow.id })).toEqual(expected);
    expect(await Promise.all([toWide1, toWide2, elsewhere].map(hostLocation))).toEqual([
      wide.id,
      wide.id,
      wide.id,
    ]);
    expect(await Promise.all([toDefault, pinned].map(hostLocation))).toEqual([
      defaultId,
      defaultId,
    ]);
    const [entry] = await w.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'location.deleted'));
    expect(JSON.parse(entry!.details)).toMatchObject({
      name: 'Narrow',
      hosts_moved: 4,
      pinned_hosts: 1,
      moves: [
        { location_id: defaultId, hosts: 2 },
        { location_id: wide.id, hosts: 2 },
      ],
    });
    // A later registration of that network follows Wide, not the deleted location.
    expect(await api.locations.resolve({ organization_id: orgId, ip: '10.1.9.9' })).toMatchObject({
      location_id: wide.id,
    });
  });

  it('LOC-4: the delete preview needs locations.manage and refuses the default like the delete', async () => {
    const b = await api.locations.create({ organization_id: orgId, name: 'B' });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId }]));
    expect((await failure(reader.locations.deletePreview({ id: b.id }))).code).toBe('FORBIDDEN');
    const err = await failure(api.locations.deletePreview({ id: defaultId }));
    expect(err.message).toMatch(/is the default location and cannot be deleted/);
    expect(await api.locations.deletePreview({ id: b.id })).toEqual({
      id: b.id,
      hosts_moved: 0,
      pinned_hosts: 0,
      default_location_id: defaultId,
      moves: [],
    });
  });

  it('a location of another tenant is not found', async () => {
    const other = await w.otherAccount();
    const foreign = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const err = await failure(api.locations.delete({ id: foreign.default_location_id }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toMatch(/^Location/);
  });
});
