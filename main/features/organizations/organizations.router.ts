import { authedProcedure, router } from '../../trpc/trpc';
import {
  createOrganizationInput,
  deleteOrganizationInput,
  listOrganizationsInput,
  orgIdInput,
  regenerateSecretInput,
  updateOrganizationInput,
} from '../../../shared/schemas/organizations.schema';

export const organizationsRouter = router({
  list: authedProcedure
    .input(listOrganizationsInput)
    .query(({ ctx, input }) => ctx.services.organizations.list(ctx.actor, input)),
  regions: authedProcedure.query(({ ctx }) => ctx.services.organizations.regions(ctx.actor)),
  get: authedProcedure
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.organizations.get(ctx.actor, input.id)),
  create: authedProcedure
    .input(createOrganizationInput)
    .mutation(({ ctx, input }) => ctx.services.organizations.create(ctx.actor, input)),
  update: authedProcedure
    .input(updateOrganizationInput)
    .mutation(({ ctx, input }) =>
      ctx.services.organizations.update(ctx.actor, input.id, input.patch),
    ),
  delete: authedProcedure
    .input(deleteOrganizationInput)
    .mutation(({ ctx, input }) =>
      ctx.services.organizations.delete(ctx.actor, input.id, input.hard_delete),
    ),
  revealSecret: authedProcedure
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.secrets.reveal(ctx.actor, input.id)),
  regenerateSecret: authedProcedure
    .input(regenerateSecretInput)
    .mutation(({ ctx, input }) => ctx.services.secrets.regenerate(ctx.actor, input)),
  agentConfig: authedProcedure
    .input(orgIdInput)
    .mutation(({ ctx, input }) =>
      ctx.services.secrets.agentConfig(ctx.actor, input.id, ctx.serverUrl),
    ),
});
