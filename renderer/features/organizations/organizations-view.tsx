import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useId, useState } from 'react';
import { GuardedButton } from '../../components/guarded-button';
import {
  HeaderCell,
  Pager,
  cellClass,
  urlPage,
  urlSort,
  usePaging,
  type ColumnMeta,
} from '../../components/table-kit';
import { HOST_COUNTS_REFRESH_MS, ORG_SORT_KEYS } from '../../../shared/constants';
import { EmptyState, ErrorState, Skeleton, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount, formatDateTime } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgListItem } from '../../lib/trpc';
import { useSettledDraft, useUrlFilters } from '../../lib/url-state';
import { PlaceLink } from '../../shell/place-link';
import { useShell } from '../../shell/shell-context';
import { BulkBar, selectColumn, useSelection } from '../../components/selection';
import { OrgBadge } from '../../components/org-badge';
import { BulkDeactivateDialog } from './bulk-deactivate-dialog';
import { CreateOrgDialog } from './create-org-dialog';
import {
  ORGANIZATION_FILTERS,
  ORG_SORT_DEFAULT,
  organizationsListInput,
  statusOf,
  type OrgSort,
} from './organizations-query';

const SKELETON_ROWS = 8;
const EMPTY: OrgListItem[] = [];

const column = createColumnHelper<OrgListItem>();

function OpenOrgLink({ org }: { org: OrgListItem }) {
  return (
    <PlaceLink className="link-button cell-name" place={{ orgId: org.id, view: 'overview' }}>
      {org.name}
    </PlaceLink>
  );
}

function Count({ n, tone }: { n: number | undefined; tone?: 'online' | 'offline' | 'stale' }) {
  if (n === undefined) return <span className="num num-zero">—</span>;
  // Zero carries no signal: only non-zero counts get the status colour.
  const cls = n === 0 ? 'num-zero' : tone ? `num-${tone}` : '';
  return <span className={`num ${cls}`}>{formatCount(n)}</span>;
}

const COUNT_SORTS: OrgSort[] = ['online', 'offline', 'stale', 'total'];
/** UI-11: a column's server sort key; counts sort most-first on the first click. */
const sortable = (sortKey: OrgSort, numeric = false): ColumnMeta =>
  numeric ? { numeric, sortKey, firstOrder: 'desc' } : { sortKey };

const columns = [
  selectColumn<OrgListItem>('organization', (o) => o.name),
  column.accessor('name', {
    header: 'Name',
    meta: sortable('name'),
    cell: (c) => (
      <div className="cell-stack cell-stack-badge">
        <span className="cell-name-row">
          <OrgBadge org={c.row.original} />
          <OpenOrgLink org={c.row.original} />
        </span>
        {c.row.original.description ? (
          <span className="cell-sub" title={c.row.original.description}>
            {c.row.original.description}
          </span>
        ) : null}
      </div>
    ),
  }),
  column.accessor('region', {
    header: 'Region',
    meta: sortable('region'),
    cell: (c) => c.getValue() ?? '—',
  }),
  column.accessor('is_active', {
    header: 'Status',
    cell: (c) =>
      c.getValue() ? (
        <span className="tag tag-success">Active</span>
      ) : (
        <span className="tag tag-warning">Deactivated</span>
      ),
  }),
  column.accessor((o) => o.stats?.online, {
    id: 'online',
    header: 'Online',
    meta: sortable('online', true),
    cell: (c) => <Count n={c.getValue()} tone="online" />,
  }),
  column.accessor((o) => o.stats?.offline, {
    id: 'offline',
    header: 'Offline',
    meta: sortable('offline', true),
    cell: (c) => <Count n={c.getValue()} tone="offline" />,
  }),
  column.accessor((o) => o.stats?.stale, {
    id: 'stale',
    header: 'Stale',
    meta: sortable('stale', true),
    cell: (c) => <Count n={c.getValue()} tone="stale" />,
  }),
  column.accessor((o) => o.stats?.total, {
    id: 'total',
    header: 'Hosts',
    meta: sortable('total', true),
    cell: (c) => <Count n={c.getValue()} />,
  }),
];

