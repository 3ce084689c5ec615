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

/**
 * Refusals a caller can act on (IDN-1, IDN-3): each answers the status of its code (tRPC: that
 * code, with `data.reason`), and REST answers the reason itself as the error's code, so a script
 * sees what to do without parsing the message.
 */
export const REFUSAL_REASONS = {
  /** The account requires a second factor and the caller has none: enrol first. */
  MFA_ENROLMENT_REQUIRED: 'FORBIDDEN',
  /** The action needs a second factor from the last 5 minutes: POST /api/v1/auth/step-up. */
  STEP_UP_REQUIRED: 'FORBIDDEN',
} as const satisfies Record<string, ErrorCode>;

export type RefusalReason = keyof typeof REFUSAL_REASONS;
