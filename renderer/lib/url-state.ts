// UI-10: a view's filters live in the URL's query. A view declares its filters with their
// defaults; a filter at its default stays out of the URL, so every state has one address, and
// changing any filter but the page starts again at the first page.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { searchString, type Search } from '../../shared/console-places';
import { parseSearchText, useHistoryLocation } from '../shell/navigation';
import { moveTo, useAppHistory } from '../shell/router';
import { useDebounced } from './use-debounced';

declare module '@tanstack/history' {
  interface HistoryState {
    /** The filter whose typing made this entry: more typing in it replaces the entry. */
    textEdit?: string;
  }
}

export type Filters<K extends string> = Readonly<Record<K, string>>;

export interface SetFilterOptions {
  /**
   * The text filter being typed into. Typing is one step for Back: the first settled text makes
   * a history entry, further typing in the same field replaces it.
   */
  text?: string;
}

export function useUrlFilters<K extends string>(
  defaults: Filters<K>,
): [Filters<K>, (patch: Partial<Record<K, string>>, opts?: SetFilterOptions) => void] {
  const history = useAppHistory();
  const search = parseSearchText(useHistoryLocation().search);
  const defaultsRef = useRef(defaults);
  const keys = Object.keys(defaults) as K[];
  const keyList = keys.join(',');

  const values = useMemo(
    () =>
      Object.fromEntries(
        keyList.split(',').map((k) => [k, search[k] ?? defaultsRef.current[k as K]]),
      ) as Filters<K>,
    [search, keyList],
  );

  const set = useCallback(
    (patch: Partial<Record<K, string>>, opts?: SetFilterOptions) => {
      const d = defaultsRef.current;
      const location = history.location;
      const current = parseSearchText(location.search);
      const pick = (from: Search): Record<string, string> => {
        const out: Record<string, string> = {};
        for (const k of Object.keys(d) as K[]) {
          const v = from[k];
          if (v !== undefined && v !== '' && v !== d[k]) out[k] = v;
        }
        return out;
      };
      const merged: Record<string, string> = { ...pick(current), ...patch } as Record<
        string,
        string
      >;
      if ('page' in d && !('page' in patch)) delete merged.page;
      const next = pick(merged);
      if (searchString(next) === searchString(pick(current))) return;
      const replace = opts?.text !== undefined && location.state.textEdit === opts.text;
      moveTo(history, `${location.pathname}${searchString(next)}`, {
        replace,
        state: opts?.text !== undefined ? { textEdit: opts.text } : undefined,
      });
    },
    [history],
  );
  return [values, set];
}

/**
 * What a filter field shows while the user types: its own text, sent to the URL once it settles
 * (debounced), and replaced by the URL's value when that changes from outside (Back/Forward, a
 * "Clear filters"). `T` is compared by its JSON.
 */
export function useSettledDraft<T>(
  fromUrl: T,
  commit: (value: T) => void,
  delay: number,
  normalise: (draft: T) => T = (d) => d,
): [T, (draft: T) => void] {
  const [draft, setDraft] = useState(fromUrl);
  const urlKey = JSON.stringify(fromUrl);
  const committed = useRef(urlKey);
  const commitRef = useRef(commit);
  const normaliseRef = useRef(normalise);
  useEffect(() => {
    commitRef.current = commit;
    normaliseRef.current = normalise;
  });
  useEffect(() => {
    if (urlKey === committed.current) return;
    committed.current = urlKey;
    setDraft(JSON.parse(urlKey) as T);
  }, [urlKey]);
  const settled = useDebounced(JSON.stringify(normalise(draft)), delay);
  useEffect(() => {
    if (settled === committed.current) return;
    committed.current = settled;
    commitRef.current(JSON.parse(settled) as T);
  }, [settled]);
  return [draft, setDraft];
}
