import { TRPCError, initTRPC, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { Actor } from '../core/actor';
import { DomainError, type DomainErrorCode } from '../core/errors';
import type { Services } from '../services';

export interface Context {
  services: Services;
  actor: Actor | null;
  /** The server URL agents should use, for agent configuration files. */
  serverUrl: string;
  /** An opened export under review: every mutation is refused (EXP-2). */
  readOnlyReview?: { label: string };
  /** The bearer token of this call, for sign-out. */
  token?: string;
  /** The caller's network address (HTTP only), so sign-in throttling works per address. */
  clientAddress?: string;
}

const CODE: Record<DomainErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
};

interface Issue {
  path?: readonly (PropertyKey | { key: PropertyKey })[];
  message: string;
  /** zod's unrecognized_keys issue names the unknown keys here, not in its path. */
  keys?: readonly PropertyKey[];
}

/** The first validation issue as a field name and a message that names the field and the fix. */
export function describeIssues(issues: readonly Issue[]): { field?: string; message: string } {
  const first = issues[0];
  if (!first) return { message: 'Invalid input' };
  const path = [...(first.path ?? []), ...(first.keys?.length ? [first.keys[0]!] : [])];
  const field = path
    .map((p) => (typeof p === 'object' && p !== null ? String(p.key) : String(p)))
    .join('.');
  if (!field) return { message: first.message };
  const message = first.message.includes(field.split('.').at(-1) ?? field)
    ? first.message
    : `${field}: ${first.message}`;
  return { field, message };
}

function issuesOf(cause: unknown): readonly Issue[] | null {
  if (cause && typeof cause === 'object' && 'issues' in cause && Array.isArray(cause.issues)) {
    return cause.issues as Issue[];
  }
  return null;
}

/** Any error from a procedure, as the code, message and field the console and REST show. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    const issues = issuesOf(err.cause);
    if (issues) {
      const { message } = describeIssues(issues);
      return new TRPCError({ code: 'BAD_REQUEST', message, cause: err.cause });
    }
    if (err.cause instanceof DomainError) return toTRPCError(err.cause);
    return err;
  }
  if (err instanceof DomainError)
    return new TRPCError({ code: CODE[err.code], message: err.message, cause: err });
  const issues = issuesOf(err);
  if (issues)
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: describeIssues(issues).message,
      cause: err as Error,
    });
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: 'Internal error',
    cause: err as Error,
  });
}

function fieldOf(error: TRPCError): string | undefined {
  if (error.cause instanceof DomainError) return error.cause.field;
  const issues = issuesOf(error.cause);
  return issues ? describeIssues(issues).field : undefined;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const mapped = toTRPCError(error);
    return {
      ...shape,
      message: mapped.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        field: fieldOf(mapped) ?? null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Turns domain and validation errors into tRPC errors with the right code. */
const errors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

/** EXP-2: an opened export refuses every mutation, public ones (sign-in) included. */
const readOnlyReviewGuard = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && ctx.readOnlyReview) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `This is a read-only review of ${ctx.readOnlyReview.label}: changes are disabled`,
    });
  }
  return next();
});

export const publicProcedure = t.procedure.use(errors).use(readOnlyReviewGuard);

/** The only mutations a support engineer may make: asking for access and signing out. */
export const SUPPORT_ENGINEER_MUTATIONS: ReadonlySet<string> = new Set([
  'supportAccess.request',
  'auth.logout',
]);

/**
 * Every authenticated call passes here (the enforcement chokepoint): no actor, no call (an opened
 * export refused every mutation already, in publicProcedure); a support engineer never writes,
 * whatever else is granted.
 */
export const authedProcedure = publicProcedure.use(({ ctx, type, path, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  if (type === 'mutation' && ctx.actor.isSupportEngineer && !SUPPORT_ENGINEER_MUTATIONS.has(path)) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Support access is view-only: no changes can be made',
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});
