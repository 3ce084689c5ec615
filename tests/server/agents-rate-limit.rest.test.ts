// AGT-1: registration is rate limited per org secret and per client address (429 with
// Retry-After), on a server started with small limits so the test needs few requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type Json, type TestServer } from '../fixtures/server';

let s: TestServer;
const orgs: Json[] = [];

beforeAll(async () => {
  s = await startServer({
    agentLimits: { perOrg: { burst: 2, perSecond: 1 }, perAddress: { burst: 4, perSecond: 1 } },
  });
  for (let i = 0; i < 8; i++) {
    orgs.push(
      (await s.request('POST', '/api/v1/organizations', { body: { name: `RL ${i}` } })).json,
    );
  }
});
afterAll(() => s.close());

let n = 0;
const register = (org: Json, from: string) =>
  s.request('POST', '/api/v1/agents/register', {
    token: null,
    localAddress: from,
    headers: { 'X-Organization-Secret': org.secret },
    body: { hostname: `rl-${++n}`, ip: '10.0.0.1', agent_type: 'legacy' },
  });

describe('AGT-1 registration rate limits', () => {
  it('per secret: over its limit is 429 with Retry-After, from any address; other secrets pass', async () => {
    expect((await register(orgs[0], '127.0.0.2')).status).toBe(201);
    expect((await register(orgs[0], '127.0.0.3')).status).toBe(201);
    const over = await register(orgs[0], '127.0.0.4');
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.json.error.code).toBe('TOO_MANY_REQUESTS');
    expect(over.json.error.message).toMatch(/organization/);
    expect((await register(orgs[1], '127.0.0.4')).status).toBe(201);
    s.clock.advance(1000);
    expect((await register(orgs[0], '127.0.0.4')).status).toBe(201);
  });

  it('per address: over its limit is 429 whatever the secret (or a wrong one); other addresses pass', async () => {
    for (const org of orgs.slice(2, 6)) expect((await register(org, '127.0.0.5')).status).toBe(201);
    const over = await register(orgs[6], '127.0.0.5');
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBe('1');
    expect(over.json.error.message).toMatch(/address/);
    // A well-formed but wrong secret still counts (a malformed one is refused before the body).
    const wrong = await register({ secret: `odk_orgsec_${'x'.repeat(43)}` }, '127.0.0.5');
    expect(wrong.status).toBe(429);
    expect((await register(orgs[6], '127.0.0.6')).status).toBe(201);
    s.clock.advance(1000);
    expect((await register(orgs[7], '127.0.0.5')).status).toBe(201);
  });
});
