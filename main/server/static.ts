import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_CSP } from '../../shared/csp';
import { sendJson } from './http-io';
import { CONTENT_TYPES } from '../core/content-types';

/** Where `vite build` writes the web console. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

/** The web console's policy (shared/csp.ts), as a header so it covers every file. */
export const CONSOLE_CSP = WEB_CSP;

const PLACEHOLDER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Orgdesk server</title></head>
<body><main><h1>Orgdesk server</h1>
<p>The API is running. The web console is not built on this machine: run <code>npm run build:renderer</code>
and reload this page.</p>
<p>Health: <a href="/healthz">/healthz</a></p></main></body></html>
`;

function send(
  res: ServerResponse,
  head: boolean,
  status: number,
  type: string,
  body: string,
): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-cache');
  res.end(head ? undefined : body);
}

/**
 * The built web console from `root`: files as they are, index.html for client-side routes (paths
 * without an extension), 404 for missing assets and for source maps. Paths never escape `root`.
 */
export function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  root: string,
): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('Allow', 'GET, HEAD');
    sendJson(res, 405, {
      error: { code: 'METHOD_NOT_ALLOWED', message: `${url.pathname} only answers GET` },
    });
    return;
  }
  const base = resolve(root);
  if (!existsSync(join(base, 'index.html'))) {
    send(res, head, 200, CONTENT_TYPES['.html']!, PLACEHOLDER);
    return;
  }
  let relative: string;
  try {
    relative = decodeURIComponent(url.pathname);
  } catch {
    send(res, head, 400, CONTENT_TYPES['.txt']!, 'Bad path\n');
    return;
  }
  if (relative.includes('\0')) {
    send(res, head, 400, CONTENT_TYPES['.txt']!, 'Bad path\n');
    return;
  }
  // Source maps give out the console's original source: never served, even when a build left
  // them in the folder (vite builds them hidden: on disk to read a stack trace, never linked).
  if (extname(relative).toLowerCase() === '.map') {
    send(res, head, 404, CONTENT_TYPES['.txt']!, 'Not found\n');
    return;
  }
  const file = resolve(base, `.${relative}`);
  const inside = file === base || file.startsWith(base + sep);
  // Symlinks count by where they lead: a link out of the folder is not served.
  const isFile =
    inside &&
    existsSync(file) &&
    statSync(file).isFile() &&
    realpathSync(file).startsWith(realpathSync(base) + sep);
  let target = file;
  if (!isFile) {
    if (!inside || extname(relative) !== '') {
      send(res, head, 404, CONTENT_TYPES['.txt']!, 'Not found\n');
      return;
    }
    target = join(base, 'index.html');
  }
  const type = CONTENT_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
  res.statusCode = 200;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', statSync(target).size);
  res.setHeader(
    'Cache-Control',
    isFile && relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  );
  if (head) {
    res.end();
    return;
  }
  createReadStream(target)
    .on('error', () => res.destroy())
    .pipe(res);
}
