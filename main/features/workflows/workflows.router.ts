import { authedProcedure, router } from '../../trpc/trpc';
import {
  createWorkflowInput,
  listIncidentsInput,
  listRunsInput,
  listWorkflowsInput,
  reportIncidentInput,
  updateWorkflowInput,
  workflowIdInput,
} from '../../../shared/schemas/workflows.schema';

/** AUT-4 definitions and AUT-3 runs. Binding itself is organizations.update (ORG-4). */
export const workflowsRouter = router({
  list: authedProcedure
    .input(listWorkflowsInput)
    .query(({ ctx, input }) => ctx.services.workflows.list(ctx.actor, input)),
  get: authedProcedure
    .input(workflowIdInput)
    .query(({ ctx, input }) => ctx.services.workflows.get(ctx.actor, input.id)),
  create: authedProcedure
    .input(createWorkflowInput)
    .mutation(({ ctx, input }) => ctx.services.workflows.create(ctx.actor, input)),
  update: authedProcedure
    .input(updateWorkflowInput)
    .mutation(({ ctx, input }) => ctx.services.workflows.update(ctx.actor, input)),
  runs: authedProcedure
    .input(listRunsInput)
    .query(({ ctx, input }) => ctx.services.workflows.runs(ctx.actor, input)),
});

export const incidentsRouter = router({
  report: authedProcedure
    .input(reportIncidentInput)
    .mutation(({ ctx, input }) => ctx.services.incidents.report(ctx.actor, input)),
  list: authedProcedure
    .input(listIncidentsInput)
    .query(({ ctx, input }) => ctx.services.incidents.list(ctx.actor, input)),
});
