// The tenant-isolation matrix over REST (TEN-4, SUP-5, TEN-6; "One API"): every route projected
// from the router × every kind of caller that must not see the victim's tenant, over real HTTP
// with each caller's own bearer token. The callers, the samples and the verdicts are those of the
// tRPC matrix (isolation-matrix.test.ts, fixtures/isolation-matrix.ts); each sample input becomes
// a request by the route's own declaration (path, query, body placement), so a route added later
// is covered without anyone remembering, and one without a sample fails here.
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../main/core/actor';
import { createServer, type OrgdeskServer } from '../main/server/app';
import { assembleInput, projectRoutes, type ProjectedRoute } from '../main/server/rest/projection';
import { ERROR_CODES, isErrorCode } from '../shared/error-codes';
import {
  aimedAtRealObjects,
  callerOf,
  LIMITED_KINDS,
  missingSamples,
  mutationsOf,
  OUTSIDE_KINDS,
  procedureTypes,
  refusals,
  uncoveredCallers,
  writeLimits,
  type Outcome,
  type Transport,
} from './fixtures/isolation-matrix';
import {
  createIsolationWorld,
  type IsolationWorld,
  type MatrixCaller,
} from './fixtures/isolation-world';
import { SAMPLES } from './fixtures/isolation-samples';
import { sendRequest, type TestResponse } from './fixtures/server';
import { sqliteOnly } from './fixtures/test-engine';

/**
 * The platform operator's calls, and the positive control's, succeed on the victim's account and
 * are undone by an outer BEGIN/ROLLBACK on the world's one SQLite connection, in which the
 * services' transactions nest as savepoints; on PostgreSQL each unit of work takes a connection
 * of its own from the pool, so no outer transaction can undo them and the world would change
 * under the next cell. Every other caller's cells run on both engines.
 */
const ROLLBACK_WRAP = 'undone by an outer transaction on the one SQLite connection';
const OUTSIDE_KINDS_HERE = OUTSIDE_KINDS.filter(
  (k) =>
    !(
      sqliteOnly(ROLLBACK_WRAP) &&
      k === 'platform operator without a tenant role in the victim account'
    ),
);

interface RestRequest {
  method: string;
  /** Path and query string, e.g. `/api/v1/organizations/70001/hosts?search=x`. */
  url: string;
  /** The path parameters as they appear in the path. */
  params: Record<string, string>;
  /** Sent as JSON when defined. */
  body?: unknown;
}

const takesBody = (route: ProjectedRoute) => route.method !== 'GET' && route.method !== 'DELETE';

/**
 * A procedure input as a request to its route, by the route's declaration: `:name` segments from
 * the input's fields of that name; GET and DELETE put the other fields in the query string
 * (arrays as repeated parameters); other methods send a JSON body: the remaining fields (`root`)
 * or the one field the route names, the rest in the query string.
 */
function restRequest(route: ProjectedRoute, input: unknown): RestRequest {
  if (
    input !== undefined &&
    (input === null || typeof input !== 'object' || Array.isArray(input))
  ) {
    throw new Error(`a REST request carries an object input, not ${JSON.stringify(input)}`);
  }
  const fields: Record<string, unknown> = { ...(input as Record<string, unknown> | undefined) };
  const params: Record<string, string> = {};
  const path = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment;
      const name = segment.slice(1);
      const id = fields[name];
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
        throw new Error(`the input has no id for the path's :${name}`);
      }
      delete fields[name];
      params[name] = String(id);
      return params[name];
    })
    .join('/');
  let body: unknown;
  if (takesBody(route)) {
    const placement = route.rest.body ?? 'root';
    if (placement === 'root') {
      body = input === undefined ? undefined : { ...fields };
      for (const k of Object.keys(fields)) delete fields[k];
    } else {
      body = fields[placement];
      delete fields[placement];
    }
  }
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      if (!['string', 'number', 'boolean'].includes(typeof item)) {
        throw new Error(`${name}: ${JSON.stringify(item)} does not fit in a query string`);
      }
      query.append(name, String(item as string | number | boolean));
    }
  }
  const search = query.toString();
  return { method: route.method, url: search ? `${path}?${search}` : path, params, body };
}

