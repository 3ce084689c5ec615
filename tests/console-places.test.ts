// UI-10: one spelling of every place of the console (shared/console-places.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parsePlacePath,
  placeHref,
  placeKey,
  placePath,
  searchString,
} from '../shared/console-places';

/** The ids of the view registry (renderer/shell/views.ts, read as text: it is JSX land). */
const VIEWS = [
  ...readFileSync(join(import.meta.dirname, '../renderer/shell/views.ts'), 'utf8').matchAll(
    /id: '([^']+)',[^}]*?scope: '(org|all)'/gs,
  ),
].map((m) => ({ id: m[1]!, scope: m[2]! }));

describe('console places', () => {
  it('round-trips every view of the registry, account-wide and in an org', () => {
    expect(VIEWS.length).toBeGreaterThan(10);
    for (const v of VIEWS) {
      const place = { orgId: v.scope === 'org' ? 12 : null, view: v.id };
      expect(parsePlacePath(placePath(place)), v.id).toEqual(place);
    }
  });

  it('writes filters in the order given and leaves empty ones out', () => {
    expect(
      placeHref({
        orgId: 3,
        view: 'hosts',
        search: { search: 'web 1', location: '', status: 'offline' },
      }),
    ).toBe('/org/3/hosts?search=web%201&status=offline');
    expect(searchString({})).toBe('');
    expect(placeHref({ orgId: null, view: 'organizations' })).toBe('/organizations');
  });

  it('names no place for anything else, so the router sends it to All organizations', () => {
    for (const path of [
      '/',
      '/index.html',
      '/organizations/',
      '/org/12',
      '/org/12/',
      '/org/0/hosts',
      '/org/012/hosts',
      '/org/abc/hosts',
      '/org/12/hosts/extra',
      '/org/99999999999999999/hosts',
      '/Organizations',
      '/..',
      '/org/12/..',
    ]) {
      expect(parsePlacePath(path), path).toBeNull();
    }
  });

  it('keys remembered filters by scope, org and view', () => {
    expect(placeKey({ orgId: null, view: 'audit' })).toBe('all:audit');
    expect(placeKey({ orgId: 7, view: 'audit' })).toBe('org:7:audit');
  });
});
