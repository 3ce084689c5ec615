import { TRPCError } from '@trpc/server';
import { count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OnboardingSeeder } from '../main/features/onboarding/onboarding.service';
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

describe('AUT-5 onboarding defaults: listed and editable', () => {
  it('lists the seeded alert rules and baseline to any reader of the org', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    expect(
      (await reader.onboarding.alertRules({ organization_id: org.id })).map((r) => [
        r.kind,
        r.threshold,
        r.duration_minutes,
        r.enabled,
      ]),
    ).toEqual([
      ['host_offline', null, 5, true],
      ['disk_nearly_full', 90, null, true],
      ['cpu_sustained', 95, 15, true],
    ]);
    const [baseline] = await reader.onboarding.baselines({ organization_id: org.id });
    expect(baseline).toMatchObject({ organization_id: org.id, name: 'Default baseline' });
    expect(baseline!.rules).toContain('firewall_enabled');
  });

  it('edits an alert rule (organizations.edit), audited with what changed', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const [, disk] = await api.onboarding.alertRules({ organization_id: org.id });
    const updated = await api.onboarding.updateAlertRule({
      id: disk!.id,
      patch: { threshold: 80, enabled: false },
    });
    expect(updated).toMatchObject({ threshold: 80, enabled: false, kind: 'disk_nearly_full' });
    expect((await api.onboarding.alertRules({ organization_id: org.id }))[1]).toMatchObject({
      threshold: 80,
      enabled: false,
    });
    const [entry] = await w.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'alert_rule.updated'));
    expect(JSON.parse(entry!.details)).toEqual({
      kind: 'disk_nearly_full',
      changes: { threshold: { from: 90, to: 80 }, enabled: { from: true, to: false } },
    });
    const e = await failure(
      api.onboarding.updateAlertRule({ id: disk!.id, patch: { threshold: null } }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/threshold is required/);
    await failure(
      api.onboarding.updateAlertRule({ id: disk!.id, patch: { threshold: 101 } }),
      'BAD_REQUEST',
    );
    await failure(api.onboarding.updateAlertRule({ id: disk!.id, patch: {} }), 'BAD_REQUEST');
  });

  it('edits the baseline rules, de-duplicated and audited as added/removed', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const [b] = await api.onboarding.baselines({ organization_id: org.id });
    const updated = await api.onboarding.updateBaseline({
      id: b!.id,
      patch: {
        name: 'Strict',
        rules: ['firewall_enabled', 'usb_storage_blocked', 'firewall_enabled'],
      },
    });
    expect(updated).toMatchObject({
      name: 'Strict',
      rules: ['firewall_enabled', 'usb_storage_blocked'],
    });
    const [entry] = await w.db
      .select()
      .from(t.auditEntries)
      .where(eq(t.auditEntries.action, 'compliance_baseline.updated'));
    const details = JSON.parse(entry!.details) as {
      rules_added: string[];
      rules_removed: string[];
    };
    expect(details.rules_added).toEqual(['usb_storage_blocked']);
    expect(details.rules_removed).toContain('disk_encryption_enabled');
    await failure(
      api.onboarding.updateBaseline({ id: b!.id, patch: { rules: ['Not A Rule'] } }),
      'BAD_REQUEST',
    );
  });

  it('readers and technicians cannot edit; foreign rules read as not found', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const [rule] = await api.onboarding.alertRules({ organization_id: org.id });
    const [b] = await api.onboarding.baselines({ organization_id: org.id });
    for (const role of ['reader', 'technician'] as const) {
      const who = w.caller(await w.userWith(w.accountId, [{ role, orgId: org.id }]));
      await failure(
        who.onboarding.updateAlertRule({ id: rule!.id, patch: { enabled: false } }),
        'FORBIDDEN',
      );
      await failure(
        who.onboarding.updateBaseline({ id: b!.id, patch: { name: 'x' } }),
        'FORBIDDEN',
      );
    }
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await expect(
      orgAdmin.onboarding.updateAlertRule({ id: rule!.id, patch: { name: 'Offline host' } }),
    ).resolves.toMatchObject({ name: 'Offline host' });
    const other = await w.otherAccount();
    const them = w.caller(other.admin);
    const e = await failure(
      them.onboarding.updateAlertRule({ id: rule!.id, patch: { enabled: false } }),
      'NOT_FOUND',
    );
    expect(e.message).toBe(`Alert rule ${rule!.id} not found`);
    await failure(them.onboarding.alertRules({ organization_id: org.id }), 'NOT_FOUND');
    await failure(them.onboarding.updateBaseline({ id: b!.id, patch: { name: 'x' } }), 'NOT_FOUND');
  });

  it('a seeder failure still undoes the whole org creation (transaction unchanged)', async () => {
    const failing: OnboardingSeeder = {
      seed() {
        throw new Error('seed failed');
      },
    };
    const w2 = await createWorld({ onboarding: failing });
    try {
      await expect(w2.caller(w2.admin).organizations.create({ name: 'X' })).rejects.toThrow();
      expect((await w2.db.select({ n: count() }).from(t.organizations))[0]!.n).toBe(0);
      expect((await w2.db.select({ n: count() }).from(t.alertRules))[0]!.n).toBe(0);
    } finally {
      await w2.close();
    }
  });
});
