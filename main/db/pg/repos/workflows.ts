import { and, asc, count, desc, eq, inArray } from 'drizzle-orm';
import type { IncidentRow, WorkflowRow, WorkflowRunRow } from '../../../domain/rows';
import type {
  OrgIncidentSettings,
  WorkflowsRepo,
} from '../../../features/workflows/workflows.repo';
import { hosts, incidents, organizations, workflowRuns, workflows } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

/** AUT-3/4 on PostgreSQL: the SQLite adapter's statements. */
export class PgWorkflowsRepo implements WorkflowsRepo {
  constructor(private readonly tx: PgTx) {}

  async byId(id: number, opts?: { forUpdate?: boolean }): Promise<WorkflowRow | undefined> {
    const q = this.tx.db.select().from(workflows).where(eq(workflows.id, id));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async boundId(orgId: number): Promise<number | null> {
    const [row] = await this.tx.db
      .select({ id: organizations.majorIncidentWorkflowId })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row?.id ?? null;
  }

  // Names compare as COLLATE "C" (the schema's), byte order as SQLite's BINARY.
  async ofOrg(orgId: number, activeOnly: boolean): Promise<WorkflowRow[]> {
    return this.tx.db
      .select()
      .from(workflows)
      .where(
        and(
          eq(workflows.organizationId, orgId),
          ...(activeOnly ? [eq(workflows.isActive, true)] : []),
        ),
      )
      .orderBy(asc(workflows.name), asc(workflows.id));
  }

  // Ordered by id: SQLite answers this in the order of its (organization_id) index, i.e. by id.
  async namesOfOrg(orgId: number): Promise<Pick<WorkflowRow, 'id' | 'name'>[]> {
    return this.tx.db
      .select({ id: workflows.id, name: workflows.name })
      .from(workflows)
      .where(eq(workflows.organizationId, orgId))
      .orderBy(asc(workflows.id));
  }

  async insert(values: Omit<WorkflowRow, 'id'>): Promise<WorkflowRow> {
    const [row] = await this.tx.db.insert(workflows).values(values).returning();
    return row!;
  }

  async update(
    id: number,
    set: Partial<Pick<WorkflowRow, 'name' | 'isActive'>>,
    now: number,
  ): Promise<WorkflowRow | undefined> {
    const [row] = await this.tx.db
      .update(workflows)
      .set({ updatedAt: now, ...set })
      .where(eq(workflows.id, id))
      .returning();
    return row;
  }

  async clearBinding(orgId: number, now: number): Promise<void> {
    await this.tx.db
      .update(organizations)
      .set({ majorIncidentWorkflowId: null, updatedAt: now })
      .where(eq(organizations.id, orgId));
  }

  async runsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: { run: WorkflowRunRow; name: string }[] }> {
    const filter = eq(workflowRuns.organizationId, orgId);
    const [t] = await this.tx.db.select({ n: count() }).from(workflowRuns).where(filter);
    const rows = await this.tx.db
      .select({ run: workflowRuns, name: workflows.name })
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .where(filter)
      .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
      .limit(limit)
      .offset(skip);
    return { total: t?.n ?? 0, rows };
  }

  async insertRun(values: Omit<WorkflowRunRow, 'id'>): Promise<WorkflowRunRow> {
    const [row] = await this.tx.db.insert(workflowRuns).values(values).returning();
    return row!;
  }

  async hostsOfOrg(orgId: number, hostIds: number[]): Promise<number[]> {
    if (hostIds.length === 0) return [];
    const rows = await this.tx.db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.organizationId, orgId), inArray(hosts.id, hostIds)))
      .orderBy(asc(hosts.id));
    return rows.map((h) => h.id);
  }

  async incidentSettings(orgId: number): Promise<OrgIncidentSettings | undefined> {
    const [row] = await this.tx.db
      .select({
        automationLevel: organizations.automationLevel,
        killSwitch: organizations.killSwitch,
        majorIncidentWorkflowId: organizations.majorIncidentWorkflowId,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row as OrgIncidentSettings | undefined;
  }

  async workflowInOrg(orgId: number, workflowId: number): Promise<WorkflowRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(workflows)
      .where(and(eq(workflows.id, workflowId), eq(workflows.organizationId, orgId)));
    return row;
  }

  async insertIncident(values: Omit<IncidentRow, 'id'>): Promise<IncidentRow> {
    const [row] = await this.tx.db.insert(incidents).values(values).returning();
    return row!;
  }

  async incidentsPage(
    orgId: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: IncidentRow[] }> {
    const filter = eq(incidents.organizationId, orgId);
    const [t] = await this.tx.db.select({ n: count() }).from(incidents).where(filter);
    const rows = await this.tx.db
      .select()
      .from(incidents)
      .where(filter)
      .orderBy(desc(incidents.createdAt), desc(incidents.id))
      .limit(limit)
      .offset(skip);
    return { total: t?.n ?? 0, rows };
  }
}
