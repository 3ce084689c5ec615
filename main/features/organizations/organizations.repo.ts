// Port (issue 14): what OrganizationsService reads and writes (ORG-1..5, UI-13), domain-shaped so
// each engine writes its best SQL behind it. SQLite: main/db/sqlite/repos/organizations.ts.
import type { ActorFactRows, ActorFactsQuery } from '../../core/access.repo';
import type { OrganizationRow } from '../../domain/rows';
import type {
  HostStats,
  OrgSortKey,
  SortOrder,
} from '../../../shared/schemas/organizations.schema';

/** Every column the API shape needs, and none of the secret columns: they never leave the repo. */
export type OrgRow = Pick<
  OrganizationRow,
  | 'id'
  | 'accountId'
  | 'name'
  | 'description'
  | 'region'
  | 'isActive'
  | 'automationLevel'
  | 'killSwitch'
  | 'majorIncidentWorkflowId'
  | 'recordingPolicy'
  | 'recordingRetentionDays'
  | 'legalHold'
  | 'legalHoldReason'
  | 'createdAt'
  | 'updatedAt'
>;

/** What the caller may read (TEN-4, TEN-5) and the ORG-2 filters. */
export interface OrgFilter {
  /** Accounts whose every org is visible. */
  accountIds: number[];
  /** Further orgs visible through org-scoped roles. */
  orgIds: number[];
  active: boolean | null;
  region: string | null;
}

export interface OrgPageQuery extends OrgFilter {
  /** ORG-2: a literal substring of the folded name and description; null for none. */
  search: string | null;
  sort: OrgSortKey;
  order: SortOrder;
  skip: number;
  limit: number;
  /** Sorted by a host count: also answer the kept counts the page was sorted by. */
  keptCounts: boolean;
  /** Not with keptCounts: also answer the page's live host stats at this time (hostStats). */
  liveStatsAt: number | null;
}

/** A row of the kept host counts (organization_host_counts), as a page sorted by a count reads it. */
export interface KeptCounts {
  id: number;
  hosts: number;
  online: number;
  offline: number;
  stale: number;
  as_of: number;
  next_change_at: number | null;
}

export interface OrgPage {
  total: number;
  /** The page's rows, in the page's order. */
  rows: OrgRow[];
  /** Only when asked (`keptCounts`): by org id. */
  counts: KeptCounts[];
  /** Only when asked (`liveStatsAt`): hostStats of the page's orgs. */
  liveStats: Map<number, HostStats>;
}

/** pageFor's answer: the facts the page's scope must be decided from, and the page. */
export interface OrgPageWithFacts {
  /** null when no facts were asked (the system actor). */
  facts: ActorFactRows | null;
  /** null when no page was asked. */
  page: OrgPage | null;
}

export interface NewOrganization {
  accountId: number;
  name: string;
  nameKey: string;
  description: string | null;
  searchText: string;
  region: string | null;
  secretDigest: string;
  createdAt: number;
}

/** The ORG-4 fields a PATCH may set (the repo keeps updatedAt). */
export type OrgChanges = Partial<
  Pick<
    OrganizationRow,
    | 'name'
    | 'nameKey'
    | 'description'
    | 'searchText'
    | 'region'
    | 'isActive'
    | 'automationLevel'
    | 'killSwitch'
    | 'majorIncidentWorkflowId'
    | 'recordingPolicy'
    | 'recordingRetentionDays'
    | 'legalHold'
    | 'legalHoldReason'
  >
>;

/**
 * Name clashes (one name per account, ignoring case) surface as the engine's unique violation;
 * the service maps it with isUniqueViolation (main/core/names.ts), which each adapter's errors
 * must satisfy.
 */
export interface OrganizationsRepo {
  /**
   * The org, read inside the caller's transaction. `forUpdate`: the row is about to be changed
   * from what was read (a no-op on SQLite, whose write transaction already excludes others;
   * `FOR UPDATE` on PG, issue 14 item 3).
   */
  byId(id: number, opts?: { forUpdate?: boolean }): Promise<OrgRow | undefined>;
  /** ORG-2: the total and one page, placed from the total in the same snapshot. */
  page(q: OrgPageQuery): Promise<OrgPage>;
  /**
   * ORG-2 in one snapshot with the caller's access facts (AccessRepo.facts), the page read under
   * a scope the caller guessed: the caller decides the scope from these facts and keeps the page
   * only if it was read under that scope. One statement on PostgreSQL, so a read of its own
   * (UnitOfWork.readOne) answers the whole page in one round trip.
   */
  pageFor(access: ActorFactsQuery | null, q: OrgPageQuery | null): Promise<OrgPageWithFacts>;
  /** ORG-3: the distinct regions visible under the filter (scope only), sorted. */
  regions(scope: Pick<OrgFilter, 'accountIds' | 'orgIds'>): Promise<string[]>;
  /** Live host health per org at `now` (AGT-3 statuses). */
  hostStats(orgIds: number[], now: number): Promise<Map<number, HostStats>>;
  /**
   * ORG-1: the org with its sealed secret. The ciphertext's AAD names the org id, so `seal` is
   * given the id once it is known.
   */
  insert(values: NewOrganization, seal: (orgId: number) => Buffer): Promise<OrgRow>;
  /** ORG-1: every org is born with its Default location; its id. */
  insertDefaultLocation(orgId: number, now: number): Promise<number>;
  /** ORG-4: the row after the change; undefined if the org is gone. */
  update(id: number, changes: OrgChanges, now: number): Promise<OrgRow | undefined>;
  /** AUT-3: whether the workflow belongs to the org, and whether it is active. */
  workflowOf(orgId: number, workflowId: number): Promise<{ isActive: boolean } | undefined>;
  /** ORG-5 hard delete refuses while hosts remain. */
  hostCount(orgId: number): Promise<number>;
  deleteHard(id: number): Promise<void>;
}
