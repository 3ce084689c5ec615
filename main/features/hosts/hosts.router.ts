import { authedProcedure, router } from '../../trpc/trpc';
import { hostIdInput, listHostsInput, moveHostInput } from '../../../shared/schemas/hosts.schema';

export const hostsRouter = router({
  list: authedProcedure
    .input(listHostsInput)
    .query(({ ctx, input }) => ctx.services.hosts.list(ctx.actor, input)),
  get: authedProcedure
    .input(hostIdInput)
    .query(({ ctx, input }) => ctx.services.hosts.get(ctx.actor, input.id)),
  move: authedProcedure
    .input(moveHostInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.move(ctx.actor, input)),
  unpin: authedProcedure
    .input(hostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.unpin(ctx.actor, input.id)),
  remove: authedProcedure
    .input(hostIdInput)
    .mutation(({ ctx, input }) => ctx.services.hosts.remove(ctx.actor, input.id)),
});
