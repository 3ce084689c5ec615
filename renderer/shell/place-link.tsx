import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';
import { useFilterMemory } from '../stores/filter-memory-store';
import { useNavigation } from './navigation';
import { useAppHistory } from './router';
import { placeHref, placeKey, type Place } from '../../shared/console-places';
import { viewAt } from './views';

interface PlaceLinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  place: Place;
  children: ReactNode;
}

/**
 * A link to a place of the console (UI-10): a real href, so it opens in a new tab (signed in,
 * at that place) with a middle or modified click; a plain click moves this window.
 */
export function PlaceLink({ place, children, onClick, ...rest }: PlaceLinkProps) {
  // The view's code on intent (pointer over it, or keyboard focus): usually there by the click.
  const preload = () => void viewAt(place.orgId, place.view)?.component.preload?.();
  const history = useAppHistory();
  const nav = useNavigation();
  const remembered = useFilterMemory((s) => s.byPlace[placeKey(place)]);
  const target = place.search ? place : { ...place, search: remembered };
  return (
    <a
      {...rest}
      href={history.createHref(placeHref(target))}
      onMouseEnter={preload}
      onFocus={preload}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        if (e.altKey) return;
        e.preventDefault();
        void nav.go(target);
      }}
    >
      {children}
    </a>
  );
}
