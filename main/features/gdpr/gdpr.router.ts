import { authedProcedure, router } from '../../trpc/trpc';
import {
  dataExportOutput,
  erasedUserOutput,
  eraseUserInput,
  exportUserInput,
} from '../../../shared/schemas/gdpr.schema';

/** GDPR-1/2. Exports are mutations: each one is recorded in the audit trail. */
export const gdprRouter = router({
  eraseUser: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/users/:user_id/erase',
        summary: "Erase a user's personal data, irreversibly (GDPR-1)",
      },
      output: erasedUserOutput,
    })
    .input(eraseUserInput)
    .mutation(({ ctx, input }) => ctx.services.gdpr.erase(ctx.actor, input)),
  exportUser: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/users/:user_id/export',
        summary: "Export a user's data: the last 90 days, capped per section (GDPR-2; audited)",
      },
      output: dataExportOutput,
    })
    .input(exportUserInput)
    .mutation(({ ctx, input }) => ctx.services.gdpr.exportUser(ctx.actor, input)),
  exportAccount: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/account/export',
        summary: "Export the account's data (GDPR-2; audited)",
      },
      output: dataExportOutput,
    })
    .mutation(({ ctx }) => ctx.services.gdpr.exportAccount(ctx.actor)),
});
