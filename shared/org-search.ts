// ORG-2: what an organization search matches, in one place for both sides. The server stores
// orgSearchText() in organizations.search_text and looks the term up there (a literal substring);
// the console's switcher filters what it already shows with matchesOrgSearch() while the server
// search catches up. Both must normalise the same way, or the switcher would hide a match the
// server returns (or show one it does not). Zod-free and browser-safe: the renderer imports it.
//
// A change to foldForSearch() changes what is stored: it needs a migration that recomputes
// search_text (the migrations call it as the SQL function orgdesk_search_text(), see
// main/db/migrate.ts), or stored texts and new terms would be folded differently.

/**
 * Letters with a stroke have no canonical decomposition (ł is not l + a mark), yet people type
 * them without it ("lodz" for "Łódź"): mapped to their base letter, lower-case only (the text is
 * lower-cased first).
 */
const STROKED: Record<string, string> = {
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ŧ: 't',
  ƀ: 'b',
  ƶ: 'z',
  ǥ: 'g',
  ɨ: 'i',
};
const STROKED_LETTERS = /[łøđħŧƀƶǥɨ]/g;
/** The block of the combining accents of Latin, Greek and Cyrillic (acute, grave, diaeresis…). */
const COMBINING_DIACRITICS = /[\u0300-\u036f]/g;

/**
 * Case and accents folded: lower-cased without locale (a Turkish console must not turn I into ı),
 * decomposed (NFD), the combining diacritics dropped (é, è, ê, ë → e; the dot lower-casing leaves
 * on İ too), stroked letters mapped, then recomposed (NFC), so that scripts whose marks are not
 * accents keep them: a Hangul syllable stays one letter, が keeps its voicing mark. Letters that
 * are letters and not accented ones stay apart: ß, æ, œ, ð, þ, ı.
 */
export const foldForSearch = (text: string): string =>
  text
    .toLocaleLowerCase('en-US')
    .normalize('NFD')
    .replace(COMBINING_DIACRITICS, '')
    .replace(STROKED_LETTERS, (c) => STROKED[c]!)
    .normalize('NFC');

/** How a term is compared: trimmed as the API trims, case and accents folded. */
export const orgSearchTerm = (query: string): string => foldForSearch(query.trim());

/** The haystack of an org's search: its name and description, case and accents folded. */
export const orgSearchText = (name: string, description: string | null | undefined): string =>
  foldForSearch(`${name}\n${description ?? ''}`);

/** Whether the server's ORG-2 search would return this org for `query`. */
export const matchesOrgSearch = (
  org: { name: string; description: string | null | undefined },
  query: string,
): boolean => orgSearchText(org.name, org.description).includes(orgSearchTerm(query));
