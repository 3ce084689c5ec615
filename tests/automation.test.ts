import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_KINDS, decide, explainDecision, type ActionKind } from '../shared/automation';
import { AUTOMATION_LEVELS } from '../shared/schemas/organizations.schema';
import { t } from './fixtures/tables';
import { createWorld, type World } from './fixtures/world';

let w: World;
beforeEach(async () => {
  w = await createWorld();
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

// The seed's table, written out by hand so a change to the implementation cannot move it.
const R = 'run';
const W = 'wait_for_approval';
const EXPECTED: Record<string, Record<ActionKind, string>> = {
  manual: {
    security_patch: W,
    critical_patch: W,
    other_patch: W,
    runbook: W,
    workflow: W,
    drift_correction: W,
    alert_remediation: W,
  },
  semi_auto: {
    security_patch: R,
    critical_patch: R,
    other_patch: W,
    runbook: W,
    workflow: W,
    drift_correction: W,
    alert_remediation: W,
  },
  full_auto: {
    security_patch: R,
    critical_patch: R,
    other_patch: R,
    runbook: R,
    workflow: R,
    drift_correction: R,
    alert_remediation: R,
  },
};

describe('AUT-1 decision function', () => {
  it('covers exactly the seven action kinds and three levels', () => {
    expect([...ACTION_KINDS].sort()).toEqual(Object.keys(EXPECTED.manual!).sort());
    expect([...AUTOMATION_LEVELS]).toEqual(['manual', 'semi_auto', 'full_auto']);
  });

  for (const level of AUTOMATION_LEVELS) {
    for (const kind of ACTION_KINDS) {
      it(`${level} × ${kind} → ${EXPECTED[level]![kind]}; kill switch → blocked`, () => {
        expect(decide(level, false, kind)).toBe(EXPECTED[level]![kind]);
        // AUT-2: the kill switch overrides every level, for every kind.
        expect(decide(level, true, kind)).toBe('blocked_by_kill_switch');
      });
    }
  }

  it('explains each decision in words', () => {
    expect(explainDecision('semi_auto', false, 'runbook')).toMatch(/semi_auto.*runbook.*waits/);
    expect(explainDecision('semi_auto', false, 'security_patch')).toMatch(/runs automatically/);
    expect(explainDecision('manual', false, 'critical_patch')).toMatch(/every action waits/);
    expect(explainDecision('full_auto', true, 'runbook')).toMatch(/kill switch is on/i);
  });
});

describe('AUT-1/AUT-2 per org: set through organizations.update, read by decideFor', () => {
  it('reads the org level and kill switch fresh on every call', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    const ask = (kind: ActionKind) =>
      api.automation.decide({ organization_id: org.id, action_kind: kind });
    // A new org starts at manual: nothing runs by itself.
    expect(await ask('security_patch')).toMatchObject({
      automation_level: 'manual',
      kill_switch: false,
      decision: 'wait_for_approval',
    });
    await api.organizations.update({ id: org.id, patch: { automation_level: 'semi_auto' } });
    expect((await ask('security_patch')).decision).toBe('run');
    expect((await ask('runbook')).decision).toBe('wait_for_approval');
    await api.organizations.update({ id: org.id, patch: { automation_level: 'full_auto' } });
    expect((await ask('runbook')).decision).toBe('run');
    await api.organizations.update({ id: org.id, patch: { kill_switch: true } });
    const blocked = await ask('runbook');
    expect(blocked).toMatchObject({ kill_switch: true, decision: 'blocked_by_kill_switch' });
    expect(blocked.reason).toMatch(/kill switch/i);
    // The service entry point engines use gives the same answer.
    expect((await w.services.automation.decideForOrg(org.id, 'security_patch')).decision).toBe(
      'blocked_by_kill_switch',
    );
    await api.organizations.update({ id: org.id, patch: { kill_switch: false } });
    expect((await ask('runbook')).decision).toBe('run');
  });

  it('records level and kill switch changes in the audit trail', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    await api.organizations.update({
      id: org.id,
      patch: { automation_level: 'full_auto', kill_switch: true },
    });
    const entries = await w.db
      .select()
      .from(t.auditEntries)
      .where(
        and(
          eq(t.auditEntries.organizationId, org.id),
          eq(t.auditEntries.action, 'organization.updated'),
        ),
      );
    expect(entries).toHaveLength(1);
    expect(JSON.parse(entries[0]!.details)).toEqual({
      changes: {
        automation_level: { from: 'manual', to: 'full_auto' },
        kill_switch: { from: false, to: true },
      },
    });
    expect(entries[0]!.actorUserId).toBe(w.admin.userId);
  });

  it('needs organizations.edit to change them; any reader may ask for a decision', async () => {
    const api = w.caller(w.admin);
    const org = await api.organizations.create({ name: 'Acme' });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]));
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    for (const who of [reader, tech]) {
      const err = await failure(
        who.organizations.update({ id: org.id, patch: { kill_switch: true } }),
      );
      expect(err.code).toBe('FORBIDDEN');
      expect(err.message).toMatch(/organizations\.edit/);
      await failure(
        who.organizations.update({ id: org.id, patch: { automation_level: 'full_auto' } }),
      );
    }
    expect((await api.organizations.get({ id: org.id })).kill_switch).toBe(false);
    await orgAdmin.organizations.update({ id: org.id, patch: { kill_switch: true } });
    expect(
      (await reader.automation.decide({ organization_id: org.id, action_kind: 'workflow' }))
        .decision,
    ).toBe('blocked_by_kill_switch');
  });

  it('hides foreign orgs and names a bad action kind', async () => {
    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const api = w.caller(w.admin);
    expect(
      (await failure(api.automation.decide({ organization_id: theirs.id, action_kind: 'runbook' })))
        .code,
    ).toBe('NOT_FOUND');
    const mine = await api.organizations.create({ name: 'Mine' });
    const bad = await failure(
      api.automation.decide({ organization_id: mine.id, action_kind: 'reboot' as never }),
    );
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toMatch(/action_kind must be one of security_patch/);
  });
});
