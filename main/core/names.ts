import { foldIgnorables } from '../../shared/names';

/**
 * The form uniqueness "ignoring case" is checked on (the `name_key` columns): NFKC so look-alikes
 * collide, without default-ignorable characters (they render as nothing, so "Ac\u200Bme" is
 * "Acme"), lower case. Close to Unicode's NFKC_Casefold, which drops them too. NFKC again after
 * the folding: a removed character may have kept a letter and its accent apart.
 */
export const nameKey = (name: string): string =>
  foldIgnorables(name.normalize('NFKC')).normalize('NFKC').toLocaleLowerCase('en-US');

/** IANA time zone validation through Intl; returns the canonical spelling or null. */
export function canonicalTimezone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** True when the error is SQLite refusing a UNIQUE constraint. */
export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
