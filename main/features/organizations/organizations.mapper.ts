import { sql, type SQL } from 'drizzle-orm';
import { iso } from '../../core/clock';
import { organizations } from '../../db/schema';
import { orgSearchTerm, orgSearchText } from '../../../shared/org-search';
import type { HostStats, Organization } from '../../../shared/schemas/organizations.schema';

/** Every column the API shape needs, and none of the secret columns: they never leave the service. */
export const orgColumns = {
  id: organizations.id,
  accountId: organizations.accountId,
  name: organizations.name,
  description: organizations.description,
  region: organizations.region,
  isActive: organizations.isActive,
  automationLevel: organizations.automationLevel,
  killSwitch: organizations.killSwitch,
  majorIncidentWorkflowId: organizations.majorIncidentWorkflowId,
  recordingPolicy: organizations.recordingPolicy,
  recordingRetentionDays: organizations.recordingRetentionDays,
  legalHold: organizations.legalHold,
  legalHoldReason: organizations.legalHoldReason,
  createdAt: organizations.createdAt,
  updatedAt: organizations.updatedAt,
};

export type OrgRow = Pick<typeof organizations.$inferSelect, keyof typeof orgColumns>;

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

/** Where an ORG-2 search reads its matches from, and the condition that picks them. */
export interface SearchPlan {
  from: SQL;
  where: SQL;
}

/**
 * ORG-2 search as SQL: a literal substring of `search_text` (% and _ mean themselves). From three
 * characters on, the trigram index answers alone: it is case-sensitive over text and term that are
 * both case- and accent-folded by the same function (shared/org-search.ts), so a phrase of the term's trigrams matches exactly where the term occurs
 * (migration 0006). Its matches are joined to the orgs (an IN list would first copy them all into
 * a temporary index). Shorter terms have no trigram to look up and are tested with instr().
 */
export function searchPlan(search: string): SearchPlan {
  const term = orgSearchTerm(search);
  if ([...term].length < 3)
    return {
      from: sql`${organizations}`,
      where: sql`instr(${organizations.searchText}, ${term}) > 0`,
    };
  const phrase = `"${term.replace(/"/g, '""')}"`;
  return {
    from: sql`organizations_search JOIN ${organizations} ON ${organizations.id} = organizations_search.rowid`,
    where: sql`organizations_search MATCH ${phrase}`,
  };
}
