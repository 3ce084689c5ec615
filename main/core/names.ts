/** The form uniqueness "ignoring case" is checked on: Unicode-aware, and NFKC so look-alikes collide. */
export const nameKey = (name: string): string => name.normalize('NFKC').toLocaleLowerCase('en-US');

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
