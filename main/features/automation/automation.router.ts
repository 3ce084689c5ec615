import { authedProcedure, router } from '../../trpc/trpc';
import { automationDecisionOutput, decideInput } from '../../../shared/schemas/automation.schema';

export const automationRouter = router({
  decide: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/automation/decision',
        summary: 'Whether an action kind runs or waits for approval in an org (AUT-1, AUT-2)',
      },
      output: automationDecisionOutput,
    })
    .input(decideInput)
    .query(({ ctx, input }) =>
      ctx.services.automation.decideFor(ctx.actor, input.organization_id, input.action_kind),
    ),
});
