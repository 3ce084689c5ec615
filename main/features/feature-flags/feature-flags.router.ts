import { authedProcedure, router } from '../../trpc/trpc';
import {
  clearFeatureFlagInput,
  featureForOrgInput,
  setFeatureFlagInput,
} from '../../../shared/schemas/feature-flags.schema';
import { organizationIdInput } from '../../../shared/schemas/organizations.schema';

export const featureFlagsRouter = router({
  isEnabled: authedProcedure
    .input(featureForOrgInput)
    .query(({ ctx, input }) =>
      ctx.services.featureFlags.check(ctx.actor, input.organization_id, input.feature),
    ),
  effective: authedProcedure
    .input(organizationIdInput)
    .query(({ ctx, input }) =>
      ctx.services.featureFlags.effective(ctx.actor, input.organization_id),
    ),
  accountFlags: authedProcedure.query(({ ctx }) =>
    ctx.services.featureFlags.accountFlags(ctx.actor),
  ),
  set: authedProcedure
    .input(setFeatureFlagInput)
    .mutation(({ ctx, input }) => ctx.services.featureFlags.set(ctx.actor, input)),
  clear: authedProcedure
    .input(clearFeatureFlagInput)
    .mutation(({ ctx, input }) => ctx.services.featureFlags.clear(ctx.actor, input)),
});
