import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import { HOST_STATUSES } from '../../../shared/constants';
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
import { MoveHostDialog, RemoveHostDialog } from './host-dialogs';
import { HOST_STATUS_LABELS, HostStatusBadge, ONLINE_RULE, STALE_RULE } from './host-status';
import { CellTime, DataTable, Pager, urlPage, usePaging } from '../../components/table-kit';

const column = createColumnHelper<Host>();
const EMPTY: Host[] = [];

/** UI-10: e.g. /org/12/hosts?location=3&status=offline&search=web. */
export const HOST_FILTERS = { search: '', location: '', status: '', page: '1' };
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
  const paging = usePaging(
    'hosts',
    JSON.stringify([search, locationId, status]),
    urlPage(filters.page, setFilters),
  );
  const reason = denyReason(me, org.permissions, 'hosts.manage');

  const locations = useQuery(trpc.locations.list.queryOptions({ organization_id: org.id }));
  const list = useQuery({
    ...trpc.hosts.list.queryOptions({
      organization_id: org.id,
      location_id: locationId,
      status,
      search: search || null,
      skip: paging.skip,
      limit: paging.pageSize,
    }),
    placeholderData: keepPreviousData,
  });
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
      column.accessor('hostname', {
        header: 'Host',
        cell: (c) => (
          <div className="cell-stack">
            <span className="cell-name">{c.getValue()}</span>
            <span className="cell-sub cell-mono">{c.row.original.ip}</span>
          </div>
        ),
      }),
      column.accessor('status', {
        header: 'Status',
        cell: (c) => <HostStatusBadge status={c.getValue()} />,
      }),
      column.accessor('location_id', {
        header: 'Location',
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
        cell: (c) => <CellTime iso={c.getValue()} />,
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
                  disabled={guard.disabled || (unpin.isPending && unpin.variables?.id === h.id)}
                  onClick={() => unpin.mutate({ id: h.id })}
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
  }, [reason, ids, locationName, unpin]);

  const total = list.data?.total;
  const table = useReactTable({
    data: list.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (h) => String(h.id),
    manualPagination: true,
    rowCount: total ?? 0,
  });
  const filtered = Boolean(search || locationId !== null || status !== null);

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
    >
      <div className="toolbar" role="search" aria-label="Filter hosts">
        <div className="toolbar-field toolbar-grow">
          <label className="toolbar-label" htmlFor={`${ids}-search`}>
            Search
          </label>
          <input
            id={`${ids}-search`}
            type="search"
            placeholder="Host name"
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
                <p>Hosts appear here when their agents register with the organization secret.</p>
              )}
            </EmptyState>
          }
        />
      )}
      <Pager paging={paging} total={total} label="Pages of hosts" />
      <p className="field-hint table-note">
        {ONLINE_RULE} Offline: longer ago. {STALE_RULE} A pinned host was moved by hand: its subnets
        no longer move it until it is unpinned.
      </p>

      <MoveHostDialog
        host={moving}
        locations={locations.data ?? []}
        onClose={() => setMoving(null)}
      />
      <RemoveHostDialog host={removing} onClose={() => setRemoving(null)} />
    </ViewRoot>
  );
}
