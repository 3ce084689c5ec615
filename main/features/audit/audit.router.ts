import { authedProcedure, router } from '../../trpc/trpc';
import {
  exportAuditInput,
  listAuditInput,
  verifyAuditInput,
} from '../../../shared/schemas/audit.schema';

/** AUD-2/AUD-3 for the console: all reads, so support engineers with a grant may use them. */
export const auditRouter = router({
  list: authedProcedure
    .input(listAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.list(ctx.actor, input)),
  export: authedProcedure
    .input(exportAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.export(ctx.actor, input)),
  verify: authedProcedure
    .input(verifyAuditInput)
    .query(({ ctx, input }) => ctx.services.auditTrail.verify(ctx.actor, input)),
});
