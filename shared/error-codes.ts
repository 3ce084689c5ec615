// The one table of error codes a caller can see, with the HTTP status each answers. Domain errors,
// tRPC, REST, the remote forwarder and the console all read it: a new code is decided here once.
// Every code is also a tRPC error code, so tRPC's own HTTP status agrees (tests/error-codes.test.ts).
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** True for a code of this table: errors that no retry of the same request will fix. */
export const isErrorCode = (code: string | null | undefined): code is ErrorCode =>
  code != null && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
