// The ORG-2 SQL of the PostgreSQL organizations repository: main/db/sqlite/repos/
// organizations-sql.ts with PostgreSQL's forms (the trigram search as an escaped LIKE over
// search_text, NULLs placed as SQLite places them).
import { asc, desc, sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { orgSearchTerm } from '../../../../shared/org-search';
import type { OrgSortKey, SortOrder } from '../../../../shared/schemas/organizations.schema';
import { isCountSort } from '../../../features/organizations/organizations.mapper';
import { organizationHostCounts, organizations } from '../schema';
import { byNullable, likeContains } from './sql-helpers';

/** Every column the API shape needs, and none of the secret columns. */
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

/**
 * ORG-2 search: a literal substring of the app-folded `search_text`, as SQLite's FTS5 trigram
 * phrase (3+ characters) and instr() (shorter) both test. Here one escaped LIKE for every length:
 * the pg_trgm GIN index narrows it from three characters on, and the LIKE recheck keeps it exact.
 */
export function searchCondition(search: string): SQL {
  return sql`${organizations.searchText} LIKE ${likeContains(orgSearchTerm(search))} ESCAPE '\\'`;
}

const COUNT_KEYS = {
  online: organizationHostCounts.online,
  offline: organizationHostCounts.offline,
  stale: organizationHostCounts.stale,
  total: organizationHostCounts.hosts,
} as const;

export interface SortPlan {
  from: SQL;
  id: PgColumn;
  accountId: PgColumn;
  isActive: PgColumn;
  region: PgColumn;
  orderBy: SQL[];
}

const by = (column: PgColumn | SQL, descending: boolean) =>
  descending ? desc(column) : asc(column);

/** ORG-2 sort, as on SQLite (see orgSortPlan there); region is nullable: NULLs as SQLite. */
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
    : {
        ...cols,
        orderBy: [byNullable(o.region, down), by(o.nameKey, reversed), by(o.id, reversed)],
      };
}

/** The sort key of a search match, and the join it needs (the kept counts for a count sort). */
export function searchSortKey(sort: OrgSortKey): { key: SQL; join: SQL; nullable: boolean } {
  if (isCountSort(sort)) {
    return {
      key: sql`${COUNT_KEYS[sort]}`,
      join: sql` JOIN ${organizationHostCounts} ON ${organizationHostCounts.organizationId} = ${organizations.id}`,
      nullable: false,
    };
  }
  return sort === 'name'
    ? { key: sql`${organizations.nameKey}`, join: sql``, nullable: false }
    : { key: sql`${organizations.region}`, join: sql``, nullable: true };
}
