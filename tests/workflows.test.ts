import { TRPCError } from '@trpc/server';
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AutomationLevel } from '../shared/schemas/organizations.schema';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>, code?: TRPCError['code']): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  if (code) expect((err as TRPCError).code).toBe(code);
  return err as TRPCError;
}

let hostSeq = 0;
async function addHosts(orgId: number, n: number): Promise<number[]> {
  const [loc] = await w.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .limit(1);
  const rows = await w.db
    .insert(t.hosts)
    .values(
      Array.from({ length: n }, () => ({
        organizationId: orgId,
        locationId: loc!.id,
        hostname: `host-${++hostSeq}`,
        ip: '10.0.0.1',
        agentType: 'go' as const,
        registeredAt: w.clock.now(),
        lastSeenAt: w.clock.now(),
      })),
    )
    .returning({ id: t.hosts.id });
  return rows.map((r) => r.id);
}

const auditActions = async (orgId: number) =>
  (await w.db.select().from(t.auditEntries).where(eq(t.auditEntries.organizationId, orgId))).map(
    (e) => ({ action: e.action, details: JSON.parse(e.details) as Record<string, unknown> }),
  );

const runCount = async () => (await w.db.select({ n: count() }).from(t.workflowRuns))[0]!.n;

describe('AUT-4 workflow definitions', () => {
  it('creates, lists, renames, deactivates and reactivates, audited', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'Major incident' });
    expect(wf).toMatchObject({
      organization_id: org.id,
      name: 'Major incident',
      is_active: true,
      is_major_incident_workflow: false,
    });
    await api.workflows.create({ organization_id: org.id, name: 'Archive', is_active: false });
    expect((await api.workflows.list({ organization_id: org.id })).map((x) => x.name)).toEqual([
      'Archive',
      'Major incident',
    ]);
    expect(
      (await api.workflows.list({ organization_id: org.id, active_only: true })).map((x) => x.name),
    ).toEqual(['Major incident']);
    const renamed = await api.workflows.update({ id: wf.id, patch: { name: 'P1 response' } });
    expect(renamed).toMatchObject({ name: 'P1 response', binding_cleared: false, message: null });
    const off = await api.workflows.update({ id: wf.id, patch: { is_active: false } });
    expect(off.is_active).toBe(false);
    expect((await api.workflows.update({ id: wf.id, patch: { is_active: true } })).is_active).toBe(
      true,
    );
    const actions = (await auditActions(org.id)).map((a) => a.action);
    expect(actions.filter((a) => a === 'workflow.created')).toHaveLength(2);
    expect(actions.filter((a) => a === 'workflow.updated')).toHaveLength(3);
    expect(
      (await auditActions(org.id)).find((a) => a.action === 'workflow.updated')!.details,
    ).toEqual({
      changes: { name: { from: 'Major incident', to: 'P1 response' } },
      binding_cleared: false,
    });
  });

  it('refuses a duplicate name ignoring case, an empty patch and a blank name', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const a = await api.workflows.create({ organization_id: org.id, name: 'Runbook A' });
    const b = await api.workflows.create({ organization_id: org.id, name: 'Runbook B' });
    const dup = await failure(
      api.workflows.create({ organization_id: org.id, name: ' runbook a ' }),
      'CONFLICT',
    );
    expect(dup.message).toMatch(/already exists/);
    await failure(api.workflows.update({ id: b.id, patch: { name: 'RUNBOOK A' } }), 'CONFLICT');
    // Renaming to its own name in another case is fine.
    await expect(
      api.workflows.update({ id: a.id, patch: { name: 'RUNBOOK A' } }),
    ).resolves.toMatchObject({ name: 'RUNBOOK A' });
    await failure(api.workflows.update({ id: a.id, patch: {} }), 'BAD_REQUEST');
    const blank = await failure(
      api.workflows.create({ organization_id: org.id, name: '  ' }),
      'BAD_REQUEST',
    );
    expect(blank.message).toMatch(/name is required/);
    // The same name is fine in another org.
    const org2 = await api.organizations.create({ name: 'Other' });
    await expect(
      api.workflows.create({ organization_id: org2.id, name: 'Runbook A' }),
    ).resolves.toBeTruthy();
  });

  it('any reader lists; managing needs organizations.edit; foreign ids read as not found', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'WF' });
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]));
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    expect(await reader.workflows.list({ organization_id: org.id })).toHaveLength(1);
    expect(await reader.workflows.get({ id: wf.id })).toMatchObject({ name: 'WF' });
    for (const who of [reader, tech]) {
      const e = await failure(
        who.workflows.create({ organization_id: org.id, name: 'X' }),
        'FORBIDDEN',
      );
      expect(e.message).toMatch(/organizations\.edit/);
      await failure(who.workflows.update({ id: wf.id, patch: { is_active: false } }), 'FORBIDDEN');
    }
    await expect(
      orgAdmin.workflows.create({ organization_id: org.id, name: 'X' }),
    ).resolves.toBeTruthy();

    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const theirWf = await w
      .caller(other.admin)
      .workflows.create({ organization_id: theirs.id, name: 'Secret plan' });
    await failure(api.workflows.list({ organization_id: theirs.id }), 'NOT_FOUND');
    await failure(api.workflows.get({ id: theirWf.id }), 'NOT_FOUND');
    const e = await failure(
      api.workflows.update({ id: theirWf.id, patch: { name: 'Mine now' } }),
      'NOT_FOUND',
    );
    expect(e.message).toBe(`Workflow ${theirWf.id} not found`);
  });
});

