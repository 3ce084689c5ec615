import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  return err as TRPCError;
}

describe('feature flags (seed 001): per account or org, org overrides account, none = enabled', () => {
  it('no flag at all means enabled', async () => {
    const org = await api.organizations.create({ name: 'A' });
    expect(await w.services.featureFlags.isEnabled(org.id, 'patching')).toBe(true);
    expect(
      await api.featureFlags.isEnabled({ organization_id: org.id, feature: 'patching' }),
    ).toEqual({ feature: 'patching', enabled: true, source: 'default' });
    expect(await api.featureFlags.effective({ organization_id: org.id })).toEqual([]);
  });

  it('an account flag applies to every org; an org flag overrides it either way', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const ff = w.services.featureFlags;
    await api.featureFlags.set({ feature: 'patching', enabled: false });
    expect(await ff.isEnabled(a.id, 'patching')).toBe(false);
    expect(await ff.isEnabled(b.id, 'patching')).toBe(false);
    // Org flag on beats account flag off…
    await api.featureFlags.set({ organization_id: a.id, feature: 'patching', enabled: true });
    expect(await ff.isEnabled(a.id, 'patching')).toBe(true);
    expect(await ff.isEnabled(b.id, 'patching')).toBe(false);
    // …and org flag off beats account flag on.
    await api.featureFlags.set({ feature: 'patching', enabled: true });
    await api.featureFlags.set({ organization_id: b.id, feature: 'patching', enabled: false });
    expect(await ff.isEnabled(a.id, 'patching')).toBe(true);
    expect(await ff.isEnabled(b.id, 'patching')).toBe(false);
    expect(
      await api.featureFlags.isEnabled({ organization_id: b.id, feature: 'patching' }),
    ).toEqual({ feature: 'patching', enabled: false, source: 'organization' });
    // Other features stay on by default.
    expect(await ff.isEnabled(b.id, 'scripts')).toBe(true);
  });

  it('clearing falls back: org → account → enabled', async () => {
    const a = await api.organizations.create({ name: 'A' });
    await api.featureFlags.set({ feature: 'remote_desktop', enabled: false });
    await api.featureFlags.set({ organization_id: a.id, feature: 'remote_desktop', enabled: true });
    expect(
      await api.featureFlags.clear({ organization_id: a.id, feature: 'remote_desktop' }),
    ).toEqual({ cleared: true });
    expect(
      await api.featureFlags.isEnabled({ organization_id: a.id, feature: 'remote_desktop' }),
    ).toEqual({ feature: 'remote_desktop', enabled: false, source: 'account' });
    await api.featureFlags.clear({ feature: 'remote_desktop' });
    expect(await w.services.featureFlags.isEnabled(a.id, 'remote_desktop')).toBe(true);
    expect(await api.featureFlags.clear({ feature: 'remote_desktop' })).toEqual({ cleared: false });
  });

  it('setting twice updates the one flag; effective lists every flagged feature with its source', async () => {
    const a = await api.organizations.create({ name: 'A' });
    await api.featureFlags.set({ feature: 'scripts', enabled: true });
    await api.featureFlags.set({ feature: 'scripts', enabled: false });
    await api.featureFlags.set({ feature: 'patching', enabled: true });
    await api.featureFlags.set({ organization_id: a.id, feature: 'patching', enabled: false });
    await api.featureFlags.set({ organization_id: a.id, feature: 'vault', enabled: true });
    expect(await api.featureFlags.accountFlags()).toEqual([
      expect.objectContaining({ feature: 'patching', enabled: true, organization_id: null }),
      expect.objectContaining({ feature: 'scripts', enabled: false, organization_id: null }),
    ]);
    expect(await api.featureFlags.effective({ organization_id: a.id })).toEqual([
      { feature: 'patching', enabled: false, source: 'organization' },
      { feature: 'scripts', enabled: false, source: 'account' },
      { feature: 'vault', enabled: true, source: 'organization' },
    ]);
  });

  it("another account's flags never apply", async () => {
    const a = await api.organizations.create({ name: 'A' });
    const other = await w.otherAccount();
    await w.caller(other.admin).featureFlags.set({ feature: 'patching', enabled: false });
    expect(await w.services.featureFlags.isEnabled(a.id, 'patching')).toBe(true);
  });

  it('setting needs settings.manage (account admin); readers read; foreign orgs are not found', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const orgAdmin = w.caller(await w.userWith(w.accountId, [{ role: 'org_admin', orgId: a.id }]));
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: a.id }]));
    const e = await failure(
      orgAdmin.featureFlags.set({ feature: 'x', enabled: false }),
      'FORBIDDEN',
    );
    expect(e.message).toMatch(/settings\.manage/);
    await failure(
      orgAdmin.featureFlags.set({ organization_id: a.id, feature: 'x', enabled: false }),
      'FORBIDDEN',
    );
    await failure(orgAdmin.featureFlags.clear({ feature: 'x' }), 'FORBIDDEN');
    await failure(reader.featureFlags.accountFlags(), 'FORBIDDEN');
    await api.featureFlags.set({ organization_id: a.id, feature: 'x', enabled: false });
    expect(await reader.featureFlags.effective({ organization_id: a.id })).toHaveLength(1);
    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).organizations.create({ name: 'T' });
    await failure(
      api.featureFlags.set({ organization_id: theirs.id, feature: 'x', enabled: false }),
      'NOT_FOUND',
    );
    await failure(api.featureFlags.effective({ organization_id: theirs.id }), 'NOT_FOUND');
  });

  it('names a bad feature name and audits every change', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const e = await failure(
      api.featureFlags.set({ feature: 'Bad Name!', enabled: true }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/feature must be/);
    await api.featureFlags.set({ organization_id: a.id, feature: 'patching', enabled: false });
    await api.featureFlags.set({ feature: 'patching', enabled: true });
    await api.featureFlags.clear({ organization_id: a.id, feature: 'patching' });
    const entries = (
      await w.db
        .select()
        .from(t.auditEntries)
        .where(eq(t.auditEntries.targetType, 'feature_flag'))
        .orderBy(t.auditEntries.id)
    ).map((x) => ({
      action: x.action,
      org: x.organizationId,
      details: JSON.parse(x.details) as unknown,
    }));
    expect(entries).toEqual([
      {
        action: 'feature_flag.set',
        org: a.id,
        details: { scope: 'organization', enabled: { from: null, to: false } },
      },
      {
        action: 'feature_flag.set',
        org: null,
        details: { scope: 'account', enabled: { from: null, to: true } },
      },
      {
        action: 'feature_flag.cleared',
        org: a.id,
        details: { scope: 'organization', was: false },
      },
    ]);
  });
});