/** UI-2: server-side pagination, search, region and status filters, host health columns. */
export function OrganizationsView() {
  const trpc = useTRPC();
  const { me, accountPermissions, isAccountAdmin } = useShell();
  const [filters, setFilters] = useUrlFilters(ORGANIZATION_FILTERS);
  const { search, region } = filters;
  const status = statusOf(filters.status);
  const [searchText, setSearchText] = useSettledDraft(
    search,
    (text) => setFilters({ search: text }, { text: 'search' }),
    250,
    (text) => text.trim(),
  );
  // UI-6: a support engineer who picked one granted account sees only its orgs (in the URL).
  const pickedAccount =
    me.is_support_engineer && /^[1-9][0-9]*$/.test(filters.account)
      ? Number(filters.account)
      : null;
  const [creating, setCreating] = useState(false);
  const ids = useId();

  // UI-11: sorted server-side; a new sort, like a new filter, starts again at the first page
  // (both in the URL, UI-10: setFilters leaves the page out unless it is the change).
  const sort = urlSort(filters, ORG_SORT_KEYS, ORG_SORT_DEFAULT, setFilters);
  const paging = usePaging(
    'organizations',
    JSON.stringify([pickedAccount, search, region, status, sort.sort, sort.order]),
    urlPage(filters.page, setFilters),
  );
  const { pageIndex, pageSize } = paging;
  // UI-13: the selection is of the rows on screen; a new page or filter starts it again.
  const selection = useSelection(
    JSON.stringify([search, region, status, sort.sort, sort.order, pageIndex, pageSize]),
  );
  const [deactivating, setDeactivating] = useState<OrgListItem[] | null>(null);

  const list = useQuery({
    ...trpc.organizations.list.queryOptions(organizationsListInput(filters, paging.skip, pageSize)),
    placeholderData: keepPreviousData,
  });

  const total = list.data?.total ?? 0;
  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (o) => String(o.id),
    manualPagination: true,
    rowCount: total,
    state: { pagination: { pageIndex, pageSize }, rowSelection: selection.rowSelection },
    enableRowSelection: true,
    onRowSelectionChange: selection.onRowSelectionChange,
  });
  const selected = table.getSelectedRowModel().rows.map((r) => r.original);
  const deactivateReason = denyReason(me, accountPermissions, 'settings.manage');

  const filtered = Boolean(search || region || status !== 'active');
  // The oldest time the page's kept counts were exact at (only sorts by a count carry one).
  const countsAsOf = (list.data?.items ?? [])
    .map((o) => o.stats?.as_of)
    .filter((t): t is string => Boolean(t))
    .sort()[0];
  const refreshing = list.isFetching && list.isPlaceholderData;

  return (
    <ViewRoot
      view="organizations"
      title={isAccountAdmin ? 'All organizations' : 'Organizations'}
      ready={list.isSuccess && !list.isPlaceholderData}
      subtitle={
        list.data ? `${formatCount(total)} ${total === 1 ? 'organization' : 'organizations'}` : ' '
      }
      actions={[
        {
          id: 'new-organization',
          label: 'New organization',
          shortcut: { key: 'n' },
          variant: 'primary',
          disabledReason: denyReason(me, accountPermissions, 'settings.manage'),
          run: () => setCreating(true),
        },
        {
          id: 'deactivate-selected-organizations',
          label: 'Deactivate selected organizations…',
          placement: 'own',
          disabledReason:
            deactivateReason ??
            (selected.length ? null : 'Select one or more organizations in the table first.'),
          run: () => setDeactivating(selected),
        },
      ]}
    >
      {pickedAccount !== null ? (
        <PickedAccountNotice
          accountId={pickedAccount}
          onShowAll={() => setFilters({ account: '' })}
        />
      ) : null}
      <div className="toolbar" role="search" aria-label="Filter organizations">
        <div className="toolbar-field toolbar-grow">
          <label className="toolbar-label" htmlFor={`${ids}-search`}>
            Search
          </label>
          <input
            id={`${ids}-search`}
            type="search"
            placeholder="Name or description"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
        </div>
        <div className="toolbar-field">
          <label className="toolbar-label" htmlFor={`${ids}-region`}>
            Region
          </label>
          <RegionSelect
            id={`${ids}-region`}
            region={region}
            onChange={(r) => setFilters({ region: r })}
          />
        </div>
        <div className="toolbar-field">
          <label className="toolbar-label" htmlFor={`${ids}-status`}>
            Status
          </label>
          <select
            id={`${ids}-status`}
            value={status}
            onChange={(e) => setFilters({ status: e.target.value })}
          >
            <option value="active">Active</option>
            <option value="deactivated">Deactivated</option>
            <option value="all">All</option>
          </select>
        </div>
      </div>

      <BulkBar
        count={selected.length}
        noun={['organization', 'organizations']}
        onClear={selection.clear}
      >
        <GuardedButton
          variant="danger-outline"
          data-action="deactivate-selected-organizations"
          disabledReason={deactivateReason}
          onClick={() => setDeactivating(selected)}
        >
          Deactivate selected…
        </GuardedButton>
      </BulkBar>
      {list.error ? (
        <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : (
        <div className={`table-wrap${refreshing ? ' is-refreshing' : ''}`}>
          <table className="data-table" aria-busy={list.isFetching} aria-label="Organizations">
            <thead>
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => (
                    <HeaderCell key={h.id} header={h} sort={sort} />
                  ))}
                </tr>
              ))}
            </thead>
            <tbody>
              {list.isPending
                ? Array.from({ length: SKELETON_ROWS }, (_, i) => (
                    <tr key={i} className="skeleton-row" aria-hidden="true">
                      {columns.map((_, j) => (
                        <td key={j}>
                          <Skeleton width={j === 0 ? '60%' : '40%'} />
                        </td>
                      ))}
                    </tr>
                  ))
                : table.getRowModel().rows.map((row) => (
                    <tr key={row.id} className={row.getIsSelected() ? 'is-selected' : undefined}>
                      {row.getVisibleCells().map((cell) => (
                        <td key={cell.id} className={cellClass(cell.column.columnDef.meta)}>
                          {flexRender(cell.column.columnDef.cell, cell.getContext())}
                        </td>
                      ))}
                    </tr>
                  ))}
            </tbody>
          </table>
          {list.isSuccess && total === 0 ? (
            <EmptyState
              title={filtered ? 'No organization matches these filters' : 'No organizations yet'}
            >
              {filtered ? (
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => setFilters({ search: '', region: '', status: 'active' })}
                >
                  Clear filters
                </button>
              ) : (
                <p>Create the first organization to start enrolling agents.</p>
              )}
            </EmptyState>
          ) : null}
        </div>
      )}

      <Pager paging={paging} total={list.data?.total} label="Pages of organizations" />
      {COUNT_SORTS.includes(sort.sort) && countsAsOf ? (
        <p className="field-hint table-note" data-testid="counts-as-of">
          Sorted by host counts kept per organization: a registration, heartbeat or removal counts
          at once; a host that goes quiet is re-counted within {HOST_COUNTS_REFRESH_MS / 1000}{' '}
          seconds. The counts on this page were exact at{' '}
          {new Date(countsAsOf).toLocaleString(undefined, {
            dateStyle: 'medium',
            timeStyle: 'medium',
          })}
          .
        </p>
      ) : null}

      <BulkDeactivateDialog
        orgs={deactivating}
        onClose={() => setDeactivating(null)}
        onDone={() => {
          setDeactivating(null);
          selection.clear();
        }}
      />
      <CreateOrgDialog open={creating} onClose={() => setCreating(false)} />
    </ViewRoot>
  );
}

