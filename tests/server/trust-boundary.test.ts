// The trust boundary over real HTTP: tRPC batch size (API-3), bodies read only after their
// authentication passed (API-3), control characters in search inputs, and internal errors that
// tell nothing of the inside.
import { connect } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TRPC_BATCH } from '../../shared/constants';
import { sqlRun } from '../fixtures/raw-sql';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('a tRPC batch holds at most 10 calls (API-3)', () => {
  it('11 calls are refused whole with 400 naming the limit, before any of them runs', async () => {
    const n = MAX_TRPC_BATCH + 1;
    const paths = Array.from({ length: n }, () => 'organizations.create').join(',');
    const body = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [String(i), { name: `Batched ${i}` }]),
    );
    const res = await s.request('POST', `/trpc/${paths}?batch=1`, { body });
    expect(res.status).toBe(400);
    expect(res.json.error.data.code).toBe('BAD_REQUEST');
    expect(res.json.error.message).toMatch(/at most 10 calls/);
    const created = await s.request('GET', '/api/v1/organizations?search=Batched');
    expect(created.json).toEqual([]);
  });

  it('a 1,000-call batch is refused; 10 calls are served', async () => {
    const big = Array.from({ length: 1000 }, () => 'users.me').join(',');
    const refused = await s.request('GET', `/trpc/${big}?batch=1`);
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toMatch(/at most 10 calls; this one holds 1000/);
    const ten = Array.from({ length: 10 }, () => 'users.me').join(',');
    const served = await s.request('GET', `/trpc/${ten}?batch=1`);
    expect(served.status).toBe(200);
    expect(served.json).toHaveLength(10);
  });
});

/**
 * Sends the head of a POST and the first 64 KiB of a 1 MiB body, then waits for an answer. A
 * server that reads bodies before authenticating answers only once the whole body arrived: if
 * nothing came back after a while, the rest is sent (so such a server still answers), and
 * `answeredEarly` says which happened.
 */