describe('AUT-3 binding the major-incident workflow', () => {
  it('binds an active workflow of the same org; null clears it', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'WF' });
    const bound = await api.organizations.update({
      id: org.id,
      patch: { major_incident_workflow_id: wf.id },
    });
    expect(bound.major_incident_workflow_id).toBe(wf.id);
    expect((await api.workflows.get({ id: wf.id })).is_major_incident_workflow).toBe(true);
    const cleared = await api.organizations.update({
      id: org.id,
      patch: { major_incident_workflow_id: null },
    });
    expect(cleared.major_incident_workflow_id).toBeNull();
  });

  it('an inactive workflow cannot be bound', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({
      organization_id: org.id,
      name: 'Dormant',
      is_active: false,
    });
    const e = await failure(
      api.organizations.update({ id: org.id, patch: { major_incident_workflow_id: wf.id } }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/inactive/);
    expect((await api.organizations.get({ id: org.id })).major_incident_workflow_id).toBeNull();
  });

  it('a reader (and a technician) cannot bind', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'WF' });
    for (const role of ['reader', 'technician'] as const) {
      const who = w.caller(await w.userWith(w.accountId, [{ role, orgId: org.id }]));
      const e = await failure(
        who.organizations.update({ id: org.id, patch: { major_incident_workflow_id: wf.id } }),
        'FORBIDDEN',
      );
      expect(e.message).toMatch(/organizations\.edit/);
    }
    expect((await api.organizations.get({ id: org.id })).major_incident_workflow_id).toBeNull();
  });

  it('a workflow of another org (same account or another) cannot be bound: NOT_FOUND', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const wfB = await api.workflows.create({ organization_id: b.id, name: 'B flow' });
    const e = await failure(
      api.organizations.update({ id: a.id, patch: { major_incident_workflow_id: wfB.id } }),
      'NOT_FOUND',
    );
    expect(e.message).toMatch(new RegExp(`Workflow ${wfB.id} not found`));
    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    const theirWf = await w
      .caller(other.admin)
      .workflows.create({ organization_id: theirs.id, name: 'T' });
    await failure(
      api.organizations.update({ id: a.id, patch: { major_incident_workflow_id: theirWf.id } }),
      'NOT_FOUND',
    );
    expect((await api.organizations.get({ id: a.id })).major_incident_workflow_id).toBeNull();
  });

  it('deactivating the bound workflow clears the binding and says so, in the answer and the audit', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'WF' });
    const spare = await api.workflows.create({ organization_id: org.id, name: 'Spare' });
    await api.organizations.update({ id: org.id, patch: { major_incident_workflow_id: wf.id } });
    // Deactivating another workflow leaves the binding alone.
    const s = await api.workflows.update({ id: spare.id, patch: { is_active: false } });
    expect(s.binding_cleared).toBe(false);
    expect((await api.organizations.get({ id: org.id })).major_incident_workflow_id).toBe(wf.id);

    const off = await api.workflows.update({ id: wf.id, patch: { is_active: false } });
    expect(off).toMatchObject({
      is_active: false,
      binding_cleared: true,
      is_major_incident_workflow: false,
    });
    expect(off.message).toMatch(/binding is now cleared/);
    expect((await api.organizations.get({ id: org.id })).major_incident_workflow_id).toBeNull();
    const audit = await auditActions(org.id);
    expect(audit.at(-1)).toEqual({
      action: 'workflow.updated',
      details: { changes: { is_active: { from: true, to: false } }, binding_cleared: true },
    });
    expect(audit.at(-2)).toMatchObject({
      action: 'organization.updated',
      details: { changes: { major_incident_workflow_id: { from: wf.id, to: null } } },
    });
    // Reactivating does not bind it again by itself.
    await api.workflows.update({ id: wf.id, patch: { is_active: true } });
    expect((await api.organizations.get({ id: org.id })).major_incident_workflow_id).toBeNull();
  });
});

