// The hosts table's list query (UI-7), apart from the view so the org switcher can ask for the
// page an org opens on while its name is highlighted, without loading the view's code: both
// build the input here, so the switcher's answer is the very query the view then reads.
import { PAGE_SIZES } from '../../components/page-sizes';
import type { RouterInputs } from '../../lib/trpc';
import { usePrefsStore } from '../../stores/prefs-store';

/** The order of the table when the URL names none. */
export const HOST_SORT_DEFAULT = { sort: 'hostname', order: 'asc' } as const;

export type HostsListInput = RouterInputs['hosts']['list'];

export function hostsListInput(
  orgId: number,
  f: Omit<HostsListInput, 'organization_id'>,
): HostsListInput {
  return {
    organization_id: orgId,
    location_id: f.location_id,
    status: f.status,
    search: f.search,
    sort: f.sort,
    order: f.order,
    skip: f.skip,
    limit: f.limit,
  };
}

/** The first page of an org just opened: a switch carries no filters (navigation.openOrg). */
export function openingHostsInput(orgId: number): HostsListInput {
  return hostsListInput(orgId, {
    location_id: null,
    status: null,
    search: null,
    ...HOST_SORT_DEFAULT,
    skip: 0,
    limit: usePrefsStore.getState().tables.hosts?.pageSize ?? PAGE_SIZES[0],
  });
}
