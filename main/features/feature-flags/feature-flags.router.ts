import { authedProcedure, router } from '../../trpc/trpc';
import {
  clearedFlagOutput,
  clearFeatureFlagInput,
  effectiveFlagListOutput,
  effectiveFlagOutput,
  featureFlagListOutput,
  featureFlagOutput,
  featureForOrgInput,
  orgFeatureFlagsInput,
  orgFeatureFlagsOutput,
  setFeatureFlagInput,
} from '../../../shared/schemas/feature-flags.schema';
import { organizationIdInput } from '../../../shared/schemas/organizations.schema';

export const featureFlagsRouter = router({
  isEnabled: authedProcedure
    .meta({ output: effectiveFlagOutput })
    .input(featureForOrgInput)
    .query(({ ctx, input }) =>
      ctx.services.featureFlags.check(ctx.actor, input.organization_id, input.feature),
    ),
  effective: authedProcedure
    .meta({ output: effectiveFlagListOutput })
    .input(organizationIdInput)
    .query(({ ctx, input }) =>
      ctx.services.featureFlags.effective(ctx.actor, input.organization_id),
    ),
  /** REST's one read of an org's flags: all of them, or one feature when it is named. */
  forOrganization: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/feature-flags',
        summary:
          'The effective flags of an org, or with ?feature= that one and the flag that decided',
      },
      output: orgFeatureFlagsOutput,
    })
    .input(orgFeatureFlagsInput)
    .query(async ({ ctx, input }) =>
      input.feature === undefined
        ? await ctx.services.featureFlags.effective(ctx.actor, input.organization_id)
        : await ctx.services.featureFlags.check(ctx.actor, input.organization_id, input.feature),
    ),
  accountFlags: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/feature-flags',
        summary: 'The flags set for the account and its orgs',
      },
      output: featureFlagListOutput,
    })
    .query(({ ctx }) => ctx.services.featureFlags.accountFlags(ctx.actor)),
  set: authedProcedure
    .meta({
      rest: {
        method: 'PUT',
        path: '/feature-flags',
        summary: 'Set a flag account-wide (no organization_id) or for one org',
      },
      output: featureFlagOutput,
    })
    .input(setFeatureFlagInput)
    .mutation(({ ctx, input }) => ctx.services.featureFlags.set(ctx.actor, input)),
  clear: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/feature-flags',
        summary: 'Clear a flag account-wide or for one org',
      },
      output: clearedFlagOutput,
    })
    .input(clearFeatureFlagInput)
    .mutation(({ ctx, input }) => ctx.services.featureFlags.clear(ctx.actor, input)),
});
