import { authed, created, open, type Route } from './http-kit';

/** TEN-6 sign-in, sign-out and personal API tokens over REST. */
export const authRoutes: Route[] = [
  // Throttled per email and per client address (SignInThrottle): 429 with Retry-After.
  open('POST', '/api/v1/auth/login', (r) => r.services.auth.login(r.body(), r.clientAddress)),
  authed(
    'POST',
    '/api/v1/auth/logout',
    (r) => {
      r.services.auth.logout(r.actor, r.token);
      return { ok: true };
    },
    { procedure: 'auth.logout' },
  ),
  authed('GET', '/api/v1/tokens', (r) => r.services.auth.listTokens(r.actor), {
    procedure: 'auth.tokens',
  }),
  // The token is in this answer only: it is stored as a keyed digest.
  authed(
    'POST',
    '/api/v1/tokens',
    (r) => created(r.services.auth.createPersonalToken(r.actor, r.body())),
    { procedure: 'auth.createToken' },
  ),
  authed(
    'DELETE',
    '/api/v1/tokens/:id',
    (r) => r.services.auth.revokeToken(r.actor, r.params.id!),
    { procedure: 'auth.revokeToken' },
  ),
];
