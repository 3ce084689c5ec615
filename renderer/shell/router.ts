// UI-10: the window's router. Places are parsed by shell/places.ts (one spelling of every URL);
// the router keeps them in the history, so Back/Forward, reload and links opened in a new tab
// work, and blocks a move that would drop unsaved edits (shell/unsaved.tsx).
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
  createRootRouteWithContext,
  createRoute,
  createRouter,
  redirect,
  type AnyRouter,
} from '@tanstack/react-router';
import { createElement, Fragment } from 'react';
import type { Transport } from '../lib/client';
import { App } from './app';
import {
  DEFAULT_ALL_VIEW,
  parsePlacePath,
  searchString,
  type Search,
} from '../../shared/console-places';

interface RouterContext {
  transport: Transport;
}

/** Query strings are plain strings both ways (no JSON inside URLs). */
const parseSearch = (text: string): Search =>
  Object.fromEntries(new URLSearchParams(text.startsWith('?') ? text.slice(1) : text));

const stringifySearch = (search: Record<string, unknown>): string =>
  searchString(
    Object.fromEntries(
      Object.entries(search).flatMap(([k, v]) =>
        typeof v === 'string' ? [[k, v]] : typeof v === 'number' ? [[k, String(v)]] : [],
      ),
    ),
  );

export function createAppRouter(transport: Transport): AnyRouter {
  // The route tree renders nothing: the console reads its place from the history (shell/
  // navigation.ts) and is rendered beside the matches (InnerWrap below), so neither its first
  // render nor an org switch waits for the router's load pipeline and its React transition.
  const root = createRootRouteWithContext<RouterContext>()({ component: () => null });
  const app = createElement(App, { transport });
  // Every path lands here; a path that names no place ("/", "/index.html", a typo) becomes All
  // organizations without leaving a history entry behind (so Back never returns to it).
  const place = createRoute({
    getParentRoute: () => root,
    path: '$',
    beforeLoad: ({ location }) => {
      if (!parsePlacePath(location.pathname)) {
        throw redirect({ to: `/${DEFAULT_ALL_VIEW}`, replace: true });
      }
    },
  });
  return createRouter({
    routeTree: root.addChildren([place]),
    history: transport === 'ipc' ? createHashHistory() : createBrowserHistory(),
    context: { transport },
    parseSearch,
    stringifySearch,
    // One element for the life of the window: the router re-renders its wrapper on each change
    // of its own state (several per navigation), and a new element would re-render everything.
    InnerWrap: ({ children }) => createElement(Fragment, null, children, app),
    // Nothing to preload per route: a view's code and data are fetched by the view registry.
    defaultPreload: false,
    scrollRestoration: false,
  });
}
