// The REST API over HTTP: the routes projected from the router plus the agents' hand-written
// endpoints, one error shape `{"error": {"code", "message", "field"?}}`, 201 on creation and
// `X-Total-Count` on lists. Authentication happens before the body is read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ERROR_CODES } from '../../../shared/error-codes';
import type { Actor } from '../../core/actor';
import { DomainError } from '../../core/errors';
import { isFileAnswer } from '../../core/file-answer';
import { agentEndpoints, type AgentEndpoint } from '../../features/agents/agents.http';
import type { Services } from '../../services';
import type { RestMethod } from '../../trpc/meta';
import { describeIssues } from '../../trpc/trpc';
import type { TrustedProxies } from '../client-address';
import {
  bearerToken,
  clientAddress,
  headerValue,
  parseJsonBody,
  readBody,
  sendFile,
  sendJson,
} from '../http-io';
import {
  API_PREFIX,
  assembleInput,
  projectRoutes,
  restFieldName,
  type ProjectedRoute,
} from './projection';

type Handler =
  { kind: 'procedure'; route: ProjectedRoute } | { kind: 'agent'; endpoint: AgentEndpoint };

interface Entry {
  method: RestMethod;
  path: string;
  segments: string[];
  literals: number;
  handler: Handler;
}

export interface ErrorReply {
  status: number;
  body: { error: { code: string; message: string; field?: string } };
  headers: Record<string, string>;
}

interface Issue {
  path?: readonly (PropertyKey | { key: PropertyKey })[];
  message: string;
  keys?: readonly PropertyKey[];
}

const issuesOf = (err: unknown): readonly Issue[] | null =>
  err && typeof err === 'object' && 'issues' in err && Array.isArray(err.issues)
    ? (err.issues as Issue[])
    : null;

/** Issue paths as the REST caller sent them: without the body's placement in the input. */
function restIssues(route: ProjectedRoute | null, issues: readonly Issue[]): Issue[] {
  const placement = route?.rest.body;
  if (!placement || placement === 'root') return [...issues];
  return issues.map((i) => (i.path?.[0] === placement ? { ...i, path: i.path.slice(1) } : i));
}

/** Any error as the REST error shape; null for an unexpected one (the caller logs it: 500). */
export function toErrorReply(err: unknown, route: ProjectedRoute | null = null): ErrorReply | null {
  const make = (status: number, code: string, message: string, field?: string, retry?: number) => ({
    status,
    body: { error: { code, message, ...(field ? { field } : {}) } },
    headers: {
      ...(retry !== undefined ? { 'Retry-After': String(retry) } : {}),
      ...(status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}),
    },
  });
  const cause = err instanceof TRPCError && err.cause ? err.cause : err;
  if (cause instanceof DomainError) {
    const field = route ? restFieldName(route, cause.field) : cause.field;
    // IDN-1/IDN-3: an actionable refusal answers its reason as the code (its status stays).
    return make(
      ERROR_CODES[cause.code],
      cause.reason ?? cause.code,
      cause.message,
      field,
      cause.retryAfterSeconds,
    );
  }
  const issues = issuesOf(cause);
  if (issues) {
    const { field, message } = describeIssues(restIssues(route, issues));
    return make(400, 'BAD_REQUEST', message, field);
  }
  if (err instanceof TRPCError && err.code !== 'INTERNAL_SERVER_ERROR') {
    return make(getHTTPStatusCodeFromError(err), err.code, err.message);
  }
  return null;
}

const splitPath = (path: string): string[] => path.split('/').filter((s) => s !== '');

export interface RestDispatchOptions {
  services: Services;
  serverUrl: string;
  /** SCALE-2: whose X-Forwarded-For names the client (none unless given). */
  trustedProxies?: TrustedProxies;
  onUnexpectedError(err: unknown, req: IncomingMessage): void;
}

export class RestApi {
  private readonly entries: Entry[];
  readonly routes: readonly ProjectedRoute[];
  readonly agents: readonly AgentEndpoint[];

