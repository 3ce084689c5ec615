import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useId, useState } from 'react';
import { Pager, urlPage, usePaging } from '../../components/table-kit';
import { EmptyState, ErrorState, Skeleton, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgListItem } from '../../lib/trpc';
import { useSettledDraft, useUrlFilters } from '../../lib/url-state';
import { PlaceLink } from '../../shell/place-link';
import { useShell } from '../../shell/shell-context';
import { CreateOrgDialog } from './create-org-dialog';
import { ORGANIZATION_FILTERS, organizationsListInput, statusOf } from './organizations-query';

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

const columns = [
  column.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <div className="cell-stack">
        <OpenOrgLink org={c.row.original} />
        {c.row.original.description ? (
          <span className="cell-sub" title={c.row.original.description}>
            {c.row.original.description}
          </span>
        ) : null}
      </div>
    ),
  }),
  column.accessor('region', { header: 'Region', cell: (c) => c.getValue() ?? '—' }),
  column.accessor('is_active', {
    header: 'Status',
    cell: (c) =>
      c.getValue() ? (
        <span className="tag tag-success">Active</span>
      ) : (
        <span className="tag tag-warning">Inactive</span>
      ),
  }),
  column.accessor((o) => o.stats?.online, {
    id: 'online',
    header: 'Online',
    meta: { numeric: true },
    cell: (c) => <Count n={c.getValue()} tone="online" />,
  }),
  column.accessor((o) => o.stats?.offline, {
    id: 'offline',
    header: 'Offline',
    meta: { numeric: true },
    cell: (c) => <Count n={c.getValue()} tone="offline" />,
  }),
  column.accessor((o) => o.stats?.stale, {
    id: 'stale',
    header: 'Stale',
    meta: { numeric: true },
    cell: (c) => <Count n={c.getValue()} tone="stale" />,
  }),
  column.accessor((o) => o.stats?.total, {
    id: 'total',
    header: 'Hosts',
    meta: { numeric: true },
    cell: (c) => <Count n={c.getValue()} />,
  }),
];

const isNumeric = (meta: unknown): boolean =>
  typeof meta === 'object' && meta !== null && 'numeric' in meta && meta.numeric === true;

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
  const [creating, setCreating] = useState(false);
  const ids = useId();

  const paging = usePaging(
    'organizations',
    JSON.stringify([search, region, status]),
    urlPage(filters.page, setFilters),
  );
  const { pageIndex, pageSize } = paging;

  const list = useQuery({
    ...trpc.organizations.list.queryOptions(organizationsListInput(filters, paging.skip, pageSize)),
    placeholderData: keepPreviousData,
  });
  const regions = useQuery(trpc.organizations.regions.queryOptions());

  const total = list.data?.total ?? 0;
  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (o) => String(o.id),
    manualPagination: true,
    rowCount: total,
    state: { pagination: { pageIndex, pageSize } },
  });

  const filtered = Boolean(search || region || status !== 'active');
  const refreshing = list.isFetching && list.isPlaceholderData;

  return (
    <ViewRoot
      view="organizations"
      title={isAccountAdmin ? 'All organizations' : 'Organizations'}
      ready={list.isSuccess && !list.isPlaceholderData && regions.isSuccess}
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
      ]}
    >
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
          <select
            id={`${ids}-region`}
            value={region}
            onChange={(e) => setFilters({ region: e.target.value })}
          >
            <option value="">All regions</option>
            {(regions.data ?? []).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
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
            <option value="inactive">Deactivated</option>
            <option value="all">All</option>
          </select>
        </div>
      </div>

      {list.error ? (
        <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : (
        <div className={`table-wrap${refreshing ? ' is-refreshing' : ''}`}>
          <table className="data-table" aria-busy={list.isFetching} aria-label="Organizations">
            <thead>
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => (
                    <th
                      key={h.id}
                      scope="col"
                      className={isNumeric(h.column.columnDef.meta) ? 'numeric' : undefined}
                    >
                      {flexRender(h.column.columnDef.header, h.getContext())}
                    </th>
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
                    <tr key={row.id}>
                      {row.getVisibleCells().map((cell) => (
                        <td
                          key={cell.id}
                          className={isNumeric(cell.column.columnDef.meta) ? 'numeric' : undefined}
                        >
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

      <CreateOrgDialog
        open={creating}
        onClose={() => setCreating(false)}
        regions={regions.data ?? []}
      />
    </ViewRoot>
  );
}
