import { TRPCError } from '@trpc/server';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

async function rejects(p: Promise<unknown>, code: TRPCError['code'], message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  if (message) expect((err as TRPCError).message).toMatch(message);
  return err as TRPCError;
}

async function addHost(orgId: number, lastSeenAt: number | null, registeredAt = w.clock.now()) {
  const [loc] = await w.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .limit(1);
  await w.db.insert(t.hosts).values({
    organizationId: orgId,
    locationId: loc!.id,
    hostname: `h${Math.random()}`,
    ip: '10.0.0.1',
    agentType: 'go',
    registeredAt,
    lastSeenAt,
  });
}

/** count(*) of `table`, on either engine. */
const countOf = async (
  table: (typeof t)['locations' | 'alertRules' | 'auditEntries' | 'organizations'],
) => (await w.db.select({ n: count() }).from(table))[0]!.n;

describe('ORG-1 create', () => {
  it('creates the org, its secret, a Default location and the onboarding defaults', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({
      name: 'Acme',
      description: 'Widgets',
      region: 'eu',
    });
    expect(org.secret).toMatch(/^odk_orgsec_[A-Za-z0-9_-]{43}$/);
    expect(org.name).toBe('Acme');
    const locs = await api.locations.list({ organization_id: org.id });
    expect(locs).toEqual([
      expect.objectContaining({ name: 'Default', is_default: true, timezone: 'UTC' }),
    ]);
    expect(locs[0]!.id).toBe(org.default_location_id);
    const db = w.db;
    expect(
      (
        await db
          .select({ n: count() })
          .from(t.alertRules)
          .where(eq(t.alertRules.organizationId, org.id))
      )[0]!.n,
    ).toBe(3);
    expect(
      (
        await db
          .select({ n: count() })
          .from(t.complianceBaselines)
          .where(eq(t.complianceBaselines.organizationId, org.id))
      )[0]!.n,
    ).toBe(1);
    // The secret is stored encrypted: its text is nowhere in the row.
    const [row] = await db.select().from(t.organizations).where(eq(t.organizations.id, org.id));
    expect(row!.secretCiphertext.toString('latin1')).not.toContain(org.secret);
    expect(JSON.stringify(row)).not.toContain(org.secret);
  });

  it('rejects a duplicate name ignoring case, naming the field', async () => {
    const api = w.caller(w.admin);
    await api.organizations.create({ name: 'Acme' });
    const err = await rejects(
      api.organizations.create({ name: '  aCME ' }),
      'CONFLICT',
      /already exists/,
    );
    expect(err.cause).toMatchObject({ field: 'name' });
  });

  it('allows the same name in another account', async () => {
    await w.caller(w.admin).organizations.create({ name: 'Acme' });
    const other = await w.otherAccount();
    await expect(
      w.caller(other.admin).organizations.create({ name: 'Acme' }),
    ).resolves.toMatchObject({ name: 'Acme' });
  });

  it.each([
    [{ name: '' }, /name is required/],
    [{ name: '   ' }, /name is required/],
    [{ name: 'x'.repeat(121) }, /name must be at most 120/],
    [{ name: 5 }, /name must be text/],
    [{ name: 'ok', bogus: 1 }, /bogus/],
  ])('rejects bad input %j with a message naming the field', async (input, message) => {
    await rejects(w.caller(w.admin).organizations.create(input as never), 'BAD_REQUEST', message);
  });

  it('accepts a 120-character name', async () => {
    await expect(
      w.caller(w.admin).organizations.create({ name: 'x'.repeat(120) }),
    ).resolves.toBeTruthy();
  });

  it('needs settings.manage', async () => {
    const org = await w.caller(w.admin).organizations.create({ name: 'Acme' });
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]);
    await rejects(
      w.caller(orgAdmin).organizations.create({ name: 'Nope' }),
      'FORBIDDEN',
      /settings\.manage/,
    );
  });

  it('leaves nothing behind when creation fails halfway', async () => {
    await w.close();
    w = await createWorld({
      onboarding: {
        seed() {
          throw new Error('seeder exploded');
        },
      },
    });
    await expect(w.caller(w.admin).organizations.create({ name: 'Halfway' })).rejects.toThrow();
    expect(await countOf(t.organizations)).toBe(0);
    expect(await countOf(t.locations)).toBe(0);
    expect(await countOf(t.auditEntries)).toBe(0);
  });

  it('audits the creation without the secret', async () => {
    const org = await w.caller(w.admin).organizations.create({ name: 'Acme' });
    const entries = await w.db.select().from(t.auditEntries);
    expect(entries.map((e) => e.action)).toContain('organization.created');
    expect(JSON.stringify(entries)).not.toContain(org.secret);
  });
});

