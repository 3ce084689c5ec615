// ORG-2: what an organization search matches, in one place for both sides. The server stores
// orgSearchText() in organizations.search_text and looks the term up there (a literal substring);
// the console's switcher filters what it already shows with matchesOrgSearch() while the server
// search catches up. Both must normalise the same way, or the switcher would hide a match the
// server returns (or show one it does not). Zod-free and browser-safe: the renderer imports it.

/** How a term and a text are compared: trimmed as the API trims, lower-cased without locale. */
export const orgSearchTerm = (query: string): string => query.trim().toLocaleLowerCase('en-US');

/** The haystack of an org's search: its name and description, lower-cased. */
export const orgSearchText = (name: string, description: string | null | undefined): string =>
  `${name}\n${description ?? ''}`.toLocaleLowerCase('en-US');

/** Whether the server's ORG-2 search would return this org for `query`. */
export const matchesOrgSearch = (
  org: { name: string; description: string | null | undefined },
  query: string,
): boolean => orgSearchText(org.name, org.description).includes(orgSearchTerm(query));
