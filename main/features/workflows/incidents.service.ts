import { and, count, desc, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { DomainError } from '../../core/errors';
import type { Db } from '../../db/database';
import { hosts, incidents, organizations, workflowRuns, workflows } from '../../db/schema';
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
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

type IncidentRow = typeof incidents.$inferSelect;

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

/** AUT-3: incident intake; a major incident launches the org's bound workflow. */
export class IncidentsService {
  constructor(private readonly d: IncidentsDeps) {}

  /** Every affected host must be a host of this org; the first one that is not is named. */
  private requireOwnHosts(orgId: number, ids: number[]): void {
    if (ids.length === 0) return;
    const found = new Set(
      this.d.db
        .select({ id: hosts.id })
        .from(hosts)
        .where(and(eq(hosts.organizationId, orgId), inArray(hosts.id, ids)))
        .all()
        .map((h) => h.id),
    );
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new DomainError(
        'NOT_FOUND',
        `Host ${missing} not found in this organization`,
        'affected_host_ids',
      );
    }
  }

  report(actor: Actor, raw: ReportIncidentInput): ReportedIncident {
    const input = reportIncidentInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id, 'incidents.report');
    // The same host named twice counts once: "3 distinct affected hosts".
    const distinct = [...new Set(input.affected_host_ids)];
    this.requireOwnHosts(org.id, distinct);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const incident = this.d.db
        .insert(incidents)
        .values({
          organizationId: org.id,
          priority: input.priority,
          title: input.title ?? `${input.priority} incident`,
          affectedHostIds: JSON.stringify(distinct),
          reportedByUserId: actor.via === 'system' ? null : actor.userId,
          createdAt: now,
        })
        .returning()
        .get();
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'incident.reported',
        targetType: 'incident',
        targetId: incident.id,
        details: { priority: input.priority, affected_hosts: distinct.length },
      });
      // Read inside the transaction: the level, kill switch and binding as of this very moment.
      const settings = this.d.db
        .select({
          level: organizations.automationLevel,
          killSwitch: organizations.killSwitch,
          workflowId: organizations.majorIncidentWorkflowId,
        })
        .from(organizations)
        .where(eq(organizations.id, org.id))
        .get()!;
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
      const workflow = this.d.db
        .select()
        .from(workflows)
        .where(and(eq(workflows.id, settings.workflowId), eq(workflows.organizationId, org.id)))
        .get();
      if (!workflow?.isActive) {
        return noRun(`The bound workflow ${settings.workflowId} is not an active workflow`);
      }
      const decision = decide(settings.level, settings.killSwitch, 'workflow');
      const run = this.d.db
        .insert(workflowRuns)
        .values({
          organizationId: org.id,
          workflowId: workflow.id,
          incidentId: incident.id,
          status: RUN_STATUS[decision],
          reason:
            decision === 'blocked_by_kill_switch'
              ? 'Suppressed: the kill switch is on, so nothing runs automatically; recorded for the record only'
              : explainDecision(settings.level, settings.killSwitch, 'workflow'),
          createdAt: now,
        })
        .returning()
        .get();
      this.d.audit.record(actor, {
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

  list(actor: Actor, raw: z.input<typeof listIncidentsInput>): Page<Incident> {
    const input = listIncidentsInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id);
    const filter = eq(incidents.organizationId, org.id);
    const total = this.d.db.select({ n: count() }).from(incidents).where(filter).get()?.n ?? 0;
    const rows = this.d.db
      .select()
      .from(incidents)
      .where(filter)
      .orderBy(desc(incidents.createdAt), desc(incidents.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    return { items: rows.map(toIncident), total };
  }
}
