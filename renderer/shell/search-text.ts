import type { Search } from '../../shared/console-places';

const cache = new Map<string, Search>();

/** "?a=1&b=2" as a Search, the same object for the same text (cheap to compare in effects). */
export function parseSearchText(text: string): Search {
  let parsed = cache.get(text);
  if (!parsed) {
    parsed = Object.fromEntries(new URLSearchParams(text.startsWith('?') ? text.slice(1) : text));
    if (cache.size > 200) cache.clear();
    cache.set(text, parsed);
  }
  return parsed;
}
