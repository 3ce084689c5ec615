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
} from '../../../shared/schemas/users.schema';
import { orgIdInput } from '../../../shared/schemas/organizations.schema';
import { okOutput } from '../../../shared/schemas/common.schema';
import { mfaRequiredOutput } from '../../../shared/schemas/mfa.schema';
import { mfaProcedures } from '../mfa/mfa.router';

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
    .mutation(({ ctx, input }) => ctx.services.auth.login(input, ctx.clientAddress)),
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
    .mutation(({ ctx, input }) => ctx.services.auth.createPersonalToken(ctx.actor, input)),
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
});