function partialUpload(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; answeredEarly: boolean; head: string }> {
  const total = 1024 * 1024 - 1024;
  const first = 64 * 1024;
  return new Promise((resolve, reject) => {
    const socket = connect(s.port, '127.0.0.1');
    let received = '';
    let sentAll = false;
    let done = false;
    const fallback = setTimeout(() => {
      sentAll = true;
      socket.write(Buffer.alloc(total - first, 0x20));
    }, 3000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0 || done) return;
      done = true;
      clearTimeout(fallback);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
      resolve({ status, answeredEarly: !sentAll, head: received.slice(0, end) });
      socket.destroy();
    });
    // Writing to a server that closed the connection after answering is expected.
    socket.on('error', (err) => {
      if (!done) reject(err);
    });
    const head = [
      `POST ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${total}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      '',
      '',
    ].join('\r\n');
    socket.write(head);
    socket.write(Buffer.alloc(first, 0x20));
  });
}

describe('a request body is read only after its authentication passed (API-3)', () => {
  it('tRPC without a token: 401 before the upload finished, connection closed', async () => {
    const r = await partialUpload('/trpc/organizations.create');
    expect(r.status).toBe(401);
    expect(r.answeredEarly).toBe(true);
    expect(r.head.toLowerCase()).toContain('connection: close');
  });

  it('tRPC with an unknown token, and a batch with one non-public call: 401 before the body', async () => {
    const bad = await partialUpload('/trpc/organizations.create', {
      Authorization: 'Bearer odk_ses_not-a-real-token',
    });
    expect(bad).toMatchObject({ status: 401, answeredEarly: true });
    const mixed = await partialUpload('/trpc/auth.login,organizations.create?batch=1');
    expect(mixed).toMatchObject({ status: 401, answeredEarly: true });
  });

  it('REST without a token: 401 before the body (as before)', async () => {
    expect(await partialUpload('/api/v1/organizations')).toMatchObject({
      status: 401,
      answeredEarly: true,
    });
  });

  it('agent endpoints check their headers before reading the body', async () => {
    const noSecret = await partialUpload('/api/v1/agents/register');
    expect(noSecret).toMatchObject({ status: 401, answeredEarly: true });
    const malformed = await partialUpload('/api/v1/agents/register', {
      'X-Organization-Secret': 'not a secret',
    });
    expect(malformed).toMatchObject({ status: 401, answeredEarly: true });
    const bareHeartbeat = await partialUpload('/api/v1/agents/heartbeat', { 'X-Host-Id': '1' });
    expect(bareHeartbeat).toMatchObject({ status: 401, answeredEarly: true });
    const noHost = await partialUpload('/api/v1/agents/heartbeat');
    expect(noHost).toMatchObject({ status: 400, answeredEarly: true });
  });

  it('an authenticated request still gets its body read and served', async () => {
    const res = await s.request('POST', '/trpc/organizations.create', {
      body: { name: 'After auth' },
    });
    expect(res.status).toBe(200);
    expect(res.json.result.data.name).toBe('After auth');
  });
});

describe('control characters in searches and filters are 400 naming the field', () => {
  const nul = encodeURIComponent('a\u0000b');
  let orgId: number;
  beforeAll(async () => {
    orgId = (await s.request('POST', '/api/v1/organizations', { body: { name: 'Searched' } })).json
      .id;
  });

  it.each([
    ['search', () => `/api/v1/organizations?search=${nul}`],
    ['region', () => `/api/v1/organizations?region=${nul}`],
    ['search', () => `/api/v1/organizations/${orgId}/hosts?search=${nul}`],
    ['actor', () => `/api/v1/audit?actor=${nul}`],
    ['action', () => `/api/v1/audit?action=${nul}`],
    ['target_type', () => `/api/v1/audit?target_type=${nul}`],
    ['target_id', () => `/api/v1/audit?target_id=${nul}`],
    ['actor', () => `/api/v1/audit/export?actor=${encodeURIComponent('x\u001by')}`],
  ])('REST %s', async (field, path) => {
    const res = await s.request('GET', path());
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe(field);
    expect(res.json.error.message).toContain(field);
  });

  it('tRPC answers the same', async () => {
    const input = encodeURIComponent(JSON.stringify({ search: 'crème\u0000' }));
    const res = await s.request('GET', `/trpc/organizations.list?input=${input}`);
    expect(res.status).toBe(400);
    expect(res.json.error.data.field).toBe('search');
    const audit = encodeURIComponent(JSON.stringify({ actor: '\u0007' }));
    const a = await s.request('GET', `/trpc/audit.list?input=${audit}`);
    expect(a.status).toBe(400);
    expect(a.json.error.data.field).toBe('actor');
  });

  it('ordinary text with accents and LIKE wildcards still searches', async () => {
    const res = await s.request('GET', `/api/v1/organizations?search=${encodeURIComponent('%_é')}`);
    expect(res.status).toBe(200);
  });
});

describe('an internal error tells nothing of the inside', () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startServer();
    // A real failure of the data layer: the table the audit listing reads is gone.
    await sqlRun(broken.db, sql.raw('ALTER TABLE audit_entries RENAME TO audit_entries_gone'));
  });
  afterAll(() => broken.close());

  const leaks = (text: string) =>
    /audit_entries|sqlite|postgres|no such table|relation|does not exist|select |\bat \S+\.ts|node_modules|stack/i.test(
      text,
    );

  it('REST: 500 "Internal error", no SQL, no stack', async () => {
    const res = await broken.request('GET', '/api/v1/audit');
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' },
    });
  });

  it('tRPC: 500 "Internal error", no SQL, no stack, single or batched', async () => {
    const res = await broken.request('GET', '/trpc/audit.list');
    expect(res.status).toBe(500);
    expect(res.json.error.message).toBe('Internal error');
    expect(res.json.error.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(leaks(res.text), res.text).toBe(false);
    const batch = await broken.request('GET', '/trpc/audit.list,users.me?batch=1');
    expect(batch.json[0].error.message).toBe('Internal error');
    expect(leaks(batch.text), batch.text).toBe(false);
    // The operator still finds the cause in the server's error log.
    // (Each engine's own words: SQLite's "no such table", PostgreSQL's "relation … does not exist".)
    expect(
      broken.logs.some((l) => /no such table|relation "audit_entries" does not exist/.test(l)),
    ).toBe(true);
  });

  it('tRPC: a body that is not JSON is 400 without echoing it', async () => {
    const res = await s.request('POST', '/trpc/organizations.create', {
      raw: '{"name": SECRET-LOOKING-TEXT',
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('SECRET-LOOKING-TEXT');
    expect(leaks(res.text), res.text).toBe(false);
  });
});
