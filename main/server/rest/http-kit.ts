// A small REST layer: a route table (method + `/api/v1/things/:id`), strict query parsing, JSON
// bodies and one error shape, `{"error": {"code", "message", "field"?}}`. Handlers only translate
// HTTP to service calls: the services validate, authorize and audit, exactly as under tRPC.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Actor } from '../../core/actor';
import { DomainError, badRequest, type DomainErrorCode } from '../../core/errors';
import type { Services } from '../../services';
import { SUPPORT_ENGINEER_MUTATIONS, describeIssues } from '../../trpc/trpc';
import {
  bearerToken,
  clientAddress,
  headerValue,
  parseJsonBody,
  readBody,
  sendJson,
} from '../http-io';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  method: Method;
  path: string;
  /** Path parameters (`:id`): always positive integer ids, validated before the handler runs. */
  params: Record<string, number>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The exact body bytes (agents sign them). */
  rawBody: Buffer;
  services: Services;
  actor: Actor | null;
  token: string | null;
  clientAddress: string;
  /** The URL agents are told to use (agent configuration files). */
  serverUrl: string;
  /** The JSON body as an object ({} when empty); 400 when it is JSON but not an object. */
  body<T = Record<string, unknown>>(): T;
  /** One request header (lower-case name). */
  header(name: string): string | undefined;
}

export interface AuthedRequest extends RestRequest {
  actor: Actor;
  token: string;
}

/** A non-200 answer or extra headers; a handler returning anything else answers 200 with it. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export const reply = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  new Reply(status, body, headers);
export const created = (body: unknown): Reply => new Reply(201, body);
/** A list page as a JSON array, with its total count of matches in `X-Total-Count`. */
export const page = (p: { items: unknown[]; total: number }): Reply =>
  new Reply(200, p.items, { 'X-Total-Count': String(p.total) });

export interface Route {
  method: Method;
  path: string;
  auth: 'bearer' | 'none';
  /** Whether the call changes something (decides the support-engineer rule). */
  mutation: boolean;
  /** The tRPC procedure this route mirrors, e.g. `supportAccess.request`. */
  procedure: string | null;
  handle(req: RestRequest): unknown;
}

interface RouteOptions {
  /** The tRPC procedure it mirrors: a support engineer may call mutations listed in SUPPORT_ENGINEER_MUTATIONS. */
  procedure?: string;
  /** Defaults to "not GET". */
  mutation?: boolean;
}

/** A route for signed-in callers (`Authorization: Bearer`); 401 without a valid token. */
export function authed(
  method: Method,
  path: string,
  handle: (req: AuthedRequest) => unknown,
  opts: RouteOptions = {},
): Route {
  return {
    method,
    path,
    auth: 'bearer',
    mutation: opts.mutation ?? method !== 'GET',
    procedure: opts.procedure ?? null,
    handle: handle as (req: RestRequest) => unknown,
  };
}

/** A route without bearer authentication (sign-in, agents: they authenticate on their own). */
export function open(method: Method, path: string, handle: (req: RestRequest) => unknown): Route {
  return { method, path, auth: 'none', mutation: method !== 'GET', procedure: null, handle };
}

// ---- Query strings: every parameter is declared; anything else, or a bad value, is a 400.

type QueryKind = 'int' | 'bool' | 'string';
type QueryValue<K extends QueryKind> = K extends 'int'
  ? number
  : K extends 'bool'
    ? boolean
    : string;
export type ParsedQuery<S extends Record<string, QueryKind>> = {
  [K in keyof S]?: QueryValue<S[K]>;
};

const INT = /^-?[0-9]{1,16}$/;

export function parseQuery<S extends Record<string, QueryKind>>(
  query: URLSearchParams,
  spec: S,
): ParsedQuery<S> {
  const out: Record<string, unknown> = {};
  for (const name of new Set(query.keys())) {
    const kind = spec[name];
    if (!kind) {
      const known = Object.keys(spec);
      throw badRequest(
        known.length
          ? `Unknown query parameter "${name}"; this endpoint takes ${known.join(', ')}`
          : `Unknown query parameter "${name}"; this endpoint takes none`,
        name,
      );
    }
    const values = query.getAll(name);
    if (values.length > 1) throw badRequest(`${name} may be given only once`, name);
    const v = values[0]!;
    if (kind === 'int') {
      if (!INT.test(v) || !Number.isSafeInteger(Number(v))) {
        throw badRequest(`${name} must be a whole number`, name);
      }
      out[name] = Number(v);
    } else if (kind === 'bool') {
      if (!['true', 'false', '1', '0'].includes(v)) {
        throw badRequest(`${name} must be true or false (or 1 or 0)`, name);
      }
      out[name] = v === 'true' || v === '1';
    } else out[name] = v;
  }
  return out as ParsedQuery<S>;
}

// ---- Errors.

const STATUS: Record<DomainErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
};

export interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; field?: string } };
  headers: Record<string, string>;
}

function issuesOf(err: unknown): { path?: PropertyKey[]; message: string }[] | null {
  return err && typeof err === 'object' && 'issues' in err && Array.isArray(err.issues)
    ? (err.issues as { path?: PropertyKey[]; message: string }[])
    : null;
}

