import type { AccessService, OrgRef } from '../../core/access';
import type { Actor } from '../../core/actor';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict } from '../../core/errors';
import { nameKey } from '../../core/names';
import type { WorkflowRow, WorkflowRunRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
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
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

export const toWorkflowRun = (r: WorkflowRunRow, workflowName: string): WorkflowRun => ({
  id: r.id,
  organization_id: r.organizationId,
  workflow_id: r.workflowId,
  workflow_name: workflowName,
  incident_id: r.incidentId,
  status: r.status,
  reason: r.reason,
  created_at: iso(r.createdAt),
});

/**
 * AUT-4: workflow definitions per org (name, active) and the runs AUT-3 creates. Every use case
 * is one unit of work with its access check inside (issue 14).
 */
export class WorkflowsService {
  constructor(private readonly d: WorkflowsDeps) {}

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
  private async locate(
    r: Repos,
    actor: Actor,
    id: number,
    opts: { forUpdate?: boolean },
    ...perms: Permission[]
  ): Promise<{ row: WorkflowRow; org: OrgRef }> {
    const row = await r.workflows.byId(id, opts);
    return this.d.access.requireInOrg(r, actor, 'Workflow', id, row, ...perms);
  }

  /** Names are unique per org ignoring case, so the binding dropdown never shows twins. */
  private async requireFreeName(
    r: Repos,
    orgId: number,
    name: string,
    exceptId?: number,
  ): Promise<void> {
    const key = nameKey(name);
    const taken = (await r.workflows.namesOfOrg(orgId)).some(
      (w) => w.id !== exceptId && nameKey(w.name) === key,
    );
    if (taken) {
      throw conflict(
        `A workflow named "${name}" already exists in this organization (names are unique ignoring case); choose another name`,
        'name',
      );
    }
  }

  /** Any reader of the org may list its workflows. */
  async list(actor: Actor, raw: ListWorkflowsInput): Promise<Workflow[]> {
    const input = listWorkflowsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      const bound = await r.workflows.boundId(org.id);
      const rows = await r.workflows.ofOrg(org.id, input.active_only);
      return rows.map((w) => this.toWorkflow(w, bound));
    });
  }

  async get(actor: Actor, id: number): Promise<Workflow> {
    return this.d.uow.read(async (r) => {
      const { row, org } = await this.locate(r, actor, id, {});
      return this.toWorkflow(row, await r.workflows.boundId(org.id));
    });
  }

  async create(actor: Actor, raw: CreateWorkflowInput): Promise<Workflow> {
    const input = createWorkflowInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const org = await this.d.access.requireOrg(
        r,
        actor,
        input.organization_id,
        'organizations.edit',
      );
      await this.requireFreeName(r, org.id, input.name);
      const row = await r.workflows.insert({
        organizationId: org.id,
        name: input.name,
        isActive: input.is_active,
        createdAt: now,
        updatedAt: now,
      });
      await r.audit.record(actor, {
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
   * binding in the same transaction: an inactive definition must never launch (AUT-3). The
   * "before" row and the access check are read in that transaction too.
   */
  async update(actor: Actor, raw: UpdateWorkflowInput): Promise<UpdatedWorkflow> {
    const { id, patch } = updateWorkflowInput.parse(raw);
    if (patch.name === undefined && patch.is_active === undefined) {
      throw badRequest('Nothing to update: give a new name or is_active');
    }
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const { row: before, org } = await this.locate(
        r,
        actor,
        id,
        { forUpdate: true },
        'organizations.edit',
      );
      if (patch.name !== undefined) await this.requireFreeName(r, org.id, patch.name, id);
      const row = (await r.workflows.update(
        id,
        {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
        },
        now,
      ))!;
      const boundBefore = await r.workflows.boundId(org.id);
      const bindingCleared = !row.isActive && boundBefore === id;
      if (bindingCleared) {
        await r.workflows.clearBinding(org.id, now);
        await r.audit.record(actor, {
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
      await r.audit.record(actor, {
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
  async runs(actor: Actor, raw: ListRunsInput): Promise<Page<WorkflowRun>> {
    const input = listRunsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      const { total, rows } = await r.workflows.runsPage(org.id, input.skip, input.limit);
      return { items: rows.map((x) => toWorkflowRun(x.run, x.name)), total };
    });
  }
}
