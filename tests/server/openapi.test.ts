// API-2: the OpenAPI document served at GET /api/v1/openapi.json. It must be valid OpenAPI 3.1,
// describe exactly the routes the server answers, and describe them truly: a scripted session
// calls every route of a real server and checks each answer against the document's own schemas
// (Ajv, JSON Schema 2020-12), errors against the Error schema.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiDocs } from '../../main/server/api-docs';
import { buildOpenApiDocument, openApiPath } from '../../main/server/rest/openapi';
import { API_PREFIX, type ProjectedRoute } from '../../main/server/rest/projection';
import { RestApi } from '../../main/server/rest/rest-api';
import {
  goAgent,
  startServer,
  unixSeconds,
  type Json,
  type RequestOptions,
  type TestResponse,
  type TestServer,
} from '../fixtures/server';
import { FetchBrowser, startIdp } from '../fixtures/oidc-provider';
import { totpCode } from '../../main/features/mfa/totp';
import { softAuthenticator } from '../fixtures/soft-authenticator';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const PASSWORD = 'a long enough password';

interface Operation {
  method: string;
  /** The document's path, e.g. `/organizations/{id}`. */
  path: string;
  op: Json;
}

let s: TestServer;
let doc: Json;
let operations: Operation[];
let ajv: Ajv2020;

beforeAll(async () => {
  s = await startServer();
  const res = await s.request('GET', `${API_PREFIX}/openapi.json`, { token: null });
  expect(res.status).toBe(200);
  doc = res.json;
  operations = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m] })),
  );
  ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  addFormats(ajv);
  // The document's components.schemas as one schema store, for the refs to resolve into.
  ajv.addSchema({ $id: DOC_ID, $defs: rebase(doc.components.schemas) });
});
afterAll(() => s.close());

const DOC_ID = 'urn:orgdesk:openapi';

const validators = new Map<string, ValidateFunction>();
let compiled = 0;
function validatorFor(schema: Json, key: string): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    // Refs in the document's schemas point into the document; resolve them against it.
    v = ajv.compile({ $id: `urn:orgdesk:check:${++compiled}`, ...rebase(schema) });
    validators.set(key, v);
  }
  return v;
}

/** `#/components/schemas/X` refs, relative to the document, made absolute into the store. */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string'
        ? v.replace(/^#\/components\/schemas\//, `${DOC_ID}#/$defs/`)
        : rebase(v),
    ]),
  );
}

/** A response object of the document, through its `$ref`. */
function resolveResponse(response: Json): Json {
  if (!response?.$ref) return response;
  const name = String(response.$ref).replace('#/components/responses/', '');
  return doc.components.responses[name];
}

/** The document's operation for a concrete request, as a client would find it. */
function operationFor(method: string, rawPath: string): Operation | undefined {
  const path = rawPath.split('?')[0]!;
  if (!path.startsWith(API_PREFIX)) return undefined;
  const parts = path.slice(API_PREFIX.length).split('/');
  const hits = operations.filter((o) => {
    if (o.method !== method) return false;
    const segs = o.path.split('/');
    return (
      segs.length === parts.length &&
      segs.every((seg, i) => seg.startsWith('{') || seg === parts[i])
    );
  });
  const literals = (o: Operation) => o.path.split('/').filter((seg) => !seg.startsWith('{')).length;
  return hits.sort((a, b) => literals(b) - literals(a))[0];
}

