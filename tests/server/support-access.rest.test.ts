// SUP-1..6 and AUD-2/3 over real HTTP: the REST layer shares the services and the
// support-engineer rule (http-kit's authenticate) with tRPC.
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectRoutes } from '../../main/server/rest/projection';
import { procedureEntries, supportEngineerMutations } from '../../main/trpc/procedures';

const SUPPORT_ENGINEER_MUTATIONS = supportEngineerMutations();
import { dumpDatabase, diffDumps } from '../fixtures/isolation-world';
import { sqlRun } from '../fixtures/raw-sql';
import { startServer, type TestResponse, type TestServer } from '../fixtures/server';

const HOUR = 3_600_000;

let s: TestServer;
let orgId: number;
let engineer: { token: string; userId: number };
let engineer2: { token: string; userId: number };
let otherAdmin: { token: string };

beforeEach(async () => {
  s = await startServer();
  const org = await s.request('POST', '/api/v1/organizations', { body: { name: 'Acme' } });
  expect(org.status).toBe(201);
  orgId = org.json.id;
  const platform = await s.services.accounts.provision({
    accountName: 'Platform',
    adminEmail: 'platform-admin@platform.test',
    adminName: 'Platform admin',
  });
  engineer = await s.userToken([], { accountId: platform.accountId, support: true });
  engineer2 = await s.userToken([], { accountId: platform.accountId, support: true });
  const other = await s.services.accounts.provision({
    accountName: 'Other',
    adminEmail: 'other-admin@other.test',
    adminName: 'Other admin',
  });
  otherAdmin = await s.userToken([{ role: 'account_admin' }], { accountId: other.accountId });
});
afterEach(() => s.close());

const errorOf = (res: TestResponse) => res.json?.error as { code: string; field?: string };
const seesAcme = async (token: string) =>
  (await s.request('GET', `/api/v1/organizations/${orgId}`, { token })).status === 200;

