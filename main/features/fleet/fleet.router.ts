import {
  fleetHistoryInput,
  fleetHistoryOutput,
  fleetOverviewOutput,
} from '../../../shared/schemas/fleet.schema';
import { authedProcedure, router } from '../../trpc/trpc';

export const fleetRouter = router({
  overview: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/fleet/overview',
        summary:
          'The fleet at a glance (UI-12): org and host totals, and the orgs that need attention',
      },
      output: fleetOverviewOutput,
    })
    .query(({ ctx }) => ctx.services.fleet.overview(ctx.actor)),
  history: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/fleet/history',
        summary:
          'Hourly host health of the fleet or of one organization (organization_id), from the snapshots kept 7 days (UI-12)',
      },
      output: fleetHistoryOutput,
    })
    .input(fleetHistoryInput)
    .query(({ ctx, input }) => ctx.services.fleet.history(ctx.actor, input)),
});
