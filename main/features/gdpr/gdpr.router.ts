import { inPlaceOfEnvelope } from '../../core/file-answer';
import { authedProcedure, router } from '../../trpc/trpc';
import { EXPORT_FILE_HEADERS } from '../../../shared/constants';
import {
  dataExportOutput,
  erasedUserOutput,
  eraseUserInput,
  exportUserInput,
  type DataExport,
} from '../../../shared/schemas/gdpr.schema';

const GDPR_FILE = {
  contentTypes: ['application/json'],
  headers: {
    [EXPORT_FILE_HEADERS.cappedSections]:
      'the sections the cap cut short, comma-separated (empty when none)',
    [EXPORT_FILE_HEADERS.cap]: 'the records per section an export holds at most',
  },
};

/** GDPR-1/2. Exports are mutations: each one is recorded in the audit trail. */
export const gdprRouter = router({
  eraseUser: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/users/:user_id/erase',
        summary: "Erase a user's personal data, irreversibly (GDPR-1)",
      },
      stepUp: true,
      output: erasedUserOutput,
    })
    .input(eraseUserInput)
    .mutation(({ ctx, input }) => ctx.services.gdpr.erase(ctx.actor, input)),
  exportUser: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/users/:user_id/export',
        summary:
          "Export a user's data: the last 90 days, capped per section; the answer is the JSON file (GDPR-2; audited)",
        file: GDPR_FILE,
      },
      output: dataExportOutput,
    })
    .input(exportUserInput)
    .mutation(({ ctx, input }) =>
      ctx.asFile
        ? inPlaceOfEnvelope<DataExport>(ctx.services.gdpr.exportUserFile(ctx.actor, input))
        : ctx.services.gdpr.exportUser(ctx.actor, input),
    ),
  exportAccount: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/account/export',
        summary: "Export the account's data; the answer is the JSON file (GDPR-2; audited)",
        file: GDPR_FILE,
      },
      output: dataExportOutput,
    })
    .mutation(({ ctx }) =>
      ctx.asFile
        ? inPlaceOfEnvelope<DataExport>(ctx.services.gdpr.exportAccountFile(ctx.actor))
        : ctx.services.gdpr.exportAccount(ctx.actor),
    ),
});
