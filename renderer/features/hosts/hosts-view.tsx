import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { HOST_SORT_KEYS, HOST_STATUSES } from '../../../shared/constants';
import { HOST_SORT_DEFAULT, hostsListInput } from './hosts-query';
import type { Host, HostStatus } from '../../../shared/schemas/hosts.schema';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useSettledDraft, useUrlFilters } from '../../lib/url-state';
import { useInvalidate } from '../../lib/use-invalidate';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import type { OrgViewProps } from '../../shell/views';
import { toast } from '../../stores/toast-store';
import { denyReason } from '../../lib/permissions';
import { BulkMoveHostsDialog, BulkRemoveHostsDialog } from './bulk-host-dialogs';
import { HostDetailPanel } from './host-detail-panel';
import { MoveHostDialog, RemoveHostDialog } from './host-dialogs';
import { BulkBar, selectColumn, useSelection } from '../../components/selection';
import { HOST_STATUS_LABELS, HostStatusBadge, ONLINE_RULE, STALE_RULE } from './host-status';
import {
  DataTable,
  Pager,
  RelativeTime,
  urlPage,
  urlSort,
  usePaging,
  type ColumnMeta,
} from '../../components/table-kit';

const column = createColumnHelper<Host>();
const EMPTY: Host[] = [];
type HostSort = (typeof HOST_SORT_KEYS)[number];
const sortable = (sortKey: HostSort, firstOrder: 'asc' | 'desc' = 'asc'): ColumnMeta => ({
  sortKey,
  firstOrder,
});

/** UI-10: e.g. /org/12/hosts?location=3&status=offline&search=web&sort=last_seen&order=desc. */
export const HOST_FILTERS = {
  search: '',
  location: '',
  status: '',
  sort: 'hostname',
  order: 'asc',
  page: '1',
};
const NONE_SELECTED = 'Select one or more hosts in the table first.';
const isStatus = (s: string): s is HostStatus => (HOST_STATUSES as readonly string[]).includes(s);

