import type { HostStats, Organization } from '../../../shared/schemas/organizations.schema';
import type { Page } from '../../../shared/schemas/common.schema';
import { isCountSort, keptStats, toOrganization } from './organizations.mapper';
import type { OrganizationsRepo, OrgPageQuery } from './organizations.repo';

/** One ORG-2 page as asked, after the access scope was decided (plain data: a read job's input). */
export interface OrgPageRequest extends Omit<OrgPageQuery, 'keptCounts'> {
  includeStats: boolean;
  now: number;
}

/**
 * ORG-2's page and its stats from the organizations repository: on the event loop inside the
 * list's read transaction, or for a large page on a read worker over its own connection
 * (main/workers/read-jobs.ts), so both answer alike. Sorted by a host count, the stats are the
 * kept counts the page was sorted by, with the time they were exact (host-status-counts.ts);
 * otherwise they are counted live for the page.
 */
export async function readOrgPage(
  orgs: Pick<OrganizationsRepo, 'page' | 'hostStats'>,
  req: OrgPageRequest,
): Promise<Page<Organization>> {
  const { includeStats, now, ...query } = req;
  const kept = isCountSort(query.sort) && includeStats;
  const page = await orgs.page({ ...query, keptCounts: kept });
  const stats: Map<number, HostStats> | null = !includeStats
    ? null
    : kept
      ? new Map(page.counts.map((c) => [c.id, keptStats(c, now)]))
      : await orgs.hostStats(
          page.rows.map((o) => o.id),
          now,
        );
  return {
    items: page.rows.map((o) => toOrganization(o, stats?.get(o.id))),
    total: page.total,
  };
}
