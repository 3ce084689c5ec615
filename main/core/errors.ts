// Domain errors carry a transport-neutral code from the one table in shared/error-codes.ts;
// tRPC and REST answer its HTTP status.
import type { ErrorCode } from '../../shared/error-codes';

export type DomainErrorCode = ErrorCode;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
    /** For TOO_MANY_REQUESTS: when to try again (the HTTP layer sends it as Retry-After). */
    readonly retryAfterSeconds?: number,
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
