import { authedProcedure, publicProcedure, router } from '../../trpc/trpc';
import {
  oidcExchangeInput,
  oidcStartInput,
  oidcStartOutput,
  putSsoInput,
  ssoConfigOutput,
  ssoTestOutput,
} from '../../../shared/schemas/sso.schema';
import { loginResultOutput } from '../../../shared/schemas/users.schema';

/** IDN-4: the account's single sign-on settings, and the two public steps of an SSO sign-in. */
export const ssoRouter = router({
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/account/sso',
        summary: "The account's OpenID Connect single sign-on settings (never the client secret)",
      },
      output: ssoConfigOutput,
    })
    .query(({ ctx }) => ctx.services.sso.get(ctx.actor, ctx.serverUrl)),
  put: authedProcedure
    .meta({
      rest: {
        method: 'PUT',
        path: '/account/sso',
        summary:
          "Save the account's single sign-on settings (client_secret omitted keeps the stored one)",
      },
      output: ssoConfigOutput,
    })
    .input(putSsoInput)
    .mutation(({ ctx, input }) => ctx.services.sso.put(ctx.actor, input, ctx.serverUrl)),
  test: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/account/sso/test',
        summary: 'Run OpenID discovery against the saved issuer and say what it found',
      },
      output: ssoTestOutput,
    })
    .mutation(({ ctx }) => ctx.services.sso.test(ctx.actor)),
  start: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/oidc/start',
        auth: 'none',
        summary:
          "Begin a single sign-on: the provider's authorization URL for the caller's PKCE challenge",
      },
      output: oidcStartOutput,
    })
    .input(oidcStartInput)
    .mutation(({ ctx, input }) => ctx.services.sso.start(input, ctx.serverUrl)),
  exchange: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/oidc/exchange',
        auth: 'none',
        summary:
          'Finish a single sign-on: the one-time code and the PKCE verifier for a session token',
      },
      output: loginResultOutput,
    })
    .input(oidcExchangeInput)
    .mutation(({ ctx, input }) => ctx.services.sso.exchange(input, ctx.clientAddress)),
});
