import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../main/server/http-io';
import { z } from 'zod';
import { assembleInput, projectRoutes } from '../../main/server/rest/projection';
import { RestApi } from '../../main/server/rest/rest-api';
import { authedProcedure, router } from '../../main/trpc/trpc';
import { WEB_CSP } from '../../shared/csp';
import { startServer, type TestServer } from '../fixtures/server';

let s: TestServer;
let web: string;
beforeAll(async () => {
  web = mkdtempSync(join(tmpdir(), 'orgdesk-web-'));
  mkdirSync(join(web, 'console', 'assets'), { recursive: true });
  writeFileSync(join(web, 'console', 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(web, 'console', 'assets', 'app-1234.js'), 'console.log("app")');
  writeFileSync(join(web, 'outside.txt'), 'not for you');
  symlinkSync(join(web, 'outside.txt'), join(web, 'console', 'link.txt'));
  s = await startServer({ staticDir: join(web, 'console') });
});
afterAll(async () => {
  await s.close();
  rmSync(web, { recursive: true, force: true });
});

describe('HTTP surface', () => {
  it('GET /healthz answers ok without a token', async () => {
    const res = await s.request('GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('an unknown API route is 404 JSON in the error shape', async () => {
    const res = await s.request('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json.error.code).toBe('NOT_FOUND');
    expect(res.json.error.message).toMatch(/\/api\/v1\/nothing-here/);
    expect((await s.request('GET', '/trpc')).status).toBe(404);
  });

  it('a known path with the wrong method is 405 with Allow', async () => {
    const res = await s.request('PUT', '/api/v1/organizations');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST');
    expect(res.json.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('a body over 1 MB is 413 (declared or streamed), one just under it is read', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES) });
    const res = await s.request('POST', '/api/v1/organizations', { raw: big });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Just under the limit: read and handed to validation (name too long is a 400, not a 413).
    const near = JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES - 100) });
    const ok = await s.request('POST', '/api/v1/organizations', { raw: near });
    expect(ok.status).toBe(400);
    expect(ok.json.error.field).toBe('name');
    // Chunked upload without Content-Length.
    const chunked = await s.request('POST', '/api/v1/organizations', {
      raw: big,
      headers: { 'Transfer-Encoding': 'chunked' },
    });
    expect(chunked.status).toBe(413);
  });

  it('the tRPC endpoint also refuses bodies over 1 MB', async () => {
    const res = await s.request('POST', '/trpc/organizations.create', {
      raw: JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES + 10) }),
    });
    expect(res.status).toBe(413);
  });

  it('malformed JSON is 400 and its text is not echoed', async () => {
    const res = await s.request('POST', '/api/v1/organizations', { raw: '{"name": odk_orgsec_x' });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('BAD_REQUEST');
    expect(res.json.error.message).toMatch(/not valid JSON/);
    expect(res.text).not.toContain('odk_orgsec_x');
  });

  it('a JSON body that is not an object is 400', async () => {
    const res = await s.request('POST', '/api/v1/organizations', { body: ['a'] });
    expect(res.status).toBe(400);
    expect(res.json.error.message).toMatch(/JSON object/);
  });

  it('a path id that is not a positive whole number is 400 naming it', async () => {
    for (const bad of ['abc', '0', '-1', '1.5', '99999999999999999999']) {
      const res = await s.request('GET', `/api/v1/organizations/${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.json.error.field).toBe('id');
    }
  });

  it('API answers are not cached and carry the base security headers', async () => {
    const res = await s.request('GET', '/api/v1/organizations');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });
});

describe('web console files', () => {
  it('serves index.html at / with a CSP header', async () => {
    const res = await s.request('GET', '/', { token: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<title>console</title>');
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
  });

  it('serves assets with their type and long caching', async () => {
    const res = await s.request('GET', '/assets/app-1234.js', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/javascript/);
    expect(res.headers['cache-control']).toMatch(/immutable/);
    expect(res.text).toBe('console.log("app")');
  });

  it('falls back to index.html for client routes, but not for missing files', async () => {
    const route = await s.request('GET', '/orgs/12/locations', { token: null });
    expect(route.status).toBe(200);
    expect(route.text).toContain('<title>console</title>');
    const missing = await s.request('GET', '/assets/missing.js', { token: null });
    expect(missing.status).toBe(404);
  });

  it('never serves a file outside its folder', async () => {
    for (const path of ['/%2e%2e/outside.txt', '/..%2Foutside.txt', '/link.txt', '/%00']) {
      const res = await s.request('GET', path, { token: null });
      expect([400, 404], path).toContain(res.status);
      expect(res.text).not.toContain('not for you');
    }
  });

  it('answers only GET and HEAD', async () => {
    expect((await s.request('POST', '/', { token: null })).status).toBe(405);
    const head = await s.request('HEAD', '/', { token: null });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('without a built console it serves a placeholder page', async () => {
    const bare = await startServer();
    try {
      const res = await bare.request('GET', '/', { token: null });
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/not built/);
      expect(res.headers['content-security-policy']).toBeDefined();
    } finally {
      await bare.close();
    }
  });
});

describe('request log', () => {
  it('one line per request: method, path without query, status, duration; no headers, no bodies', async () => {
    const before = s.logs.length;
    await s.request('GET', '/api/v1/organizations?search=needle-in-query', {
      headers: { 'X-Custom': 'header-needle' },
    });
    await s.request('POST', '/api/v1/organizations', { body: { name: 'body-needle' } });
    const lines = s.logs.slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\S+Z GET \/api\/v1\/organizations 200 \d+ms$/);
    expect(lines[1]).toMatch(/^\S+Z POST \/api\/v1\/organizations 201 \d+ms$/);
    const all = lines.join('\n');
    for (const needle of ['needle-in-query', 'header-needle', 'body-needle', s.adminToken]) {
      expect(all).not.toContain(needle);
    }
  });

  it('control characters in a path cannot forge log lines', async () => {
    const before = s.logs.length;
    await s.request('GET', '/api/v1/x%0d%0aFAKE%20200');
    const lines = s.logs.slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\n|\r/);
  });
});

// A small router of its own, projected like the real one: the decoding is the schema's.
const probe = router({
  things: authedProcedure
    .meta({ rest: { method: 'GET', path: '/things/:id', summary: 'param' }, output: z.unknown() })
    .input(
      z.strictObject({
        id: z.number().int(),
        limit: z.number().int().optional(),
        on: z.boolean().optional(),
        s: z.string().optional(),
        tags: z.array(z.string()).optional(),
        ids: z.array(z.number().int()).optional(),
      }),
    )
    .query(({ input }) => input),
  special: authedProcedure
    .meta({
      rest: { method: 'GET', path: '/things/special', summary: 'literal' },
      output: z.string(),
    })
    .query(() => 'literal'),
});

describe('REST projection', () => {
  const [things] = projectRoutes(probe);

  it("decodes the query string by the procedure's own input schema, strictly", () => {
    const q = (text: string) =>
      assembleInput(things!, { id: '1' }, new URLSearchParams(text), undefined);
    expect(q('limit=5&on=1&s=x')).toEqual({ id: 1, limit: 5, on: true, s: 'x' });
    expect(q('on=false')).toEqual({ id: 1, on: false });
    expect(q('on=0')).toEqual({ id: 1, on: false });
    expect(q('tags=a&tags=b')).toEqual({ id: 1, tags: ['a', 'b'] });
    expect(q('ids=3&ids=4,5')).toEqual({ id: 1, ids: [3, 4, 5] });
    expect(() => q('limit=abc')).toThrow(/limit must be a whole number/);
    expect(() => q('limit=1.5')).toThrow(/limit/);
    expect(() => q('limit=')).toThrow(/limit/);
    expect(() => q('on=yes')).toThrow(/on must be true or false/);
    expect(() => q('on=TRUE')).toThrow(/on must be/);
    expect(() => q('limit=1&limit=2')).toThrow(/only once/);
    expect(() => q('other=1')).toThrow(/Unknown query parameter "other"/);
    // A path parameter is not also a query parameter.
    expect(() => q('id=2')).toThrow(/Unknown query parameter "id"/);
    expect(() => assembleInput(things!, { id: '0' }, new URLSearchParams(), undefined)).toThrow(
      /id in the path must be a positive whole number/,
    );
  });

  it('prefers literal segments over parameters, whatever the order', () => {
    const api = new RestApi(s.services, projectRoutes(probe));
    const hit = api.match('GET', '/api/v1/things/special');
    expect(hit && 'entry' in hit && hit.entry.path).toBe('/api/v1/things/special');
    const other = api.match('GET', '/api/v1/things/7');
    expect(other && 'entry' in other && other.raw).toEqual({ id: '7' });
  });

  it('refuses a duplicate route at start', () => {
    const twice = router({
      a: authedProcedure
        .meta({ rest: { method: 'GET', path: '/a/:id', summary: 'a' }, output: z.number() })
        .input(z.object({ id: z.number() }))
        .query(() => 1),
      b: authedProcedure
        .meta({ rest: { method: 'GET', path: '/a/:other', summary: 'b' }, output: z.number() })
        .input(z.object({ other: z.number() }))
        .query(() => 2),
    });
    expect(() => new RestApi(s.services, projectRoutes(twice))).toThrow(/Duplicate REST route/);
  });

  it('refuses a path parameter that is not an input field, and a REST form without an output', () => {
    const bad = router({
      a: authedProcedure
        .meta({ rest: { method: 'GET', path: '/a/:id', summary: 'a' }, output: z.number() })
        .query(() => 1),
    });
    expect(() => projectRoutes(bad)).toThrow(/:id is not an input field/);
    const undocumented = router({
      a: authedProcedure.meta({ rest: { method: 'GET', path: '/a', summary: 'a' } }).query(() => 1),
    });
    expect(() => projectRoutes(undocumented)).toThrow(/needs its output schema/);
  });

  it('the real route table has no duplicates and covers the SPEC contract', () => {
    const api = new RestApi(s.services);
    const contract: [string, string][] = [
      ['GET', '/api/v1/organizations'],
      ['GET', '/api/v1/organizations/regions'],
      ['POST', '/api/v1/organizations'],
      ['GET', '/api/v1/organizations/1'],
      ['PATCH', '/api/v1/organizations/1'],
      ['DELETE', '/api/v1/organizations/1'],
      ['GET', '/api/v1/organizations/1/secret'],
      ['POST', '/api/v1/organizations/1/secret/regenerate'],
      ['GET', '/api/v1/organizations/1/locations'],
      ['POST', '/api/v1/organizations/1/locations'],
      ['PATCH', '/api/v1/locations/1'],
      ['DELETE', '/api/v1/locations/1'],
      ['GET', '/api/v1/organizations/1/locations/resolve'],
      ['POST', '/api/v1/agents/register'],
      ['POST', '/api/v1/agents/heartbeat'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/tokens'],
      ['GET', '/api/v1/users'],
      ['POST', '/api/v1/users'],
      ['PATCH', '/api/v1/users/1'],
      ['PUT', '/api/v1/users/1/roles'],
    ];
    for (const [method, path] of contract) {
      const hit = api.match(method, path);
      expect(hit && 'entry' in hit, `${method} ${path}`).toBe(true);
    }
  });
});
