// Port (issue 14): AUT-3/4 workflows, runs and incidents, as WorkflowsService and
// IncidentsService read and write them. SQLite: main/db/sqlite/repos/workflows.ts.
import type { IncidentRow, OrganizationRow, WorkflowRow, WorkflowRunRow } from '../../domain/rows';

/** AUT-3: what an incident's launch decision reads of its org. */
export type OrgIncidentSettings = Pick<
  OrganizationRow,
  'automationLevel' | 'killSwitch' | 'majorIncidentWorkflowId'
>;

export interface WorkflowsRepo {
  /** `forUpdate`: the row is about to be changed from what was read (PG: FOR UPDATE). */
  byId(id: number, opts?: { forUpdate?: boolean }): Promise<WorkflowRow | undefined>;
  /** The org's bound major-incident workflow id; null if none (or no such org). */
  boundId(orgId: number): Promise<number | null>;
  /** The org's workflows by name, then id. */
  ofOrg(orgId: number, activeOnly: boolean): Promise<WorkflowRow[]>;
  /** Every workflow's id and name in the org (the case-folded name check). */
  namesOfOrg(orgId: number): Promise<Pick<WorkflowRow, 'id' | 'name'>[]>;
  insert(values: Omit<WorkflowRow, 'id'>): Promise<WorkflowRow>;
  update(
    id: number,
    set: Partial<Pick<WorkflowRow, 'name' | 'isActive'>>,
    now: number,
  ): Promise<WorkflowRow | undefined>;
  /** The org loses its major-incident binding (its workflow was deactivated). */
  clearBinding(orgId: number, now: number): Promise<void>;
  /** AUT-3 runs of an org, newest first, each with its workflow's name. */
  runsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: { run: WorkflowRunRow; name: string }[] }>;
  insertRun(values: Omit<WorkflowRunRow, 'id'>): Promise<WorkflowRunRow>;
  /** Which of `hostIds` are hosts of the org. */
  hostsOfOrg(orgId: number, hostIds: number[]): Promise<number[]>;
  /** The level, kill switch and binding as of this transaction. */
  incidentSettings(orgId: number): Promise<OrgIncidentSettings | undefined>;
  /** The workflow if it belongs to the org. */
  workflowInOrg(orgId: number, workflowId: number): Promise<WorkflowRow | undefined>;
  insertIncident(values: Omit<IncidentRow, 'id'>): Promise<IncidentRow>;
  /** An org's incidents, newest first. */
  incidentsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: IncidentRow[] }>;
}
