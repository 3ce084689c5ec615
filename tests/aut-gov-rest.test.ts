// Issue 5's REST endpoints over real HTTP on 127.0.0.1 (port 0), against the real server.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { t } from './fixtures/tables';
import { startServer, type TestResponse, type TestServer } from './fixtures/server';

let s: TestServer;
beforeEach(async () => {
  s = await startServer();
});
afterEach(() => s.close());

/** As the bootstrap admin unless another token is given. */
const call = (
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<TestResponse & { body: TestResponse['json'] }> =>
  s
    .request(method, path, { ...(token ? { token } : {}), body })
    .then((r) => ({ ...r, body: r.json }));

async function addHosts(orgId: number, n: number): Promise<number[]> {
  const [loc] = await s.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .orderBy(t.locations.id)
    .limit(1);
  const added = await s.db
    .insert(t.hosts)
    .values(
      Array.from({ length: n }, (_, i) => ({
        organizationId: orgId,
        locationId: loc!.id,
        hostname: `h${i}`,
        ip: '10.0.0.1',
        agentType: 'go' as const,
        registeredAt: s.clock.now(),
      })),
    )
    .returning({ id: t.hosts.id });
  // In insertion order, as the one-by-one inserts gave them.
  return added.map((h) => h.id).sort((a, b) => a - b);
}

describe('AUT-3/4 over REST', () => {
  it('workflows, binding, incident intake and runs', async () => {
    const admin = s.adminToken;
    const org = (await call(admin, 'POST', '/api/v1/organizations', { name: 'Acme' })).body;
    const createdWf = await call(admin, 'POST', `/api/v1/organizations/${org.id}/workflows`, {
      name: 'Major incident',
    });
    expect(createdWf.status).toBe(201);
    expect(createdWf.body).toMatchObject({ name: 'Major incident', is_active: true });
    const list = await call(admin, 'GET', `/api/v1/organizations/${org.id}/workflows`);
    expect(list.body).toEqual([expect.objectContaining({ id: createdWf.body.id })]);
    const mismatch = await call(admin, 'POST', `/api/v1/organizations/${org.id}/workflows`, {
      name: 'x',
      organization_id: Number(org.id) + 1,
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.field).toBe('organization_id');

    const bind = await call(admin, 'PATCH', `/api/v1/organizations/${org.id}`, {
      major_incident_workflow_id: createdWf.body.id,
      automation_level: 'full_auto',
    });
    expect(bind.body).toMatchObject({ major_incident_workflow_id: createdWf.body.id });

    const h = await addHosts(org.id, 3);
    // An integration posts without a title: the spec's body is organization_id, priority, hosts.
    const incident = await call(admin, 'POST', '/api/v1/incidents', {
      organization_id: org.id,
      priority: 'P1',
      affected_host_ids: h,
    });
    expect(incident.status).toBe(201);
    expect(incident.body.incident).toMatchObject({ title: 'P1 incident', affected_host_ids: h });
    expect(incident.body.workflow_run).toMatchObject({ status: 'running' });

    const foreign = await call(admin, 'POST', '/api/v1/incidents', {
      organization_id: org.id,
      priority: 'P1',
      affected_host_ids: [...h, 99_999],
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'Host 99999 not found in this organization',
      field: 'affected_host_ids',
    });
    const bad = await call(admin, 'POST', '/api/v1/incidents', {
      organization_id: org.id,
      priority: 'P9',
      affected_host_ids: h,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('priority');

    const runs = await call(admin, 'GET', `/api/v1/organizations/${org.id}/workflow-runs?limit=10`);
    expect(runs.status).toBe(200);
    expect(runs.headers['x-total-count']).toBe('1');
    expect(runs.body).toEqual([expect.objectContaining({ status: 'running' })]);

    const off = await call(admin, 'PATCH', `/api/v1/workflows/${createdWf.body.id}`, {
      is_active: false,
    });
    expect(off.body).toMatchObject({ binding_cleared: true });
    expect(
      (await call(admin, 'GET', `/api/v1/organizations/${org.id}`)).body.major_incident_workflow_id,
    ).toBeNull();

    const reader = (await s.userToken([{ role: 'reader', orgId: org.id }])).token;
    expect(
      (await call(reader, 'GET', `/api/v1/organizations/${org.id}/workflow-runs`)).status,
    ).toBe(200);
    expect(
      (await call(reader, 'POST', '/api/v1/incidents', { organization_id: org.id, priority: 'P2' }))
        .status,
    ).toBe(403);
    const orgReader = (
      await call(reader, 'POST', `/api/v1/organizations/${org.id}/workflows`, {
        name: 'Nope',
      })
    ).status;
    expect(orgReader).toBe(403);
  });

  it('automation decision, feature flags and onboarding defaults', async () => {
    const admin = s.adminToken;
    const org = (await call(admin, 'POST', '/api/v1/organizations', { name: 'Acme' })).body;
    const d = await call(
      admin,
      'GET',
      `/api/v1/organizations/${org.id}/automation/decision?action_kind=security_patch`,
    );
    expect(d.body).toMatchObject({ decision: 'wait_for_approval', automation_level: 'manual' });
    expect(
      (await call(admin, 'GET', `/api/v1/organizations/${org.id}/automation/decision`)).body.error
        .field,
    ).toBe('action_kind');

    expect(
      (await call(admin, 'PUT', '/api/v1/feature-flags', { feature: 'patching', enabled: false }))
        .body,
    ).toMatchObject({ feature: 'patching', enabled: false, organization_id: null });
    await call(admin, 'PUT', '/api/v1/feature-flags', {
      feature: 'patching',
      enabled: true,
      organization_id: org.id,
    });
    expect(
      (await call(admin, 'GET', `/api/v1/organizations/${org.id}/feature-flags?feature=patching`))
        .body,
    ).toEqual({ feature: 'patching', enabled: true, source: 'organization' });
    await call(admin, 'DELETE', `/api/v1/feature-flags?feature=patching&organization_id=${org.id}`);
    expect(
      (await call(admin, 'GET', `/api/v1/organizations/${org.id}/feature-flags`)).body,
    ).toEqual([{ feature: 'patching', enabled: false, source: 'account' }]);

    const rules = (await call(admin, 'GET', `/api/v1/organizations/${org.id}/alert-rules`)).body;
    expect(rules).toHaveLength(3);
    const patched = await call(admin, 'PATCH', `/api/v1/alert-rules/${rules[2].id}`, {
      threshold: 150,
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.field).toBe('threshold');
    expect(
      (await call(admin, 'PATCH', `/api/v1/alert-rules/${rules[2].id}`, { threshold: 85 })).body,
    ).toMatchObject({ threshold: 85 });
    const [baseline] = (
      await call(admin, 'GET', `/api/v1/organizations/${org.id}/compliance-baselines`)
    ).body;
    expect(
      (
        await call(admin, 'PATCH', `/api/v1/compliance-baselines/${baseline.id}`, {
          rules: ['a_b'],
        })
      ).body,
    ).toMatchObject({ rules: ['a_b'] });
  });
});

describe('GOV and GDPR over REST', () => {
  it('recordings, legal hold, retention cleanup and account default', async () => {
    const admin = s.adminToken;
    const org = (await call(admin, 'POST', '/api/v1/organizations', { name: 'Acme' })).body;
    const [host] = await addHosts(org.id, 1);
    const rec = await call(admin, 'POST', `/api/v1/organizations/${org.id}/recordings`, {
      host_id: host,
      kind: 'terminal',
      capture: 'metadata',
      started_at: new Date(s.clock.now() - 100 * 86_400_000).toISOString(),
      size_bytes: 10,
    });
    expect(rec.status).toBe(201);
    const listed = await call(admin, 'GET', `/api/v1/organizations/${org.id}/recordings`);
    expect(listed.headers['x-total-count']).toBe('1');
    await call(admin, 'PATCH', `/api/v1/organizations/${org.id}`, {
      legal_hold: true,
      legal_hold_reason: 'Case 9',
    });
    const refused = await call(admin, 'DELETE', `/api/v1/recordings/${rec.body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/legal hold \(reason: Case 9\)/);
    const cleanup = await call(admin, 'POST', '/api/v1/governance/retention-cleanup');
    expect(cleanup.body.organizations[0]).toMatchObject({ deleted: 0, skipped: 'legal_hold' });
    await call(admin, 'PATCH', `/api/v1/organizations/${org.id}`, { legal_hold: false });
    expect(
      (await call(admin, 'POST', '/api/v1/governance/retention-cleanup')).body.total_deleted,
    ).toBe(1);
    expect(await s.db.select().from(t.recordings)).toEqual([]);

    expect(
      (await call(admin, 'PUT', '/api/v1/account/retention', { default_retention_days: 30 })).body,
    ).toEqual({ account_id: s.accountId, default_retention_days: 30 });
    expect(
      (await call(admin, 'GET', `/api/v1/organizations/${org.id}/governance`)).body,
    ).toMatchObject({ effective_retention_days: 30, inherited: true });
  });

  it('erases and exports users', async () => {
    const admin = s.adminToken;
    const user = (
      await call(admin, 'POST', '/api/v1/users', { email: 'bob@example.com', name: 'Bob' })
    ).body;
    const exported = await call(admin, 'GET', `/api/v1/users/${user.id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body.sections.profile.records[0]).toMatchObject({ email: 'bob@example.com' });
    const account = await call(admin, 'GET', '/api/v1/account/export');
    expect(account.body.kind).toBe('account');
    const wrong = await call(admin, 'POST', `/api/v1/users/${user.id}/erase`, { confirm: 'bob' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('confirm');
    const erased = await call(admin, 'POST', `/api/v1/users/${user.id}/erase`, {
      confirm: 'bob@example.com',
    });
    expect(erased.body).toMatchObject({ email: `erased-user-${user.id}@erased.invalid` });
  });
});
