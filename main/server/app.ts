import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { MAX_TRPC_BATCH } from '../../shared/constants';
import type { Actor } from '../core/actor';
import { DomainError } from '../core/errors';
import type { Services } from '../services';
import { appRouter } from '../trpc/router';
import type { Context } from '../trpc/trpc';
import {
  AUTHORIZE_PATH,
  CALLBACK_PATH,
  handleOidcAuthorize,
  handleOidcCallback,
} from '../features/sso/sso.http';
import { createApiDocs } from './api-docs';
import { NO_TRUSTED_PROXIES, parseTrustedProxies, type TrustedProxies } from './client-address';
import type { SqliteStorage } from '../db/sqlite/storage';
import { sqliteReadiness, type Readiness, type ReadinessCheck } from './readiness';
import {
  MAX_BODY_BYTES,
  applyBaseHeaders,
  bearerToken,
  clientAddress,
  headerValue,
  sendJson,
} from './http-io';
import type { ProjectedRoute } from './rest/projection';
import { RestApi } from './rest/rest-api';
import { DEFAULT_STATIC_DIR, serveStatic } from './static';
import { checkTrpcRequest, trpcRequestFacts, type TrpcGateVerdict } from './trpc-gate';

/** Where the server writes: one line per request (info) and unexpected failures (error). */
export interface ServerLog {
  info(line: string): void;
  error(line: string): void;
}

export const consoleLog: ServerLog = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};

export interface ServerOptions {
  services: Services;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer } | null;
  /** The URL agents are told to use; the listen URL when unset. */
  publicUrl?: string | null;
  /** The built web console; a placeholder page is served when it holds no index.html. */
  staticDir?: string;
  log?: ServerLog;
  /** The REST routes; projected from the app router unless given (tests). */
  routes?: readonly ProjectedRoute[];
  /** How long close() lets requests in flight finish before cutting connections. */
  shutdownGraceMs?: number;
  /**
   * SCALE-2: ORGDESK_TRUSTED_PROXIES, parsed (client-address.ts) or as text; from these peers
   * X-Forwarded-For names the client. None unless given.
   */
  trustedProxies?: TrustedProxies | string;
  /** SCALE-2: what GET /readyz checks; the services' SQLite database unless given (PostgreSQL). */
  readiness?: ReadinessCheck;
}

export interface OrgdeskServer {
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Stops accepting (after the connections already queued), answers every request received, then
   * resolves once the last connection is gone. Does not close the database.
   */
  close(): Promise<void>;
}

/** At most this many loop turns of accepting queued connections once close() is called. */
const MAX_ACCEPT_TURNS = 1024;

/**
 * An unexpected failure for the operator's log: its stack, then what the innermost cause says.
 * drizzle wraps the engine's error as the cause of its own "Failed query" one (and the REST
 * path's TRPCError wraps that again), so without it the log of a PostgreSQL server would not say
 * what went wrong (`relation … does not exist`). The innermost message only: the engine's words,
 * without the wrappers' statement parameters.
 */
function failureText(err: unknown): string {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  let root: unknown = err;
  for (let depth = 0; root instanceof Error && root.cause !== undefined && depth < 5; depth++) {
    root = root.cause;
  }
  if (root === err) return text;
  return `${text}\ncaused by: ${root instanceof Error ? root.message : String(root)}`;
}

/** Log lines carry no query string (it may hold secrets), no headers and no bodies. */
const printable = (text: string, max = 200): string =>
  text.replace(/[^\x21-\x7e]/g, '?').slice(0, max);

/** A request the gate refused, in tRPC's own error envelope (what a tRPC client reads). */
function sendTrpcRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  v: Extract<TrpcGateVerdict, { pass: false }>,
): void {
  const headers: Record<string, string> = v.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
  // The body was not read: it must not be parsed as the next request on this connection.
  if (!req.complete) headers.Connection = 'close';
  sendJson(
    res,
    v.status,
    {
      error: {
        message: v.message,
        code: TRPC_ERROR_CODES_BY_KEY[v.code],
        data: { code: v.code, httpStatus: v.status, path: null, field: null },
      },
    },
    headers,
  );
}