/**
 * The region filter, with the regions as its options. It asks for them itself: they are the
 * boot's last answer (console load: the table does not wait for them), and when they come in
 * after the first screen, only this select renders again, not the view with its table (that
 * re-render came after the first paint: main-thread work while the user may already act, not
 * part of the load). Until they are in, it offers the region the URL names, if any.
 */
function RegionSelect({
  id,
  region,
  onChange,
}: {
  id: string;
  region: string;
  onChange(region: string): void;
}) {
  const trpc = useTRPC();
  const regions = useQuery(trpc.organizations.regions.queryOptions());
  const options = regions.data ?? (region ? [region] : []);
  return (
    <select id={id} value={region} onChange={(e) => onChange(e.target.value)}>
      <option value="">All regions</option>
      {options.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

/** UI-6: which granted account a support engineer is reading, until when, and the way back. */
function PickedAccountNotice({
  accountId,
  onShowAll,
}: {
  accountId: number;
  onShowAll: () => void;
}) {
  const trpc = useTRPC();
  const mine = useQuery(trpc.supportAccess.myAccess.queryOptions());
  const grant = mine.data?.accounts.find((a) => a.account_id === accountId);
  return (
    <div className="callout callout-info callout-flush" data-testid="picked-account">
      {grant ? (
        <>
          Reading <strong>{grant.account_name}</strong>, view only, until{' '}
          {formatDateTime(grant.expires_at)}.{' '}
        </>
      ) : mine.data ? (
        <>Your access to this account has ended. </>
      ) : (
        <>Reading one customer account. </>
      )}
      <button type="button" className="link-button" onClick={onShowAll}>
        Show every account you can read
      </button>
    </div>
  );
}