  constructor(services: Services, routes: readonly ProjectedRoute[] = projectRoutes()) {
    this.routes = routes;
    this.agents = agentEndpoints({ agents: services.agents });
    const handlers: { method: RestMethod; path: string; handler: Handler }[] = [
      ...routes.map((route) => ({
        method: route.method,
        path: route.path,
        handler: { kind: 'procedure', route } as const,
      })),
      ...this.agents.map((endpoint) => ({
        method: endpoint.method,
        path: `${API_PREFIX}${endpoint.path}`,
        handler: { kind: 'agent', endpoint } as const,
      })),
    ];
    const seen = new Set<string>();
    this.entries = handlers.map(({ method, path, handler }) => {
      const segments = splitPath(path);
      const key = `${method} ${segments.map((s) => (s.startsWith(':') ? ':' : s)).join('/')}`;
      if (seen.has(key)) throw new Error(`Duplicate REST route: ${method} ${path}`);
      seen.add(key);
      return {
        method,
        path,
        segments,
        literals: segments.filter((s) => !s.startsWith(':')).length,
        handler,
      };
    });
  }

  /** The most specific route for the path (literal segments beat parameters), or the methods it allows. */
  match(
    method: string,
    path: string,
  ): { entry: Entry; raw: Record<string, string> } | { allowed: RestMethod[] } | null {
    const parts = splitPath(path);
    const hits: { entry: Entry; raw: Record<string, string> }[] = [];
    for (const entry of this.entries) {
      if (entry.segments.length !== parts.length) continue;
      const raw: Record<string, string> = {};
      const ok = entry.segments.every((s, i) => {
        if (s.startsWith(':')) {
          raw[s.slice(1)] = parts[i]!;
          return true;
        }
        return s === parts[i];
      });
      if (ok) hits.push({ entry, raw });
    }
    if (hits.length === 0) return null;
    const forMethod = hits.filter((h) => h.entry.method === method);
    if (forMethod.length === 0) return { allowed: [...new Set(hits.map((h) => h.entry.method))] };
    return forMethod.reduce((a, b) => (b.entry.literals > a.entry.literals ? b : a));
  }

  async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    o: RestDispatchOptions,
  ): Promise<void> {
    let route: ProjectedRoute | null = null;
    try {
      const found = this.match(req.method ?? 'GET', url.pathname);
      if (!found) {
        sendJson(res, 404, {
          error: {
            code: 'NOT_FOUND',
            message: `No API route ${req.method} ${url.pathname}; see GET ${API_PREFIX}/openapi.json or /api/docs`,
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
      const { handler } = found.entry;
      if (handler.kind === 'agent') {
        // Header checks first: a request that cannot authenticate is refused unread (API-3).
        handler.endpoint.precheck((name) => headerValue(req, name));
        const rawBody = await readBody(req);
        const answer = await handler.endpoint.handle({
          header: (name) => headerValue(req, name),
          rawBody,
          clientAddress: clientAddress(req, o.trustedProxies),
        });
        sendJson(res, answer.status, answer.body);
        return;
      }
      route = handler.route;
      const { actor, token } = await this.authenticate(req, route, o.services);
      const rawBody = await readBody(req);
      const input = assembleInput(route, found.raw, url.searchParams, parseJsonBody(rawBody));
      const result = await route.call(
        {
          services: o.services,
          actor,
          serverUrl: o.serverUrl,
          token: token ?? undefined,
          clientAddress: clientAddress(req, o.trustedProxies),
          userAgent: headerValue(req, 'user-agent'),
          ...(route.rest.file ? { asFile: true } : {}),
        },
        input,
      );
      if (route.rest.file) {
        if (!isFileAnswer(result)) throw new Error(`${route.procedure} answered no file`);
        // From the first byte on, a failure cuts the connection (sendFile); a client that
        // went away mid-file is no server error.
        await sendFile(res, result).catch((err: unknown) => {
          if (!res.destroyed) res.destroy();
          if ((err as { code?: string })?.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
        });
        return;
      }
      if (route.rest.list) {
        const p = result as { items: unknown[]; total: number };
        sendJson(res, 200, p.items, { 'X-Total-Count': String(p.total) });
      } else sendJson(res, route.rest.status ?? 200, result);
    } catch (err) {
      const mapped = toErrorReply(err, route);
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

  private async authenticate(
    req: IncomingMessage,
    route: ProjectedRoute,
    services: Services,
  ): Promise<{ actor: Actor | null; token: string | null }> {
    if (route.rest.auth === 'none') return { actor: null, token: null };
    const token = bearerToken(req);
    if (token === undefined) {
      throw new DomainError('UNAUTHORIZED', 'Sign in first: send Authorization: Bearer <token>');
    }
    const actor = token ? await services.auth.authenticate(token) : null;
    if (!token || !actor) {
      throw new DomainError(
        'UNAUTHORIZED',
        'The bearer token is not valid (unknown, expired or revoked); sign in again',
      );
    }
    return { actor, token };
  }
}
