import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { IncidentRow, WorkflowRow, WorkflowRunRow } from '../../../domain/rows';
import type {
  OrgIncidentSettings,
  WorkflowsRepo,
} from '../../../features/workflows/workflows.repo';
import type { Db } from '../../database';
import { hosts, incidents, organizations, workflowRuns, workflows } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** AUT-3/4 on SQLite: the services' queries, moved unchanged; the reads prepared once. */
export class SqliteWorkflowsRepo implements WorkflowsRepo {
  private readonly byIdStmt;
  private readonly boundIdStmt;
  private readonly ofOrgStmt;
  private readonly activeOfOrgStmt;
  private readonly namesStmt;
  private readonly settingsStmt;
  private readonly inOrgStmt;

  constructor(private readonly db: Db) {
    this.byIdStmt = db
      .select()
      .from(workflows)
      .where(eq(workflows.id, p('id')))
      .prepare();
    this.boundIdStmt = db
      .select({ id: organizations.majorIncidentWorkflowId })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    const ofOrg = (activeOnly: boolean) =>
      db
        .select()
        .from(workflows)
        .where(
          and(
            eq(workflows.organizationId, p('orgId')),
            ...(activeOnly ? [eq(workflows.isActive, true)] : []),
          ),
        )
        .orderBy(asc(workflows.name), asc(workflows.id))
        .prepare();
    this.ofOrgStmt = ofOrg(false);
    this.activeOfOrgStmt = ofOrg(true);
    this.namesStmt = db
      .select({ id: workflows.id, name: workflows.name })
      .from(workflows)
      .where(eq(workflows.organizationId, p('orgId')))
      .prepare();
    this.settingsStmt = db
      .select({
        automationLevel: organizations.automationLevel,
        killSwitch: organizations.killSwitch,
        majorIncidentWorkflowId: organizations.majorIncidentWorkflowId,
      })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    this.inOrgStmt = db
      .select()
      .from(workflows)
      .where(and(eq(workflows.id, p('workflowId')), eq(workflows.organizationId, p('orgId'))))
      .prepare();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async byId(id: number, _opts?: { forUpdate?: boolean }): Promise<WorkflowRow | undefined> {
    return this.byIdStmt.get({ id });
  }

  async boundId(orgId: number): Promise<number | null> {
    return this.boundIdStmt.get({ orgId })?.id ?? null;
  }

  async ofOrg(orgId: number, activeOnly: boolean): Promise<WorkflowRow[]> {
    return (activeOnly ? this.activeOfOrgStmt : this.ofOrgStmt).all({ orgId });
  }

  async namesOfOrg(orgId: number): Promise<Pick<WorkflowRow, 'id' | 'name'>[]> {
    return this.namesStmt.all({ orgId });
  }

  async insert(values: Omit<WorkflowRow, 'id'>): Promise<WorkflowRow> {
    return this.db.insert(workflows).values(values).returning().get();
  }

  async update(
    id: number,
    set: Partial<Pick<WorkflowRow, 'name' | 'isActive'>>,
    now: number,
  ): Promise<WorkflowRow | undefined> {
    return this.db
      .update(workflows)
      .set({ updatedAt: now, ...set })
      .where(eq(workflows.id, id))
      .returning()
      .get();
  }

  async clearBinding(orgId: number, now: number): Promise<void> {
    this.db
      .update(organizations)
      .set({ majorIncidentWorkflowId: null, updatedAt: now })
      .where(eq(organizations.id, orgId))
      .run();
  }

  async runsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: { run: WorkflowRunRow; name: string }[] }> {
    const filter = eq(workflowRuns.organizationId, orgId);
    const total = this.db.select({ n: count() }).from(workflowRuns).where(filter).get()?.n ?? 0;
    const rows = this.db
      .select({ run: workflowRuns, name: workflows.name })
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .where(filter)
      .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
      .limit(limit)
      .offset(skip)
      .all();
    return { total, rows };
  }

  async insertRun(values: Omit<WorkflowRunRow, 'id'>): Promise<WorkflowRunRow> {
    return this.db.insert(workflowRuns).values(values).returning().get();
  }

  async hostsOfOrg(orgId: number, hostIds: number[]): Promise<number[]> {
    if (hostIds.length === 0) return [];
    return this.db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.organizationId, orgId), inArray(hosts.id, hostIds)))
      .all()
      .map((h) => h.id);
  }

  async incidentSettings(orgId: number): Promise<OrgIncidentSettings | undefined> {
    return this.settingsStmt.get({ orgId });
  }

  async workflowInOrg(orgId: number, workflowId: number): Promise<WorkflowRow | undefined> {
    return this.inOrgStmt.get({ orgId, workflowId });
  }

  async insertIncident(values: Omit<IncidentRow, 'id'>): Promise<IncidentRow> {
    return this.db.insert(incidents).values(values).returning().get();
  }

  async incidentsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: IncidentRow[] }> {
    const filter = eq(incidents.organizationId, orgId);
    const total = this.db.select({ n: count() }).from(incidents).where(filter).get()?.n ?? 0;
    const rows = this.db
      .select()
      .from(incidents)
      .where(filter)
      .orderBy(desc(incidents.createdAt), desc(incidents.id))
      .limit(limit)
      .offset(skip)
      .all();
    return { total, rows };
  }
}
