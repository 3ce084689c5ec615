import { and, asc, count, desc, eq } from 'drizzle-orm';
import type { OrgRef, SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict } from '../../core/errors';
import { nameKey } from '../../core/names';
import type { Db } from '../../db/database';
import { organizations, workflowRuns, workflows } from '../../db/schema';
import type { Permission } from '../../../shared/permissions';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  createWorkflowInput,
  listRunsInput,
  listWorkflowsInput,
  updateWorkflowInput,
  type CreateWorkflowInput,
  type ListRunsInput,
  type ListWorkflowsInput,
  type UpdatedWorkflow,
  type UpdateWorkflowInput,
  type Workflow,
  type WorkflowRun,
} from '../../../shared/schemas/workflows.schema';

export interface WorkflowsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

type WorkflowRow = typeof workflows.$inferSelect;
type RunRow = typeof workflowRuns.$inferSelect;

export const toWorkflowRun = (r: RunRow, workflowName: string): WorkflowRun => ({
  id: r.id,
  organization_id: r.organizationId,
  workflow_id: r.workflowId,
  workflow_name: workflowName,
  incident_id: r.incidentId,
  status: r.status,
  reason: r.reason,
  created_at: iso(r.createdAt),
});

/** AUT-4: workflow definitions per org (name, active) and the runs AUT-3 creates. */
export class WorkflowsService {
  constructor(private readonly d: WorkflowsDeps) {}

  private boundId(orgId: number): number | null {
    return (
      this.d.db
        .select({ id: organizations.majorIncidentWorkflowId })
        .from(organizations)
        .where(eq(organizations.id, orgId))
        .get()?.id ?? null
    );
  }

  private toWorkflow(row: WorkflowRow, boundId: number | null): Workflow {
    return {
      id: row.id,
      organization_id: row.organizationId,
      name: row.name,
      is_active: row.isActive,
      is_major_incident_workflow: row.id === boundId,
      created_at: iso(row.createdAt),
      updated_at: iso(row.updatedAt),
    };
  }

  /** A workflow in an org the actor may see; otherwise it reads as missing (TEN-4). */
  private locate(
    actor: Actor,
    id: number,
    ...perms: Permission[]
  ): { row: WorkflowRow; org: OrgRef } {
    const row = this.d.db.select().from(workflows).where(eq(workflows.id, id)).get();
    return this.d.access.requireInOrg(actor, 'Workflow', id, row, ...perms);
  }

  /** Names are unique per org ignoring case, so the binding dropdown never shows twins. */
  private requireFreeName(orgId: number, name: string, exceptId?: number): void {
    const key = nameKey(name);
    const taken = this.d.db
      .select({ id: workflows.id, name: workflows.name })
      .from(workflows)
      .where(eq(workflows.organizationId, orgId))
      .all()
      .some((w) => w.id !== exceptId && nameKey(w.name) === key);
    if (taken) {
      throw conflict(
        `A workflow named "${name}" already exists in this organization (names are unique ignoring case); choose another name`,
        'name',
      );
    }
  }

  /** Any reader of the org may list its workflows. */
  list(actor: Actor, raw: ListWorkflowsInput): Workflow[] {
    const input = listWorkflowsInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id);
    const where = [eq(workflows.organizationId, org.id)];
    if (input.active_only) where.push(eq(workflows.isActive, true));
    const bound = this.boundId(org.id);
    return this.d.db
      .select()
      .from(workflows)
      .where(and(...where))
      .orderBy(asc(workflows.name), asc(workflows.id))
      .all()
      .map((r) => this.toWorkflow(r, bound));
  }

  get(actor: Actor, id: number): Workflow {
    const { row, org } = this.locate(actor, id);
    return this.toWorkflow(row, this.boundId(org.id));
  }

  create(actor: Actor, raw: CreateWorkflowInput): Workflow {
    const input = createWorkflowInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id, 'organizations.edit');
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      this.requireFreeName(org.id, input.name);
      const row = this.d.db
        .insert(workflows)
        .values({
          organizationId: org.id,
          name: input.name,
          isActive: input.is_active,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'workflow.created',
        targetType: 'workflow',
        targetId: row.id,
        details: { name: row.name, is_active: row.isActive },
      });
      return this.toWorkflow(row, null);
    });
  }

  /**
   * Rename and/or (de)activate. Deactivating the org's bound major-incident workflow clears the
   * binding in the same transaction: an inactive definition must never launch (AUT-3).
   */
  update(actor: Actor, raw: UpdateWorkflowInput): UpdatedWorkflow {
    const { id, patch } = updateWorkflowInput.parse(raw);
    if (patch.name === undefined && patch.is_active === undefined) {
      throw badRequest('Nothing to update: give a new name or is_active');
    }
    const { row: before, org } = this.locate(actor, id, 'organizations.edit');
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      if (patch.name !== undefined) this.requireFreeName(org.id, patch.name, id);
      const row = this.d.db
        .update(workflows)
        .set({
          updatedAt: now,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
        })
        .where(eq(workflows.id, id))
        .returning()
        .get()!;
      const boundBefore = this.boundId(org.id);
      const bindingCleared = !row.isActive && boundBefore === id;
      if (bindingCleared) {
        this.d.db
          .update(organizations)
          .set({ majorIncidentWorkflowId: null, updatedAt: now })
          .where(eq(organizations.id, org.id))
          .run();
        this.d.audit.record(actor, {
          accountId: org.accountId,
          organizationId: org.id,
          action: 'organization.updated',
          targetType: 'organization',
          targetId: org.id,
          details: {
            changes: { major_incident_workflow_id: { from: id, to: null } },
            cause: `workflow ${id} was deactivated`,
          },
        });
      }
      const changes = changesOf(
        { name: before.name, is_active: before.isActive },
        { name: row.name, is_active: row.isActive },
      );
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'workflow.updated',
        targetType: 'workflow',
        targetId: id,
        details: { changes, binding_cleared: bindingCleared },
      });
      return {
        ...this.toWorkflow(row, bindingCleared ? null : boundBefore),
        binding_cleared: bindingCleared,
        message: bindingCleared
          ? `Workflow "${row.name}" was the major-incident workflow of "${org.name}": that binding is now cleared (none), so no workflow launches for major incidents until you bind another`
          : null,
      };
    });
  }

  /** AUT-3 runs of an org, newest first; any reader of the org may list them. */
  runs(actor: Actor, raw: ListRunsInput): Page<WorkflowRun> {
    const input = listRunsInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id);
    const filter = eq(workflowRuns.organizationId, org.id);
    const total = this.d.db.select({ n: count() }).from(workflowRuns).where(filter).get()?.n ?? 0;
    const rows = this.d.db
      .select({ run: workflowRuns, name: workflows.name })
      .from(workflowRuns)
      .innerJoin(workflows, eq(workflows.id, workflowRuns.workflowId))
      .where(filter)
      .orderBy(desc(workflowRuns.createdAt), desc(workflowRuns.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    return { items: rows.map((r) => toWorkflowRun(r.run, r.name)), total };
  }
}
