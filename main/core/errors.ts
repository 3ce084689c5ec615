// Domain errors carry a transport-neutral code from the one table in shared/error-codes.ts;
// tRPC and REST answer its HTTP status.
import { REFUSAL_REASONS, type ErrorCode, type RefusalReason } from '../../shared/error-codes';

export type DomainErrorCode = ErrorCode;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    /** For TOO_MANY_REQUESTS: when to try again (the HTTP layer sends it as Retry-After). */
    readonly retryAfterSeconds?: number,
    /** IDN-1/IDN-3: what the caller must do first (shared/error-codes.ts REFUSAL_REASONS). */
    readonly reason?: RefusalReason,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id?: number | string): DomainError =>
  new DomainError('NOT_FOUND', id === undefined ? `${what} not found` : `${what} ${id} not found`);
export const badRequest = (message: string, field?: string): DomainError =>
  new DomainError('BAD_REQUEST', message, field);
export const conflict = (message: string, field?: string): DomainError =>
  new DomainError('CONFLICT', message, field);
export const forbidden = (message: string): DomainError => new DomainError('FORBIDDEN', message);

/** A refusal the caller can act on (IDN-1, IDN-3): its code from REFUSAL_REASONS. */
export const refusal = (reason: RefusalReason, message: string): DomainError =>
  new DomainError(REFUSAL_REASONS[reason], message, undefined, undefined, reason);
