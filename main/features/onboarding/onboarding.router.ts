import { authedProcedure, router } from '../../trpc/trpc';
import {
  alertRuleListOutput,
  alertRuleOutput,
  complianceBaselineListOutput,
  complianceBaselineOutput,
  updateAlertRuleInput,
  updateBaselineInput,
} from '../../../shared/schemas/onboarding.schema';
import { organizationIdInput } from '../../../shared/schemas/organizations.schema';

/** AUT-5: the onboarding defaults seeded with each org, listed and editable. */
export const onboardingRouter = router({
  alertRules: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/alert-rules',
        summary: 'The alert rules of an org (AUT-5)',
      },
      output: alertRuleListOutput,
    })
    .input(organizationIdInput)
    .query(({ ctx, input }) =>
      ctx.services.onboarding.alertRules(ctx.actor, input.organization_id),
    ),
  updateAlertRule: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/alert-rules/:id',
        body: 'patch',
        summary: 'Change an alert rule',
      },
      output: alertRuleOutput,
    })
    .input(updateAlertRuleInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.updateAlertRule(ctx.actor, input)),
  baselines: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/compliance-baselines',
        summary: 'The compliance baselines of an org (AUT-5)',
      },
      output: complianceBaselineListOutput,
    })
    .input(organizationIdInput)
    .query(({ ctx, input }) => ctx.services.onboarding.baselines(ctx.actor, input.organization_id)),
  updateBaseline: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/compliance-baselines/:id',
        body: 'patch',
        summary: 'Change a compliance baseline',
      },
      output: complianceBaselineOutput,
    })
    .input(updateBaselineInput)
    .mutation(({ ctx, input }) => ctx.services.onboarding.updateBaseline(ctx.actor, input)),
});
