import { authedProcedure, router } from '../../trpc/trpc';
import {
  decideSupportRequestInput,
  disableSupportInput,
  emergencyDisableInput,
  enableSupportInput,
  listSupportRequestsInput,
  requestSupportInput,
  supportStatusInput,
} from '../../../shared/schemas/support-access.schema';

/** SUP-1..6 for the console. Enforcement of grants is in AccessService and authedProcedure. */
export const supportAccessRouter = router({
  status: authedProcedure
    .input(supportStatusInput)
    .query(({ ctx, input }) => ctx.services.supportAccess.status(ctx.actor, input)),
  enable: authedProcedure
    .input(enableSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.enable(ctx.actor, input)),
  disable: authedProcedure
    .input(disableSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.disable(ctx.actor, input)),
  emergencyDisable: authedProcedure
    .input(emergencyDisableInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.emergencyDisable(ctx.actor, input)),
  /** The one mutation a support engineer may make (SUPPORT_ENGINEER_MUTATIONS). */
  request: authedProcedure
    .input(requestSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.request(ctx.actor, input)),
  requests: authedProcedure
    .input(listSupportRequestsInput)
    .query(({ ctx, input }) => ctx.services.supportAccess.requests(ctx.actor, input)),
  approve: authedProcedure
    .input(decideSupportRequestInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.approve(ctx.actor, input)),
  deny: authedProcedure
    .input(decideSupportRequestInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.deny(ctx.actor, input)),
  myAccess: authedProcedure.query(({ ctx }) => ctx.services.supportAccess.myAccess(ctx.actor)),
});
