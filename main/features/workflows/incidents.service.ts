import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { IncidentRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import { decide, explainDecision } from '../../../shared/automation';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  MAJOR_INCIDENT_MIN_HOSTS,
  listIncidentsInput,
  reportIncidentInput,
  type Incident,
  type ReportIncidentInput,
  type ReportedIncident,
  type WorkflowRunStatus,
} from '../../../shared/schemas/workflows.schema';
import { toWorkflowRun } from './workflows.service';

export interface IncidentsDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

const toIncident = (r: IncidentRow): Incident => ({
  id: r.id,
  organization_id: r.organizationId,
  priority: r.priority,
  title: r.title,
  affected_host_ids: JSON.parse(r.affectedHostIds) as number[],
  reported_by_user_id: r.reportedByUserId,
  created_at: iso(r.createdAt),
});

/** The AUT-1 decision for kind "workflow", as the status a run is recorded with. */
const RUN_STATUS = {
  run: 'running',
  wait_for_approval: 'awaiting_approval',
  blocked_by_kill_switch: 'suppressed',
} as const satisfies Record<ReturnType<typeof decide>, WorkflowRunStatus>;

/**
 * AUT-3: incident intake; a major incident launches the org's bound workflow. One unit of work
 * per use case: the access check, the hosts check, the incident, the launch decision, the run and
 * their audit entries in one transaction (issue 14).
 */
export class IncidentsService {
  constructor(private readonly d: IncidentsDeps) {}

  /** Every affected host must be a host of this org; the first one that is not is named. */
  private async requireOwnHosts(r: Repos, orgId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    const found = new Set(await r.workflows.hostsOfOrg(orgId, ids));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new DomainError(
        'NOT_FOUND',
        `Host ${missing} not found in this organization`,
        'affected_host_ids',
      );
    }
  }

  async report(actor: Actor, raw: ReportIncidentInput): Promise<ReportedIncident> {
    const input = reportIncidentInput.parse(raw);
    // The same host named twice counts once: "3 distinct affected hosts".
    const distinct = [...new Set(input.affected_host_ids)];
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const org = await this.d.access.requireOrg(
        r,
        actor,
        input.organization_id,
        'incidents.report',
      );
      await this.requireOwnHosts(r, org.id, distinct);
      const incident = await r.workflows.insertIncident({
        organizationId: org.id,
        priority: input.priority,
        title: input.title ?? `${input.priority} incident`,
        affectedHostIds: JSON.stringify(distinct),
        reportedByUserId: actor.via === 'system' ? null : actor.userId,
        createdAt: now,
      });
      await r.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'incident.reported',
        targetType: 'incident',
        targetId: incident.id,
        details: { priority: input.priority, affected_hosts: distinct.length },
      });
      // Read inside the transaction: the level, kill switch and binding as of this very moment.
      const found = (await r.workflows.incidentSettings(org.id))!;
      const settings = {
        level: found.automationLevel,
        killSwitch: found.killSwitch,
        workflowId: found.majorIncidentWorkflowId,
      };
      const noRun = (reason: string): ReportedIncident => ({
        incident: toIncident(incident),
        workflow_run: null,
        no_run_reason: reason,
      });
      if (input.priority !== 'P1') {
        return noRun(
          `Only a P1 incident launches the major-incident workflow; this one is ${input.priority}`,
        );
      }
      if (distinct.length < MAJOR_INCIDENT_MIN_HOSTS) {
        return noRun(
          `A P1 launches the major-incident workflow from ${MAJOR_INCIDENT_MIN_HOSTS} distinct affected hosts; this one names ${distinct.length}`,
        );
      }
      if (settings.workflowId === null) {
        return noRun('No major-incident workflow is bound to this organization');
      }
      const workflow = await r.workflows.workflowInOrg(org.id, settings.workflowId);
      if (!workflow?.isActive) {
        return noRun(`The bound workflow ${settings.workflowId} is not an active workflow`);
      }
      const decision = decide(settings.level, settings.killSwitch, 'workflow');
      const run = await r.workflows.insertRun({
        organizationId: org.id,
        workflowId: workflow.id,
        incidentId: incident.id,
        status: RUN_STATUS[decision],
        reason:
          decision === 'blocked_by_kill_switch'
            ? 'Suppressed: the kill switch is on, so nothing runs automatically; recorded for the record only'
            : explainDecision(settings.level, settings.killSwitch, 'workflow'),
        createdAt: now,
      });
      await r.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'workflow_run.created',
        targetType: 'workflow_run',
        targetId: run.id,
        details: {
          workflow_id: workflow.id,
          incident_id: incident.id,
          status: run.status,
          automation_level: settings.level,
          kill_switch: settings.killSwitch,
        },
      });
      return {
        incident: toIncident(incident),
        workflow_run: toWorkflowRun(run, workflow.name),
        no_run_reason: null,
      };
    });
  }

  async list(actor: Actor, raw: z.input<typeof listIncidentsInput>): Promise<Page<Incident>> {
    const input = listIncidentsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      const { total, rows } = await r.workflows.incidentsPage(org.id, input.skip, input.limit);
      return { items: rows.map(toIncident), total };
    });
  }
}
