import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, publicProcedure, router } from '../../trpc/trpc';
import {
  apiTokenListOutput,
  apiTokenOutput,
  createdTokenOutput,
  createTokenInput,
  loginInput,
  loginResultOutput,
  revokedSessionsOutput,
  sessionListOutput,
  sessionOutput,
} from '../../../shared/schemas/users.schema';
import { orgIdInput } from '../../../shared/schemas/organizations.schema';
import { okOutput } from '../../../shared/schemas/common.schema';
import { mfaRequiredOutput } from '../../../shared/schemas/mfa.schema';
import { mfaProcedures } from '../mfa/mfa.router';
import { passkeyProcedures } from '../passkeys/passkeys.router';

export const authRouter = router({
  /** Console sign-in over HTTP; the desktop's local database needs none. */
  login: publicProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/auth/login',
        auth: 'none',
        summary:
          'Sign in with email and password: a session token, or with a second factor enrolled an mfa_token for POST /auth/mfa (throttled per email and address)',
      },
      output: z.union([loginResultOutput, mfaRequiredOutput]),
    })
    .input(loginInput)
    .mutation(({ ctx, input }) =>
      ctx.services.auth.login(input, { address: ctx.clientAddress, userAgent: ctx.userAgent }),
    ),
  logout: authedProcedure
    .meta({
      rest: { method: 'POST', path: '/auth/logout', summary: 'End this session' },
      supportEngineer: true,
      duringEnrolment: true,
      output: okOutput,
    })
    .mutation(async ({ ctx }) => {
      if (!ctx.token)
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'This connection has no session to end',
        });
      await ctx.services.auth.logout(ctx.actor, ctx.token);
      return { ok: true };
    }),
  createToken: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/tokens',
        status: 201,
        summary: 'A personal API token for the caller, shown once',
      },
      output: createdTokenOutput,
    })
    .input(createTokenInput)
    .mutation(({ ctx, input }) =>
      ctx.services.auth.createPersonalToken(ctx.actor, input, ctx.token),
    ),
  tokens: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/tokens',
        summary: "The caller's personal API tokens (never their values)",
      },
      output: apiTokenListOutput,
    })
    .query(({ ctx }) => ctx.services.auth.listTokens(ctx.actor)),
  revokeToken: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/tokens/:id',
        summary: "Revoke one of the caller's personal API tokens",
      },
      output: apiTokenOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.auth.revokeToken(ctx.actor, input.id)),
  ...mfaProcedures,
  ...passkeyProcedures,

  sessions: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/me/sessions',
        summary: "The caller's console sessions still in force, the current one marked (IDN-5)",
      },
      output: sessionListOutput,
    })
    .query(({ ctx }) => ctx.services.auth.sessions(ctx.actor, ctx.token)),
  revokeSession: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/me/sessions/:id',
        summary: "End one of the caller's sessions: its next request is refused",
      },
      supportEngineer: true,
      output: sessionOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.auth.revokeSession(ctx.actor, input.id, ctx.token)),
  revokeOtherSessions: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/me/sessions/revoke-others',
        summary: "End every session of the caller's but this one",
      },
      supportEngineer: true,
      output: revokedSessionsOutput,
    })
    .mutation(({ ctx }) => ctx.services.auth.revokeOtherSessions(ctx.actor, ctx.token)),
});
