import { TIMEZONE_ALIASES, TIMEZONES } from './timezones';

// LOC-1: one answer, on the server and in the console, to "which zone is this name": the table
// generated from tzdata (shared/timezones.ts), not Intl, whose ICU still calls Europe/Kyiv
// Europe/Kiev. IANA names are case-insensitive; the answer has the table's spelling.
const byKey = new Map<string, string>();
for (const zone of TIMEZONES) byKey.set(zone.toLowerCase(), zone);
for (const [alias, zone] of Object.entries(TIMEZONE_ALIASES)) byKey.set(alias.toLowerCase(), zone);

/** The current IANA name of a zone given under its current or an old name, or null. */
export function canonicalTimezone(tz: string): string | null {
  return byKey.get(tz.trim().toLowerCase()) ?? null;
}

/** Each current zone's old names, for the picker's search. */
const aliasesOf = new Map<string, string[]>();
for (const [alias, zone] of Object.entries(TIMEZONE_ALIASES)) {
  aliasesOf.set(zone, [...(aliasesOf.get(zone) ?? []), alias]);
}

export interface TimezoneMatch {
  zone: string;
  /** The old name the search matched, when it matched one rather than the current name. */
  alias: string | null;
}

/** "new york" reads like "New_York"; case never matters. */
const searchForm = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '_');

/**
 * UI-4: the zones whose current name or an old name contains `query`: every zone for an empty
 * query; a match on the current name first, then on an old name, each group in table order.
 */
export function searchTimezones(query: string): TimezoneMatch[] {
  const q = searchForm(query);
  if (q === '') return TIMEZONES.map((zone) => ({ zone, alias: null }));
  const direct: TimezoneMatch[] = [];
  const viaAlias: TimezoneMatch[] = [];
  for (const zone of TIMEZONES) {
    if (zone.toLowerCase().includes(q)) {
      direct.push({ zone, alias: null });
      continue;
    }
    const alias = aliasesOf.get(zone)?.find((a) => a.toLowerCase().includes(q));
    if (alias) viaAlias.push({ zone, alias });
  }
  return [...direct, ...viaAlias];
}
