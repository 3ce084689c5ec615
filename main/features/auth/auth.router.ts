import { TRPCError } from '@trpc/server';
import { authedProcedure, publicProcedure, router } from '../../trpc/trpc';
import { createTokenInput, loginInput } from '../../../shared/schemas/users.schema';
import { orgIdInput } from '../../../shared/schemas/organizations.schema';

export const authRouter = router({
  /** Console sign-in over HTTP; the desktop's local database needs none. */
  login: publicProcedure
    .input(loginInput)
    .mutation(({ ctx, input }) => ctx.services.auth.login(input, ctx.clientAddress)),
  logout: authedProcedure.mutation(({ ctx }) => {
    if (!ctx.token)
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: 'This connection has no session to end',
      });
    ctx.services.auth.logout(ctx.actor, ctx.token);
    return { ok: true };
  }),
  createToken: authedProcedure
    .input(createTokenInput)
    .mutation(({ ctx, input }) => ctx.services.auth.createPersonalToken(ctx.actor, input)),
  tokens: authedProcedure.query(({ ctx }) => ctx.services.auth.listTokens(ctx.actor)),
  revokeToken: authedProcedure
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.auth.revokeToken(ctx.actor, input.id)),
});