describe('ORG-2 list parameters', () => {
  beforeEach(async () => {
    const api = w.caller(w.admin);
    await api.organizations.create({ name: 'Bravo', description: 'second', region: 'us' });
    await api.organizations.create({ name: 'alpha', description: '100% uptime', region: 'eu' });
    await api.organizations.create({ name: 'Charlie_1', region: 'eu-west' });
    const d = await api.organizations.create({ name: 'Delta', description: 'Gone' });
    await api.organizations.delete({ id: d.id });
  });

  it('defaults: skip 0, limit 100, active only, stats on, ordered by name then id', async () => {
    const page = await w.caller(w.admin).organizations.list();
    expect(page.items.map((o) => o.name)).toEqual(['alpha', 'Bravo', 'Charlie_1']);
    expect(page.total).toBe(3);
    expect(page.items[0]!.stats).toEqual({ online: 0, offline: 0, stale: 0, total: 0 });
  });

  it('limit 1000 is allowed; 1001 and 0 are validation errors, never clamped', async () => {
    const api = w.caller(w.admin);
    await expect(api.organizations.list({ limit: 1000 })).resolves.toBeTruthy();
    const err = await rejects(
      api.organizations.list({ limit: 1001 }),
      'BAD_REQUEST',
      /limit must be at most 1000/,
    );
    expect(err.message).toMatch(/skip/);
    await rejects(
      api.organizations.list({ limit: 0 }),
      'BAD_REQUEST',
      /limit must be between 1 and 1000/,
    );
    await rejects(api.organizations.list({ skip: -1 }), 'BAD_REQUEST', /skip must be 0 or more/);
    await rejects(
      api.organizations.list({ limit: 1.5 }),
      'BAD_REQUEST',
      /limit must be a whole number/,
    );
  });

  it('skip and limit page through with a total of all matches', async () => {
    const page = await w.caller(w.admin).organizations.list({ skip: 1, limit: 1 });
    expect(page.items.map((o) => o.name)).toEqual(['Bravo']);
    expect(page.total).toBe(3);
  });

  it('search is a case-insensitive substring of name or description', async () => {
    const api = w.caller(w.admin);
    expect((await api.organizations.list({ search: 'BRAV' })).items.map((o) => o.name)).toEqual([
      'Bravo',
    ]);
    expect((await api.organizations.list({ search: 'SECOND' })).items.map((o) => o.name)).toEqual([
      'Bravo',
    ]);
  });

  it('LIKE wildcards in the search are literal', async () => {
    const api = w.caller(w.admin);
    expect((await api.organizations.list({ search: '%' })).items.map((o) => o.name)).toEqual([
      'alpha',
    ]);
    expect((await api.organizations.list({ search: '_' })).items.map((o) => o.name)).toEqual([
      'Charlie_1',
    ]);
    expect((await api.organizations.list({ search: 'a%u' })).total).toBe(0);
  });

  it('region is an exact match', async () => {
    const api = w.caller(w.admin);
    expect((await api.organizations.list({ region: 'eu' })).items.map((o) => o.name)).toEqual([
      'alpha',
    ]);
    expect((await api.organizations.list({ region: 'EU' })).total).toBe(0);
  });

  it('active_only=false shows inactive orgs too; is_active overrides active_only', async () => {
    const api = w.caller(w.admin);
    expect((await api.organizations.list({ active_only: false })).total).toBe(4);
    const inactive = await api.organizations.list({ is_active: false, active_only: true });
    expect(inactive.items.map((o) => o.name)).toEqual(['Delta']);
    expect((await api.organizations.list({ is_active: true, active_only: false })).total).toBe(3);
  });

  it('include_stats counts online, offline and stale hosts per org', async () => {
    const api = w.caller(w.admin);
    const alpha = (await api.organizations.list({ search: 'alpha' })).items[0]!;
    const now = w.clock.now();
    await addHost(alpha.id, now - 60_000); // online
    await addHost(alpha.id, now - 5 * 60_000); // exactly 5 min: online
    await addHost(alpha.id, now - 6 * 60_000); // offline
    await addHost(alpha.id, now - 31 * 86_400_000); // stale
    await addHost(alpha.id, null, now - 31 * 86_400_000); // never seen, registered 31 days ago: stale
    await addHost(alpha.id, null, now - 86_400_000); // never seen, registered yesterday: offline
    const page = await api.organizations.list({ search: 'alpha' });
    expect(page.items[0]!.stats).toEqual({ online: 2, offline: 2, stale: 2, total: 6 });
    const noStats = await api.organizations.list({ search: 'alpha', include_stats: false });
    expect(noStats.items[0]!.stats).toBeUndefined();
  });

  it('ORG-3 regions: sorted distinct non-null, across orgs the caller may read', async () => {
    expect(await w.caller(w.admin).organizations.regions()).toEqual(['eu', 'eu-west', 'us']);
    const other = await w.otherAccount();
    await w.caller(other.admin).organizations.create({ name: 'Foreign', region: 'apac' });
    expect(await w.caller(w.admin).organizations.regions()).not.toContain('apac');
  });
});

