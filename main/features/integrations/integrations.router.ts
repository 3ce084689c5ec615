import { authedProcedure, router } from '../../trpc/trpc';
import { okOutput } from '../../../shared/schemas/common.schema';
import {
  createDestinationInput,
  createdDestinationOutput,
  deletedDestinationOutput,
  deliveriesInput,
  deliveryPageOutput,
  destinationIdInput,
  destinationListOutput,
  destinationOutput,
  redeliverInput,
  testResultOutput,
  updateDestinationInput,
} from '../../../shared/schemas/integrations.schema';

// INT-1/INT-2: the account's forwarding destinations (account admins).
export const integrationsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/integrations/destinations',
        summary: "The account's syslog and webhook destinations, with delivery status",
      },
      output: destinationListOutput,
    })
    .query(({ ctx }) => ctx.services.integrations.list(ctx.actor)),
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/integrations/destinations',
        status: 201,
        summary: "Add a destination; a webhook's signing secret is answered this once",
      },
      output: createdDestinationOutput,
    })
    .input(createDestinationInput)
    .mutation(({ ctx, input }) => ctx.services.integrations.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/integrations/destinations/:id',
        body: 'patch',
        summary: 'Change, disable or enable a destination',
      },
      output: destinationOutput,
    })
    .input(updateDestinationInput)
    .mutation(({ ctx, input }) => ctx.services.integrations.update(ctx.actor, input)),
  remove: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/integrations/destinations/:id',
        summary: 'Delete a destination and its queue',
      },
      output: deletedDestinationOutput,
    })
    .input(destinationIdInput)
    .mutation(({ ctx, input }) => ctx.services.integrations.remove(ctx.actor, input)),
  test: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/integrations/destinations/:id/test',
        summary: 'Send one test message now and answer how it went',
      },
      output: testResultOutput,
    })
    .input(destinationIdInput)
    .mutation(({ ctx, input }) => ctx.services.integrations.test(ctx.actor, input)),
  deliveries: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/integrations/destinations/:id/deliveries',
        list: true,
        summary: "A destination's delivery log, newest first",
      },
      output: deliveryPageOutput,
    })
    .input(deliveriesInput)
    .query(({ ctx, input }) => ctx.services.integrations.deliveries(ctx.actor, input)),
  redeliver: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/integrations/destinations/:id/deliveries/:delivery_id/redeliver',
        summary: 'Queue one delivery again (same event id)',
      },
      output: okOutput,
    })
    .input(redeliverInput)
    .mutation(({ ctx, input }) => ctx.services.integrations.redeliver(ctx.actor, input)),
});