const problems = (v: ValidateFunction) =>
  (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

/** Every success, by operationId; and those answered without a declared schema. */
const succeeded = new Set<string>();

/** The answer checked against what the document says this operation answers with this status. */
function conforms(method: string, path: string, res: TestResponse): void {
  const found = operationFor(method, path);
  expect(found, `${method} ${path} is in the document`).toBeDefined();
  const { op } = found!;
  const label = `${op.operationId} → ${res.status}`;
  const response = resolveResponse(op.responses[String(res.status)]);
  expect(response, `${label}: the status is documented`).toBeDefined();
  const type = String(res.headers['content-type']).split(';')[0]!;
  const schema = response.content?.[type]?.schema;
  expect(schema, `${label}: ${type} is a documented content type`).toBeDefined();
  if (schema.format === 'binary') {
    // A file answer (rest.file): the bytes of a file, saved as they are.
    expect(res.headers['content-disposition'], `${label}: a file`).toMatch(/^attachment; /);
  } else {
    expect(type).toBe('application/json');
    const v = validatorFor(schema, `${method} ${found!.path} ${res.status}`);
    expect(v(res.json), `${label}: ${problems(v)}`).toBe(true);
  }
  for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
    const value = res.headers[name.toLowerCase()];
    expect(value, `${label}: header ${name}`).toBeDefined();
    const hv = validatorFor(header.schema, `${method} ${found!.path} ${res.status} ${name}`);
    const typed = header.schema.type === 'integer' ? Number(value) : value;
    expect(hv(typed), `${label}: header ${name}: ${problems(hv)}`).toBe(true);
  }
  if (res.status < 300) {
    succeeded.add(op.operationId);
  }
}

