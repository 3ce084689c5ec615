import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../constants';
import { id, idValue, isoTime, nonBlank, pageInput, pageOutput } from './common.schema';

export const workflowName = nonBlank('name', MAX_NAME_LENGTH);

export const listWorkflowsInput = z.strictObject({
  organization_id: id('organization_id'),
  active_only: z.boolean({ error: 'active_only must be true or false' }).default(false),
});
export type ListWorkflowsInput = z.input<typeof listWorkflowsInput>;

export const createWorkflowFields = z.strictObject({
  name: workflowName,
  is_active: z.boolean({ error: 'is_active must be true or false' }).default(true),
});
export const createWorkflowInput = createWorkflowFields.extend({
  organization_id: id('organization_id'),
});
export type CreateWorkflowInput = z.input<typeof createWorkflowInput>;

/** Rename and/or activate or deactivate (AUT-4). */
export const updateWorkflowFields = z.strictObject({
  name: workflowName.optional(),
  is_active: z.boolean({ error: 'is_active must be true or false' }).optional(),
});
export const updateWorkflowInput = z.strictObject({
  id: id('id'),
  patch: updateWorkflowFields,
});
export type UpdateWorkflowInput = z.input<typeof updateWorkflowInput>;

export const listRunsInput = z.strictObject({
  organization_id: id('organization_id'),
  ...pageInput,
});
export type ListRunsInput = z.input<typeof listRunsInput>;

export const INCIDENT_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type IncidentPriority = (typeof INCIDENT_PRIORITIES)[number];

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { MAJOR_INCIDENT_MIN_HOSTS } from '../constants';
export const MAX_AFFECTED_HOSTS = 10_000;

export const reportIncidentInput = z.strictObject({
  organization_id: id('organization_id'),
  priority: z.enum(INCIDENT_PRIORITIES, {
    error: `priority must be one of ${INCIDENT_PRIORITIES.join(', ')}`,
  }),
  // Optional for integrations (the REST body may omit it): "<priority> incident" then.
  title: nonBlank('title', 200).optional(),
  affected_host_ids: z
    .array(id('affected_host_ids'), { error: 'affected_host_ids must be a list of host ids' })
    .max(MAX_AFFECTED_HOSTS, `affected_host_ids must list at most ${MAX_AFFECTED_HOSTS} hosts`)
    .default([]),
});
export type ReportIncidentInput = z.input<typeof reportIncidentInput>;

export const listIncidentsInput = z.strictObject({
  organization_id: id('organization_id'),
  ...pageInput,
});

export const workflowOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  name: z.string(),
  is_active: z.boolean().describe('Only an active workflow can be bound and launched'),
  is_major_incident_workflow: z
    .boolean()
    .describe("True when this is the org's bound major-incident workflow"),
  created_at: isoTime,
  updated_at: isoTime,
});
export type Workflow = z.infer<typeof workflowOutput>;

export const workflowListOutput = z.array(workflowOutput);

export const updatedWorkflowOutput = workflowOutput.extend({
  binding_cleared: z
    .boolean()
    .describe("Deactivating the bound workflow clears the org's binding (AUT-3); true: it did"),
  message: z.string().nullable().describe('Says what happened to the binding, when it was cleared'),
});
export type UpdatedWorkflow = z.infer<typeof updatedWorkflowOutput>;

export const WORKFLOW_RUN_STATUSES = ['running', 'awaiting_approval', 'suppressed'] as const;
export type WorkflowRunStatus = (typeof WORKFLOW_RUN_STATUSES)[number];

export const workflowRunOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  workflow_id: idValue,
  workflow_name: z.string(),
  incident_id: idValue.nullable().describe('The incident that launched it'),
  status: z
    .enum(WORKFLOW_RUN_STATUSES)
    .describe('From the automation decision: suppressed when the kill switch was on'),
  reason: z.string().nullable(),
  created_at: isoTime,
});
export type WorkflowRun = z.infer<typeof workflowRunOutput>;

export const workflowRunPageOutput = pageOutput(workflowRunOutput);

export const incidentOutput = z.strictObject({
  id: idValue,
  organization_id: idValue,
  priority: z.enum(INCIDENT_PRIORITIES),
  title: z.string(),
  affected_host_ids: z.array(idValue).describe('Distinct hosts of the org'),
  reported_by_user_id: idValue.nullable().describe('null: reported by the system'),
  created_at: isoTime,
});
export type Incident = z.infer<typeof incidentOutput>;

export const incidentPageOutput = pageOutput(incidentOutput);

export const reportedIncidentOutput = z.strictObject({
  incident: incidentOutput,
  workflow_run: workflowRunOutput
    .nullable()
    .describe('The run a major incident launched; null when none was'),
  no_run_reason: z.string().nullable().describe('Why no run was created, when none was'),
});
export type ReportedIncident = z.infer<typeof reportedIncidentOutput>;

export const workflowIdInput = z.strictObject({ id: id('id') });
