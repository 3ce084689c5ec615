// Moving the window between places (UI-10): the sidebar, the switcher, links inside views and
// the shell's own redirects all go through here, so every move is a history entry (Back returns
// to it) and a place reached without filters gets the ones it had when the window left it.
import { useRouter, useRouterState, type AnyRouter } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useFilterMemory } from '../stores/filter-memory-store';
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

/** The place in the router's current location (null while the URL names none). */
export function currentPlace(router: AnyRouter): Place | null {
  const { pathname, search } = router.state.location;
  const parsed = parsePlacePath(pathname);
  return parsed ? { ...parsed, search: search as Search } : null;
}

/** The current place, re-rendering when it changes. */
export function usePlace(): Place | null {
  const location = useRouterState({ select: (s) => s.location });
  return useMemo(() => {
    const parsed = parsePlacePath(location.pathname);
    return parsed ? { ...parsed, search: location.search as Search } : null;
  }, [location]);
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
