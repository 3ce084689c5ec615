// The ORG-2 SQL of the SQLite organizations repository (moved from organizations.mapper.ts, issue
// 14): the columns read, the trigram search, the index walked per sort.
import { asc, desc, sql, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { orgSearchTerm } from '../../../../shared/org-search';
import type { OrgSortKey, SortOrder } from '../../../../shared/schemas/organizations.schema';
import { isCountSort } from '../../../features/organizations/organizations.mapper';
import { organizationHostCounts, organizations } from '../../schema';

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

/** The host-count sort keys, and the organization_host_counts column each reads. */
const COUNT_KEYS = {
  online: organizationHostCounts.online,
  offline: organizationHostCounts.offline,
  stale: organizationHostCounts.stale,
  total: organizationHostCounts.hosts,
} as const;

/** Where an ORG-2 page without a search reads its ids from, in order. */
export interface SortPlan {
  from: SQL;
  /** The columns the scope and the filters are tested on, in that table. */
  id: SQLiteColumn;
  accountId: SQLiteColumn;
  isActive: SQLiteColumn;
  region: SQLiteColumn;
  orderBy: SQL[];
}

const by = (column: SQLiteColumn | SQL, descending: boolean) =>
  descending ? desc(column) : asc(column);

/**
 * ORG-2 sort: the order of `sort` in `order`, ties by name then id ascending (sorting by name
 * itself reverses all of it). `reversed` gives the exact opposite order, which the service walks
 * for a deep skip (from the end): each order is one index walked forward or backward, and a
 * mixed direction (a key descending, its name ties ascending) has an index of its own (schema.ts).
 * Host counts are read from organization_host_counts, where the org's scope, filter and name
 * columns are copied beside them.
 */
export function orgSortPlan(sort: OrgSortKey, order: SortOrder, reversed = false): SortPlan {
  const down = (order === 'desc') !== reversed;
  if (isCountSort(sort)) {
    const c = organizationHostCounts;
    return {
      from: sql`${c}`,
      id: c.organizationId,
      accountId: c.accountId,
      isActive: c.isActive,
      region: c.region,
      orderBy: [
        by(COUNT_KEYS[sort], down),
        by(c.nameKey, reversed),
        by(c.organizationId, reversed),
      ],
    };
  }
  const o = organizations;
  const cols = {
    from: sql`${o}`,
    id: o.id,
    accountId: o.accountId,
    isActive: o.isActive,
    region: o.region,
  };
  return sort === 'name'
    ? { ...cols, orderBy: [by(o.nameKey, down), by(o.id, down)] }
    : { ...cols, orderBy: [by(o.region, down), by(o.nameKey, reversed), by(o.id, reversed)] };
}

/**
 * The sort key of a search match (the matches are few enough to sort): from the narrow
 * organizations_id_scope_idx for name and region, from the kept counts (joined) for the rest.
 */
export function searchSortKey(sort: OrgSortKey): { key: SQL; join: SQL } {
  if (isCountSort(sort)) {
    return {
      key: sql`${COUNT_KEYS[sort]}`,
      join: sql` JOIN ${organizationHostCounts} ON ${organizationHostCounts.organizationId} = ${organizations.id}`,
    };
  }
  return {
    key: sort === 'name' ? sql`${organizations.nameKey}` : sql`${organizations.region}`,
    join: sql``,
  };
}