function trustedProxiesOf(given: TrustedProxies | string | undefined): TrustedProxies {
  if (given === undefined) return NO_TRUSTED_PROXIES;
  if (typeof given !== 'string') return given;
  const parsed = parseTrustedProxies(given);
  if (!parsed.ok) throw new Error(`trustedProxies: ${parsed.errors.join('; ')}`);
  return parsed.proxies;
}

export function createServer(options: ServerOptions): OrgdeskServer {
  const { services } = options;
  const log = options.log ?? consoleLog;
  const trusted = trustedProxiesOf(options.trustedProxies);
  // The composition root passes the engine's check; on SQLite the connection is the storage's.
  const storage = services.infra.storage;
  const readiness =
    options.readiness ??
    (storage.engine === 'sqlite'
      ? sqliteReadiness((storage as SqliteStorage).db.$client)
      : async () => ({ ready: false as const, reason: 'no readiness check was configured' }));
  const rest = new RestApi(services, options.routes);
  const docs = createApiDocs(rest);
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  let listenUrl: string | null = null;
  const serverUrl = () => options.publicUrl ?? listenUrl ?? '';
  let closing = false;
  /** Set once close() has read what was already sent: from then on a connection without a request is closed. */
  let sweeping = false;
  /** Requests begun and not yet answered, per connection (pipelined ones count too). */
  const inFlight = new WeakMap<Socket, number>();
  let server: Server | null = null;
  /** Connections accepted so far: close() watches it to know the accept queue is empty. */
  let accepted = 0;
  // Who a /trpc request is, found by the gate before tRPC reads the body, for createContext.
  const callers = new WeakMap<IncomingMessage, { actor: Actor | null; token?: string }>();

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: MAX_BODY_BYTES,
    // The gate below refuses larger batches first, with a message naming the limit.
    maxBatchSize: MAX_TRPC_BATCH,
    createContext: ({ req }): Context => {
      const caller = callers.get(req) ?? { actor: null };
      return {
        services,
        actor: caller.actor,
        serverUrl: serverUrl(),
        token: caller.token,
        clientAddress: clientAddress(req, trusted),
        userAgent: headerValue(req, 'user-agent'),
      };
    },
    responseMeta: ({ errors }) => {
      const retry = errors
        .map((e) => (e.cause instanceof DomainError ? e.cause.retryAfterSeconds : undefined))
        .find((s) => s !== undefined);
      return retry === undefined ? {} : { headers: { 'Retry-After': String(retry) } };
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        log.error(`trpc ${printable(path ?? '?')} failed: ${failureText(error.cause ?? error)}`);
      }
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    let pathForLog = '?';
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      const ms = Math.round(performance.now() - started);
      const aborted = res.writableFinished ? '' : ' aborted';
      log.info(
        `${new Date().toISOString()} ${printable(req.method ?? '?', 10)} ${pathForLog} ${res.statusCode}${aborted} ${ms}ms`,
      );
      const left = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, left);
      // A keep-alive connection freed during shutdown is closed, once the next poll phase has
      // read anything its client already sent (a request begun then is answered first).
      if (closing && left === 0) {
        setImmediate(() => {
          if (sweeping && (inFlight.get(socket) ?? 0) === 0) socket.destroy();
        });
      }
    };
    res.once('finish', done);
    res.once('close', done);
    applyBaseHeaders(res);
    if (closing) res.setHeader('Connection', 'close');

    const rawUrl = req.url ?? '/';
    let url: URL;
    try {
      if (!rawUrl.startsWith('/')) throw new Error('not origin-form');
      url = new URL(`http://server${rawUrl}`);
    } catch {
      sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: 'Malformed request path' } });
      return;
    }
    pathForLog = printable(url.pathname);
    const path = url.pathname;
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      // SCALE-2: not ready once shutdown began (the balancer stops routing while we drain), nor
      // while the database does not answer or holds another schema. Never cached.
      res.setHeader('Cache-Control', 'no-store');
      const verdict: Readiness = closing
        ? { ready: false, reason: 'shutting down: finishing the requests in flight' }
        : await readiness();
      if (verdict.ready) sendJson(res, 200, { status: 'ready' });
      else sendJson(res, 503, { status: 'unavailable', reason: verdict.reason });
    } else if (path.startsWith('/trpc/')) {
      res.setHeader('Cache-Control', 'no-store');
      // API-3: authentication and the batch rules are decided before the body is read.
      const token = bearerToken(req) ?? undefined;
      const actor = token ? await services.auth.authenticate(token) : null;
      const verdict = checkTrpcRequest(
        trpcRequestFacts(path.slice('/trpc/'.length), url.searchParams, actor !== null),
      );
      if (!verdict.pass) {
        sendTrpcRefusal(req, res, verdict);
        return;
      }
      callers.set(req, { actor, token });
      trpc(req, res);
    } else if (path === CALLBACK_PATH) {
      // IDN-4: the identity provider sends the browser back here (a redirect, not JSON).
      await handleOidcCallback(services.sso, req, res, url, serverUrl());
    } else if (path === AUTHORIZE_PATH) {
      // IDN-4: browser_url, the server's own address that sends a browser on to the provider.
      handleOidcAuthorize(services.sso, req, res, url);
    } else if (docs.handle(req, res, url)) {
      // The OpenAPI document and the API reference (API-2).
    } else if (path === '/api' || path.startsWith('/api/') || path === '/trpc') {
      await rest.dispatch(req, res, url, {
        services,
        serverUrl: serverUrl(),
        trustedProxies: trusted,
        onUnexpectedError: (err) =>
          log.error(
            `rest ${printable(req.method ?? '?', 10)} ${pathForLog} failed: ${failureText(err)}`,
          ),
      });
    } else {
      serveStatic(req, res, url, staticDir);
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      log.error(`request failed: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) {
        sendJson(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal error' } });
      } else res.destroy();
    });
  };

  return {
    listen() {
      const host = options.host ?? '127.0.0.1';
      const port = options.port ?? 8787;
      const tls = options.tls;
      server = tls
        ? createHttpsServer({ cert: tls.cert, key: tls.key }, listener)
        : createHttpServer(listener);
      const s = server;
      s.on('connection', () => accepted++);
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          const actual = (s.address() as AddressInfo).port;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          listenUrl = `${tls ? 'https' : 'http'}://${shownHost}:${actual}`;
          resolve({ url: listenUrl, port: actual });
        });
      });
    },
    close() {
      const s = server;
      if (!s || closing) return Promise.resolve();
      closing = true;
      return new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => s.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
        force.unref();
        // Drained so that nothing already sent to us is reset. Answers begun from now on say
        // "Connection: close"; keep-alive ones begun before are closed as they finish (done()).
        const stopListening = () => {
          // 2. Stop listening: new connections are refused from here on. net's close, not http's:
          //    http's also closes the "idle" connections, and one accepted a moment ago is idle
          //    until its request's bytes are read.
          NetServer.prototype.close.call(s, (err?: Error) => {
            clearTimeout(force);
            if (err) reject(err);
            else resolve();
          });
          log.info('Orgdesk: no longer accepting connections; answering the requests received');
          // 3. After the next poll phase, which reads what clients already sent (so their
          //    requests begin), close the connections that still carry none.
          setImmediate(() => {
            sweeping = true;
            s.closeIdleConnections();
          });
        };
        // 1. Take every connection waiting in the kernel's accept queue (a burst sent just before
        //    SIGTERM): closing the listening socket would reset them. libuv accepts one connection
        //    per loop turn (libuv PR 3696), so turn until a turn accepts none. Bounded, so a
        //    client that keeps connecting cannot hold the shutdown open (the listen backlog is
        //    511 by default: the queue at the signal fits well within the bound).
        let seen = -1;
        let turns = 0;
        const drainQueue = () => {
          if (accepted === seen || turns++ >= MAX_ACCEPT_TURNS) {
            stopListening();
            return;
          }
          seen = accepted;
          setImmediate(drainQueue);
        };
        setImmediate(drainQueue);
      });
    },
  };
}
