// AGT-4 / UI-7 host detail: a host answers with its Go agent's key fingerprint (the SHA-256 of
// its Ed25519 public key, as OpenSSH writes one), so an operator can compare it with the agent's;
// a legacy agent, or a Go host whose identity was reset, has none.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostOutput, hostPageOutput } from '../shared/schemas/hosts.schema';
import { startServer, type TestServer } from './fixtures/server';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
let orgId: number;
let defaultId: number;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  const org = await api.organizations.create({ name: 'Acme' });
  orgId = org.id;
  defaultId = org.default_location_id;
});
afterEach(() => w.close());

function rawPublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

async function addHost(
  hostname: string,
  agentType: 'go' | 'legacy',
  key: Buffer | null,
): Promise<number> {
  const [row] = await w.db
    .insert(t.hosts)
    .values({
      organizationId: orgId,
      locationId: defaultId,
      hostname,
      ip: '10.0.0.1',
      agentType,
      publicKey: key ? key.toString('base64') : null,
      registeredAt: 0,
    })
    .returning({ id: t.hosts.id });
  return row!.id;
}

describe('AGT-4 host detail: the key fingerprint', () => {
  it('a Go host answers SHA256:<base64 of the key digest>, a legacy one null', async () => {
    const key = rawPublicKey();
    const go = await addHost('go-01', 'go', key);
    const legacy = await addHost('legacy-01', 'legacy', null);
    const expected = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

    const one = await api.hosts.get({ id: go });
    expect(hostOutput.parse(one).key_fingerprint).toBe(expected);
    expect((await api.hosts.get({ id: legacy })).key_fingerprint).toBeNull();
    const page = await api.hosts.list({ organization_id: orgId });
    expect(() => hostPageOutput.parse(page)).not.toThrow();
    expect(page.items.map((h) => [h.hostname, h.key_fingerprint])).toEqual([
      ['go-01', expected],
      ['legacy-01', null],
    ]);
    // Never the key itself.
    expect(JSON.stringify(page)).not.toContain(key.toString('base64'));

    // After "reset host identity" the host has no key until it registers again.
    await api.hosts.resetIdentity({ id: go });
    expect((await api.hosts.get({ id: go })).key_fingerprint).toBeNull();
  });

  it('over REST too, as the OpenAPI document declares it', async () => {
    const server: TestServer = await startServer();
    try {
      const org = await server.request('POST', '/api/v1/organizations', { body: { name: 'Rest' } });
      expect(org.status).toBe(201);
      const key = rawPublicKey();
      const [row] = await server.db
        .insert(t.hosts)
        .values({
          organizationId: org.json.id,
          locationId: org.json.default_location_id,
          hostname: 'go-rest',
          ip: '10.0.0.2',
          agentType: 'go',
          publicKey: key.toString('base64'),
          registeredAt: 0,
        })
        .returning({ id: t.hosts.id });
      const res = await server.request('GET', `/api/v1/hosts/${row!.id}`);
      expect(res.status).toBe(200);
      expect(res.json.key_fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const doc = await server.request('GET', '/api/v1/openapi.json');
      expect(doc.text).toContain('key_fingerprint');
    } finally {
      await server.close();
    }
  });
});
