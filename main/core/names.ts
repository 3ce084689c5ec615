import { foldIgnorables } from '../../shared/names';

/**
 * The form uniqueness "ignoring case" is checked on (the `name_key` columns): NFKC so look-alikes
 * collide, without default-ignorable characters (they render as nothing, so "Ac\u200Bme" is
 * "Acme"), lower case. Close to Unicode's NFKC_Casefold, which drops them too. NFKC again after
 * the folding: a removed character may have kept a letter and its accent apart.
 */
export const nameKey = (name: string): string =>
  foldIgnorables(name.normalize('NFKC')).normalize('NFKC').toLocaleLowerCase('en-US');

/**
 * LOC-1: the current IANA name of a zone given under its current or an old name, or null. The
 * tzdata table, not Intl: ICU still resolves Europe/Kyiv to Europe/Kiev.
 */
export { canonicalTimezone } from '../../shared/timezone';

/**
 * True when the error is the database refusing a UNIQUE constraint: SQLite's code, or
 * PostgreSQL's SQLSTATE 23505 (unique_violation), which drizzle's DrizzleQueryError carries on
 * its `cause`. The services map either to the same DomainError, so a duplicate answers CONFLICT
 * on both engines.
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