/** A REST answer as the matrix judges it; a page is read back as `{items, total}`. */
function outcomeOf(route: ProjectedRoute, res: TestResponse, serverErrors: string[]): Outcome {
  const total = res.headers['x-total-count'];
  const text = total === undefined ? res.text : `${res.text}\nX-Total-Count: ${String(total)}`;
  if (res.status >= 200 && res.status < 300) {
    const value = route.rest.list ? { items: res.json, total: Number(total) } : res.json;
    return { ok: true, value, text };
  }
  const error = (res.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return {
      ok: false,
      code: '(none)',
      message: res.text.slice(0, 200),
      status: res.status,
      text,
      problem: `${res.status} without the error shape {"error": {"code", "message"}}`,
    };
  }
  const { code, message } = error as { code: string; message: string };
  let problem: string | undefined;
  if (res.status === 405 || (res.status === 404 && message.startsWith('No API route'))) {
    problem = `the request matched no route of the server (${message})`;
  } else if (res.status === 500) {
    problem = `the server failed: ${serverErrors.at(-1) ?? '(nothing logged)'}`;
  } else if (isErrorCode(code) && ERROR_CODES[code] !== res.status) {
    problem = `${res.status} with code ${code}, which answers ${ERROR_CODES[code]}`;
  }
  return { ok: false, code, message, status: res.status, text, problem };
}

/**
 * Every projected route over HTTP, each caller with its own bearer token. A caller whose token
 * was ended by a call (sign-out is its own business) gets a fresh one of the same user and the
 * same rights before its next call, outside the dumps.
 */
function rest(
  x: IsolationWorld,
  port: number,
  serverErrors: string[],
): Transport & { bearer(caller: MatrixCaller): Promise<string> } {
  const routes = new Map(projectRoutes().map((r) => [r.procedure, r]));
  const auth = x.w.services.auth;
  const current = new Map<string, string>();
  const owners = new Map<string, Actor>();
  const ownerOf = async (caller: MatrixCaller): Promise<Actor> => {
    let owner = owners.get(caller.token);
    if (!owner) {
      owner = (await auth.authenticate(caller.token)) ?? undefined;
      if (!owner) throw new Error(`${caller.kind}: the world's bearer token does not authenticate`);
      owners.set(caller.token, owner);
    }
    return owner;
  };
  const bearer = async (caller: MatrixCaller): Promise<string> => {
    const owner = await ownerOf(caller);
    let token = current.get(caller.token) ?? caller.token;
    if (!(await auth.authenticate(token))) {
      token = (
        await auth.createPersonalToken(owner, {
          name: 'isolation matrix bearer, after a sign-out',
          read_only: owner.readOnly,
        })
      ).token;
      current.set(caller.token, token);
    }
    return token;
  };
  return {
    bearer,
    ownerOf,
    procedures: new Map([...procedureTypes()].filter(([p]) => routes.has(p))),
    name: (path) => {
      const r = routes.get(path)!;
      return `${r.method} ${r.path} (${path})`;
    },
    prepare: async (caller, path, input) => {
      const route = routes.get(path)!;
      const req = restRequest(route, input);
      const token = route.rest.auth === 'none' ? null : await bearer(caller);
      return async () =>
        outcomeOf(
          route,
          await sendRequest(port, req.method, req.url, { token, body: req.body }),
          serverErrors,
        );
    },
  };
}

let x: IsolationWorld;
let t: ReturnType<typeof rest>;
let server: OrgdeskServer;
const serverErrors: string[] = [];
beforeAll(async () => {
  x = await createIsolationWorld();
  server = createServer({
    services: x.w.services,
    host: '127.0.0.1',
    port: 0,
    staticDir: join(x.w.dir, 'no-console-built'),
    log: { info: () => {}, error: (line) => serverErrors.push(line) },
  });
  const { port } = await server.listen();
  t = rest(x, port, serverErrors);
}, 60_000);
afterAll(async () => {
  await server?.close();
  await x?.w.close();
});