describe('ORG-4 update and ORG-5 delete', () => {
  it('updates fields and reads them back with the same names', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    const updated = await api.organizations.update({
      id: org.id,
      patch: {
        name: 'Acme Corp',
        region: 'eu',
        automation_level: 'semi_auto',
        kill_switch: true,
        recording_policy: 'full',
        recording_retention_days: 30,
        legal_hold: true,
        legal_hold_reason: 'litigation 42',
      },
    });
    expect(updated).toMatchObject({
      name: 'Acme Corp',
      region: 'eu',
      automation_level: 'semi_auto',
      kill_switch: true,
      recording_policy: 'full',
      recording_retention_days: 30,
      legal_hold: true,
      legal_hold_reason: 'litigation 42',
    });
    expect(await api.organizations.get({ id: org.id })).toMatchObject({
      name: 'Acme Corp',
      kill_switch: true,
    });
  });

  it("a page's row is the org as get answers it, field for field and type for type", async () => {
    // The page decodes raw rows itself (main/db/sqlite/repos/organizations.ts, rowDecoder): a
    // boolean column read as 0/1 or a field out of place would differ from get's answer here.
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Decoded Field Check', description: 'd' });
    await api.organizations.update({
      id: org.id,
      patch: { region: 'eu', kill_switch: true, legal_hold: true, legal_hold_reason: 'case 7' },
    });
    const page = await api.organizations.list({ search: 'Decoded Field Check' });
    expect(page.items).toHaveLength(1);
    const { stats: _stats, ...row } = page.items[0]!;
    const got = (await api.organizations.get({ id: org.id })) as Record<string, unknown>;
    expect(Object.keys(row).length).toBeGreaterThan(10);
    for (const [key, value] of Object.entries(row))
      expect([key, value]).toStrictEqual([key, got[key]]);
    expect(row).toMatchObject({
      kill_switch: true,
      legal_hold: true,
      is_active: true,
      region: 'eu',
    });
  });

  it('refuses legal hold without a reason and an unknown automation level', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    await rejects(
      api.organizations.update({ id: org.id, patch: { legal_hold: true } }),
      'BAD_REQUEST',
      /legal_hold_reason/,
    );
    await rejects(
      api.organizations.update({ id: org.id, patch: { automation_level: 'yolo' as never } }),
      'BAD_REQUEST',
      /automation_level must be one of manual, semi_auto, full_auto/,
    );
  });

  it('soft delete deactivates reversibly', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    await expect(api.organizations.delete({ id: org.id })).resolves.toEqual({
      id: org.id,
      deleted: 'soft',
    });
    expect((await api.organizations.get({ id: org.id })).is_active).toBe(false);
    await api.organizations.update({ id: org.id, patch: { is_active: true } });
    expect((await api.organizations.get({ id: org.id })).is_active).toBe(true);
  });

  it('hard delete needs organizations.hard_delete and removes everything', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    await api.locations.create({ organization_id: org.id, name: 'HQ', subnets: ['10.0.0.0/8'] });
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]);
    await rejects(
      w.caller(orgAdmin).organizations.delete({ id: org.id, hard_delete: true }),
      'FORBIDDEN',
      /organizations\.hard_delete/,
    );
    await expect(api.organizations.delete({ id: org.id, hard_delete: true })).resolves.toEqual({
      id: org.id,
      deleted: 'hard',
    });
    await rejects(api.organizations.get({ id: org.id }), 'NOT_FOUND');
    expect(await countOf(t.locations)).toBe(0);
    expect(await countOf(t.alertRules)).toBe(0);
  });

  it('hard delete is refused while the org has hosts, saying how many', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    await addHost(org.id, null);
    await addHost(org.id, null);
    await rejects(
      api.organizations.delete({ id: org.id, hard_delete: true }),
      'CONFLICT',
      /2 hosts; remove them first/,
    );
    expect((await api.organizations.get({ id: org.id })).is_active).toBe(true);
  });
});