describe('support access over REST', () => {
  it('status answers active, expires_at and the grants behind it', async () => {
    const before = await s.request('GET', '/api/v1/support-access/status');
    expect(before.status).toBe(200);
    expect(before.json).toEqual({
      account_id: s.accountId,
      active: false,
      expires_at: null,
      grants: [],
    });
    const enabled = await s.request('POST', '/api/v1/support-access/enable', {
      body: { duration_hours: 2, reason: 'ticket 1' },
    });
    expect(enabled.status).toBe(200);
    expect(enabled.json).toMatchObject({ active: true, extended: false });
    const after = await s.request('GET', '/api/v1/support-access/status');
    expect(after.json).toMatchObject({
      active: true,
      expires_at: new Date(s.clock.now() + 2 * HOUR).toISOString(),
      grants: [{ kind: 'customer', reason: 'ticket 1', active: true }],
    });
    const again = await s.request('POST', '/api/v1/support-access/enable', {
      body: { duration_hours: 5 },
    });
    expect(again.json).toMatchObject({ extended: true });
    expect(again.json.message).toMatch(/extended/);
  });

  it('bad input is a 400 naming the field; foreign accounts are 404; engineers need a grant', async () => {
    for (const body of [{ duration_hours: 0 }, { duration_hours: 169 }, { duration_hours: '2' }]) {
      const res = await s.request('POST', '/api/v1/support-access/enable', { body });
      expect(res.status).toBe(400);
      expect(errorOf(res)).toMatchObject({ code: 'BAD_REQUEST', field: 'duration_hours' });
    }
    const noReason = await s.request('POST', '/api/v1/support-access/emergency-disable', {
      body: {},
    });
    expect(noReason.status).toBe(400);
    expect(errorOf(noReason).field).toBe('reason');
    expect((await s.request('GET', '/api/v1/support-access/status?x=1')).status).toBe(400);
    const foreign = await s.request(
      'GET',
      `/api/v1/support-access/status?account_id=${s.accountId}`,
      {
        token: otherAdmin.token,
      },
    );
    expect(foreign.status).toBe(404);
    const se = await s.request('GET', `/api/v1/support-access/status?account_id=${s.accountId}`, {
      token: engineer.token,
    });
    expect(se.status).toBe(404);
    expect((await s.request('GET', '/api/v1/support-access/status', { token: null })).status).toBe(
      401,
    );
  });

  it('request, list, approve: access counted from approval, for that engineer only, view-only', async () => {
    const req = await s.request('POST', '/api/v1/support-access/requests', {
      token: engineer.token,
      body: { account_id: s.accountId, reason: 'hosts offline', duration_hours: 3 },
    });
    expect(req.status).toBe(201);
    expect(req.json).toMatchObject({ status: 'pending', duration_hours: 3 });
    const notEngineer = await s.request('POST', '/api/v1/support-access/requests', {
      body: { account_id: s.accountId, reason: 'x' },
    });
    expect(notEngineer.status).toBe(403);
    const unknown = await s.request('POST', '/api/v1/support-access/requests', {
      token: engineer2.token,
      body: { account_id: 999_999, reason: 'x' },
    });
    expect(unknown.status).toBe(404);

    const list = await s.request('GET', '/api/v1/support-access/requests');
    expect(list.status).toBe(200);
    expect(list.headers['x-total-count']).toBe('1');
    expect(list.json.map((r: { id: number }) => r.id)).toEqual([req.json.id]);
    expect((await s.request('GET', '/api/v1/support-access/requests?status=nope')).status).toBe(
      400,
    );

    s.clock.advance(HOUR);
    const approved = await s.request(
      'POST',
      `/api/v1/support-access/requests/${req.json.id}/approve`,
      { body: { reason: 'go' } },
    );
    expect(approved.status).toBe(200);
    expect(approved.json.grant.expires_at).toBe(new Date(s.clock.now() + 3 * HOUR).toISOString());
    expect(await seesAcme(engineer.token)).toBe(true);
    expect(await seesAcme(engineer2.token)).toBe(false);
    // view-only over REST too, refused before anything is read or written
    const write = await s.request('POST', '/api/v1/organizations', {
      token: engineer.token,
      body: { name: 'Evil' },
    });
    expect(write.status).toBe(403);
    expect(errorOf(write).code).toBe('FORBIDDEN');
    const decideOwn = await s.request(
      'POST',
      `/api/v1/support-access/requests/${req.json.id}/deny`,
      { token: engineer.token, body: {} },
    );
    expect(decideOwn.status).toBe(403);
    const again = await s.request('POST', `/api/v1/support-access/requests/${req.json.id}/deny`, {
      body: {},
    });
    expect(again.status).toBe(409);
    const foreignDecision = await s.request(
      'POST',
      `/api/v1/support-access/requests/${req.json.id}/approve`,
      { token: otherAdmin.token, body: {} },
    );
    expect(foreignDecision.status).toBe(404);

    // SUP-5 over HTTP: the grant runs out between two requests of the same token.
    s.clock.advance(3 * HOUR - 1);
    expect(await seesAcme(engineer.token)).toBe(true);
    s.clock.advance(1);
    expect(await seesAcme(engineer.token)).toBe(false);
  });

  it('deny; disable; emergency disable ends every grant mid-session and cancels pending requests', async () => {
    const r1 = await s.request('POST', '/api/v1/support-access/requests', {
      token: engineer.token,
      body: { account_id: s.accountId, reason: 'a' },
    });
    const r2 = await s.request('POST', '/api/v1/support-access/requests', {
      token: engineer2.token,
      body: { account_id: s.accountId, reason: 'b' },
    });
    const denied = await s.request('POST', `/api/v1/support-access/requests/${r2.json.id}/deny`, {
      body: { reason: 'no ticket' },
    });
    expect(denied.json).toMatchObject({ grant: null, request: { status: 'denied' } });
    await s.request('POST', `/api/v1/support-access/requests/${r1.json.id}/approve`, { body: {} });
    await s.request('POST', '/api/v1/support-access/enable', { body: {} });
    expect(await seesAcme(engineer2.token)).toBe(true);
    const disabled = await s.request('POST', '/api/v1/support-access/disable', { body: {} });
    expect(disabled.json.ended_grant_ids).toHaveLength(1);
    expect(await seesAcme(engineer2.token)).toBe(false);
    expect(await seesAcme(engineer.token)).toBe(true);
    const r3 = await s.request('POST', '/api/v1/support-access/requests', {
      token: engineer2.token,
      body: { account_id: s.accountId, reason: 'c' },
    });

    const emergency = await s.request('POST', '/api/v1/support-access/emergency-disable', {
      body: { reason: 'breach' },
    });
    expect(emergency.status).toBe(200);
    expect(emergency.json).toMatchObject({ active: false, cancelled_request_ids: [r3.json.id] });
    expect(await seesAcme(engineer.token)).toBe(false);
    const audit = await s.request('GET', '/api/v1/audit?action=support_access.emergency_disabled');
    expect(audit.json[0].details).toMatchObject({ reason: 'breach' });
  });
});

