import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  // 12 orgs for the list table: names sort as Org 01..Org 12; a few with regions and descriptions.
  for (let i = 1; i <= 12; i++) {
    const res = await s.request('POST', '/api/v1/organizations', {
      body: {
        name: `Org ${String(i).padStart(2, '0')}`,
        description: i === 3 ? 'Has 100%_literal in it' : i === 4 ? 'Has 100 percent' : null,
        region: i % 3 === 0 ? 'eu-west' : i % 3 === 1 ? 'us-east' : null,
      },
    });
    expect(res.status).toBe(201);
  }
  const list = await s.request('GET', '/api/v1/organizations?search=Org%2012');
  const deactivated = await s.request('DELETE', `/api/v1/organizations/${list.json[0].id}`);
  expect(deactivated.status).toBe(200);
});
afterAll(() => s.close());

const names = (res: { json: Json }) => (res.json as { name: string }[]).map((o) => o.name);
const get = (path: string, token?: string | null) => s.request('GET', path, { token });

describe('GET /api/v1/organizations (ORG-2 through the query string)', () => {
  it('defaults: active only, first 100, ordered by name, with stats and X-Total-Count', async () => {
    const res = await get('/api/v1/organizations');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json)).toBe(true);
    expect(res.headers['x-total-count']).toBe('11');
    expect(names(res)).toEqual(
      [...Array(11)].map((_, i) => `Org ${String(i + 1).padStart(2, '0')}`),
    );
    expect(res.json[0].stats).toEqual({ online: 0, offline: 0, stale: 0, total: 0 });
    expect(res.json[0]).not.toHaveProperty('secret');
  });

  it.each([
    ['skip=2&limit=3', ['Org 03', 'Org 04', 'Org 05'], '11'],
    ['limit=1000', null, '11'],
    ['limit=1', ['Org 01'], '11'],
    ['skip=20', [], '11'],
    ['search=org%200', null, '9'],
    ['search=100%25_', ['Org 03'], '1'],
    ['search=100', ['Org 03', 'Org 04'], '2'],
    ['search=PERCENT', ['Org 04'], '1'],
    ['region=eu-west', ['Org 03', 'Org 06', 'Org 09'], '3'],
    ['region=eu', [], '0'],
    ['active_only=false&search=Org%201', ['Org 10', 'Org 11', 'Org 12'], '3'],
    ['is_active=false', ['Org 12'], '1'],
    ['active_only=true&is_active=false', ['Org 12'], '1'],
    ['active_only=0&limit=2', ['Org 01', 'Org 02'], '12'],
    // ORG-2 sort/order (UI-11): regions descending, ties (and no region, last) by name ascending.
    ['sort=region&order=desc&limit=5', ['Org 01', 'Org 04', 'Org 07', 'Org 10', 'Org 03'], '11'],
    ['sort=region&limit=3', ['Org 02', 'Org 05', 'Org 08'], '11'],
    ['sort=name&order=desc&limit=2', ['Org 11', 'Org 10'], '11'],
    ['sort=total&order=desc&search=100&limit=2', ['Org 03', 'Org 04'], '2'],
    ['sort=offline&order=asc&skip=9', ['Org 10', 'Org 11'], '11'],
  ])('?%s', async (query, expected, total) => {
    const res = await get(`/api/v1/organizations?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers['x-total-count']).toBe(total);
    if (expected) expect(names(res)).toEqual(expected);
  });

  it('sorted by a host count, the stats are the kept counts, saying when they were exact', async () => {
    const res = await get('/api/v1/organizations?sort=online&order=desc&limit=1');
    expect(res.status).toBe(200);
    expect(res.json[0].stats).toEqual({
      online: 0,
      offline: 0,
      stale: 0,
      total: 0,
      as_of: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('include_stats=false leaves the stats out', async () => {
    const res = await get('/api/v1/organizations?include_stats=false&limit=1');
    expect(res.json[0]).not.toHaveProperty('stats');
  });

  it.each([
    ['limit=1001', 'limit', /at most 1000/],
    ['limit=0', 'limit', /between 1 and 1000/],
    ['limit=abc', 'limit', /whole number/],
    ['limit=2.5', 'limit', /whole number/],
    ['skip=-1', 'skip', /0 or more/],
    ['skip=abc', 'skip', /whole number/],
    ['active_only=yes', 'active_only', /true or false/],
    ['is_active=maybe', 'is_active', /true or false/],
    ['include_stats=2', 'include_stats', /true or false/],
    ['sort=hosts', 'sort', /sort must be one of name, region, online, offline, stale, total/],
    ['order=up', 'order', /order must be asc or desc/],
    ['sort_by=name', 'sort_by', /Unknown query parameter/],
    ['limit=5&limit=6', 'limit', /only once/],
  ])('?%s is 400 naming %s', async (query, field, message) => {
    const res = await get(`/api/v1/organizations?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'BAD_REQUEST', field });
    expect(res.json.error.message).toMatch(message);
  });

  it('401 without a token, with a bad one, or with a malformed header', async () => {
    for (const token of [null, 'odk_pat_not-a-real-token']) {
      const res = await get('/api/v1/organizations', token);
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    const basic = await s.request('GET', '/api/v1/organizations', {
      token: null,
      headers: { Authorization: 'Basic YWRtaW46YWRtaW4=' },
    });
    expect(basic.status).toBe(401);
  });

  it('a user sees only the orgs they hold a role on (TEN-5)', async () => {
    const all = await get('/api/v1/organizations');
    const { token } = await s.userToken([{ role: 'reader', orgId: all.json[1].id }]);
    const res = await get('/api/v1/organizations', token);
    expect(names(res)).toEqual(['Org 02']);
    expect(res.headers['x-total-count']).toBe('1');
  });
});

