// Moving the window between places (UI-10): the sidebar, the switcher, links inside views and
// the shell's own redirects all go through here, so every move is a history entry (Back returns
// to it) and a place reached without filters gets the ones it had when the window left it.
import type { HistoryLocation } from '@tanstack/history';
import { useMemo, useSyncExternalStore } from 'react';
import { useFilterMemory } from '../stores/filter-memory-store';
import { moveTo, useAppHistory, type AppHistory } from './router';
import { parseSearchText } from './search-text';
import {
  DEFAULT_ALL_VIEW,
  DEFAULT_ORG_VIEW,
  parsePlacePath,
  placeHref,
  placeKey,
  type Place,
  type Search,
} from '../../shared/console-places';

const EMPTY: Search = {};

const placeOf = (location: HistoryLocation): Place | null => {
  const parsed = parsePlacePath(location.pathname);
  return parsed ? { ...parsed, search: parseSearchText(location.search) } : null;
};

/** The place in the window's URL now (null while the URL names none). */
export const currentPlace = (history: AppHistory): Place | null => placeOf(history.location);

/** The window's history location, re-rendering the moment it changes (it is updated at the push). */
export function useHistoryLocation(): HistoryLocation {
  const history = useAppHistory();
  return useSyncExternalStore(history.subscribe, () => history.location);
}

/** The current place, re-rendering when it changes. */
export function usePlace(): Place | null {
  const location = useHistoryLocation();
  return useMemo(() => placeOf(location), [location]);
}

/** A place as it will be opened: with its remembered filters unless given some. */
export function resolvePlace(place: Place): Place {
  return place.search
    ? place
    : { ...place, search: useFilterMemory.getState().byPlace[placeKey(place)] ?? EMPTY };
}

export interface Navigation {
  go(place: Place, opts?: { replace?: boolean }): Promise<void>;
  /** Org to org keeps the kind of view (locations stays locations); from All, the overview. */
  openOrg(orgId: number, view?: string): Promise<void>;
  openAll(view?: string, opts?: { replace?: boolean }): Promise<void>;
  /** Another view of the same scope. */
  setView(view: string): Promise<void>;
}

export function navigation(history: AppHistory): Navigation {
  const go: Navigation['go'] = (place, opts) => {
    moveTo(history, placeHref(resolvePlace(place)), { replace: opts?.replace ?? false });
    return Promise.resolve();
  };
  return {
    go,
    openOrg: (orgId, view) => {
      const here = currentPlace(history);
      return go({
        orgId,
        view: view ?? (here && here.orgId !== null ? here.view : DEFAULT_ORG_VIEW),
      });
    },
    openAll: (view = DEFAULT_ALL_VIEW, opts) => go({ orgId: null, view }, opts),
    setView: (view) => go({ orgId: currentPlace(history)?.orgId ?? null, view }),
  };
}

export function useNavigation(): Navigation {
  const history = useAppHistory();
  return useMemo(() => navigation(history), [history]);
}

export { parseSearchText };
