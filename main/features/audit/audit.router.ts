import { authedProcedure, router } from '../../trpc/trpc';
import {
  auditExportOutput,
  auditPageOutput,
  auditVerifyResultOutput,
  auditVerifyStatusOutput,
  exportAuditInput,
  listAuditInput,
  verifyAuditInput,
} from '../../../shared/schemas/audit.schema';

/** AUD-2/AUD-3 for the console: all reads, so support engineers with a grant may use them. */
export const auditRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit',
        list: true,
        summary: 'Audit entries, filtered by org, actor, action, target and time (AUD-2)',
      },
      output: auditPageOutput,
    })
    .input(listAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.list(ctx.actor, input)),
  export: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/export',
        summary:
          'Export audit entries as CSV or JSON; the file is the content of the answer (AUD-2)',
      },
      output: auditExportOutput,
    })
    .input(exportAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.export(ctx.actor, input)),
  verify: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/verify',
        summary:
          'Verify the hash chain: the first entry altered or removed (AUD-3); joins a verification already running for the account',
      },
      output: auditVerifyResultOutput,
    })
    .input(verifyAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.verify(ctx.actor, input)),
  verifyStatus: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/audit/verify/status',
        summary: 'How far the running verification of the chain got (AUD-3), for a progress bar',
      },
      output: auditVerifyStatusOutput,
    })
    .input(verifyAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.verifyStatus(ctx.actor, input)),
});