describe('organizations CRUD', () => {
  it('GET /regions lists the distinct regions', async () => {
    const res = await get('/api/v1/organizations/regions');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(['eu-west', 'us-east']);
  });

  it('POST creates (201) with the secret once and the default location', async () => {
    const res = await s.request('POST', '/api/v1/organizations', {
      body: { name: 'Created', description: 'd', region: 'ap' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      name: 'Created',
      description: 'd',
      region: 'ap',
      is_active: true,
    });
    expect(res.json.secret).toMatch(/^odk_orgsec_/);
    expect(res.json.default_location_id).toBeGreaterThan(0);
    const read = await get(`/api/v1/organizations/${res.json.id}`);
    expect(read.status).toBe(200);
    expect(read.json).not.toHaveProperty('secret');
    expect(read.json.permissions).toContain('settings.manage');
  });

  it('POST errors: blank name 400, unknown field 400, duplicate 409, no permission 403', async () => {
    const blank = await s.request('POST', '/api/v1/organizations', { body: { name: '  ' } });
    expect(blank.status).toBe(400);
    expect(blank.json.error.field).toBe('name');
    const extra = await s.request('POST', '/api/v1/organizations', {
      body: { name: 'X', colour: 'red' },
    });
    expect(extra.status).toBe(400);
    const dup = await s.request('POST', '/api/v1/organizations', { body: { name: 'org 01' } });
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const orgs = await get('/api/v1/organizations');
    const { token } = await s.userToken([{ role: 'org_admin', orgId: orgs.json[0].id }]);
    const denied = await s.request('POST', '/api/v1/organizations', {
      token,
      body: { name: 'Nope' },
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/settings\.manage/);
  });

  it('GET of a missing or foreign org is 404, never 403 (TEN-4)', async () => {
    expect((await get('/api/v1/organizations/999999')).status).toBe(404);
    const other = await s.services.accounts.provision({
      accountName: 'Other',
      adminEmail: 'other-admin@b.test',
      adminName: 'Other',
    });
    const otherToken = await s.services.auth.issueToken(other.adminUserId, 'personal', 't');
    const foreign = await s.request('POST', '/api/v1/organizations', {
      token: otherToken,
      body: { name: 'Foreign' },
    });
    expect(foreign.status).toBe(201);
    for (const [method, path] of [
      ['GET', `/api/v1/organizations/${foreign.json.id}`],
      ['PATCH', `/api/v1/organizations/${foreign.json.id}`],
      ['DELETE', `/api/v1/organizations/${foreign.json.id}`],
      ['GET', `/api/v1/organizations/${foreign.json.id}/secret`],
    ] as const) {
      const res = await s.request(method, path, {
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
  });

  it('PATCH updates with the same field names it reads back', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Patchy' } }))
      .json;
    const res = await s.request('PATCH', `/api/v1/organizations/${org.id}`, {
      body: {
        description: 'now described',
        automation_level: 'semi_auto',
        kill_switch: true,
        recording_policy: 'full',
        recording_retention_days: 30,
        legal_hold: true,
        legal_hold_reason: 'litigation',
      },
    });
    expect(res.status).toBe(200);
    const read = (await get(`/api/v1/organizations/${org.id}`)).json;
    for (const [k, v] of Object.entries({
      description: 'now described',
      automation_level: 'semi_auto',
      kill_switch: true,
      recording_policy: 'full',
      recording_retention_days: 30,
      legal_hold: true,
      legal_hold_reason: 'litigation',
    })) {
      expect(read[k], k).toEqual(v);
    }
  });

  it('PATCH errors: bad value 400 naming the field, rename clash 409, reader 403', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Patch2' } }))
      .json;
    const bad = await s.request('PATCH', `/api/v1/organizations/${org.id}`, {
      body: { automation_level: 'turbo' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('automation_level');
    const clash = await s.request('PATCH', `/api/v1/organizations/${org.id}`, {
      body: { name: 'ORG 01' },
    });
    expect(clash.status).toBe(409);
    const empty = await s.request('PATCH', `/api/v1/organizations/${org.id}`, { body: {} });
    expect(empty.status).toBe(400);
    const { token } = await s.userToken([{ role: 'reader', orgId: org.id }]);
    const denied = await s.request('PATCH', `/api/v1/organizations/${org.id}`, {
      token,
      body: { name: 'x' },
    });
    expect(denied.status).toBe(403);
  });

  it('DELETE deactivates (soft); is_active PATCH reactivates; hard delete is refused with hosts', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Doomed' } }))
      .json;
    const soft = await s.request('DELETE', `/api/v1/organizations/${org.id}`);
    expect(soft.status).toBe(200);
    expect(soft.json).toEqual({ id: org.id, deleted: 'soft' });
    expect((await get(`/api/v1/organizations/${org.id}`)).json.is_active).toBe(false);
    const back = await s.request('PATCH', `/api/v1/organizations/${org.id}`, {
      body: { is_active: true },
    });
    expect(back.json.is_active).toBe(true);

    const agent = await s.request('POST', '/api/v1/agents/register', {
      token: null,
      headers: { 'X-Organization-Secret': org.secret },
      body: { hostname: 'web-1', ip: '10.0.0.5', agent_type: 'legacy' },
    });
    expect(agent.status).toBe(201);
    const refused = await s.request('DELETE', `/api/v1/organizations/${org.id}?hard_delete=true`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toMatch(/1 host/);
    const badFlag = await s.request('DELETE', `/api/v1/organizations/${org.id}?hard_delete=yes`);
    expect(badFlag.status).toBe(400);
    expect(badFlag.json.error.field).toBe('hard_delete');

    expect((await s.request('DELETE', `/api/v1/hosts/${agent.json.host_id}`)).status).toBe(200);
    const hard = await s.request('DELETE', `/api/v1/organizations/${org.id}?hard_delete=true`);
    expect(hard.status).toBe(200);
    expect(hard.json).toEqual({ id: org.id, deleted: 'hard' });
    expect((await get(`/api/v1/organizations/${org.id}`)).status).toBe(404);
  });

  it('hard delete needs organizations.hard_delete', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Keep' } })).json;
    const { token } = await s.userToken([{ role: 'org_admin', orgId: org.id }]);
    const res = await s.request('DELETE', `/api/v1/organizations/${org.id}?hard_delete=true`, {
      token,
    });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toMatch(/organizations\.hard_delete/);
  });
});

describe('organization secret (SEC-2, SEC-3)', () => {
  it('GET /secret reveals it to organizations.edit only', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Sec' } })).json;
    const res = await get(`/api/v1/organizations/${org.id}/secret`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ secret: org.secret });
    const { token } = await s.userToken([{ role: 'technician', orgId: org.id }]);
    const denied = await get(`/api/v1/organizations/${org.id}/secret`, token);
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/organizations\.edit/);
  });

  it('POST /secret/regenerate needs confirm and answers the new secret', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Regen' } }))
      .json;
    const path = `/api/v1/organizations/${org.id}/secret/regenerate`;
    const unconfirmed = await s.request('POST', path, { body: {} });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.error.field).toBe('confirm');
    const tooLong = await s.request('POST', path, {
      body: { confirm: true, grace_period_hours: 169 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.field).toBe('grace_period_hours');
    const res = await s.request('POST', path, { body: { confirm: true, grace_period_hours: 2 } });
    expect(res.status).toBe(200);
    expect(res.json.secret).toMatch(/^odk_orgsec_/);
    expect(res.json.secret).not.toBe(org.secret);
    expect(res.json.previous_secret_valid_until).toBe(
      new Date(s.clock.now() + 2 * 3_600_000).toISOString(),
    );
  });

  it('GET /agent-config gives the public server URL and the secret', async () => {
    const org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Cfg' } })).json;
    const res = await get(`/api/v1/organizations/${org.id}/agent-config`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.json.content)).toEqual({
      server_url: s.url,
      organization_id: org.id,
      organization_secret: org.secret,
    });
  });
});

describe('who may write over REST', () => {
  it('a support engineer reads through a grant but never writes', async () => {
    const home = await s.services.accounts.provision({
      accountName: 'Support Co',
      adminEmail: 'support-admin@sup.test',
      adminName: 'Support',
    });
    const engineer = await s.userToken([], { accountId: home.accountId, support: true });
    const admin = (await s.services.auth.authenticate(s.adminToken))!;
    await s.services.supportAccess.enable(admin, { duration_hours: 4 });
    const read = await get('/api/v1/organizations', engineer.token);
    expect(read.status).toBe(200);
    expect(read.json.length).toBeGreaterThan(0);
    expect(Number(read.headers['x-total-count'])).toBe(read.json.length);
    const org = read.json[0];
    for (const [method, path, body] of [
      ['POST', '/api/v1/organizations', { name: 'By support' }],
      ['PATCH', `/api/v1/organizations/${org.id}`, { name: 'Renamed by support' }],
      ['POST', `/api/v1/organizations/${org.id}/locations`, { name: 'L' }],
      ['GET', `/api/v1/organizations/${org.id}/secret`, undefined],
    ] as const) {
      const res = await s.request(method, path, { token: engineer.token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error.message).toMatch(/view-only/);
    }
  });

  it('a read-only personal token reads but cannot change anything', async () => {
    const created = await s.request('POST', '/api/v1/tokens', {
      body: { name: 'ro', read_only: true },
    });
    expect(created.status).toBe(201);
    const ro = created.json.token as string;
    expect((await get('/api/v1/organizations', ro)).status).toBe(200);
    const denied = await s.request('POST', '/api/v1/organizations', {
      token: ro,
      body: { name: 'Via read-only' },
    });
    expect(denied.status).toBe(403);
  });
});
