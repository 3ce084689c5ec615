import { authedProcedure, router } from '../../trpc/trpc';
import { decideInput } from '../../../shared/schemas/automation.schema';

export const automationRouter = router({
  decide: authedProcedure
    .input(decideInput)
    .query(({ ctx, input }) =>
      ctx.services.automation.decideFor(ctx.actor, input.organization_id, input.action_kind),
    ),
});
