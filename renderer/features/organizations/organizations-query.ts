// The organizations table's filters and its list query (UI-2, UI-10), apart from the view so the
// shell can ask for the first page at boot, beside the caller's own first call, without loading
// the view's code first. Both build the input here, so the boot answer is the view's query.
import type { Search } from '../../../shared/console-places';
import { ORG_SORT_KEYS } from '../../../shared/constants';
import { PAGE_SIZES } from '../../components/page-sizes';
import type { RouterInputs } from '../../lib/trpc';
import { usePrefsStore } from '../../stores/prefs-store';

/** e.g. /organizations?search=acme&status=all&sort=online&order=desc&page=2; a filter at its default stays out. */
export const ORGANIZATION_FILTERS = {
  search: '',
  region: '',
  status: 'active',
  sort: 'name',
  order: 'asc',
  page: '1',
  /** UI-6: the one granted account a support engineer picked ('' for every one). */
  account: '',
};

export type OrgSort = (typeof ORG_SORT_KEYS)[number];
/** UI-11: the default order of the table (ORG-2's own default). */
export const ORG_SORT_DEFAULT = { sort: 'name', order: 'asc' } as const satisfies {
  sort: OrgSort;
  order: 'asc' | 'desc';
};

/** The sort a URL asks for; an unknown one is the default. */
export function orgSortOf(f: { sort: string; order: string }): {
  sort: OrgSort;
  order: 'asc' | 'desc';
} {
  const sort = (ORG_SORT_KEYS as readonly string[]).includes(f.sort)
    ? (f.sort as OrgSort)
    : ORG_SORT_DEFAULT.sort;
  const order = f.order === 'asc' || f.order === 'desc' ? f.order : ORG_SORT_DEFAULT.order;
  return { sort, order };
}

export type StatusFilter = 'active' | 'deactivated' | 'all';
const STATUSES: readonly string[] = ['active', 'deactivated', 'all'] satisfies StatusFilter[];

export const statusOf = (value: string): StatusFilter =>
  (STATUSES.includes(value) ? value : 'active') as StatusFilter;

export function organizationsListInput(
  f: {
    search: string;
    region: string;
    status: string;
    sort: string;
    order: string;
    account?: string;
  },
  skip: number,
  limit: number,
): RouterInputs['organizations']['list'] {
  const status = statusOf(f.status);
  return {
    // Narrows only: the server answers an account without a grant as an empty page.
    ...(f.account && /^[1-9][0-9]*$/.test(f.account) ? { account_id: Number(f.account) } : {}),
    skip,
    limit,
    search: f.search || null,
    region: f.region || null,
    active_only: status === 'active',
    is_active: status === 'all' ? null : status === 'active',
    include_stats: true,
    ...orgSortOf(f),
  };
}

/** The first page's input for the filters in `search`, as the view will ask for it. */
export function bootListInput(search: Search): RouterInputs['organizations']['list'] {
  const f = { ...ORGANIZATION_FILTERS, ...search };
  const pageSize = usePrefsStore.getState().tables.organizations?.pageSize ?? PAGE_SIZES[0];
  const page = Math.max(0, (Number.parseInt(f.page, 10) || 1) - 1);
  return organizationsListInput(f, page * pageSize, pageSize);
}
