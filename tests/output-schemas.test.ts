// The output schemas in shared/schemas are the API's documented answers (OpenAPI, contract
// tests). Here real answers of real procedures, as they travel over JSON, must parse against
// them: a field the code adds, drops or retypes fails here before it reaches a client.
import { desc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AccessService } from '../main/core/access';
import type { Actor } from '../main/core/actor';
import { GdprService } from '../main/features/gdpr/gdpr.service';
import { appRouter } from '../main/trpc/router';
import { procedureEntries } from '../main/trpc/procedures';
import { createCallerFactory } from '../main/trpc/trpc';
import * as accounts from '../shared/schemas/accounts.schema';
import * as audit from '../shared/schemas/audit.schema';
import * as automation from '../shared/schemas/automation.schema';
import * as common from '../shared/schemas/common.schema';
import * as exportKey from '../shared/schemas/export-key.schema';
import * as featureFlags from '../shared/schemas/feature-flags.schema';
import * as gdpr from '../shared/schemas/gdpr.schema';
import * as governance from '../shared/schemas/governance.schema';
import * as hosts from '../shared/schemas/hosts.schema';
import * as locations from '../shared/schemas/locations.schema';
import * as onboarding from '../shared/schemas/onboarding.schema';
import * as organizations from '../shared/schemas/organizations.schema';
import * as supportAccess from '../shared/schemas/support-access.schema';
import * as users from '../shared/schemas/users.schema';
import * as workflows from '../shared/schemas/workflows.schema';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';
import { goAgent } from './fixtures/server';
import { sessionOf } from '../shared/schemas/mfa.schema';

const DAY = 24 * 60 * 60 * 1000;
const PASSWORD = 'a long enough password';

/** The answer as a client receives it must parse, and JSON must not have changed it. */
function conforms(schema: z.ZodType, answer: unknown): void {
  const wire: unknown = JSON.parse(JSON.stringify(answer));
  expect(wire).toStrictEqual(answer);
  const result = schema.safeParse(wire);
  if (!result.success) throw new Error(z.prettifyError(result.error));
}

const schemaModules = {
  accounts,
  audit,
  automation,
  common,
  exportKey,
  featureFlags,
  gdpr,
  governance,
  hosts,
  locations,
  onboarding,
  organizations,
  supportAccess,
  users,
  workflows,
};

describe('output schemas', () => {
  it('all render as JSON Schema (no transforms), objects closed to undocumented fields', () => {
    let n = 0;
    for (const [mod, exports] of Object.entries(schemaModules)) {
      for (const [name, value] of Object.entries(exports)) {
        if (!name.endsWith('Output') || !(value instanceof z.ZodType)) continue;
        const json = z.toJSONSchema(value, { io: 'output' });
        if (json.type === 'object') expect(json.additionalProperties, `${mod}.${name}`).toBe(false);
        n++;
      }
    }
    expect(n).toBeGreaterThan(60);
  });

  it('every procedure declares its output schema in its metadata (the OpenAPI answers)', () => {
    const missing = procedureEntries()
      .filter(([, p]) => !(p._def.meta?.output instanceof z.ZodType))
      .map(([path]) => path);
    expect(missing).toEqual([]);
  });
});

