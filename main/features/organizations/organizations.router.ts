import { MAX_BULK_IDS } from '../../../shared/constants';
import { bulkResultOutput } from '../../../shared/schemas/bulk.schema';
import { authedProcedure, router } from '../../trpc/trpc';
import {
  agentConfigOutput,
  createdOrganizationOutput,
  createOrganizationInput,
  deactivateOrganizationsInput,
  deletedOrganizationOutput,
  deleteOrganizationInput,
  listOrganizationsInput,
  organizationDetailOutput,
  organizationOutput,
  organizationPageOutput,
  orgIdInput,
  regeneratedSecretOutput,
  regenerateSecretInput,
  regionsOutput,
  revealedSecretOutput,
  secretUsageOutput,
  updateOrganizationInput,
} from '../../../shared/schemas/organizations.schema';

export const organizationsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations',
        list: true,
        summary: 'List organizations (ORG-2): paged, searched, filtered, with host stats',
      },
      output: organizationPageOutput,
    })
    .input(listOrganizationsInput)
    .query(({ ctx, input }) => ctx.services.organizations.list(ctx.actor, input)),
  regions: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/regions',
        summary: 'The distinct regions of the organizations the caller may read (ORG-3)',
      },
      output: regionsOutput,
    })
    .query(({ ctx }) => ctx.services.organizations.regions(ctx.actor)),
  get: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:id',
        summary: 'One organization with its host stats',
      },
      output: organizationDetailOutput,
    })
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.organizations.get(ctx.actor, input.id)),
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations',
        status: 201,
        summary:
          'Create an organization with its secret (shown once), Default location and onboarding defaults (ORG-1)',
      },
      output: createdOrganizationOutput,
    })
    .input(createOrganizationInput)
    .mutation(({ ctx, input }) => ctx.services.organizations.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/organizations/:id',
        body: 'patch',
        summary: 'Change any of the ORG-4 fields; each field needs its permission',
      },
      output: organizationOutput,
    })
    .input(updateOrganizationInput)
    .mutation(({ ctx, input }) => ctx.services.organizations.update(ctx.actor, input)),
  delete: authedProcedure
    .meta({
      rest: {
        method: 'DELETE',
        path: '/organizations/:id',
        summary:
          'Deactivate an organization, or with hard_delete=true remove it and its data (ORG-5)',
      },
      stepUp: { when: 'hard_delete' },
      output: deletedOrganizationOutput,
    })
    .input(deleteOrganizationInput)
    .mutation(({ ctx, input }) =>
      ctx.services.organizations.delete(ctx.actor, input.id, input.hard_delete),
    ),
  deactivateMany: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/deactivate',
        summary: `Deactivate several organizations at once, all or none (UI-13, ORG-5; at most ${MAX_BULK_IDS})`,
      },
      output: bulkResultOutput,
    })
    .input(deactivateOrganizationsInput)
    .mutation(({ ctx, input }) => ctx.services.organizations.deactivateMany(ctx.actor, input)),
  revealSecret: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:id/secret',
        summary: 'Reveal the organization secret (SEC-2; audited)',
      },
      stepUp: true,
      output: revealedSecretOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.secrets.reveal(ctx.actor, input.id)),
  secretUsage: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:id/secret/usage',
        summary:
          'How many legacy agents use the current secret; during a grace period, which hosts still use the old one (SEC-3)',
      },
      output: secretUsageOutput,
    })
    .input(orgIdInput)
    .query(({ ctx, input }) => ctx.services.secrets.usage(ctx.actor, input.id)),
  // Console-only (no REST form): a script that wants the secret reveals it; this is the
  // console's Copy button, audited as a copy (SEC-2).
  copySecret: authedProcedure
    .meta({ stepUp: true, output: revealedSecretOutput })
    .input(orgIdInput)
    .mutation(({ ctx, input }) => ctx.services.secrets.copy(ctx.actor, input.id)),
  regenerateSecret: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:id/secret/regenerate',
        summary:
          'Regenerate the organization secret, with an optional grace period for the old one (SEC-3)',
      },
      stepUp: true,
      output: regeneratedSecretOutput,
    })
    .input(regenerateSecretInput)
    .mutation(({ ctx, input }) => ctx.services.secrets.regenerate(ctx.actor, input)),
  agentConfig: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:id/agent-config',
        summary: 'The agent configuration file: server URL and secret (SEC-4; audited)',
      },
      stepUp: true,
      output: agentConfigOutput,
    })
    .input(orgIdInput)
    .mutation(({ ctx, input }) =>
      ctx.services.secrets.agentConfig(ctx.actor, input.id, ctx.serverUrl),
    ),
});
