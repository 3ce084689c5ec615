import { authedProcedure, router } from '../../trpc/trpc';
import {
  decideSupportRequestInput,
  disableSupportInput,
  disableSupportResultOutput,
  emergencyDisableInput,
  emergencyDisableResultOutput,
  enableSupportInput,
  enableSupportResultOutput,
  listSupportRequestsInput,
  myAccessOutput,
  requestSupportInput,
  supportDecisionOutput,
  supportRequestOutput,
  supportRequestPageOutput,
  supportStatusInput,
  supportStatusOutput,
} from '../../../shared/schemas/support-access.schema';

/** SUP-1..6 for the console. Enforcement of grants is in AccessService and authedProcedure. */
export const supportAccessRouter = router({
  status: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/support-access/status',
        summary: 'Whether support access is active, until when, and through which grants (SUP-2)',
      },
      output: supportStatusOutput,
    })
    .input(supportStatusInput)
    .query(({ ctx, input }) => ctx.services.supportAccess.status(ctx.actor, input)),
  enable: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/enable',
        summary: 'Enable support access for a duration (SUP-1)',
      },
      output: enableSupportResultOutput,
    })
    .input(enableSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.enable(ctx.actor, input)),
  disable: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/disable',
        summary: 'End the customer-enabled grant (SUP-3)',
      },
      output: disableSupportResultOutput,
    })
    .input(disableSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.disable(ctx.actor, input)),
  emergencyDisable: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/emergency-disable',
        summary: 'End every support grant and cancel every pending request, with a reason (SUP-3)',
      },
      output: emergencyDisableResultOutput,
    })
    .input(emergencyDisableInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.emergencyDisable(ctx.actor, input)),
  /** The one mutation a support engineer may make (SUPPORT_ENGINEER_MUTATIONS). */
  request: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/requests',
        status: 201,
        summary: 'A support engineer asks for access with a reason and a duration (SUP-4)',
      },
      supportEngineer: true,
      output: supportRequestOutput,
    })
    .input(requestSupportInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.request(ctx.actor, input)),
  requests: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/support-access/requests',
        list: true,
        summary: 'Support access requests, by status (SUP-4)',
      },
      output: supportRequestPageOutput,
    })
    .input(listSupportRequestsInput)
    .query(({ ctx, input }) => ctx.services.supportAccess.requests(ctx.actor, input)),
  approve: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/requests/:id/approve',
        summary: 'Approve a pending request: view-only access from now for its duration (SUP-4)',
      },
      stepUp: true,
      output: supportDecisionOutput,
    })
    .input(decideSupportRequestInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.approve(ctx.actor, input)),
  deny: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/support-access/requests/:id/deny',
        summary: 'Deny a pending request (SUP-4)',
      },
      output: supportDecisionOutput,
    })
    .input(decideSupportRequestInput)
    .mutation(({ ctx, input }) => ctx.services.supportAccess.deny(ctx.actor, input)),
  myAccess: authedProcedure
    .meta({ output: myAccessOutput })
    .query(({ ctx }) => ctx.services.supportAccess.myAccess(ctx.actor)),
});
