import { authedProcedure, router } from '../../trpc/trpc';
import {
  createWorkflowInput,
  incidentPageOutput,
  listIncidentsInput,
  listRunsInput,
  listWorkflowsInput,
  reportedIncidentOutput,
  reportIncidentInput,
  updatedWorkflowOutput,
  updateWorkflowInput,
  workflowIdInput,
  workflowListOutput,
  workflowOutput,
  workflowRunPageOutput,
} from '../../../shared/schemas/workflows.schema';

/** AUT-4 definitions and AUT-3 runs. Binding itself is organizations.update (ORG-4). */
export const workflowsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/workflows',
        summary: 'Workflow definitions of an org (AUT-4)',
      },
      output: workflowListOutput,
    })
    .input(listWorkflowsInput)
    .query(({ ctx, input }) => ctx.services.workflows.list(ctx.actor, input)),
  get: authedProcedure
    .meta({
      rest: { method: 'GET', path: '/workflows/:id', summary: 'One workflow definition' },
      output: workflowOutput,
    })
    .input(workflowIdInput)
    .query(({ ctx, input }) => ctx.services.workflows.get(ctx.actor, input.id)),
  create: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/organizations/:organization_id/workflows',
        status: 201,
        summary: 'Create a workflow definition (AUT-4)',
      },
      output: workflowOutput,
    })
    .input(createWorkflowInput)
    .mutation(({ ctx, input }) => ctx.services.workflows.create(ctx.actor, input)),
  update: authedProcedure
    .meta({
      rest: {
        method: 'PATCH',
        path: '/workflows/:id',
        body: 'patch',
        summary: 'Change a workflow definition',
      },
      output: updatedWorkflowOutput,
    })
    .input(updateWorkflowInput)
    .mutation(({ ctx, input }) => ctx.services.workflows.update(ctx.actor, input)),
  runs: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/workflow-runs',
        list: true,
        summary: 'Workflow runs of an org (AUT-3)',
      },
      output: workflowRunPageOutput,
    })
    .input(listRunsInput)
    .query(({ ctx, input }) => ctx.services.workflows.runs(ctx.actor, input)),
});

export const incidentsRouter = router({
  report: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/incidents',
        status: 201,
        summary: 'Report an incident; a P1 on 3 or more hosts may start the bound workflow (AUT-3)',
      },
      output: reportedIncidentOutput,
    })
    .input(reportIncidentInput)
    .mutation(({ ctx, input }) => ctx.services.incidents.report(ctx.actor, input)),
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/organizations/:organization_id/incidents',
        list: true,
        summary: 'Incidents of an org',
      },
      output: incidentPageOutput,
    })
    .input(listIncidentsInput)
    .query(({ ctx, input }) => ctx.services.incidents.list(ctx.actor, input)),
});
