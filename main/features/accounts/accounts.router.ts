import { authedProcedure, router } from '../../trpc/trpc';
import {
  accountIdInput,
  accountOutput,
  accountPageOutput,
  createAccountInput,
  createdAccountOutput,
  listAccountsInput,
  updateAccountInput,
} from '../../../shared/schemas/accounts.schema';

/** PLAT-1: the platform operator's procedures; everyone else is refused (FORBIDDEN). */
export const accountsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/accounts',
        list: true,
        summary: 'The accounts of this server, with counts (platform operators, PLAT-1)',
      },
      output: accountPageOutput,
    })
    .input(listAccountsInput)
    .query(({ ctx, input }) => ctx.services.accounts.list(ctx.actor, input)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/accounts/:id',
        summary: 'One account: name, state and counts (platform operators, PLAT-1)',
      },
      output: accountOutput,
    })
    .input(accountIdInput)
    .query(({ ctx, input }) => ctx.services.accounts.get(ctx.actor, input)),
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/accounts',
        status: 201,
        summary:
          'Create an account and its first admin, whose API token is answered once (platform operators, PLAT-1)',
      },
      output: createdAccountOutput,
    })
    .input(createAccountInput)
    .mutation(({ ctx, input }) => ctx.services.accounts.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/accounts/:id',
        body: 'patch',
        summary: 'Rename, deactivate or reactivate an account (platform operators, PLAT-1)',
      },
      output: accountOutput,
    })
    .input(updateAccountInput)
    .mutation(({ ctx, input }) => ctx.services.accounts.update(ctx.actor, input)),
});