/** One call of the session: it must succeed, and its answer must be as documented. */
async function call(
  method: string,
  path: string,
  opts: RequestOptions & { expect?: number } = {},
): Promise<Json> {
  const res = await s.request(method, `${API_PREFIX}${path}`, opts);
  expect(res.status, `${method} ${path}: ${res.text.slice(0, 300)}`).toBe(
    opts.expect ?? (res.status >= 200 && res.status < 300 ? res.status : 200),
  );
  conforms(method, `${API_PREFIX}${path}`, res);
  return res.json;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator), every $ref resolving', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Every reference points at something that is there.
    const refs: string[] = [];
    const walk = (n: Json) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        if (typeof n.$ref === 'string') refs.push(n.$ref);
        Object.values(n).forEach(walk);
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref, 'refs stay inside the document').toMatch(/^#\/components\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<Json>((n, key) => n?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(target, ref).toBeDefined();
    }
    expect(() => validator.resolveRefs()).not.toThrow();
    // Embedded schemas carry no $schema of their own; every schema compiles under 2020-12.
    expect(JSON.stringify(doc)).not.toContain('"$schema"');
    for (const { method, path, op } of operations) {
      for (const [status, r] of Object.entries(op.responses as Record<string, Json>)) {
        const schema = resolveResponse(r).content['application/json'].schema;
        expect(() => validatorFor(schema, `${method} ${path} ${status}`)).not.toThrow();
      }
      const body = op.requestBody?.content['application/json'].schema;
      if (body) expect(() => validatorFor(body, `${method} ${path} body`)).not.toThrow();
    }
  });

  it('names the API, its version and its relative server', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(doc.info).toMatchObject({ title: 'Orgdesk', version });
    expect(doc.servers).toEqual([{ url: '/api/v1', description: expect.any(String) }]);
    const absolute = buildOpenApiDocument([], [], { version: '1', serverUrl: 'https://o.test/' });
    expect(absolute.servers[0]!.url).toBe('https://o.test/api/v1');
  });

  it('refuses a recursive schema with a clear error instead of a document with dangling refs', () => {
    interface Tree {
      name: string;
      kids: Tree[];
    }
    const Tree: z.ZodType<Tree> = z.lazy(() =>
      z.strictObject({ name: z.string(), kids: z.array(Tree) }),
    );
    const route = {
      method: 'GET',
      path: `${API_PREFIX}/trees/:id`,
      procedure: 'trees.get',
      type: 'query',
      rest: { method: 'GET', path: '/trees/:id', summary: 'A tree' },
      input: z.strictObject({ id: z.number().int().positive() }),
      output: Tree,
      supportEngineer: false,
      params: ['id'],
      call: () => Promise.resolve(null),
    } satisfies ProjectedRoute;
    expect(() => buildOpenApiDocument([route], [], { version: '1' })).toThrow(/Cycle detected/);
  });

  it('is built once per server and served as is', async () => {
    const docs = createApiDocs(new RestApi(s.services), '9.9.9');
    expect(docs.document()).toBe(docs.document());
    const again = await s.request('GET', `${API_PREFIX}/openapi.json`, { token: null });
    expect(again.text).toBe(JSON.stringify(doc));
    expect(again.headers['cache-control']).toBe('no-store');
    expect(again.headers['content-type']).toMatch(/^application\/json/);
  });

  it('holds exactly the routes the server answers, and each one answers there', async () => {
    const rest = new RestApi(s.services);
    const served = [
      ...rest.routes.map((r) => `${r.method} ${openApiPath(r.path)}`),
      ...rest.agents.map((a) => `${a.method} ${openApiPath(`${API_PREFIX}${a.path}`)}`),
    ].sort();
    const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(served);
    for (const { method, path, op } of operations) {
      const concrete = `${API_PREFIX}${path.replace(/\{[^}]+\}/g, '1')}`;
      const hit = rest.match(method, concrete);
      expect(hit && 'entry' in hit, `${method} ${concrete}`).toBe(true);
      const entry = (hit as { entry: Json }).entry;
      const procedure =
        entry.handler.kind === 'procedure'
          ? entry.handler.route.procedure
          : `agents.${entry.path.split('/').pop()}`;
      expect(op.operationId).toBe(procedure);
      // And over HTTP: an unauthenticated call reaches the route (no "No API route" 404, no 405).
      const res = await s.request(method, concrete, { token: null, body: {} });
      expect(res.status, `${method} ${concrete}`).not.toBe(405);
      expect(res.json?.error?.message ?? '', `${method} ${concrete}`).not.toMatch(/No API route/);
    }
    expect(new Set(operations.map((o) => o.op.operationId)).size).toBe(operations.length);
  });

  it('documents parameters, bodies, security, lists and errors as the server reads them', () => {
    const byId = new Map(operations.map((o) => [o.op.operationId as string, o]));
    const update = byId.get('organizations.update')!;
    expect(update).toMatchObject({ method: 'PATCH', path: '/organizations/{id}' });
    expect(update.op.tags).toEqual(['organizations']);
    expect(update.op.parameters).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      }),
    ]);
    // body: 'patch' — the body is the patch itself.
    const patch = update.op.requestBody.content['application/json'].schema;
    expect(Object.keys(patch.properties)).toContain('automation_level');
    expect(patch.properties.patch).toBeUndefined();
    // body: 'root' — the input's fields without the path's.
    const createLoc = byId.get('locations.create')!.op;
    const locBody = createLoc.requestBody.content['application/json'].schema;
    expect(Object.keys(locBody.properties)).toContain('subnets');
    expect(locBody.properties.organization_id).toBeUndefined();
    expect(createLoc.requestBody.required).toBe(true);
    expect(Object.keys(createLoc.responses)).toContain('201');
    // GET: query parameters from the input, none for the path's.
    const hostsList = byId.get('hosts.list')!.op;
    const query = hostsList.parameters
      .filter((p: Json) => p.in === 'query')
      .map((p: Json) => p.name);
    expect(query).toEqual(
      expect.arrayContaining(['location_id', 'status', 'search', 'skip', 'limit']),
    );
    expect(query).not.toContain('organization_id');
    expect(hostsList.parameters.find((p: Json) => p.name === 'status').schema).toEqual({
      type: 'string',
      enum: ['online', 'offline', 'stale'],
    });
    expect(
      byId.get('locations.resolve')!.op.parameters.find((p: Json) => p.name === 'ip'),
    ).toMatchObject({ required: true });
    // Lists: an array with X-Total-Count.
    for (const { op } of operations.filter(
      (o) => o.op.responses['200']?.headers?.['X-Total-Count'],
    )) {
      expect(op.responses['200'].content['application/json'].schema.type).toBe('array');
    }
    expect(
      byId.get('organizations.list')!.op.responses['200'].headers['X-Total-Count'],
    ).toBeDefined();
    // Security: bearer everywhere but sign-in and the agents; sign-in may be throttled.
    const login = byId.get('auth.login')!.op;
    expect(login.security).toEqual([]);
    expect(login.responses['429']).toEqual({ $ref: '#/components/responses/TooManyRequests' });
    for (const { op } of operations) {
      for (const status of ['400', '401', '403', '404', '409', '413']) {
        expect(op.responses[status], `${op.operationId} ${status}`).toBeDefined();
      }
      // IDN-4: single sign-on's start and exchange happen before the caller holds a token.
      if (['sso.start', 'sso.exchange'].includes(op.operationId)) {
        expect(op.security, op.operationId).toEqual([]);
        continue;
      }
      if (
        [
          'auth.login',
          'auth.completeMfa',
          'auth.passkeySignInOptions',
          'auth.completeMfaWithPasskey',
        ].includes(op.operationId) ||
        op.tags[0] === 'agents'
      )
        continue;
      expect(op.security, op.operationId).toEqual([{ bearer: [] }]);
      expect(op.responses['429'], op.operationId).toBeUndefined();
    }
    expect(byId.get('agents.register')!.op.security).toEqual([{ organizationSecret: [] }]);
    expect(byId.get('agents.heartbeat')!.op.security).toEqual([
      { agentHostId: [], agentTimestamp: [], agentSignature: [] },
      { organizationSecret: [], agentHostId: [] },
    ]);
    expect(Object.keys(byId.get('agents.register')!.op.responses)).toEqual(
      expect.arrayContaining(['200', '201']),
    );
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.organizationSecret).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Organization-Secret',
    });
    expect(schemes.agentSignature).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Signature',
    });
    expect(schemes.agentTimestamp).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Timestamp',
    });
    expect(schemes.agentHostId).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Host-Id' });
  });
});

