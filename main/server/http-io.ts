import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { DomainError } from '../core/errors';

/** Request bodies above this are refused with 413 (REST and tRPC alike). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Past the limit we keep reading (and discarding) so the client, still uploading, can read the
 * 413; beyond this much more we stop and close the connection instead.
 */
const DRAIN_LIMIT_BYTES = 16 * MAX_BODY_BYTES;

export const tooLarge = (limit = MAX_BODY_BYTES): DomainError =>
  new DomainError(
    'PAYLOAD_TOO_LARGE',
    `The request body is larger than ${Math.round(limit / 1024)} KiB; send less data per request`,
  );

/**
 * HSTS for answers over TLS: browsers then keep to HTTPS for this host for a year, so a later
 * plain-HTTP link or a downgrading network cannot strip TLS off a console session. Not
 * includeSubDomains (the server speaks for its own host, not for the other hosts under its
 * domain) and not preload (a decision for the domain's owner). Over plain HTTP browsers ignore it.
 */
export const HSTS = 'max-age=31536000';

/** Headers every answer carries, whatever produced it. */
export function applyBaseHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  // Set by the connection itself, so it holds for whatever server the handler runs in.
  if ((res.req.socket as TLSSocket).encrypted) res.setHeader('Strict-Transport-Security', HSTS);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  // Encoded once: measuring the string and then writing it would encode a large answer twice.
  const bytes = Buffer.from(text);
  res.setHeader('Content-Length', bytes.length);
  res.end(bytes);
}

/** The whole body, or PAYLOAD_TOO_LARGE once it passes `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > DRAIN_LIMIT_BYTES) {
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
      } else if (!over) chunks.push(chunk);
      if (size > DRAIN_LIMIT_BYTES) settle(() => reject(tooLarge(limit)));
    });
    req.on('end', () =>
      settle(() => (over ? reject(tooLarge(limit)) : resolve(Buffer.concat(chunks)))),
    );
    req.on('error', (err) => settle(() => reject(err)));
  });
}

export { parseJsonBody } from '../core/json-body';

/** The bearer token of a request: undefined when absent, null when the header is malformed. */
export function bearerToken(req: IncomingMessage): string | null | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

/** One header's value; a repeated header counts as absent-or-ambiguous and yields its first value. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** The peer's address. Forwarding headers are not trusted: a client could claim any address. */
export const clientAddress = (req: IncomingMessage): string =>
  req.socket.remoteAddress ?? 'unknown';
