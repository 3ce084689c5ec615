import { authedProcedure, router } from '../../trpc/trpc';
import {
  createLocationInput,
  deletedLocationOutput,
  locationListOutput,
  locationOutput,
  resolveIpInput,
  resolveResultOutput,
  savedLocationOutput,
  updateLocationInput,
} from '../../../shared/schemas/locations.schema';
import { orgIdInput, organizationIdInput } from '../../../shared/schemas/organizations.schema';

export const locationsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/locations',
        summary: 'The locations of an organization with their subnets (LOC-1)',
      },
      output: locationListOutput,
    })
    .input(organizationIdInput)
    .query(({ ctx, input }) => ctx.services.locations.list(ctx.actor, input.organization_id)),
  get: authedProcedure
    .meta({
      rest: { method: 'GET', path: '/locations/:id', summary: 'One location' },
      output: locationOutput,
    })
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.locations.get(ctx.actor, input.id)),
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/locations',
        status: 201,
        summary: 'Create a location with subnets and a timezone (LOC-1, LOC-2)',
      },
      output: savedLocationOutput,
    })
    .input(createLocationInput)
    .mutation(({ ctx, input }) => ctx.services.locations.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/locations/:id',
        body: 'patch',
        summary: 'Change a location: name, subnets, timezone, or make it the default (LOC-4)',
      },
      output: savedLocationOutput,
    })
    .input(updateLocationInput)
    .mutation(({ ctx, input }) => ctx.services.locations.update(ctx.actor, input)),
  delete: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/locations/:id',
        summary:
          'Delete a location; unpinned hosts go where their IP now resolves, pinned ones to the default (LOC-4)',
      },
      output: deletedLocationOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.locations.delete(ctx.actor, input.id)),
  deletePreview: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/locations/:id/delete-preview',
        summary: 'What deleting a location would do: how many hosts would go where (LOC-4)',
      },
      output: deletedLocationOutput,
    })
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.locations.deletePreview(ctx.actor, input.id)),
  resolve: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/locations/resolve',
        summary: 'Which location an IP would land in (LOC-3)',
      },
      output: resolveResultOutput,
    })
    .input(resolveIpInput)
    .query(({ ctx, input }) => ctx.services.locations.resolve(ctx.actor, input)),
});
