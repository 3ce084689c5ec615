import { z } from 'zod';
import { MAX_NAME_LENGTH } from '../constants';
import { id, nonBlank, pageInput } from './common.schema';

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

export interface Workflow {
  id: number;
  organization_id: number;
  name: string;
  is_active: boolean;
  /** True when this is the org's bound major-incident workflow. */
  is_major_incident_workflow: boolean;
  created_at: string;
  updated_at: string;
}

export interface UpdatedWorkflow extends Workflow {
  /** Deactivating the bound workflow clears the org's binding (AUT-3); this says it happened. */
  binding_cleared: boolean;
  message: string | null;
}

export type WorkflowRunStatus = 'running' | 'awaiting_approval' | 'suppressed';

export interface WorkflowRun {
  id: number;
  organization_id: number;
  workflow_id: number;
  workflow_name: string;
  incident_id: number | null;
  status: WorkflowRunStatus;
  reason: string | null;
  created_at: string;
}

export interface Incident {
  id: number;
  organization_id: number;
  priority: IncidentPriority;
  title: string;
  affected_host_ids: number[];
  reported_by_user_id: number | null;
  created_at: string;
}

export interface ReportedIncident {
  incident: Incident;
  workflow_run: WorkflowRun | null;
  /** Why no run was created, when none was. */
  no_run_reason: string | null;
}

export const workflowIdInput = z.strictObject({ id: id('id') });
