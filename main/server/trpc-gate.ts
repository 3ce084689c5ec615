// What the server decides about a /trpc request from its path, query and headers alone, before
// tRPC reads its body (API-3): a batch holds at most MAX_TRPC_BATCH calls and at most one
// sign-in; a call to anything but a public procedure needs a valid bearer token. A refused
// request is answered at once, so an unauthenticated upload is never read into memory.
import { MAX_TRPC_BATCH } from '../../shared/constants';

/** The procedures that take no bearer token. Everything else is refused without one. */
export const PUBLIC_PROCEDURES: ReadonlySet<string> = new Set([
  'auth.login',
  'auth.completeMfa',
  // IDN-2: the passkey second step, like the code one, comes before the session.
  'auth.passkeySignInOptions',
  'auth.completeMfaWithPasskey',
  // IDN-4: single sign-on's two steps happen before the caller holds a token.
  'sso.start',
  'sso.exchange',
]);
/** Each is a guess (a password, a second-factor code): one per request. */
const SIGN_INS: ReadonlySet<string> = new Set([
  'auth.login',
  'auth.completeMfa',
  'auth.completeMfaWithPasskey',
]);

export interface TrpcRequestFacts {
  /** The procedure paths of the call: one, or a batch's comma-separated list. */
  paths: readonly string[];
  batch: boolean;
  /** A valid bearer token came with the request. */
  authenticated: boolean;
}

export type TrpcGateVerdict =
  | { pass: true }
  | { pass: false; status: 400 | 401; code: 'BAD_REQUEST' | 'UNAUTHORIZED'; message: string };

/** The paths a request names: `/trpc/a.b,c.d?batch=1` is two calls, without batch=1 one path. */
export function trpcRequestFacts(
  pathAfterBase: string,
  search: URLSearchParams,
  authenticated: boolean,
): TrpcRequestFacts {
  const batch = search.get('batch') === '1';
  const path = decodeURIComponentSafe(pathAfterBase);
  return { paths: batch ? path.split(',') : [path], batch, authenticated };
}

const decodeURIComponentSafe = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function checkTrpcRequest(f: TrpcRequestFacts): TrpcGateVerdict {
  if (f.batch) {
    const signIns = f.paths.filter((p) => SIGN_INS.has(p)).length;
    // One password check per request: a batch of sign-ins would be many guesses in one request.
    if (signIns > 1) {
      return {
        pass: false,
        status: 400,
        code: 'BAD_REQUEST',
        message: `One sign-in per request: this batch holds ${signIns} sign-in calls (auth.login, auth.completeMfa, auth.completeMfaWithPasskey); send each sign-in as a request of its own`,
      };
    }
    if (f.paths.length > MAX_TRPC_BATCH) {
      return {
        pass: false,
        status: 400,
        code: 'BAD_REQUEST',
        message: `A tRPC batch holds at most ${MAX_TRPC_BATCH} calls; this one holds ${f.paths.length}: split it into batches of ${MAX_TRPC_BATCH} or fewer`,
      };
    }
  }
  if (!f.authenticated && f.paths.some((p) => !PUBLIC_PROCEDURES.has(p))) {
    return {
      pass: false,
      status: 401,
      code: 'UNAUTHORIZED',
      message: 'Sign in first: send Authorization: Bearer <a valid token>',
    };
  }
  return { pass: true };
}