describe('contract: a session over a real server, every answer as documented', () => {
  it('calls every route successfully and each answer matches its schema', async () => {
    // ---- organizations
    const org = await call('POST', '/organizations', {
      body: { name: 'Contract Org', description: 'Anvils', region: 'eu' },
      expect: 201,
    });
    const spare = await call('POST', '/organizations', { body: { name: 'Spare' }, expect: 201 });
    const orgs = await call('GET', '/organizations?search=contract');
    expect(orgs.map((o: Json) => o.id)).toEqual([org.id]);
    await call('GET', '/organizations/regions');
    await call('GET', `/organizations/${org.id}`);
    await call('PATCH', `/organizations/${org.id}`, { body: { recording_policy: 'full' } });
    await call('GET', `/organizations/${org.id}/secret`);
    await call('GET', `/organizations/${org.id}/secret/usage`);
    await call('GET', `/organizations/${org.id}/agent-config`);
    const regenerated = await call('POST', `/organizations/${org.id}/secret/regenerate`, {
      body: { confirm: true, grace_period_hours: 1 },
    });
    const secret: string = regenerated.secret;
    await call('DELETE', `/organizations/${spare.id}?hard_delete=true`);

    // ---- users and auth
    await call('GET', '/users/me');
    const pat = await call('POST', '/users', {
      body: { email: 'pat@contract.test', name: 'Pat', password: PASSWORD },
      expect: 201,
    });
    await call('PATCH', `/users/${pat.id}`, { body: { name: 'Pat B' } });
    await call('PUT', `/users/${pat.id}/roles`, {
      body: { roles: [{ role: 'technician', organization_id: org.id }] },
    });
    await call('GET', '/users');
    const session = await call('POST', '/auth/login', {
      token: null,
      body: { email: 'pat@contract.test', password: PASSWORD },
    });
    const token = await call('POST', '/tokens', {
      token: session.token,
      body: { name: 'ci', expires_in_days: 30 },
      expect: 201,
    });
    await call('GET', '/tokens', { token: session.token });
    await call('DELETE', `/tokens/${token.id}`, { token: session.token });
    // ---- second factor (IDN-1..3), codes computed as an authenticator app would
    const mfa = { token: session.token };
    const totp = (secret: string) => {
      s.clock.advance(30_000);
      return totpCode(secret, s.clock.now());
    };
    await call('GET', '/me/mfa', mfa);
    const enrolled = await call('POST', '/me/mfa/totp', mfa);
    await call('POST', '/me/mfa/totp/confirm', { ...mfa, body: { code: totp(enrolled.secret) } });
    await call('POST', '/auth/step-up', { ...mfa, body: { code: totp(enrolled.secret) } });
    await call('POST', '/me/mfa/recovery-codes', { ...mfa, body: { code: totp(enrolled.secret) } });
    const secondLogin = await call('POST', '/auth/login', {
      token: null,
      body: { email: 'pat@contract.test', password: PASSWORD },
    });
    await call('POST', '/auth/mfa', {
      token: null,
      body: { mfa_token: secondLogin.mfa_token, code: totp(enrolled.secret) },
    });
    await call('DELETE', `/me/mfa/totp?code=${totp(enrolled.secret)}`, mfa);
    // IDN-2: passkeys, full ceremonies played by a software authenticator in Node
    const origin = `http://localhost:${s.port}`;
    const authenticator = softAuthenticator();
    const creation = await call('POST', '/me/passkeys/options', mfa);
    const passkey = await call('POST', '/me/passkeys', {
      ...mfa,
      body: { name: 'Laptop', response: authenticator.register(creation.options, origin) },
      expect: 201,
    });
    await call('GET', '/me/passkeys', mfa);
    await call('PATCH', `/me/passkeys/${passkey.id}`, { ...mfa, body: { name: 'Desk' } });
    const passkeyLogin = await call('POST', '/auth/login', {
      token: null,
      body: { email: 'pat@contract.test', password: PASSWORD },
    });
    const passkeyRequest = await call('POST', '/auth/mfa/passkey/options', {
      token: null,
      body: { mfa_token: passkeyLogin.mfa_token },
    });
    await call('POST', '/auth/mfa/passkey', {
      token: null,
      body: {
        mfa_token: passkeyLogin.mfa_token,
        response: authenticator.assert(passkeyRequest.options, origin),
      },
    });
    const stepUpRequest = await call('POST', '/auth/step-up/passkey/options', mfa);
    await call('POST', '/auth/step-up/passkey', {
      ...mfa,
      body: { response: authenticator.assert(stepUpRequest.options, origin) },
    });
    await call('DELETE', `/me/passkeys/${passkey.id}`, mfa);
    await call('PUT', '/account/mfa', { body: { required: false } });
    // IDN-5: a second sign-in to end, then the others, then an admin's sign-out everywhere.
    const secondSignIn = await call('POST', '/auth/login', {
      token: null,
      body: { email: 'pat@contract.test', password: PASSWORD },
    });
    const sessions = await call('GET', '/me/sessions', { token: session.token });
    const other = sessions.find((x: Json) => !x.current);
    await call('DELETE', `/me/sessions/${other.id}`, { token: session.token });
    expect(secondSignIn.token).toBeTruthy();
    await call('POST', '/me/sessions/revoke-others', { token: session.token });
    await call('POST', `/users/${pat.id}/sign-out`);
    const again = await call('POST', '/auth/login', {
      token: null,
      body: { email: 'pat@contract.test', password: PASSWORD },
    });
    await call('POST', '/auth/logout', { token: again.token });

    // ---- single sign-on (IDN-4), through a real OpenID provider on loopback
    const idp = await startIdp({
      redirectUris: [`${s.url}/api/v1/auth/oidc/callback`],
      users: [{ sub: 'sso', email: 'sso@contract.test', groups: ['admins'] }],
    });
    try {
      await call('GET', '/account/sso');
      await call('PUT', '/account/sso', {
        body: {
          issuer: idp.issuer,
          client_id: idp.clientId,
          client_secret: idp.clientSecret,
          allowed_domains: ['contract.test'],
          extra_scopes: 'groups',
          group_mappings: [{ group: 'admins', role: 'reader', organization_id: org.id }],
          enabled: true,
        },
      });
      await call('POST', '/account/sso/test');
      const verifier = randomBytes(32).toString('base64url');
      const started = await call('POST', '/auth/oidc/start', {
        token: null,
        body: {
          email: 'sso@contract.test',
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        },
      });
      const browser = new FetchBrowser();
      const callback = await browser.signIn(
        started.authorization_url,
        'sso',
        (u) => u.pathname === `${API_PREFIX}/auth/oidc/callback`,
      );
      const back = new URL((await browser.request(callback)).headers.get('location')!);
      await call('POST', '/auth/oidc/exchange', {
        token: null,
        body: { code: back.searchParams.get('code'), code_verifier: verifier },
      });
    } finally {
      await idp.close();
    }

    // ---- accounts (PLAT-1: the bootstrap admin is the platform operator)
    const created = await call('POST', '/accounts', {
      body: { name: 'Contract Co', admin_email: 'first@contract-co.test', admin_name: 'First' },
      expect: 201,
    });
    await call('GET', '/accounts');
    await call('GET', `/accounts/${created.account.id}`);
    await call('PATCH', `/accounts/${created.account.id}`, { body: { name: 'Contract Co Ltd' } });

    // ---- locations
    const office = await call('POST', `/organizations/${org.id}/locations`, {
      body: { name: 'Office', subnets: ['10.1.0.0/16'], timezone: 'Europe/Berlin' },
      expect: 201,
    });
    await call('PATCH', `/locations/${office.id}`, { body: { subnets: ['10.0.0.0/8'] } });
    const locations = await call('GET', `/organizations/${org.id}/locations`);
    const defaultLocation = locations.find((l: Json) => l.is_default);
    await call('GET', `/locations/${office.id}`);
    await call('GET', `/organizations/${org.id}/locations/resolve?ip=10.1.9.9`);

    // ---- integrations (INT-1/INT-2): a UDP collector needs nobody listening to be sent to
    const dest = await call('POST', '/integrations/destinations', {
      body: { kind: 'syslog', url: 'udp://127.0.0.1:9', events: ['integration.*'] },
      expect: 201,
    });
    await call('GET', '/integrations/destinations');
    await call('PATCH', `/integrations/destinations/${dest.id}`, {
      body: { name: 'Contract SIEM' },
    });
    await call('POST', `/integrations/destinations/${dest.id}/test`);
    const deliveries = await call('GET', `/integrations/destinations/${dest.id}/deliveries`);
    await call(
      'POST',
      `/integrations/destinations/${dest.id}/deliveries/${deliveries[0].id}/redeliver`,
    );
    await call('DELETE', `/integrations/destinations/${dest.id}`);

    // ---- agents (the org secret, then a Go agent's signature)
    const agentHeaders = { 'X-Organization-Secret': secret };
    const legacy = await call('POST', '/agents/register', {
      token: null,
      headers: agentHeaders,
      body: { hostname: 'web-1', ip: '10.1.2.3', agent_type: 'legacy' },
      expect: 201,
    });
    await call('POST', '/agents/register', {
      token: null,
      headers: agentHeaders,
      body: { hostname: 'web-1', ip: '10.1.2.4', agent_type: 'legacy' },
      expect: 200,
    });
    const agent = goAgent();
    const go = await call('POST', '/agents/register', {
      token: null,
      headers: agentHeaders,
      body: { hostname: 'go-1', ip: '10.1.2.5', agent_type: 'go', public_key: agent.publicKey },
      expect: 201,
    });
    await call('POST', '/agents/heartbeat', {
      token: null,
      headers: { ...agentHeaders, 'X-Host-Id': String(legacy.host_id) },
      body: {},
    });
    const beat = JSON.stringify({ ip: '10.1.2.6' });
    await call('POST', '/agents/heartbeat', {
      token: null,
      raw: beat,
      headers: {
        'Content-Type': 'application/json',
        ...agent.heartbeatHeaders(go.host_id, unixSeconds(s.clock), beat),
      },
    });

    // ---- hosts
    await call('GET', `/organizations/${org.id}/hosts?status=online&limit=10`);
    await call('GET', `/hosts/${legacy.host_id}`);
    await call('POST', `/hosts/${legacy.host_id}/move`, {
      body: { location_id: defaultLocation.id },
    });
    await call('POST', `/hosts/${legacy.host_id}/unpin`, { body: {} });

    // ---- support access: the customer's side and a support engineer's
    const platform = await s.services.accounts.provision({
      accountName: 'Platform',
      adminEmail: 'platform-admin@platform.test',
      adminName: 'Platform admin',
    });
    const engineer = await s.userToken([], { accountId: platform.accountId, support: true });
    const engineer2 = await s.userToken([], { accountId: platform.accountId, support: true });
    await call('GET', '/support-access/status');
    await call('POST', '/support-access/enable', { body: { duration_hours: 2, reason: 'T-1' } });
    const request = await call('POST', '/support-access/requests', {
      token: engineer.token,
      body: { account_id: s.accountId, reason: 'Debug sync', duration_hours: 1 },
      expect: 201,
    });
    await call('GET', '/support-access/requests?status=pending');
    await call('POST', `/support-access/requests/${request.id}/approve`, {
      body: { reason: 'ok' },
    });
    const second = await call('POST', '/support-access/requests', {
      token: engineer2.token,
      body: { account_id: s.accountId, reason: 'Look around' },
      expect: 201,
    });
    await call('POST', `/support-access/requests/${second.id}/deny`, { body: {} });
    await call('GET', `/support-access/status?account_id=${s.accountId}`, {
      token: engineer.token,
    });
    await call('POST', '/support-access/disable', { body: {} });
    await call('POST', '/support-access/emergency-disable', { body: { reason: 'Incident' } });

    // ---- notifications (INT-3): the support events above told the admin
    const notes = await call('GET', '/notifications?status=unread&limit=5');
    await call('GET', '/notifications/unread-count');
    await call('POST', '/notifications/read', { body: { id: notes[0].id } });
    await call('POST', '/notifications/read', { body: { id: null } });

    // ---- automation, workflows, incidents
    await call('GET', `/organizations/${org.id}/automation/decision?action_kind=security_patch`);
    const wf = await call('POST', `/organizations/${org.id}/workflows`, {
      body: { name: 'Major incident' },
      expect: 201,
    });
    await call('GET', `/organizations/${org.id}/workflows?active_only=true`);
    await call('GET', `/workflows/${wf.id}`);
    await call('PATCH', `/workflows/${wf.id}`, { body: { name: 'Renamed' } });
    await call('POST', '/incidents', {
      body: { organization_id: org.id, priority: 'P3', title: 'Slow' },
      expect: 201,
    });
    await call('GET', `/organizations/${org.id}/incidents`);
    await call('GET', `/organizations/${org.id}/workflow-runs`);

    // ---- feature flags
    await call('PUT', '/feature-flags', { body: { feature: 'patching', enabled: false } });
    await call('PUT', '/feature-flags', {
      body: { feature: 'patching', enabled: true, organization_id: org.id },
    });
    await call('GET', '/feature-flags');
    await call('GET', `/organizations/${org.id}/feature-flags`);
    await call('GET', `/organizations/${org.id}/feature-flags?feature=patching`);
    await call('DELETE', `/feature-flags?feature=patching&organization_id=${org.id}`);

    // ---- onboarding defaults
    const rules = await call('GET', `/organizations/${org.id}/alert-rules`);
    await call('PATCH', `/alert-rules/${rules[0].id}`, { body: { enabled: false } });
    const baselines = await call('GET', `/organizations/${org.id}/compliance-baselines`);
    await call('PATCH', `/compliance-baselines/${baselines[0].id}`, {
      body: { rules: ['firewall_enabled'] },
    });

    // ---- governance
    await call('GET', `/organizations/${org.id}/governance`);
    const recording = await call('POST', `/organizations/${org.id}/recordings`, {
      body: {
        host_id: legacy.host_id,
        kind: 'terminal',
        capture: 'full',
        started_at: new Date(s.clock.now()).toISOString(),
      },
      expect: 201,
    });
    await call('GET', `/organizations/${org.id}/recordings`);
    await call('DELETE', `/recordings/${recording.id}`);
    await call('PUT', '/account/retention', { body: { default_retention_days: 30 } });
    await call('POST', '/governance/retention-cleanup', { body: {} });

    // ---- audit
    await call('GET', `/audit?organization_id=${org.id}&limit=5`);
    await call('GET', '/audit/export?format=json');
    await call('GET', '/audit/export?format=csv');
    await call('GET', '/audit/verify');
    await call('GET', '/audit/verify/status');
    await call('GET', '/export-key');

    // ---- GDPR
    await call('GET', `/users/${pat.id}/export`);
    await call('GET', '/account/export');
    await call('POST', `/users/${pat.id}/erase`, { body: { confirm: 'pat@contract.test' } });

    // ---- fleet overview (UI-12), with this hour's snapshot taken
    await s.services.infra.fleetSnapshots.take();
    await call('GET', '/fleet/overview');
    await call('GET', '/fleet/history');
    await call('GET', `/fleet/history?organization_id=${org.id}&hours=48`);

    // ---- bulk actions (UI-13)
    await call('POST', `/organizations/${org.id}/hosts/move`, {
      body: { ids: [legacy.host_id, go.host_id], location_id: office.id },
    });
    await call('POST', `/organizations/${org.id}/hosts/remove`, {
      body: { ids: [legacy.host_id] },
    });

    // ---- removals last
    await call('POST', `/hosts/${go.host_id}/reset-identity`, { body: {} });
    await call('DELETE', `/hosts/${go.host_id}`);
    await call('POST', `/organizations/${org.id}/hosts/remove-all`, {
      body: { confirm_count: 0 },
    });
    await call('GET', `/locations/${office.id}/delete-preview`);
    await call('DELETE', `/locations/${office.id}`);
    await call('POST', '/organizations/deactivate', { body: { ids: [org.id] } });
    await call('DELETE', `/organizations/${org.id}`);
  });

  it('every operation of the document was called successfully', () => {
    const all = operations.map((o) => o.op.operationId as string).sort();
    expect(all.filter((id) => !succeeded.has(id))).toEqual([]);
  });

  it('real errors match the Error schema: 401, 404, 400 (and X-Total-Count on a list)', async () => {
    const unauth = await s.request('GET', `${API_PREFIX}/organizations`, { token: null });
    expect(unauth.status).toBe(401);
    expect(unauth.headers['www-authenticate']).toBe('Bearer');
    conforms('GET', `${API_PREFIX}/organizations`, unauth);
    expect(unauth.json.error.code).toBe('UNAUTHORIZED');

    const missing = await s.request('GET', `${API_PREFIX}/organizations/999999`);
    expect(missing.status).toBe(404);
    conforms('GET', `${API_PREFIX}/organizations/999999`, missing);
    expect(missing.json.error.code).toBe('NOT_FOUND');

    const badQuery = await s.request('GET', `${API_PREFIX}/organizations?limit=0`);
    expect(badQuery.status).toBe(400);
    conforms('GET', `${API_PREFIX}/organizations?limit=0`, badQuery);
    expect(badQuery.json.error).toMatchObject({ code: 'BAD_REQUEST', field: 'limit' });

    const badBody = await s.request('POST', `${API_PREFIX}/organizations`, { body: { name: '' } });
    expect(badBody.status).toBe(400);
    conforms('POST', `${API_PREFIX}/organizations`, badBody);
    expect(badBody.json.error.field).toBe('name');

    const badAgent = await s.request('POST', `${API_PREFIX}/agents/register`, {
      token: null,
      body: {},
    });
    expect(badAgent.status).toBe(401);
    conforms('POST', `${API_PREFIX}/agents/register`, badAgent);

    // Unknown routes answer the same shape (outside any operation).
    const nowhere = await s.request('GET', `${API_PREFIX}/nowhere`);
    expect(nowhere.status).toBe(404);
    const errorCheck = validatorFor({ $ref: '#/components/schemas/Error' }, 'Error');
    expect(errorCheck(nowhere.json), problems(errorCheck)).toBe(true);

    for (let i = 0; i < 3; i++) {
      await s.request('POST', `${API_PREFIX}/organizations`, { body: { name: `Paged ${i}` } });
    }
    const page = await s.request('GET', `${API_PREFIX}/organizations?search=paged&limit=2`);
    expect(page.status).toBe(200);
    expect(page.headers['x-total-count']).toBe('3');
    expect(page.json).toHaveLength(2);
    conforms('GET', `${API_PREFIX}/organizations?search=paged&limit=2`, page);
  });
});
