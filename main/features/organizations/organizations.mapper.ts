import { iso } from '../../core/clock';
import { orgSearchText } from '../../../shared/org-search';
import type {
  HostStats,
  Organization,
  OrgSortKey,
} from '../../../shared/schemas/organizations.schema';
import type { KeptCounts, OrgRow } from './organizations.repo';

export type { KeptCounts, OrgRow } from './organizations.repo';

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

/** The stored search_text of an org: the same text the console's switcher filters on. */
export const searchText = orgSearchText;

/** The host-count sort keys (read from the kept counts, organization_host_counts). */
const COUNT_SORTS = new Set<OrgSortKey>(['online', 'offline', 'stale', 'total']);

export const isCountSort = (sort: OrgSortKey): sort is 'online' | 'offline' | 'stale' | 'total' =>
  COUNT_SORTS.has(sort);

/**
 * The kept counts as API stats, with the latest time they were exact: they are the statuses at
 * `as_of`, unchanged until `next_change_at` (exclusive), so exact now unless a re-count is due.
 */
export function keptStats(c: KeptCounts, now: number): HostStats {
  const until = c.next_change_at === null ? now : Math.min(now, c.next_change_at - 1);
  return {
    online: c.online,
    offline: c.offline,
    stale: c.stale,
    total: c.hosts,
    as_of: iso(Math.max(c.as_of, until)),
  };
}
