import { MAX_BULK_IDS } from '../../../shared/constants';
import { authedProcedure, router } from '../../trpc/trpc';
import {
  hostIdInput,
  hostIdentityResetOutput,
  hostOutput,
  hostPageOutput,
  listHostsInput,
  moveHostInput,
  moveHostsInput,
  removeAllHostsInput,
  removedAllHostsOutput,
  removedHostOutput,
  resetHostIdentityInput,
  removeHostsInput,
} from '../../../shared/schemas/hosts.schema';
import { bulkResultOutput } from '../../../shared/schemas/bulk.schema';

export const hostsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/hosts',
        list: true,
        summary: 'The hosts of an organization, by location, status or search (AGT-4)',
      },
      output: hostPageOutput,
    })
    .input(listHostsInput)
    .query(({ ctx, input }) => ctx.services.hosts.list(ctx.actor, input)),
  get: authedProcedure
    .meta({ rest: { method: 'GET', path: '/hosts/:id', summary: 'One host' }, output: hostOutput })
    .input(hostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.get(ctx.actor, input.id)),
  move: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/hosts/:id/move',
        summary: 'Move a host to another location of its organization; it is pinned there (AGT-4)',
      },
      output: hostOutput,
    })
    .input(moveHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.move(ctx.actor, input)),
  unpin: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/hosts/:id/unpin',
        summary: 'Clear the pin: the host follows its subnets again',
      },
      output: hostOutput,
    })
    .input(hostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.unpin(ctx.actor, input.id)),
  resetIdentity: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/hosts/:id/reset-identity',
        summary:
          "Reset a Go host's identity: its key is cleared and the next registration of its hostname sets a new one (AGT-2, audited)",
      },
      output: hostIdentityResetOutput,
    })
    .input(resetHostIdentityInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.resetIdentity(ctx.actor, input.id)),
  remove: authedProcedure
    .meta({
      rest: { method: 'DELETE', path: '/hosts/:id', summary: 'Remove a host' },
      output: removedHostOutput,
    })
    .input(hostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.remove(ctx.actor, input.id)),
  // ---- UI-13 bulk actions: all or nothing; one foreign or unknown id refuses the whole call.
  moveMany: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/hosts/move',
        summary: `Move several hosts of an organization to one of its locations, pinned (UI-13; at most ${MAX_BULK_IDS})`,
      },
      output: bulkResultOutput,
    })
    .input(moveHostsInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.moveMany(ctx.actor, input)),
  removeMany: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/hosts/remove',
        summary: `Remove several hosts of an organization (UI-13; at most ${MAX_BULK_IDS})`,
      },
      output: bulkResultOutput,
    })
    .input(removeHostsInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.removeMany(ctx.actor, input)),
  removeAll: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/hosts/remove-all',
        summary:
          'Remove every host of an organization, confirmed with its host count: the step before a hard delete (UI-13, ORG-5)',
      },
      output: removedAllHostsOutput,
    })
    .input(removeAllHostsInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.removeAll(ctx.actor, input)),
});
