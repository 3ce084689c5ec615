import { TRPCError, initTRPC } from '@trpc/server';
import type { Actor } from '../core/actor';
import { DomainError, refusal } from '../core/errors';
import type { DomainServices } from '../services';
import type { Meta } from './meta';
import { checkSecondFactor } from './second-factor';

export interface Context {
  /** The domain services only: a router cannot reach the database. */
  services: DomainServices;
  actor: Actor | null;
  /** The server URL agents should use, for agent configuration files. */
  serverUrl: string;
  /** An opened export under review: every mutation is refused (EXP-2). */
  readOnlyReview?: { label: string };
  /** The bearer token of this call, for sign-out. */
  token?: string;
  /** The caller's network address (HTTP only), so sign-in throttling works per address. */
  clientAddress?: string;
  /** The caller's User-Agent header (HTTP only), so "my sessions" can name each client (IDN-5). */
  userAgent?: string;
  /**
   * Set by the REST layer for a route whose form declares `file` (main/trpc/meta.ts): the
   * procedure answers a FileAnswer (main/core/file-answer.ts), streamed as the HTTP body.
   */
  asFile?: boolean;
}

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

/** All a caller learns of an unexpected failure (REST answers the same). */
export const INTERNAL_MESSAGE = 'Internal error';

/** Any error from a procedure, as the code, message and field the console and REST show. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    const issues = issuesOf(err.cause);
    if (issues) {
      const { message } = describeIssues(issues);
      return new TRPCError({ code: 'BAD_REQUEST', message, cause: err.cause });
    }
    if (err.cause instanceof DomainError) return toTRPCError(err.cause);
    // An unexpected failure's own text (SQL, paths, library internals) stays in the server log.
    if (err.code === 'INTERNAL_SERVER_ERROR' && err.message !== INTERNAL_MESSAGE) {
      return new TRPCError({ code: err.code, message: INTERNAL_MESSAGE, cause: err.cause ?? err });
    }
    return err;
  }
  if (err instanceof DomainError)
    // Every domain code is a tRPC code of the same name (shared/error-codes.ts).
    return new TRPCError({ code: err.code, message: err.message, cause: err });
  const issues = issuesOf(err);
  if (issues)
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: describeIssues(issues).message,
      cause: err as Error,
    });
  return new TRPCError({
    code: 'INTERNAL_SERVER_ERROR',
    message: INTERNAL_MESSAGE,
    cause: err as Error,
  });
}

function reasonOf(error: TRPCError): string | undefined {
  return error.cause instanceof DomainError ? error.cause.reason : undefined;
}

function fieldOf(error: TRPCError): string | undefined {
  if (error.cause instanceof DomainError) return error.cause.field;
  const issues = issuesOf(error.cause);
  return issues ? describeIssues(issues).field : undefined;
}

/** The error shape every tRPC root answers (the app's and the desktop's): code, message, field. */
export function formatError<
  S extends { message: string; data: { code: string; httpStatus: number; path?: string } },
>({ shape, error }: { shape: S; error: TRPCError }) {
  const mapped = toTRPCError(error);
  return {
    ...shape,
    message: mapped.message,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path,
      field: fieldOf(mapped) ?? null,
      // IDN-1/IDN-3: what to do first (MFA_ENROLMENT_REQUIRED, STEP_UP_REQUIRED), or null.
      reason: reasonOf(mapped) ?? null,
    },
  };
}

const t = initTRPC.meta<Meta>().context<Context>().create({ errorFormatter: formatError });

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

/**
 * Every authenticated call passes here (the enforcement chokepoint): no actor, no call (an opened
 * export refused every mutation already, in publicProcedure); a support engineer never writes,
 * whatever else is granted, except the mutations whose metadata says `supportEngineer: true`
 * (asking for access, signing out); and the second-factor gate (IDN-1 enrolment under Require
 * MFA, IDN-3 step-up), decided by checkSecondFactor alone.
 */
export const authedProcedure = publicProcedure.use(
  async ({ ctx, type, meta, next, getRawInput }) => {
    if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
    if (type === 'mutation' && ctx.actor.isSupportEngineer && meta?.supportEngineer !== true) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: 'Support access is view-only: no changes can be made',
      });
    }
    const input = typeof meta?.stepUp === 'object' ? await getRawInput() : undefined;
    const verdict = checkSecondFactor({ actor: ctx.actor, meta, input });
    if (!verdict.pass) throw refusal(verdict.reason, verdict.message);
    return next({ ctx: { ...ctx, actor: ctx.actor } });
  },
);
