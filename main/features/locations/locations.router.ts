import { authedProcedure, router } from '../../trpc/trpc';
import {
  createLocationInput,
  resolveIpInput,
  updateLocationInput,
} from '../../../shared/schemas/locations.schema';
import { orgIdInput, organizationIdInput } from '../../../shared/schemas/organizations.schema';

export const locationsRouter = router({
  list: authedProcedure
    .input(organizationIdInput)
    .query(({ ctx, input }) => ctx.services.locations.list(ctx.actor, input.organization_id)),
  get: authedProcedure
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.locations.get(ctx.actor, input.id)),
  create: authedProcedure
    .input(createLocationInput)
    .mutation(({ ctx, input }) => ctx.services.locations.create(ctx.actor, input)),
  update: authedProcedure
    .input(updateLocationInput)
    .mutation(({ ctx, input }) => ctx.services.locations.update(ctx.actor, input)),
  delete: authedProcedure
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.locations.delete(ctx.actor, input.id)),
  resolve: authedProcedure
    .input(resolveIpInput)
    .query(({ ctx, input }) => ctx.services.locations.resolve(ctx.actor, input)),
});