describe('AUT-3 incident intake and major-incident runs', () => {
  async function setup(level: AutomationLevel = 'full_auto', opts: { bind?: boolean } = {}) {
    const org = await api.organizations.create({ name: `Org ${++hostSeq}` });
    const wf = await api.workflows.create({ organization_id: org.id, name: 'Major incident' });
    await api.organizations.update({
      id: org.id,
      patch: {
        automation_level: level,
        ...(opts.bind === false ? {} : { major_incident_workflow_id: wf.id }),
      },
    });
    return { org, wf, h: await addHosts(org.id, 5) };
  }

  const p1 = (organization_id: number, affected_host_ids: number[]) =>
    api.incidents.report({ organization_id, priority: 'P1', title: 'Outage', affected_host_ids });

  it('full_auto: a P1 with 3 distinct hosts creates a running run of the bound workflow', async () => {
    const { org, wf, h } = await setup('full_auto');
    const out = await p1(org.id, [h[0]!, h[1]!, h[2]!]);
    expect(out.no_run_reason).toBeNull();
    expect(out.incident).toMatchObject({
      organization_id: org.id,
      priority: 'P1',
      affected_host_ids: [h[0], h[1], h[2]],
      reported_by_user_id: w.admin.userId,
    });
    expect(out.workflow_run).toMatchObject({
      organization_id: org.id,
      workflow_id: wf.id,
      workflow_name: 'Major incident',
      incident_id: out.incident.id,
      status: 'running',
    });
    const actions = (await auditActions(org.id)).map((a) => a.action);
    expect(actions).toContain('incident.reported');
    expect(
      (await auditActions(org.id)).find((a) => a.action === 'workflow_run.created')!.details,
    ).toMatchObject({
      status: 'running',
      workflow_id: wf.id,
      incident_id: out.incident.id,
    });
  });

  it.each(['manual', 'semi_auto'] as const)('%s: the run awaits approval', async (level) => {
    const { org, h } = await setup(level);
    const out = await p1(org.id, h);
    expect(out.workflow_run?.status).toBe('awaiting_approval');
    expect(out.workflow_run?.reason).toMatch(/waits for approval/);
  });

  it('kill switch: the run is recorded as suppressed, with the reason', async () => {
    const { org, h } = await setup('full_auto');
    await api.organizations.update({ id: org.id, patch: { kill_switch: true } });
    const out = await p1(org.id, h);
    expect(out.workflow_run).toMatchObject({ status: 'suppressed' });
    expect(out.workflow_run!.reason).toMatch(/kill switch/i);
    const runs = await api.workflows.runs({ organization_id: org.id });
    expect(runs.items.map((r) => r.status)).toEqual(['suppressed']);
  });

  it('a P1 with 2 hosts creates no run', async () => {
    const { org, h } = await setup();
    const out = await p1(org.id, [h[0]!, h[1]!]);
    expect(out.workflow_run).toBeNull();
    expect(out.no_run_reason).toMatch(/3 distinct affected hosts; this one names 2/);
    expect(await runCount()).toBe(0);
    // The incident itself is still recorded.
    expect((await w.db.select({ n: count() }).from(t.incidents))[0]!.n).toBe(1);
  });

  it('3 mentions of the same host (or 2+2) create no run', async () => {
    const { org, h } = await setup();
    const same = await p1(org.id, [h[0]!, h[0]!, h[0]!]);
    expect(same.workflow_run).toBeNull();
    expect(same.incident.affected_host_ids).toEqual([h[0]]);
    expect((await p1(org.id, [h[0]!, h[1]!, h[0]!, h[1]!])).workflow_run).toBeNull();
    expect(await runCount()).toBe(0);
    // …and 3 distinct among repeats do.
    expect((await p1(org.id, [h[0]!, h[1]!, h[0]!, h[2]!])).workflow_run).not.toBeNull();
  });

  it.each(['P2', 'P3', 'P4'] as const)('a %s with 5 hosts creates no run', async (priority) => {
    const { org, h } = await setup();
    const out = await api.incidents.report({
      organization_id: org.id,
      priority,
      title: 'Lesser',
      affected_host_ids: h,
    });
    expect(out.workflow_run).toBeNull();
    expect(out.no_run_reason).toMatch(new RegExp(`Only a P1.*${priority}`));
    expect(await runCount()).toBe(0);
  });

  it('no binding: no run', async () => {
    const { org, h } = await setup('full_auto', { bind: false });
    const out = await p1(org.id, h);
    expect(out.workflow_run).toBeNull();
    expect(out.no_run_reason).toMatch(/No major-incident workflow is bound/);
    expect(await runCount()).toBe(0);
  });

  it('after the bound workflow is deactivated, a major incident launches nothing', async () => {
    const { org, wf, h } = await setup('full_auto');
    await api.workflows.update({ id: wf.id, patch: { is_active: false } });
    expect((await p1(org.id, h)).workflow_run).toBeNull();
    expect(await runCount()).toBe(0);
  });

  it('hosts must belong to that org: a foreign or missing id is NOT_FOUND, naming it, and nothing is stored', async () => {
    const { org, h } = await setup();
    const { org: other } = await setup();
    const foreignHost = (await addHosts(other.id, 1))[0]!;
    const e = await failure(p1(org.id, [h[0]!, h[1]!, foreignHost]), 'NOT_FOUND');
    expect(e.message).toBe(`Host ${foreignHost} not found in this organization`);
    expect(e.cause).toMatchObject({ field: 'affected_host_ids' });
    const m = await failure(p1(org.id, [h[0]!, 987_654]), 'NOT_FOUND');
    expect(m.message).toMatch(/Host 987654 not found/);
    expect((await w.db.select({ n: count() }).from(t.incidents))[0]!.n).toBe(0);
    expect(await runCount()).toBe(0);
  });

  it('validates priority and title, naming the field', async () => {
    const { org, h } = await setup();
    const e = await failure(
      api.incidents.report({
        organization_id: org.id,
        priority: 'P0' as never,
        title: 'x',
        affected_host_ids: h,
      }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/priority must be one of P1, P2, P3, P4/);
    await failure(
      api.incidents.report({
        organization_id: org.id,
        priority: 'P1',
        title: ' ',
        affected_host_ids: h,
      }),
      'BAD_REQUEST',
    );
  });

  it('reporting needs incidents.report: a technician may, a reader may not; foreign orgs are not found', async () => {
    const { org, h } = await setup();
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]));
    const e = await failure(
      reader.incidents.report({
        organization_id: org.id,
        priority: 'P1',
        title: 'x',
        affected_host_ids: h,
      }),
      'FORBIDDEN',
    );
    expect(e.message).toMatch(/incidents\.report/);
    const out = await tech.incidents.report({
      organization_id: org.id,
      priority: 'P1',
      title: 'x',
      affected_host_ids: h,
    });
    expect(out.workflow_run?.status).toBe('running');
    const other = await w.otherAccount();
    await failure(
      w.caller(other.admin).incidents.report({
        organization_id: org.id,
        priority: 'P1',
        title: 'x',
        affected_host_ids: h,
      }),
      'NOT_FOUND',
    );
  });

  it('runs are listed per org, newest first, paginated; readers may list', async () => {
    const a = await setup('full_auto');
    const b = await setup('manual');
    await p1(a.org.id, a.h);
    w.clock.advance(1000);
    await api.organizations.update({ id: a.org.id, patch: { kill_switch: true } });
    await p1(a.org.id, a.h);
    await p1(b.org.id, b.h);
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: a.org.id }]));
    const runsA = await reader.workflows.runs({ organization_id: a.org.id });
    expect(runsA.total).toBe(2);
    expect(runsA.items.map((r) => r.status)).toEqual(['suppressed', 'running']);
    expect(runsA.items.every((r) => r.organization_id === a.org.id)).toBe(true);
    const page = await reader.workflows.runs({ organization_id: a.org.id, skip: 1, limit: 1 });
    expect(page).toMatchObject({ total: 2, items: [{ status: 'running' }] });
    await failure(reader.workflows.runs({ organization_id: b.org.id }), 'NOT_FOUND');
    expect((await api.workflows.runs({ organization_id: b.org.id })).items).toEqual([
      expect.objectContaining({ status: 'awaiting_approval' }),
    ]);
    const incidentsA = await reader.incidents.list({ organization_id: a.org.id });
    expect(incidentsA.total).toBe(2);
    expect(
      (
        await w.db
          .select({ n: count() })
          .from(t.workflowRuns)
          .where(and(eq(t.workflowRuns.organizationId, a.org.id)))
      )[0]!.n,
    ).toBe(2);
  });
});
