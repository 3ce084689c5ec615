import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';

let s: TestServer;
let org: Json;
beforeAll(async () => {
  s = await startServer();
  org = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Loc Org' } })).json;
});
afterAll(() => s.close());

const base = () => `/api/v1/organizations/${org.id}/locations`;

describe('locations over REST (LOC-1..4)', () => {
  it('GET lists the default location created with the org', async () => {
    const res = await s.request('GET', base());
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      expect.objectContaining({ id: org.default_location_id, name: 'Default', is_default: true }),
    ]);
  });

  it('POST creates (201) with canonical subnets and timezone', async () => {
    const res = await s.request('POST', base(), {
      body: {
        name: 'Berlin',
        subnets: ['10.1.0.0/16', '2001:DB8::/32'],
        timezone: 'Europe/Berlin',
      },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      organization_id: org.id,
      name: 'Berlin',
      subnets: ['10.1.0.0/16', '2001:db8::/32'],
      timezone: 'Europe/Berlin',
      is_default: false,
      host_count: 0,
    });
    const read = await s.request('GET', `/api/v1/locations/${res.json.id}`);
    expect(read.json.subnets).toEqual(['10.1.0.0/16', '2001:db8::/32']);
  });

  it('POST errors: host bits 400 with the fix, same network twice 409 naming the other, bad zone 400', async () => {
    const hostBits = await s.request('POST', base(), {
      body: { name: 'Bits', subnets: ['10.1.2.3/16'] },
    });
    expect(hostBits.status).toBe(400);
    expect(hostBits.json.error.field).toBe('subnets.0');
    expect(hostBits.json.error.message).toMatch(/did you mean 10\.1\.0\.0\/16/);
    const clash = await s.request('POST', base(), {
      body: { name: 'Clash', subnets: ['10.1.0.0/16'] },
    });
    expect(clash.status).toBe(409);
    expect(clash.json.error.message).toMatch(/Berlin/);
    const zone = await s.request('POST', base(), { body: { name: 'Zone', timezone: 'Mars/Base' } });
    expect(zone.status).toBe(400);
    expect(zone.json.error.field).toBe('timezone');
    const dupName = await s.request('POST', base(), { body: { name: 'BERLIN' } });
    expect(dupName.status).toBe(409);
    const otherOrg = await s.request('POST', base(), {
      body: { name: 'Elsewhere', organization_id: org.id + 1000 },
    });
    expect(otherOrg.status).toBe(400);
    expect(otherOrg.json.error.field).toBe('organization_id');
  });

  it('GET /resolve answers the longest prefix, the default on no match, 400 on a bad ip', async () => {
    const sub = await s.request('POST', base(), {
      body: { name: 'Berlin Lab', subnets: ['10.1.5.0/24'] },
    });
    expect(sub.status).toBe(201);
    const inLab = await s.request('GET', `${base()}/resolve?ip=10.1.5.9`);
    expect(inLab.status).toBe(200);
    expect(inLab.json).toEqual({
      location_id: sub.json.id,
      location_name: 'Berlin Lab',
      matched_subnet: '10.1.5.0/24',
    });
    const inCity = await s.request('GET', `${base()}/resolve?ip=10.1.9.9`);
    expect(inCity.json).toMatchObject({ location_name: 'Berlin', matched_subnet: '10.1.0.0/16' });
    const v6 = await s.request('GET', `${base()}/resolve?ip=2001:db8::1`);
    expect(v6.json.location_name).toBe('Berlin');
    const none = await s.request('GET', `${base()}/resolve?ip=192.168.1.1`);
    expect(none.json).toEqual({
      location_id: org.default_location_id,
      location_name: 'Default',
      matched_subnet: null,
    });
    for (const q of ['ip=10.1.2', 'ip=banana', '']) {
      const bad = await s.request('GET', `${base()}/resolve?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.json.error.field).toBe('ip');
    }
    expect(
      (await s.request('GET', `/api/v1/organizations/999999/locations/resolve?ip=1.2.3.4`)).status,
    ).toBe(404);
  });

  it('PATCH edits with the fields it reads back; errors name the field without a prefix', async () => {
    const loc = (await s.request('POST', base(), { body: { name: 'Paris' } })).json;
    const res = await s.request('PATCH', `/api/v1/locations/${loc.id}`, {
      body: { name: 'Paris HQ', subnets: ['192.168.10.0/24'], timezone: 'Europe/Paris' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: 'Paris HQ',
      subnets: ['192.168.10.0/24'],
      timezone: 'Europe/Paris',
      hosts_reassigned: 0,
    });
    const bad = await s.request('PATCH', `/api/v1/locations/${loc.id}`, { body: { name: '' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.field).toBe('name');
    const unknown = await s.request('PATCH', `/api/v1/locations/${loc.id}`, {
      body: { colour: 'x' },
    });
    expect(unknown.status).toBe(400);
    expect(
      (await s.request('PATCH', '/api/v1/locations/999999', { body: { name: 'x' } })).status,
    ).toBe(404);
  });

  it('a technician edits locations; a reader gets 403; another tenant 404', async () => {
    const loc = (await s.request('POST', base(), { body: { name: 'Rome' } })).json;
    const tech = await s.userToken([{ role: 'technician', orgId: org.id }]);
    const ok = await s.request('PATCH', `/api/v1/locations/${loc.id}`, {
      token: tech.token,
      body: { timezone: 'Europe/Rome' },
    });
    expect(ok.status).toBe(200);
    const reader = await s.userToken([{ role: 'reader', orgId: org.id }]);
    const denied = await s.request('PATCH', `/api/v1/locations/${loc.id}`, {
      token: reader.token,
      body: { timezone: 'UTC' },
    });
    expect(denied.status).toBe(403);
    expect(denied.json.error.message).toMatch(/locations\.manage/);
    const other = await s.services.accounts.provision({
      accountName: 'Other',
      adminEmail: 'other@loc.test',
      adminName: 'O',
    });
    const foreign = await s.services.auth.issueToken(other.adminUserId, 'personal', 'x');
    expect((await s.request('GET', `/api/v1/locations/${loc.id}`, { token: foreign })).status).toBe(
      404,
    );
    expect((await s.request('GET', base(), { token: foreign })).status).toBe(404);
  });

  it('DELETE (and its preview) say how many hosts went where; the default cannot be deleted', async () => {
    const loc = (
      await s.request('POST', base(), { body: { name: 'Temp', subnets: ['172.16.0.0/12'] } })
    ).json;
    const reg = await s.request('POST', '/api/v1/agents/register', {
      token: null,
      headers: { 'X-Organization-Secret': org.secret },
      body: { hostname: 'temp-1', ip: '172.16.4.4', agent_type: 'legacy' },
    });
    expect(reg.json.location_id).toBe(loc.id);
    const expected = {
      id: loc.id,
      hosts_moved: 1,
      pinned_hosts: 0,
      default_location_id: org.default_location_id,
      moves: [{ location_id: org.default_location_id, location_name: 'Default', hosts: 1 }],
    };
    // LOC-4: the preview says the same, and changes nothing.
    const preview = await s.request('GET', `/api/v1/locations/${loc.id}/delete-preview`);
    expect(preview.status).toBe(200);
    expect(preview.json).toEqual(expected);
    const res = await s.request('DELETE', `/api/v1/locations/${loc.id}`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual(expected);
    const def = await s.request('DELETE', `/api/v1/locations/${org.default_location_id}`);
    expect(def.status).toBe(409);
    expect(def.json.error.message).toMatch(/default location/);
  });
});