describe('real answers parse against the output schemas', () => {
  let w: World;
  let api: Caller;
  let orgId: number;
  let secret: string;

  beforeEach(async () => {
    w = await createWorld();
    api = w.caller(w.admin);
    const created = await api.organizations.create({
      name: 'Acme',
      description: 'Anvils',
      region: 'eu',
    });
    conforms(organizations.createdOrganizationOutput, created);
    // Closed objects: the secret is no field of a plain organization.
    expect(organizations.organizationOutput.safeParse(created).success).toBe(false);
    orgId = created.id;
    secret = created.secret;
  });
  afterEach(() => w.close());

  const register = async (hostname: string, ip: string) =>
    (await w.services.agents.register(secret, { hostname, ip, agent_type: 'legacy' })).host_id;

  it('organizations', async () => {
    conforms(organizations.organizationPageOutput, await api.organizations.list());
    conforms(
      organizations.organizationPageOutput,
      await api.organizations.list({ include_stats: false, search: 'acm' }),
    );
    conforms(organizations.regionsOutput, await api.organizations.regions());
    conforms(organizations.organizationDetailOutput, await api.organizations.get({ id: orgId }));
    conforms(
      organizations.organizationOutput,
      await api.organizations.update({
        id: orgId,
        patch: { legal_hold: true, legal_hold_reason: 'Litigation', recording_retention_days: 30 },
      }),
    );
    conforms(
      organizations.revealedSecretOutput,
      await api.organizations.revealSecret({ id: orgId }),
    );
    conforms(
      organizations.regeneratedSecretOutput,
      await api.organizations.regenerateSecret({ id: orgId, confirm: true }),
    );
    conforms(
      organizations.regeneratedSecretOutput,
      await api.organizations.regenerateSecret({ id: orgId, grace_period_hours: 2, confirm: true }),
    );
    conforms(organizations.agentConfigOutput, await api.organizations.agentConfig({ id: orgId }));
    conforms(
      organizations.deletedOrganizationOutput,
      await api.organizations.delete({ id: orgId }),
    );
    const spare = await api.organizations.create({ name: 'Spare' });
    conforms(
      organizations.deletedOrganizationOutput,
      await api.organizations.delete({ id: spare.id, hard_delete: true }),
    );
  });

  it('locations and hosts', async () => {
    const hostId = await register('web-1', '10.1.2.3');
    await register('db-1', '192.168.0.7');
    await w.services.agents.heartbeat({
      hostId: String(hostId),
      secret,
      rawBody: Buffer.from('{}'),
      input: {},
    });
    const office = await api.locations.create({
      organization_id: orgId,
      name: 'Office',
      subnets: ['10.1.0.0/16'],
      timezone: 'Europe/Berlin',
    });
    conforms(locations.savedLocationOutput, office);
    conforms(
      locations.savedLocationOutput,
      await api.locations.update({ id: office.id, patch: { subnets: ['10.0.0.0/8'] } }),
    );
    conforms(locations.locationListOutput, await api.locations.list({ organization_id: orgId }));
    conforms(locations.locationOutput, await api.locations.get({ id: office.id }));
    conforms(
      locations.resolveResultOutput,
      await api.locations.resolve({ organization_id: orgId, ip: '10.1.9.9' }),
    );
    conforms(
      locations.resolveResultOutput,
      await api.locations.resolve({ organization_id: orgId, ip: '172.16.0.1' }),
    );

    conforms(hosts.hostPageOutput, await api.hosts.list({ organization_id: orgId }));
    conforms(hosts.hostOutput, await api.hosts.get({ id: hostId }));
    const def = (await api.locations.list({ organization_id: orgId })).find((l) => l.is_default)!;
    conforms(hosts.hostOutput, await api.hosts.move({ id: hostId, location_id: def.id }));
    conforms(hosts.hostOutput, await api.hosts.unpin({ id: hostId }));
    conforms(locations.deletedLocationOutput, await api.locations.delete({ id: office.id }));
    const goHost = (
      await w.services.agents.register(secret, {
        hostname: 'go-1',
        ip: '10.1.2.4',
        agent_type: 'go',
        public_key: goAgent().publicKey,
      })
    ).host_id;
    conforms(hosts.hostIdentityResetOutput, await api.hosts.resetIdentity({ id: goHost }));
    conforms(hosts.removedHostOutput, await api.hosts.remove({ id: hostId }));
  });

  it('auth and users', async () => {
    const user = await api.users.create({ email: 'pat@a.test', name: 'Pat', password: PASSWORD });
    conforms(users.userOutput, user);
    conforms(
      users.userOutput,
      await api.users.setRoles({
        id: user.id,
        roles: [{ role: 'technician', organization_id: orgId }],
      }),
    );
    conforms(users.userOutput, await api.users.update({ id: user.id, patch: { name: 'Pat B' } }));
    conforms(users.userListOutput, await api.users.list());
    conforms(users.userOutput, await api.users.me());

    const login = sessionOf(
      await w.caller(null).auth.login({ email: 'pat@a.test', password: PASSWORD }),
    );
    conforms(users.loginResultOutput, login);
    const pat = (await w.services.auth.authenticate(login.token))!;
    const patApi = createCallerFactory(appRouter)({
      services: w.services,
      actor: pat,
      serverUrl: 'http://127.0.0.1:8787',
      token: login.token,
    });
    const token = await patApi.auth.createToken({ name: 'ci', expires_in_days: 30 });
    conforms(users.createdTokenOutput, token);
    conforms(users.apiTokenListOutput, await patApi.auth.tokens());
    conforms(users.apiTokenOutput, await patApi.auth.revokeToken({ id: token.id }));
    conforms(common.okOutput, await patApi.auth.logout());
  });

  it('accounts (PLAT-1, a platform operator)', async () => {
    const op = w.caller((await w.otherAccount('Platform', { platformOperator: true })).admin);
    const created = await op.accounts.create({
      name: 'New Co',
      admin_email: 'first@new.test',
      admin_name: 'First',
    });
    conforms(accounts.createdAccountOutput, created);
    conforms(accounts.accountPageOutput, await op.accounts.list());
    conforms(accounts.accountOutput, await op.accounts.get({ id: w.accountId }));
    conforms(
      accounts.accountOutput,
      await op.accounts.update({ id: created.account.id, patch: { is_active: false } }),
    );
  });

  it('support access', async () => {
    const platform = await w.otherAccount('Platform support');
    const se: Actor = await w.userWith(platform.accountId, [], { support: true });
    const seApi = w.caller(se);

    conforms(supportAccess.supportStatusOutput, await api.supportAccess.status());
    conforms(supportAccess.myAccessOutput, await api.supportAccess.myAccess());
    conforms(
      supportAccess.enableSupportResultOutput,
      await api.supportAccess.enable({ duration_hours: 2, reason: 'Ticket 42' }),
    );
    conforms(
      supportAccess.enableSupportResultOutput,
      await api.supportAccess.enable({ duration_hours: 4 }),
    );
    const first = await seApi.supportAccess.request({
      account_id: w.accountId,
      reason: 'Debug sync',
      duration_hours: 1,
    });
    conforms(supportAccess.supportRequestOutput, first);
    conforms(
      supportAccess.supportDecisionOutput,
      await api.supportAccess.approve({ id: first.id, reason: 'ok' }),
    );
    conforms(
      supportAccess.supportStatusOutput,
      await seApi.supportAccess.status({ account_id: w.accountId }),
    );
    conforms(supportAccess.myAccessOutput, await seApi.supportAccess.myAccess());
    const second = await w
      .caller(await w.userWith(platform.accountId, [], { support: true }))
      .supportAccess.request({ account_id: w.accountId, reason: 'Look around' });
    conforms(supportAccess.supportDecisionOutput, await api.supportAccess.deny({ id: second.id }));
    conforms(
      supportAccess.supportRequestPageOutput,
      await api.supportAccess.requests({ status: 'all' }),
    );
    conforms(supportAccess.disableSupportResultOutput, await api.supportAccess.disable());
    await w
      .caller(await w.userWith(platform.accountId, [], { support: true }))
      .supportAccess.request({ account_id: w.accountId, reason: 'Pending one' });
    conforms(
      supportAccess.emergencyDisableResultOutput,
      await api.supportAccess.emergencyDisable({ reason: 'Incident' }),
    );
  });

  it('audit', async () => {
    conforms(audit.auditPageOutput, await api.audit.list());
    conforms(audit.auditPageOutput, await api.audit.list({ organization_id: orgId }));
    conforms(audit.auditExportOutput, await api.audit.export({ format: 'csv' }));
    conforms(audit.auditExportOutput, await api.audit.export({ format: 'json' }));
    conforms(exportKey.exportKeyOutput, await api.exportKey.get());
    conforms(audit.auditVerifyResultOutput, await api.audit.verify());
    conforms(audit.auditVerifyStatusOutput, await api.audit.verifyStatus());
    // A broken chain answers with the optional fields too.
    const [last] = await w.db
      .select()
      .from(t.auditEntries)
      .orderBy(desc(t.auditEntries.id))
      .limit(1);
    await w.db
      .update(t.auditEntries)
      .set({ details: '{"tampered":true}' })
      .where(eq(t.auditEntries.id, last!.id));
    const broken = await api.audit.verify();
    expect(broken.problem).toBe('altered');
    conforms(audit.auditVerifyResultOutput, broken);
  });

  it('automation, workflows and incidents', async () => {
    conforms(
      automation.automationDecisionOutput,
      await api.automation.decide({ organization_id: orgId, action_kind: 'security_patch' }),
    );
    const wf = await api.workflows.create({ organization_id: orgId, name: 'Major incident' });
    conforms(workflows.workflowOutput, wf);
    await api.organizations.update({ id: orgId, patch: { major_incident_workflow_id: wf.id } });
    conforms(workflows.workflowOutput, await api.workflows.get({ id: wf.id }));
    conforms(
      workflows.workflowListOutput,
      await api.workflows.list({ organization_id: orgId, active_only: true }),
    );
    const ids = [
      await register('a', '10.0.0.1'),
      await register('b', '10.0.0.2'),
      await register('c', '10.0.0.3'),
    ];
    const major = await api.incidents.report({
      organization_id: orgId,
      priority: 'P1',
      affected_host_ids: ids,
    });
    expect(major.workflow_run).not.toBeNull();
    conforms(workflows.reportedIncidentOutput, major);
    conforms(
      workflows.reportedIncidentOutput,
      await api.incidents.report({ organization_id: orgId, priority: 'P3', title: 'Slow' }),
    );
    conforms(workflows.incidentPageOutput, await api.incidents.list({ organization_id: orgId }));
    conforms(workflows.workflowRunPageOutput, await api.workflows.runs({ organization_id: orgId }));
    conforms(
      workflows.updatedWorkflowOutput,
      await api.workflows.update({ id: wf.id, patch: { is_active: false } }),
    );
    conforms(
      workflows.updatedWorkflowOutput,
      await api.workflows.update({ id: wf.id, patch: { name: 'Renamed' } }),
    );
  });

  it('feature flags and onboarding', async () => {
    conforms(
      featureFlags.featureFlagOutput,
      await api.featureFlags.set({ feature: 'patching', enabled: false }),
    );
    conforms(
      featureFlags.featureFlagOutput,
      await api.featureFlags.set({ organization_id: orgId, feature: 'patching', enabled: true }),
    );
    conforms(
      featureFlags.effectiveFlagOutput,
      await api.featureFlags.isEnabled({ organization_id: orgId, feature: 'patching' }),
    );
    conforms(
      featureFlags.effectiveFlagListOutput,
      await api.featureFlags.effective({ organization_id: orgId }),
    );
    conforms(featureFlags.featureFlagListOutput, await api.featureFlags.accountFlags());
    conforms(
      featureFlags.clearedFlagOutput,
      await api.featureFlags.clear({ organization_id: orgId, feature: 'patching' }),
    );
    conforms(
      featureFlags.clearedFlagOutput,
      await api.featureFlags.clear({ feature: 'never-set' }),
    );

    const rules = await api.onboarding.alertRules({ organization_id: orgId });
    conforms(onboarding.alertRuleListOutput, rules);
    conforms(
      onboarding.alertRuleOutput,
      await api.onboarding.updateAlertRule({ id: rules[0]!.id, patch: { enabled: false } }),
    );
    const baselines = await api.onboarding.baselines({ organization_id: orgId });
    conforms(onboarding.complianceBaselineListOutput, baselines);
    conforms(
      onboarding.complianceBaselineOutput,
      await api.onboarding.updateBaseline({
        id: baselines[0]!.id,
        patch: { rules: ['firewall_enabled'] },
      }),
    );
  });

  it('governance', async () => {
    const hostId = await register('rec-1', '10.0.0.9');
    await api.organizations.update({ id: orgId, patch: { recording_policy: 'full' } });
    conforms(
      governance.governanceSettingsOutput,
      await api.governance.settings({ organization_id: orgId }),
    );
    const old = await api.governance.createRecording({
      organization_id: orgId,
      host_id: hostId,
      user_id: w.admin.userId,
      kind: 'terminal',
      capture: 'full',
      started_at: w.clock.now() - 400 * DAY,
      ended_at: w.clock.now() - 400 * DAY + 60_000,
      size_bytes: 1024,
    });
    conforms(governance.recordingOutput, old);
    const recent = await api.governance.createRecording({
      organization_id: orgId,
      host_id: hostId,
      kind: 'remote_desktop',
      capture: 'metadata',
      started_at: new Date(w.clock.now()).toISOString(),
    });
    conforms(
      governance.recordingPageOutput,
      await api.governance.recordings({ organization_id: orgId }),
    );
    conforms(
      governance.deletedRecordingOutput,
      await api.governance.deleteRecording({ id: recent.id }),
    );
    conforms(
      governance.accountRetentionOutput,
      await api.governance.setAccountRetention({ default_retention_days: 30 }),
    );
    const cleanup = await api.governance.runCleanup();
    expect(cleanup.total_deleted).toBe(1);
    conforms(governance.cleanupReportOutput, cleanup);
    await api.organizations.update({
      id: orgId,
      patch: { legal_hold: true, legal_hold_reason: 'Litigation' },
    });
    const held = await api.governance.runCleanup();
    expect(held.organizations[0]!.skipped).toBe('legal_hold');
    conforms(governance.cleanupReportOutput, held);
  });

  it('gdpr', async () => {
    const user = await api.users.create({ email: 'gone@a.test', name: 'Gone', password: PASSWORD });
    await w.caller(null).auth.login({ email: 'gone@a.test', password: PASSWORD });
    conforms(gdpr.dataExportOutput, await api.gdpr.exportUser({ user_id: user.id }));
    conforms(gdpr.dataExportOutput, await api.gdpr.exportAccount());
    // A cap of one cuts sections short: the capped branch of a section answers too.
    const { uow, clock, offload } = w.services.infra;
    const access = new AccessService(clock);
    const capped = new GdprService({ uow, clock, access, offload, exportCap: 1 });
    const small = await capped.exportAccount(w.admin);
    expect(small.capped_sections.length).toBeGreaterThan(0);
    conforms(gdpr.dataExportOutput, small);
    conforms(
      gdpr.erasedUserOutput,
      await api.gdpr.eraseUser({ user_id: user.id, confirm: 'gone@a.test' }),
    );
  });
});
