import { iso } from '../../core/clock';
import type { organizations } from '../../db/schema';
import type { HostStats, Organization } from '../../../shared/schemas/organizations.schema';

export type OrgRow = typeof organizations.$inferSelect;

/** The API shape of an org: the same snake_case names PATCH takes, and never the secret. */
export function toOrganization(row: OrgRow, stats?: HostStats): Organization {
  return {
    id: row.id,
    account_id: row.accountId,
    name: row.name,
    description: row.description,
    region: row.region,
    is_active: row.isActive,
    automation_level: row.automationLevel,
    kill_switch: row.killSwitch,
    major_incident_workflow_id: row.majorIncidentWorkflowId,
    recording_policy: row.recordingPolicy,
    recording_retention_days: row.recordingRetentionDays,
    legal_hold: row.legalHold,
    legal_hold_reason: row.legalHoldReason,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    ...(stats ? { stats } : {}),
  };
}

export const searchText = (name: string, description: string | null | undefined): string =>
  `${name}\n${description ?? ''}`.toLocaleLowerCase('en-US');
