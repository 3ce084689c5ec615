// UI-10: the window's history. Places are parsed by shared/console-places.ts (one spelling of
// every URL); the history keeps them, so Back/Forward, reload and links opened in a new tab work,
// and a blocker holds a move that would drop unsaved edits (shell/unsaved.tsx).
//
// The history itself, not a router over it (console load): the console reads its place from the
// history (shell/navigation.ts) and renders every place with the same tree, so a route tree,
// its matching, load pipeline and React transitions had nothing to do but cost the first screen
// their code (about 65 kB of the console's 400) and their start.
//
// The history is chosen once at boot, like the tRPC link: browser history over HTTP (real paths,
// the server answers index.html for any path without an extension: main/server/static.ts), hash
// history inside Electron. The desktop loads orgdesk-app://app/index.html, and its app protocol
// maps every path to a file of the build before it falls back to index.html, refusing empty,
// dot and colon segments on the way (main/desktop/shell/app-protocol.ts): with the place after
// the "#", a reload always asks the protocol for index.html and nothing else, so the protocol's
// file mapping stays exactly as narrow as it is. Electron shows no address bar, so the "#" is
// never seen.
import {
  createBrowserHistory,
  createHashHistory,
  type HistoryState,
  type RouterHistory,
} from '@tanstack/history';
import { createContext, useContext } from 'react';
import type { Transport } from '../lib/transport';
import { DEFAULT_ALL_VIEW, parsePlacePath } from '../../shared/console-places';

export type AppHistory = RouterHistory;

export function createAppHistory(transport: Transport): AppHistory {
  const history = transport === 'ipc' ? createHashHistory() : createBrowserHistory();
  // Every path lands in the console; one that names no place ("/", "/index.html", a typo) becomes
  // All organizations without leaving a history entry behind (so Back never returns to it).
  const canonical = () => {
    if (!parsePlacePath(history.location.pathname)) {
      history.replace(`/${DEFAULT_ALL_VIEW}`, undefined, { ignoreBlocker: true });
    }
  };
  canonical();
  history.subscribe(canonical);
  return history;
}

export const HistoryContext = createContext<AppHistory | null>(null);

export function useAppHistory(): AppHistory {
  const history = useContext(HistoryContext);
  if (!history) throw new Error('useAppHistory outside the console (HistoryContext)');
  return history;
}

/**
 * Moves the window to `href` (a path and query): a new history entry, or in place of the current
 * one with `replace`. A move to where the window already is leaves no entry (Back would stay).
 */
export function moveTo(
  history: AppHistory,
  href: string,
  opts: { replace?: boolean; state?: HistoryState } = {},
): void {
  const here = history.location;
  if (`${here.pathname}${here.search}` === href && opts.state === undefined) return;
  if (opts.replace) history.replace(href, opts.state);
  else history.push(href, opts.state);
}
