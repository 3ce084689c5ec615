// UI-10 (the console; pure, shared so tests can read it): where a window is — the org (or All organizations), the view and its filters — is its
// URL. One pure mapping between a place and its path, read by the router, the links and the
// tests, so there is exactly one spelling of every place:
//
//   /<view>?<filters>                account-wide views, e.g. /organizations?search=acme
//   /org/<id>/<view>?<filters>       a view of one org, e.g. /org/12/hosts?status=offline
//
// Filters are plain strings; a filter at its default is left out, so a place has one URL.

export const DEFAULT_ALL_VIEW = 'organizations';
export const DEFAULT_ORG_VIEW = 'overview';

export type Search = Readonly<Record<string, string>>;

export interface Place {
  /** null: All organizations (the account-wide views). */
  orgId: number | null;
  view: string;
  search?: Search;
}

const ID = /^[1-9][0-9]{0,15}$/;
const VIEW = /^[a-z][a-z0-9-]{0,63}$/;

export const placePath = (p: Pick<Place, 'orgId' | 'view'>): string =>
  p.orgId === null ? `/${p.view}` : `/org/${p.orgId}/${p.view}`;

/** "?a=1&b=2" in the order given, empty values left out; "" when nothing is left. */
export function searchString(search: Search | undefined): string {
  const pairs = Object.entries(search ?? {})
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

export const placeHref = (p: Place): string => `${placePath(p)}${searchString(p.search)}`;

/**
 * The place a path names, or null for a path that names none (the router then sends the window
 * to All organizations). `view` is only checked for shape: whether this user may see it is the
 * shell's decision.
 */
export function parsePlacePath(pathname: string): Pick<Place, 'orgId' | 'view'> | null {
  const parts = pathname.split('/').slice(1);
  if (parts.length === 1 && VIEW.test(parts[0]!)) return { orgId: null, view: parts[0]! };
  if (parts.length === 3 && parts[0] === 'org' && ID.test(parts[1]!) && VIEW.test(parts[2]!)) {
    const id = Number(parts[1]);
    return Number.isSafeInteger(id) ? { orgId: id, view: parts[2]! } : null;
  }
  return null;
}

/** The key filters are remembered under when the window leaves a place (filter memory). */
export const placeKey = (p: Pick<Place, 'orgId' | 'view'>): string =>
  p.orgId === null ? `all:${p.view}` : `org:${p.orgId}:${p.view}`;
