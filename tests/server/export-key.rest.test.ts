// EXP-1 / AUD-2 over REST: the installation's export key is shown for pinning, and an audit
// export fetched with curl-like HTTP verifies with openssl against that key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasOpenssl, opensslVerify } from '../fixtures/openssl';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('GET /api/v1/export-key', () => {
  it("answers the installation's public key and fingerprint; audit exports are signed with it", async () => {
    const key = await s.request('GET', '/api/v1/export-key');
    expect(key.status).toBe(200);
    expect(key.json).toEqual({
      algorithm: 'Ed25519',
      public_key: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      public_key_pem: expect.stringMatching(/^-----BEGIN PUBLIC KEY-----\n/),
      fingerprint: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      label: expect.any(String),
    });
    expect((await s.request('GET', '/api/v1/export-key', { token: null })).status).toBe(401);

    expect(hasOpenssl()).toBe(true);
    const exported = await s.request('GET', '/api/v1/audit/export?format=csv');
    expect(exported.status).toBe(200);
    const { content, signature } = exported.json;
    expect(signature.fingerprint).toBe(key.json.fingerprint);
    expect(opensslVerify(content, signature.value, key.json.public_key_pem)).toEqual({
      ok: true,
      output: 'Signature Verified Successfully',
    });
  });
});