describe('tenant-isolation matrix over REST (generated from the projected routes)', () => {
  it('every route has a sample input (add one in tests/fixtures/isolation-samples.ts)', () => {
    expect(missingSamples(t)).toEqual([]);
  });

  it('every sample becomes a request its route reads back as the very same input', () => {
    const problems: string[] = [];
    for (const route of projectRoutes()) {
      const make = SAMPLES[route.procedure];
      if (!make) continue;
      for (const c of x.callers) {
        for (const v of [x.victim, x.missing]) {
          for (const { input } of make({ v, own: c.own })) {
            const label = `${t.name(route.procedure)} with ${JSON.stringify(input)}`;
            try {
              const req = restRequest(route, input);
              const query = new URL(req.url, 'http://matrix').searchParams;
              const back = assembleInput(route, req.params, query, req.body);
              if (!isDeepStrictEqual(back, input)) {
                problems.push(
                  `${label}: ${req.method} ${req.url} reads back as ${JSON.stringify(back)}`,
                );
              }
            } catch (e) {
              problems.push(`${label}: ${(e as Error).message}`);
            }
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every caller of the isolation world is in the matrix', () => {
    expect(uncoveredCallers(x)).toEqual([]);
  });

  it('prints its size', () => {
    const n = t.procedures.size;
    const m = x.callers.length;
    const without = [...procedureTypes().keys()].filter((p) => !t.procedures.has(p));
    console.log(
      `isolation matrix (REST): ${n} routes × ${m} callers = ${n * m} cells; ` +
        `same-tenant write limits: ${mutationsOf(t).length} mutation routes × ${x.limited.length} callers; ` +
        `procedures without a REST form: ${without.join(', ') || 'none'}`,
    );
    expect(n).toBe(projectRoutes().length);
    expect(n).toBeGreaterThan(40);
  });

  it.each(OUTSIDE_KINDS_HERE)(
    '%s: every route refuses the victim, leaks nothing and changes nothing',
    async (kind) => {
      const caller = callerOf(x, kind);
      const { problems, calls, succeeded } = await refusals(x, t, caller);
      console.log(
        `${kind} (REST): ${calls} requests, ${succeeded} answered within the caller's own tenant`,
      );
      expect(calls).toBeGreaterThan(t.procedures.size);
      // The caller and its token are real: requests that only reach its own tenant do succeed.
      expect(succeeded).toBeGreaterThanOrEqual(caller.accountAdmin ? 10 : 3);
      expect(problems).toEqual([]);
    },
    60_000,
  );
});

describe('REST writes stop at the limits of the caller inside the tenant', () => {
  it.each(LIMITED_KINDS)(
    '%s: every mutation route is refused and changes nothing',
    async (kind) => {
      expect(await writeLimits(x, t, callerOf(x, kind))).toEqual([]);
    },
    60_000,
  );

  it('the same tokens can read what their role allows: the limits above are not a broken world', async () => {
    for (const kind of LIMITED_KINDS) {
      const out = await (
        await t.prepare(callerOf(x, kind), 'organizations.get', { id: x.victim.org })
      )();
      expect(out, kind).toMatchObject({ ok: true, value: { name: 'Victim Org One' } });
    }
    // The read-only caller really sends its read-only token: the same write with a full token of
    // the same admin goes through.
    const readOnly = callerOf(x, "account admin's read-only token");
    expect(await x.w.services.auth.authenticate(await t.bearer(readOnly))).toMatchObject({
      userId: x.w.admin.userId,
      readOnly: true,
    });
    const full: MatrixCaller = {
      ...readOnly,
      kind: 'victim admin',
      token: (await x.w.services.auth.createPersonalToken(x.w.admin, { name: 'full' })).token,
    };
    const input = { organization_id: x.victim.org, name: 'Written by the admin' };
    expect(await (await t.prepare(readOnly, 'locations.create', input))()).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(await (await t.prepare(full, 'locations.create', input))()).toMatchObject({ ok: true });
  });
});

describe('REST positive control: the requests point at real objects', () => {
  it.skipIf(sqliteOnly(ROLLBACK_WRAP))(
    "the victim's own admin is never told NOT_FOUND by a request aimed at the victim",
    async () => {
      const admin: MatrixCaller = {
        ...x.callers[0]!,
        actor: async () => x.w.admin,
        kind: 'victim admin',
        token: (await x.w.services.auth.createPersonalToken(x.w.admin, { name: 'control' })).token,
      };
      const { checked, problems, changes } = await aimedAtRealObjects(x, t, admin);
      expect(checked).toBeGreaterThan(50);
      expect(problems).toEqual([]);
      expect(changes).toEqual([]);
    },
  );

  it('the server logged no unexpected error', () => {
    expect(serverErrors).toEqual([]);
  });
});
