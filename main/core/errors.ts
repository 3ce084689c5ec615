// Domain errors carry a transport-neutral code; tRPC and REST map them to their own statuses.
export type DomainErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_REQUESTS'
  | 'PRECONDITION_FAILED';

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
