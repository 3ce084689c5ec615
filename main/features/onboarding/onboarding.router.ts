import { authedProcedure, router } from '../../trpc/trpc';
import {
  updateAlertRuleInput,
  updateBaselineInput,
} from '../../../shared/schemas/onboarding.schema';
import { organizationIdInput } from '../../../shared/schemas/organizations.schema';

/** AUT-5: the onboarding defaults seeded with each org, listed and editable. */
export const onboardingRouter = router({
  alertRules: authedProcedure
    .input(organizationIdInput)
    .query(({ ctx, input }) =>
      ctx.services.onboarding.alertRules(ctx.actor, input.organization_id),
    ),
  updateAlertRule: authedProcedure
    .input(updateAlertRuleInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.updateAlertRule(ctx.actor, input)),
  baselines: authedProcedure
    .input(organizationIdInput)
    .query(({ ctx, input }) => ctx.services.onboarding.baselines(ctx.actor, input.organization_id)),
  updateBaseline: authedProcedure
    .input(updateBaselineInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.updateBaseline(ctx.actor, input)),
});