/** UI-7 hosts (AGT-3/4): by location and status, searchable, moved by hand with a pin. */
export function HostsView({ org }: OrgViewProps) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const { me } = useShell();
  const ids = useId();
  const [filters, setFilters] = useUrlFilters(HOST_FILTERS);
  const search = filters.search;
  const locationId = /^[1-9][0-9]*$/.test(filters.location) ? Number(filters.location) : null;
  const status = isStatus(filters.status) ? filters.status : null;
  const [searchText, setSearchText] = useSettledDraft(
    search,
    (text) => setFilters({ search: text }, { text: 'search' }),
    250,
    (text) => text.trim(),
  );
  const [moving, setMoving] = useState<Host | null>(null);
  const [removing, setRemoving] = useState<Host | null>(null);
  // The host whose detail panel is open. On close, focus goes back to that host's name in the
  // table, found by id (a refetch re-renders the cells), or to the search field when it is gone.
  const [detailId, setDetailId] = useState<number | null>(null);
  const [returnTo, setReturnTo] = useState<number | null>(null);
  const closeDetail = useCallback(() => {
    setReturnTo(detailId);
    setDetailId(null);
  }, [detailId]);
  useEffect(() => {
    if (returnTo === null) return;
    setReturnTo(null);
    const name = document.querySelector<HTMLElement>(`[data-host-name="${returnTo}"]`);
    (name ?? document.getElementById(`${ids}-search`))?.focus();
  }, [returnTo, ids]);
  // UI-11: sorted server-side; a new sort starts again at the first page (sort, order and page
  // are in the URL like the filters, UI-10).
  const sort = urlSort(filters, HOST_SORT_KEYS, HOST_SORT_DEFAULT, setFilters);
  const paging = usePaging(
    'hosts',
    JSON.stringify([search, locationId, status, sort.sort, sort.order]),
    urlPage(filters.page, setFilters),
  );
  // UI-13: the selection is of the rows on screen; a new page or filter starts it again.
  const selection = useSelection(
    JSON.stringify([
      search,
      locationId,
      status,
      sort.sort,
      sort.order,
      paging.skip,
      paging.pageSize,
    ]),
  );
  const [bulkMoving, setBulkMoving] = useState<Host[] | null>(null);
  const [bulkRemoving, setBulkRemoving] = useState<Host[] | null>(null);
  const reason = denyReason(me, org.permissions, 'hosts.manage');

  const locations = useQuery(trpc.locations.list.queryOptions({ organization_id: org.id }));
  const list = useQuery({
    ...trpc.hosts.list.queryOptions(
      hostsListInput(org.id, {
        location_id: locationId,
        status,
        search: search || null,
        sort: sort.sort,
        order: sort.order,
        skip: paging.skip,
        limit: paging.pageSize,
      }),
    ),
    placeholderData: keepPreviousData,
  });
  // "3 minutes ago" as of when the page was fetched, the moment its statuses were computed.
  const renderedAt = list.dataUpdatedAt || Date.now();
  const unpin = useMutation(
    trpc.hosts.unpin.mutationOptions({
      onSuccess: (h) => {
        void invalidate('hosts', 'locations');
        const at = locations.data?.find((l) => l.id === h.location_id)?.name;
        toast.success(
          `${h.hostname} is no longer pinned${at ? `; its subnets place it in ${at}` : ''}.`,
        );
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );

  // The columns depend on these rather than on the mutation's result, a new object each render:
  // new columns re-create every cell, and a focused name in the table would lose its focus.
  const unpinHost = unpin.mutate;
  const unpinningId = unpin.isPending ? unpin.variables?.id : undefined;

  const locationName = useMemo(() => {
    const names = new Map((locations.data ?? []).map((l) => [l.id, l.name]));
    return (id: number) => names.get(id) ?? `Location #${id}`;
  }, [locations.data]);

  const columns = useMemo(() => {
    const guard = {
      disabled: Boolean(reason),
      'aria-describedby': reason ? `${ids}-reason` : undefined,
    };
    return [
      selectColumn<Host>('host', (h) => h.hostname),
      column.accessor('hostname', {
        header: 'Host',
        meta: sortable('hostname'),
        // UI-7: the name opens the host's detail panel.
        cell: (c) => (
          <button
            type="button"
            className="link-button cell-name"
            data-host-name={c.row.original.id}
            onClick={() => setDetailId(c.row.original.id)}
          >
            {c.getValue()}
          </button>
        ),
      }),
      column.accessor('ip', {
        header: 'IP address',
        meta: sortable('ip'),
        cell: (c) => <span className="cell-mono">{c.getValue()}</span>,
      }),
      column.accessor('status', {
        header: 'Status',
        meta: sortable('status'),
        cell: (c) => <HostStatusBadge status={c.getValue()} />,
      }),
      column.accessor('location_id', {
        header: 'Location',
        meta: sortable('location'),
        cell: (c) => (
          <span>
            {locationName(c.getValue())}
            {c.row.original.pinned ? (
              <span className="tag tag-info" title="Moved by hand: subnets do not move it">
                pinned
              </span>
            ) : null}
          </span>
        ),
      }),
      column.accessor('agent_type', {
        header: 'Agent',
        cell: (c) => (c.getValue() === 'go' ? 'Go' : 'Legacy'),
      }),
      column.accessor('last_seen_at', {
        header: 'Last seen',
        // Most recent first on the first click.
        meta: sortable('last_seen', 'desc'),
        cell: (c) => <RelativeTime iso={c.getValue()} now={renderedAt} />,
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const h = c.row.original;
          return (
            <span className="row-actions">
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Move ${h.hostname}`}
                {...guard}
                onClick={() => setMoving(h)}
              >
                Move…
              </button>
              {h.pinned ? (
                <button
                  type="button"
                  className="button button-secondary"
                  aria-label={`Unpin ${h.hostname}`}
                  {...guard}
                  disabled={guard.disabled || unpinningId === h.id}
                  onClick={() => unpinHost({ id: h.id })}
                >
                  Unpin
                </button>
              ) : null}
              <button
                type="button"
                className="button button-danger-outline"
                aria-label={`Remove ${h.hostname}`}
                {...guard}
                onClick={() => setRemoving(h)}
              >
                Remove…
              </button>
            </span>
          );
        },
      }),
    ];
  }, [reason, ids, locationName, unpinHost, unpinningId, renderedAt]);

  const total = list.data?.total;
  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (h) => String(h.id),
    manualPagination: true,
    rowCount: total ?? 0,
    enableRowSelection: true,
    state: { rowSelection: selection.rowSelection },
    onRowSelectionChange: selection.onRowSelectionChange,
  });
  const selected = table.getSelectedRowModel().rows.map((r) => r.original);
  const filtered = Boolean(search || locationId !== null || status !== null);
  const bulkGuard = {
    disabled: Boolean(reason),
    'aria-describedby': reason ? `${ids}-reason` : undefined,
  };

  return (
    <ViewRoot
      view="hosts"
      title="Hosts"
      ready={list.isSuccess && !list.isPlaceholderData && locations.isSuccess}
      subtitle={
        total !== undefined
          ? `${org.name} · ${formatCount(total)} ${total === 1 ? 'host' : 'hosts'}`
          : org.name
      }
      actions={[
        {
          id: 'move-selected-hosts',
          label: 'Move selected hosts…',
          placement: 'own',
          disabledReason: reason ?? (selected.length ? null : NONE_SELECTED),
          run: () => setBulkMoving(selected),
        },
        {
          id: 'remove-selected-hosts',
          label: 'Remove selected hosts…',
          placement: 'own',
          disabledReason: reason ?? (selected.length ? null : NONE_SELECTED),
          run: () => setBulkRemoving(selected),
        },
      ]}
    >
      <div className="toolbar" role="search" aria-label="Filter hosts">
        <div className="toolbar-field toolbar-grow">
          <label className="toolbar-label" htmlFor={`${ids}-search`}>
            Search
          </label>
          <input
            id={`${ids}-search`}
            type="search"
            placeholder="Host name or start of IP"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
          />
        </div>
        <div className="toolbar-field">
          <label className="toolbar-label" htmlFor={`${ids}-location`}>
            Location
          </label>
          <select
            id={`${ids}-location`}
            value={locationId ?? ''}
            onChange={(e) => setFilters({ location: e.target.value })}
          >
            <option value="">All locations</option>
            {(locations.data ?? []).map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({formatCount(l.host_count)})
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
            value={status ?? ''}
            onChange={(e) => setFilters({ status: e.target.value })}
          >
            <option value="">Any status</option>
            {HOST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {HOST_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {reason ? (
        <p id={`${ids}-reason`} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      <BulkBar count={selected.length} noun={['host', 'hosts']} onClear={selection.clear}>
        <button
          type="button"
          className="button button-secondary"
          data-action="move-selected-hosts"
          {...bulkGuard}
          onClick={() => setBulkMoving(selected)}
        >
          Move selected…
        </button>
        <button
          type="button"
          className="button button-danger-outline"
          data-action="remove-selected-hosts"
          {...bulkGuard}
          onClick={() => setBulkRemoving(selected)}
        >
          Remove selected…
        </button>
      </BulkBar>
      <div className={`split${detailId !== null ? ' split-open' : ''}`}>
        <div className="split-main">
          {list.error ? (
            <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
          ) : (
            <DataTable
              table={table}
              label="Hosts"
              loading={list.isPending}
              fetching={list.isFetching}
              refreshing={list.isFetching && list.isPlaceholderData}
              skeletonRows={8}
              sort={sort}
              empty={
                <EmptyState title={filtered ? 'No host matches these filters' : 'No hosts yet'}>
                  {filtered ? (
                    <button
                      type="button"
                      className="button button-secondary"
                      onClick={() => setFilters({ search: '', location: '', status: '' })}
                    >
                      Clear filters
                    </button>
                  ) : (
                    <p>
                      Hosts appear here when their agents register with the organization secret.
                    </p>
                  )}
                </EmptyState>
              }
            />
          )}
          <Pager paging={paging} total={total} label="Pages of hosts" />
        </div>
        {detailId !== null ? (
          <div className="split-side">
            <HostDetailPanel
              hostId={detailId}
              locationName={locationName}
              reason={reason}
              reasonId={`${ids}-reason`}
              unpinning={unpinningId === detailId}
              onMove={setMoving}
              onUnpin={(h) => unpinHost({ id: h.id })}
              onRemove={setRemoving}
              onClose={closeDetail}
            />
          </div>
        ) : null}
      </div>
      <p className="field-hint table-note">
        {ONLINE_RULE} Offline: longer ago. {STALE_RULE} A pinned host was moved by hand: its subnets
        no longer move it until it is unpinned.
      </p>

      <MoveHostDialog
        host={moving}
        locations={locations.data ?? []}
        onClose={() => setMoving(null)}
      />
      <RemoveHostDialog org={org} host={removing} onClose={() => setRemoving(null)} />
      <BulkMoveHostsDialog
        org={org}
        hosts={bulkMoving}
        locations={locations.data ?? []}
        onClose={() => setBulkMoving(null)}
        onDone={() => {
          setBulkMoving(null);
          selection.clear();
        }}
      />
      <BulkRemoveHostsDialog
        org={org}
        hosts={bulkRemoving}
        onClose={() => setBulkRemoving(null)}
        onDone={() => {
          setBulkRemoving(null);
          selection.clear();
        }}
      />
    </ViewRoot>
  );
}