/** Any error as the REST error shape; null for an unexpected error (the caller logs it, 500). */
export function toErrorReply(err: unknown): ErrorReply | null {
  const make = (status: number, code: string, message: string, field?: string, retry?: number) => ({
    status,
    body: { error: { code, message, ...(field ? { field } : {}) } },
    headers: {
      ...(retry !== undefined ? { 'Retry-After': String(retry) } : {}),
      ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}),
    },
  });
  if (err instanceof DomainError) {
    return make(STATUS[err.code], err.code, err.message, err.field, err.retryAfterSeconds);
  }
  const issues = issuesOf(err);
  if (issues) {
    const { field, message } = describeIssues(issues);
    return make(400, 'BAD_REQUEST', message, field);
  }
  if (err instanceof TRPCError && err.code !== 'INTERNAL_SERVER_ERROR') {
    return make(getHTTPStatusCodeFromError(err), err.code, err.message);
  }
  return null;
}

// ---- Routing.

interface Compiled {
  route: Route;
  segments: string[];
  literals: number;
}

export interface RestDispatchOptions {
  services: Services;
  serverUrl: string;
  onUnexpectedError(err: unknown, req: IncomingMessage): void;
}

const ID = /^[1-9][0-9]{0,15}$/;
const splitPath = (path: string): string[] => path.split('/').filter((s) => s !== '');

export class RestRouter {
  private readonly compiled: Compiled[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const segments = splitPath(route.path);
      return { route, segments, literals: segments.filter((s) => !s.startsWith(':')).length };
    });
    const seen = new Set<string>();
    for (const c of this.compiled) {
      const key = `${c.route.method} ${c.segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
      if (seen.has(key)) throw new Error(`Duplicate REST route: ${c.route.method} ${c.route.path}`);
      seen.add(key);
    }
  }

  /** The most specific route for the path (literal segments beat parameters), or the methods it allows. */
  match(
    method: string,
    path: string,
  ): { route: Route; raw: Record<string, string> } | { allowed: Method[] } | null {
    const parts = splitPath(path);
    const hits: { c: Compiled; raw: Record<string, string> }[] = [];
    for (const c of this.compiled) {
      if (c.segments.length !== parts.length) continue;
      const raw: Record<string, string> = {};
      const ok = c.segments.every((s, i) => {
        if (s.startsWith(':')) {
          raw[s.slice(1)] = parts[i]!;
          return true;
        }
        return s === parts[i];
      });
      if (ok) hits.push({ c, raw });
    }
    if (hits.length === 0) return null;
    const forMethod = hits.filter((h) => h.c.route.method === method);
    if (forMethod.length === 0) return { allowed: [...new Set(hits.map((h) => h.c.route.method))] };
    const best = forMethod.reduce((a, b) => (b.c.literals > a.c.literals ? b : a));
    return { route: best.c.route, raw: best.raw };
  }

  async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    o: RestDispatchOptions,
  ): Promise<void> {
    try {
      const found = this.match(req.method ?? 'GET', url.pathname);
      if (!found) {
        sendJson(res, 404, {
          error: {
            code: 'NOT_FOUND',
            message: `No API route ${req.method} ${url.pathname}; see the REST API in the README`,
          },
        });
        return;
      }
      if ('allowed' in found) {
        sendJson(
          res,
          405,
          {
            error: {
              code: 'METHOD_NOT_ALLOWED',
              message: `${url.pathname} does not take ${req.method}; it takes ${found.allowed.join(', ')}`,
            },
          },
          { Allow: found.allowed.join(', ') },
        );
        return;
      }
      const { route, raw } = found;
      const params: Record<string, number> = {};
      for (const [name, text] of Object.entries(raw)) {
        if (!ID.test(text) || !Number.isSafeInteger(Number(text))) {
          throw badRequest(`${name} in the path must be a positive whole number (an id)`, name);
        }
        params[name] = Number(text);
      }
      const rawBody = await readBody(req);
      const parsed = parseJsonBody(rawBody);
      const { actor, token } = this.authenticate(req, route, o.services);
      const request: RestRequest = {
        method: route.method,
        path: url.pathname,
        params,
        query: url.searchParams,
        headers: req.headers,
        rawBody,
        services: o.services,
        actor,
        token,
        clientAddress: clientAddress(req),
        serverUrl: o.serverUrl,
        body<T>() {
          if (parsed === undefined) return {} as T;
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
            throw badRequest('The request body must be a JSON object');
          }
          return parsed as T;
        },
        header: (name) => headerValue(req, name),
      };
      const result = await route.handle(request);
      if (result instanceof Reply) sendJson(res, result.status, result.body, result.headers);
      else sendJson(res, 200, result);
    } catch (err) {
      const mapped = toErrorReply(err);
      if (!mapped) o.onUnexpectedError(err, req);
      const { status, body, headers } = mapped ?? {
        status: 500,
        body: { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' } },
        headers: {},
      };
      // A body we stopped reading must not be parsed as the next request on this connection.
      if (!req.complete) headers.Connection = 'close';
      if (!res.headersSent) sendJson(res, status, body, headers);
      else res.destroy();
    }
  }

  private authenticate(
    req: IncomingMessage,
    route: Route,
    services: Services,
  ): { actor: Actor | null; token: string | null } {
    if (route.auth === 'none') return { actor: null, token: null };
    const token = bearerToken(req);
    if (token === undefined) {
      throw new DomainError('UNAUTHORIZED', 'Sign in first: send Authorization: Bearer <token>');
    }
    const actor = token ? services.auth.authenticate(token) : null;
    if (!token || !actor) {
      throw new DomainError(
        'UNAUTHORIZED',
        'The bearer token is not valid (unknown, expired or revoked); sign in again',
      );
    }
    if (route.mutation && actor.isSupportEngineer) {
      if (!route.procedure || !SUPPORT_ENGINEER_MUTATIONS.has(route.procedure)) {
        throw new DomainError('FORBIDDEN', 'Support access is view-only: no changes can be made');
      }
    }
    return { actor, token };
  }
}
