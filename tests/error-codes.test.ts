// The one error-code table (shared/error-codes.ts): a new code is a decision made here, and every
// transport answers the same status for it.
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../main/core/errors';
import { toErrorReply } from '../main/server/rest/rest-api';
import { toTRPCError } from '../main/trpc/trpc';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../shared/error-codes';

describe('error codes: one table', () => {
  it('is exactly these codes and statuses', () => {
    expect(ERROR_CODES).toEqual({
      BAD_REQUEST: 400,
      UNAUTHORIZED: 401,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PRECONDITION_FAILED: 412,
      PAYLOAD_TOO_LARGE: 413,
      TOO_MANY_REQUESTS: 429,
    });
  });

  it.each(Object.entries(ERROR_CODES) as [ErrorCode, number][])(
    '%s answers %d over tRPC and REST',
    (code, status) => {
      const err = new DomainError(code, 'x', 'name');
      const trpc = toTRPCError(err);
      expect(trpc.code).toBe(code);
      expect(getHTTPStatusCodeFromError(trpc)).toBe(status);
      expect(toErrorReply(new TRPCError({ code, message: 'x', cause: err }))?.status).toBe(status);
      expect(isErrorCode(code)).toBe(true);
    },
  );

  it('anything else is not a client error (a retry may help)', () => {
    expect(isErrorCode('INTERNAL_SERVER_ERROR')).toBe(false);
    expect(isErrorCode('constructor')).toBe(false);
    expect(isErrorCode('TIMEOUT')).toBe(false);
  });
});
