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
 * True when the error is the engine refusing a UNIQUE constraint: SQLite's
 * SQLITE_CONSTRAINT_UNIQUE, or PostgreSQL's SQLSTATE 23505 (unique_violation), which drizzle
 * wraps (DrizzleQueryError, the pg error as its `cause`) and the PG unit of work may wrap again
 * (AbortedTransactionError): the cause chain is walked, so both engines map to the same
 * DomainError (issue 15 item 3).
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
