// Draft port (issue 14 step 0): AUT-3/4 workflows, runs and incidents. Not yet implemented on
// SQLite.
import type { IncidentRow, WorkflowRow, WorkflowRunRow } from '../../domain/rows';

export interface WorkflowsRepo {
  byId(id: number): Promise<WorkflowRow | undefined>;
  ofOrg(orgId: number, activeOnly: boolean): Promise<WorkflowRow[]>;
  insert(values: Omit<WorkflowRow, 'id'>): Promise<WorkflowRow>;
  update(id: number, set: Partial<Omit<WorkflowRow, 'id'>>): Promise<WorkflowRow | undefined>;
  /** Orgs that bind this workflow as their major-incident workflow lose it (it was deactivated). */
  unbindFromOrgs(workflowId: number, now: number): Promise<number[]>;
  runsPage(
    workflowId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: WorkflowRunRow[] }>;
  insertRun(values: Omit<WorkflowRunRow, 'id'>): Promise<WorkflowRunRow>;
  insertIncident(values: Omit<IncidentRow, 'id'>): Promise<IncidentRow>;
  incidentsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: IncidentRow[] }>;
}
