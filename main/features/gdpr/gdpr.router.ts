import { authedProcedure, router } from '../../trpc/trpc';
import { eraseUserInput, exportUserInput } from '../../../shared/schemas/gdpr.schema';

/** GDPR-1/2. Exports are mutations: each one is recorded in the audit trail. */
export const gdprRouter = router({
  eraseUser: authedProcedure
    .input(eraseUserInput)
    .mutation(({ ctx, input }) => ctx.services.gdpr.erase(ctx.actor, input)),
  exportUser: authedProcedure
    .input(exportUserInput)
    .mutation(({ ctx, input }) => ctx.services.gdpr.exportUser(ctx.actor, input)),
  exportAccount: authedProcedure.mutation(({ ctx }) => ctx.services.gdpr.exportAccount(ctx.actor)),
});
