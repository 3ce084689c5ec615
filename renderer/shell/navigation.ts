// Moving the window between places (UI-10): the sidebar, the switcher, links inside views and
// the shell's own redirects all go through here, so every move is a history entry (Back returns
// to it) and a place reached without filters gets the ones it had when the window left it.
import type { HistoryLocation } from '@tanstack/history';
import { useRouter, type AnyRouter } from '@tanstack/react-router';
import { useMemo, useSyncExternalStore } from 'react';
import { useFilterMemory } from '../stores/filter-memory-store';
import { parseSearchText } from './search-text';
import {
  DEFAULT_ALL_VIEW,
  DEFAULT_ORG_VIEW,
  parsePlacePath,
  placeKey,
  placePath,
  type Place,
  type Search,
} from '../../shared/console-places';

const EMPTY: Search = {};

const placeOf = (location: HistoryLocation): Place | null => {
  const parsed = parsePlacePath(location.pathname);
  return parsed ? { ...parsed, search: parseSearchText(location.search) } : null;
};

/** The place in the window's URL now (null while the URL names none). */
export const currentPlace = (router: AnyRouter): Place | null => placeOf(router.history.location);

/**
 * The window's history location, re-rendering the moment it changes. Read from the history
 * itself, not from the router's matches: the router commits those in a React transition after
 * its load pipeline, which made an org switch wait on it; the history is updated at the push.
 */
export function useHistoryLocation(): HistoryLocation {
  const { history } = useRouter();
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

export function navigation(router: AnyRouter): Navigation {
  const go: Navigation['go'] = (place, opts) => {
    const target = resolvePlace(place);
    return router.navigate({
      to: placePath(target),
      search: target.search ?? EMPTY,
      replace: opts?.replace ?? false,
    });
  };
  return {
    go,
    openOrg: (orgId, view) => {
      const here = currentPlace(router);
      return go({
        orgId,
        view: view ?? (here && here.orgId !== null ? here.view : DEFAULT_ORG_VIEW),
      });
    },
    openAll: (view = DEFAULT_ALL_VIEW, opts) => go({ orgId: null, view }, opts),
    setView: (view) => go({ orgId: currentPlace(router)?.orgId ?? null, view }),
  };
}

export function useNavigation(): Navigation {
  const router = useRouter();
  return useMemo(() => navigation(router), [router]);
}

export { parseSearchText };
