import type { Organization } from '../../../shared/schemas/organizations.schema';
import type { Page } from '../../../shared/schemas/common.schema';
import { isCountSort, keptStats, toOrganization } from './organizations.mapper';
import type { OrganizationsRepo, OrgPage, OrgPageQuery } from './organizations.repo';

/** One ORG-2 page as asked, after the access scope was decided (plain data: a read job's input). */
export interface OrgPageRequest extends Omit<OrgPageQuery, 'keptCounts' | 'liveStatsAt'> {
  includeStats: boolean;
  now: number;
}

/**
 * What the repository is asked for a request. Sorted by a host count, the stats are the kept
 * counts the page was sorted by, with the time they were exact (host-status-counts.ts);
 * otherwise they are counted live for the page, by the same read.
 */
export function orgPageQuery(req: OrgPageRequest): OrgPageQuery {
  const { includeStats, now, ...query } = req;
  const kept = isCountSort(query.sort) && includeStats;
  return { ...query, keptCounts: kept, liveStatsAt: includeStats && !kept ? now : null };
}

/** The repository's page as the API's. */
export function toOrgPage(page: OrgPage, req: OrgPageRequest): Page<Organization> {
  const query = orgPageQuery(req);
  const stats = !req.includeStats
    ? null
    : query.keptCounts
      ? new Map(page.counts.map((c) => [c.id, keptStats(c, req.now)]))
      : page.liveStats;
  return {
    items: page.rows.map((o) => toOrganization(o, stats?.get(o.id))),
    total: page.total,
  };
}

/**
 * ORG-2's page and its stats from the organizations repository: on the event loop inside the
 * list's read transaction, or for a large page on a read worker over its own connection
 * (main/workers/read-jobs.ts), so both answer alike.
 */
export async function readOrgPage(
  orgs: Pick<OrganizationsRepo, 'page'>,
  req: OrgPageRequest,
): Promise<Page<Organization>> {
  return toOrgPage(await orgs.page(orgPageQuery(req)), req);
}
