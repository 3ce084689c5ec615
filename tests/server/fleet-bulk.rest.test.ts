// UI-12 / UI-13 over REST: the projected routes answer as documented, with the statuses a
// script relies on (200, 400 past the batch limit, 404 for a foreign id, 409 for a stale count).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BULK_IDS } from '../../shared/constants';
import { startServer, type Json, type TestServer } from '../fixtures/server';
import { t } from '../fixtures/tables';

let s: TestServer;
let org: Json;
let other: Json;
const hostIds: number[] = [];

async function addHost(orgId: number, locationId: number, hostname: string): Promise<number> {
  const [row] = await s.db
    .insert(t.hosts)
    .values({
      organizationId: orgId,
      locationId,
      hostname,
      ip: '10.0.0.1',
      agentType: 'legacy',
      registeredAt: s.clock.now(),
      lastSeenAt: s.clock.now(),
    })
    .returning({ id: t.hosts.id });
  return row!.id;
}

beforeAll(async () => {
  s = await startServer();
  org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Bulk Org' } })).json;
  other = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Other Org' } })).json;
  for (const name of ['a', 'b', 'c'])
    hostIds.push(await addHost(org.id, org.default_location_id, name));
});
afterAll(() => s.close());

describe('fleet over REST (UI-12)', () => {
  it('GET /fleet/overview and /fleet/history answer for the caller’s orgs', async () => {
    const overview = await s.request('GET', '/api/v1/fleet/overview');
    expect(overview.status).toBe(200);
    expect(overview.json.organizations).toEqual({ total: 2, active: 2, deactivated: 0 });
    expect(overview.json.hosts).toEqual({ online: 3, offline: 0, stale: 0, total: 3 });
    await s.services.infra.fleetSnapshots.take();
    const history = await s.request(
      'GET',
      `/api/v1/fleet/history?organization_id=${org.id}&hours=2`,
    );
    expect(history.status).toBe(200);
    expect(history.json.points).toEqual([
      { hour: history.json.to, online: 3, offline: 0, stale: 0, total: 3 },
    ]);
    const tooLong = await s.request('GET', '/api/v1/fleet/history?hours=169');
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.field).toBe('hours');
    const outsider = await s.userToken([{ role: 'reader', orgId: other.id }]);
    const foreign = await s.request('GET', `/api/v1/fleet/history?organization_id=${org.id}`, {
      token: outsider.token,
    });
    expect(foreign.status).toBe(404);
  });
});

describe('bulk actions over REST (UI-13)', () => {
  it('POST …/hosts/move: 400 past the limit, 404 for a host of another org, 200 all at once', async () => {
    const path = `/api/v1/organizations/${org.id}/hosts/move`;
    const tooMany = await s.request('POST', path, {
      body: { ids: Array.from({ length: MAX_BULK_IDS + 1 }, (_, i) => i + 1), location_id: 1 },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatchObject({ field: 'ids' });
    const stray = await addHost(other.id, other.default_location_id, 'stray');
    const mixed = await s.request('POST', path, {
      body: { ids: [...hostIds, stray], location_id: org.default_location_id },
    });
    expect(mixed.status).toBe(404);
    expect(mixed.json.error.message).toBe(`Host ${stray} not found in this organization`);
    const ok = await s.request('POST', path, {
      body: { ids: hostIds, location_id: org.default_location_id },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ ids: hostIds, count: 3 });
  });

  it('POST …/hosts/remove-all: 409 for a stale count, then removes them and the hard delete passes', async () => {
    const path = `/api/v1/organizations/${org.id}/hosts/remove-all`;
    const stale = await s.request('POST', path, { body: { confirm_count: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'CONFLICT', field: 'confirm_count' });
    const done = await s.request('POST', path, { body: { confirm_count: 3 } });
    expect(done.json).toEqual({ organization_id: org.id, removed: 3, remaining: 0 });
    const del = await s.request('DELETE', `/api/v1/organizations/${org.id}?hard_delete=true`);
    expect(del.json).toEqual({ id: org.id, deleted: 'hard' });
  });

  it('POST /organizations/deactivate: 404 for an unknown id, else all deactivated', async () => {
    const unknown = await s.request('POST', '/api/v1/organizations/deactivate', {
      body: { ids: [other.id, 999_999] },
    });
    expect(unknown.status).toBe(404);
    expect((await s.request('GET', `/api/v1/organizations/${other.id}`)).json.is_active).toBe(true);
    const ok = await s.request('POST', '/api/v1/organizations/deactivate', {
      body: { ids: [other.id] },
    });
    expect(ok.json).toEqual({ ids: [other.id], count: 1 });
    expect((await s.request('GET', `/api/v1/organizations/${other.id}`)).json.is_active).toBe(
      false,
    );
  });
});