describe('TEN-4 tenant boundary', () => {
  it('an org admin of org A can neither read nor change org B', async () => {
    const api = w.caller(w.admin);
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const adminA = w.caller(await w.userWith(w.accountId, [{ role: 'org_admin', orgId: a.id }]));
    expect((await adminA.organizations.list()).items.map((o) => o.name)).toEqual(['A']);
    await rejects(adminA.organizations.get({ id: b.id }), 'NOT_FOUND');
    await rejects(
      adminA.organizations.update({ id: b.id, patch: { kill_switch: true } }),
      'NOT_FOUND',
    );
    await rejects(adminA.organizations.revealSecret({ id: b.id }), 'NOT_FOUND');
    await rejects(adminA.locations.list({ organization_id: b.id }), 'NOT_FOUND');
    await rejects(adminA.locations.create({ organization_id: b.id, name: 'x' }), 'NOT_FOUND');
    expect((await api.organizations.get({ id: b.id })).kill_switch).toBe(false);
  });

  it('a foreign id reads exactly like a missing one', async () => {
    const other = await w.otherAccount();
    const foreign = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const a = await rejects(w.caller(w.admin).organizations.get({ id: foreign.id }), 'NOT_FOUND');
    const b = await rejects(w.caller(w.admin).organizations.get({ id: 999_999 }), 'NOT_FOUND');
    expect(a.message.replace(String(foreign.id), 'N')).toBe(b.message.replace('999999', 'N'));
  });

  it('a user with no role sees nothing (deny by default)', async () => {
    await w.caller(w.admin).organizations.create({ name: 'A' });
    const nobody = w.caller(await w.userWith(w.accountId, []));
    expect(await nobody.organizations.list()).toEqual({ items: [], total: 0 });
    expect(await nobody.organizations.regions()).toEqual([]);
  });

  it('an unauthenticated call is refused', async () => {
    await rejects(w.caller(null).organizations.list(), 'UNAUTHORIZED');
  });
});
