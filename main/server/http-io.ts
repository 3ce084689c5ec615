import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TLSSocket } from 'node:tls';
import { DomainError } from '../core/errors';
import { asBuffer, type FileAnswer } from '../core/file-answer';
import { NO_TRUSTED_PROXIES, decideClientAddress, type TrustedProxies } from './client-address';

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

/** A file's bytes are written this much at a time. */
export const FILE_CHUNK_BYTES = 64 * 1024;

function* chunksOf(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += FILE_CHUNK_BYTES) {
    yield bytes.subarray(at, at + FILE_CHUNK_BYTES);
  }
}

/**
 * A file as the whole body (AUD-2, GDPR-2 exports): Content-Length first, then the bytes in
 * 64 KiB slices (views, no copies) through stream.pipeline, which waits for the socket to drain
 * (backpressure) and lets the event loop run between slices. A failure midway (the client went
 * away, the socket broke) destroys the connection short of Content-Length, so the client sees a
 * cut-off transfer, never a shorter file that looks whole. Rejects with that failure.
 */
export async function sendFile(res: ServerResponse, file: FileAnswer): Promise<void> {
  const bytes = asBuffer(file.bytes);
  // Names are ours (e.g. orgdesk-audit-account-1-2026-01-31.csv); anything else is replaced so
  // the header stays one quoted token.
  const filename = file.filename.replace(/[^A-Za-z0-9._-]/g, '_');
  res.statusCode = 200;
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(file.headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', bytes.length);
  await pipeline(Readable.from(chunksOf(bytes)), res);
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

/**
 * The client's address: the peer's, or behind a trusted proxy the one it forwarded (SCALE-2,
 * ORGDESK_TRUSTED_PROXIES; decideClientAddress). No proxy is trusted unless configured: a client
 * could claim any address.
 */
export const clientAddress = (
  req: IncomingMessage,
  trusted: TrustedProxies = NO_TRUSTED_PROXIES,
): string =>
  decideClientAddress(
    { peer: req.socket.remoteAddress, forwardedFor: headerList(req, 'x-forwarded-for') },
    trusted,
  ).address;

/** A header that may repeat, as one comma-separated list (Node joins most; this makes sure). */
function headerList(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