describe('audit over REST', () => {
  it('lists newest first with X-Total-Count and filters; org admins see their org only', async () => {
    const beta = await s.request('POST', '/api/v1/organizations', { body: { name: 'Beta' } });
    await s.request('POST', `/api/v1/organizations/${orgId}/locations`, { body: { name: 'Lab' } });
    const all = await s.request('GET', '/api/v1/audit?action=organization.');
    expect(all.status).toBe(200);
    expect(all.headers['x-total-count']).toBe('2');
    expect(all.json.map((e: { target_id: string }) => e.target_id)).toEqual([
      String(beta.json.id),
      String(orgId),
    ]);
    const paged = await s.request('GET', '/api/v1/audit?limit=1&skip=1');
    expect(paged.json).toHaveLength(1);
    expect(
      (await s.request('GET', `/api/v1/audit?from=2020-01-01&to=2020-01-02`)).headers[
        'x-total-count'
      ],
    ).toBe('0');
    const bad = await s.request('GET', '/api/v1/audit?from=yesterday');
    expect(bad.status).toBe(400);
    expect(errorOf(bad).field).toBe('from');

    const orgAdmin = await s.userToken([{ role: 'org_admin', orgId }]);
    const mine = await s.request('GET', `/api/v1/audit?organization_id=${orgId}`, {
      token: orgAdmin.token,
    });
    expect(mine.status).toBe(200);
    expect(mine.json.every((e: { organization_id: number }) => e.organization_id === orgId)).toBe(
      true,
    );
    expect(
      (
        await s.request('GET', `/api/v1/audit?organization_id=${beta.json.id}`, {
          token: orgAdmin.token,
        })
      ).status,
    ).toBe(404);
    expect((await s.request('GET', '/api/v1/audit', { token: orgAdmin.token })).status).toBe(403);
    expect(
      (
        await s.request('GET', `/api/v1/audit?account_id=${s.accountId}`, {
          token: otherAdmin.token,
        })
      ).status,
    ).toBe(404);
  });

  it('exports CSV and JSON, and verify points at a tampered entry', async () => {
    const csv = await s.request('GET', '/api/v1/audit/export?format=csv');
    expect(csv.status).toBe(200);
    // The answer is the file itself (tests/server/export-file.rest.test.ts).
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['x-orgdesk-export-truncated']).toBe('false');
    expect(csv.text.split('\r\n')[0]).toBe(
      'id,at,account_id,organization_id,actor_user_id,actor_label,action,target_type,target_id,details,prev_hash,hash',
    );
    const json = await s.request('GET', '/api/v1/audit/export?format=json&action=organization.');
    expect(json.json).toHaveLength(1);

    expect((await s.request('GET', '/api/v1/audit/verify')).json).toMatchObject({ ok: true });
    const first = (await s.request('GET', '/api/v1/audit?action=organization.created')).json[0];
    // The actor is bound by id (labels are replaceable after a GDPR erasure): forge the id.
    await sqlRun(
      s.db,
      sql`UPDATE audit_entries SET actor_user_id = actor_user_id + 1000 WHERE id = ${first.id}`,
    );
    expect((await s.request('GET', '/api/v1/audit/verify')).json).toMatchObject({
      ok: false,
      first_bad_entry_id: first.id,
      problem: 'altered',
    });
  });

  it('a support engineer reads the account trail only while a grant is active', async () => {
    const path = `/api/v1/audit?account_id=${s.accountId}`;
    expect((await s.request('GET', path, { token: engineer.token })).status).toBe(404);
    await s.request('POST', '/api/v1/support-access/enable', { body: { duration_hours: 1 } });
    const res = await s.request('GET', path, { token: engineer.token });
    expect(res.status).toBe(200);
    expect(Number(res.headers['x-total-count'])).toBeGreaterThan(0);
    s.clock.advance(HOUR);
    expect((await s.request('GET', path, { token: engineer.token })).status).toBe(404);
  });
});

describe('one chokepoint: the REST layer is never laxer than tRPC', () => {
  const restRoutes = projectRoutes();

  it("every REST route is a projected procedure: the support-engineer rule is the procedure's own", () => {
    const procedures = new Map(procedureEntries());
    const problems: string[] = [];
    for (const r of restRoutes) {
      const proc = procedures.get(r.procedure);
      if (!proc) problems.push(`${r.method} ${r.path}: names no tRPC procedure (${r.procedure})`);
      else if (proc._def.type !== r.type) problems.push(`${r.method} ${r.path}: type differs`);
      if (
        r.supportEngineer &&
        !SUPPORT_ENGINEER_MUTATIONS.has(r.procedure) &&
        r.type === 'mutation'
      )
        problems.push(`${r.method} ${r.path}: support-engineer rule differs`);
    }
    expect(problems).toEqual([]);
    // A GET that changes something (an audited reveal) is still a mutation to the rule.
    expect(restRoutes.find((r) => r.path.endsWith('/secret'))).toMatchObject({
      method: 'GET',
      type: 'mutation',
    });
  });

  it('a support engineer with an active grant: every REST write is refused and changes nothing', async () => {
    await s.request('POST', '/api/v1/support-access/enable', { body: {} });
    expect(await seesAcme(engineer.token)).toBe(true);
    const writes = restRoutes.filter(
      (r) =>
        r.rest.auth !== 'none' &&
        r.type === 'mutation' &&
        !SUPPORT_ENGINEER_MUTATIONS.has(r.procedure),
    );
    expect(writes.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const r of writes) {
      const path = r.path.replace(/:[a-z_]+/g, String(orgId));
      const before = await dumpDatabase(s);
      // GET and DELETE carry no body (a body there is itself refused with 400).
      const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : { name: 'Evil' };
      const res = await s.request(r.method, path, { token: engineer.token, body });
      const changes = diffDumps(before, await dumpDatabase(s));
      if (res.status !== 403) problems.push(`${r.method} ${path}: ${res.status} ${res.text}`);
      if (changes.length > 0) problems.push(`${r.method} ${path}: changed ${changes.length} rows`);
    }
    expect(problems).toEqual([]);
  });
});
