// Console load: what the window asks for before the rest of its script has even been evaluated.
// main.tsx imports this module first, and ES modules run in import order, so its body runs ahead
// of React, the history and the query cache (about 100 ms of script on a busy machine): the URL is
// put in its canonical form, the caller, the org in view and the view's first data (its
// `prefetch` in the view registry) leave at once, as separate requests, and then the first
// view's code is requested. shell/boot-cache.ts holds the console's first render until they are
// in (for a while at most) and hands the answers to the query cache, so the first screen is drawn
// once, with its data, instead of as a splash, then a shell with skeletons, then the rows.
import { captureSsoReturn } from '../lib/sso-return';
import { createTRPCUntypedClient, httpLink, type TRPCUntypedClient } from '@trpc/client';
import type { AppRouter } from '../../main/trpc/router';
import { DEFAULT_ALL_VIEW, parsePlacePath, type Search } from '../../shared/console-places';
import { authHeaders, TRPC_URL, type Transport } from '../lib/transport';
import { hasIpcBridge, ipcLink } from '../lib/ipc-link';
import { bearerToken } from '../lib/session';
import { warmFormats } from '../lib/format';
import { parseSearchText } from './search-text';
import { viewAt, type ViewDef } from './views';

/** A call the console will make; its answer is already on its way. */
export interface BootCall {
  path: string;
  input: unknown;
  /** Whether the first render waits for its answer (BootRequest's `hold`). */
  hold: boolean;
  result: Promise<unknown>;
  /** Its answer, once it is in: read synchronously when the query cache is seeded. */
  answer?: { value: unknown };
}

/** What the console needs before its first render, besides its code: early calls, view chunk. */
export interface Boot {
  calls: readonly BootCall[];
  /** The first view's chunk, on its way (null when the URL names no view of the registry). */
  view: Promise<unknown> | null;
}

/**
 * What a view asks for first, for a given set of filters (the registry's `prefetch`). `hold:
 * false` for what the first screen can be drawn without (a filter's options): its answer goes to
 * the query cache when it comes, and the first render does not wait for it.
 */
export type BootRequest = { path: string; input?: unknown; hold?: boolean };

export const bootTransport: Transport = hasIpcBridge() ? 'ipc' : 'http';

/** The window's place as the URL has it now: the path, or inside Electron the "#" part. */
function bootLocation(): { pathname: string; search: string } {
  if (bootTransport === 'http') return { pathname: location.pathname, search: location.search };
  const hash = location.hash.slice(1);
  const q = hash.indexOf('?');
  return q < 0
    ? { pathname: hash || '/', search: '' }
    : { pathname: hash.slice(0, q), search: hash.slice(q) };
}

/**
 * A URL naming no place ("/", "/index.html") is rewritten to All organizations in place, before
 * the console's history starts (it would otherwise start, redirect and start again).
 */
function canonicalUrl(): void {
  if (parsePlacePath(bootLocation().pathname)) return;
  const target = `/${DEFAULT_ALL_VIEW}`;
  window.history.replaceState(
    window.history.state,
    '',
    bootTransport === 'ipc' ? `${window.location.pathname}#${target}` : target,
  );
}

function start(): Boot {
  // IDN-4: a return from single sign-on leaves the address bar before anything reads it.
  if (bootTransport === 'http') captureSsoReturn();
  canonicalUrl();
  const at = bootLocation();
  const place = parsePlacePath(at.pathname);
  const orgId = place?.orgId ?? null;
  const view = viewAt(orgId, place?.view ?? DEFAULT_ALL_VIEW);
  const calls = startCalls(orgId, view, at.search);
  // A request leaves only once this task ends: the rest waits for a task of its own, so the
  // calls are on their way first (the server's answer is the longer wait). Then the view's chunk
  // (asking for it and its imports takes the main thread a while) and the number format, which
  // loads ICU: both while the console's code still compiles on another thread.
  const viewLoaded = new Promise<unknown>((resolve) =>
    setTimeout(() => {
      resolve(view?.component.preload?.() ?? null);
      warmFormats();
    }, 0),
  );
  return { calls, view: view ? viewLoaded : null };
}

function startCalls(orgId: number | null, view: ViewDef | undefined, query: string): BootCall[] {
  // Over HTTP without a token there is nobody to ask for: the sign-in page shows.
  if (bootTransport === 'http' && !bearerToken()) return [];
  const client: TRPCUntypedClient<AppRouter> = createTRPCUntypedClient<AppRouter>({
    links: [
      bootTransport === 'ipc'
        ? ipcLink()
        : httpLink({ url: TRPC_URL, headers: () => authHeaders(bearerToken()) }),
    ],
  });
  const search: Search = parseSearchText(query);
  const requests: BootRequest[] = [
    { path: 'users.me' },
    // IDN-1: whether this user must enrol first; the console waits for it over HTTP (app.tsx).
    ...(bootTransport === 'http' ? [{ path: 'auth.mfaStatus' }] : []),
    ...(orgId !== null ? [{ path: 'organizations.get', input: { id: orgId } }] : []),
    ...(view?.prefetch?.(search) ?? []),
  ];
  return requests.map((r) => {
    const call: BootCall = {
      path: r.path,
      input: r.input,
      hold: r.hold ?? true,
      result: client.query(r.path, r.input),
    };
    // Read by the query cache later; an early failure is its to report, not an unhandled one.
    call.result.then(
      (value) => (call.answer = { value }),
      () => {},
    );
    return call;
  });
}

export const boot: Boot = start();
