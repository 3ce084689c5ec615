// The desktop app is served from `orgdesk-app://app/…`, never from file://: a custom standard
// scheme gives the renderer its own origin (so the CSP's 'self' means only the app), and every
// request goes through resolveAppAsset, which keeps it inside the built renderer directory.
// Pure Node: main/electron hands requests to serveAppRequest; the tests call it directly.
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DESKTOP_CSP } from '../../../shared/csp';
import { CONTENT_TYPES } from '../../core/content-types';

export const APP_SCHEME = 'orgdesk-app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent with every response of the app protocol (shared/csp.ts). No inline script, no eval, no
 * remote anything, and no network at all: the renderer talks to main over IPC (connect-src 'none').
 */
export const CONTENT_SECURITY_POLICY = DESKTOP_CSP;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** True for a URL of the app itself (scheme and host exact; no credentials or port). */
export function isAppUrl(raw: string | null | undefined): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.host === APP_HOST &&
    url.username === '' &&
    url.password === '' &&
    url.port === ''
  );
}

export type AssetResolution =
  { ok: true; file: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const refuse = (status: 400 | 403 | 404, reason: string): AssetResolution => ({
  ok: false,
  status,
  reason,
});

/**
 * Maps an app URL to a file under `root`, or says why not. Refused: other schemes and hosts,
 * undecodable or NUL-bearing paths, backslashes, drive letters, empty or dot segments (also when
 * percent-encoded), and anything that would resolve outside `root`.
 */
export function resolveAppAsset(root: string, requestUrl: string): AssetResolution {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return refuse(400, 'not a URL');
  }
  if (!isAppUrl(requestUrl)) return refuse(403, 'not an app URL');
  let path: string;
  let rawPath: string;
  try {
    path = decodeURIComponent(url.pathname);
    // The URL parser silently drops dot segments (also %2e%2e): look at the path as sent too,
    // so a request that tried to climb is refused rather than quietly re-rooted.
    rawPath = decodeURIComponent(
      requestUrl.replace(/^[^:]+:\/\/[^/?#]*/, '').split(/[?#]/)[0] ?? '',
    );
  } catch {
    return refuse(400, 'undecodable path');
  }
  if (rawPath.split(/[/\\]/).some((s) => s === '.' || s === '..')) {
    return refuse(403, 'dot segment in path');
  }
  if (path.includes('\0')) return refuse(400, 'NUL in path');
  if (path.includes('\\')) return refuse(400, 'backslash in path');
  const segments = path.replace(/^\//, '').split('/');
  if (segments.length === 1 && segments[0] === '')
    return { ok: true, file: resolve(root, 'index.html') };
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') return refuse(403, 'empty or dot segment');
    if (s.includes(':')) return refuse(403, 'drive letter or stream name');
  }
  const rel = segments.join('/');
  if (isAbsolute(rel)) return refuse(403, 'absolute path');
  const rootAbs = resolve(root);
  const file = resolve(rootAbs, rel);
  const back = relative(rootAbs, file);
  if (back === '' || back.startsWith('..') || isAbsolute(back))
    return refuse(403, 'outside the app');
  return { ok: true, file };
}

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const text = (status: number, body: string): AppResponse => ({
  status,
  headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  body: Buffer.from(body),
});

const isFile = async (file: string): Promise<boolean> => {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
};

/**
 * Inside root after following symlinks too (a link in the build must not point out of it).
 * Where realpath cannot work (inside a packaged app.asar, which has no symlinks), the
 * already-contained path itself is used.
 */
async function containedRealFile(root: string, file: string): Promise<string | null> {
  let realRoot: string;
  let realFile: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  } catch {
    return (await isFile(file)) ? file : null;
  }
  if (realFile !== realRoot && !realFile.startsWith(realRoot + sep)) return null;
  return (await isFile(realFile)) ? realFile : null;
}

/**
 * The app protocol's whole behaviour: a contained static file with the security headers, the
 * SPA entry for extension-less paths (client-side routes), 404 otherwise.
 */
export async function serveAppRequest(
  root: string,
  requestUrl: string,
  method = 'GET',
): Promise<AppResponse> {
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'Method not allowed');
  const resolved = resolveAppAsset(root, requestUrl);
  if (!resolved.ok) return text(resolved.status, `Refused: ${resolved.reason}`);
  let file = await containedRealFile(root, resolved.file);
  if (!file && extname(resolved.file) === '') {
    file = await containedRealFile(root, resolve(root, 'index.html'));
  }
  if (!file) return text(404, 'Not found');
  const body = method === 'HEAD' ? Buffer.alloc(0) : await readFile(file);
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    },
    body,
  };
}
