// Reading tRPC errors the same way whichever link carried them.
import { isErrorCode } from '../../shared/error-codes';

interface ErrorData {
  code?: string;
  field?: string | null;
  httpStatus?: number;
  /** IDN-1/IDN-3: what to do first (shared/error-codes.ts REFUSAL_REASONS), or null. */
  reason?: string | null;
}

const dataOf = (err: unknown): ErrorData | null =>
  err && typeof err === 'object' && 'data' in err && err.data && typeof err.data === 'object'
    ? (err.data as ErrorData)
    : null;

export const errorCode = (err: unknown): string | null => dataOf(err)?.code ?? null;

/** IDN-1/IDN-3: MFA_ENROLMENT_REQUIRED or STEP_UP_REQUIRED, else null. */
export const errorReason = (err: unknown): string | null => dataOf(err)?.reason ?? null;

/** The input field the server blamed, e.g. `name` or `subnets.1`. */
export const errorField = (err: unknown): string | null => dataOf(err)?.field ?? null;

export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) {
    if (err.message === 'Failed to fetch')
      return 'The server cannot be reached; check the connection and try again.';
    return err.message;
  }
  return 'Something went wrong; try again.';
}

/** The message for `field` (or any of its items, `field.N`) when the server blamed it. */
export function fieldError(err: unknown, field: string): string | null {
  const f = errorField(err);
  if (f === null) return null;
  return f === field || f.startsWith(`${field}.`) ? errorMessage(err) : null;
}

/** Index N of a list field the server blamed as `field.N`, if any. */
export function fieldIndex(err: unknown, field: string): number | null {
  const f = errorField(err);
  if (!f?.startsWith(`${field}.`)) return null;
  const n = Number(f.slice(field.length + 1));
  return Number.isInteger(n) ? n : null;
}

/** True for errors that no retry will fix (bad input, no access, gone): the codes of the one table. */
export const isClientError = (err: unknown): boolean => isErrorCode(errorCode(err));
