import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import type {
  SupportRequest,
  SupportRequestStatus,
} from '../../../shared/schemas/support-access.schema';
import { EmptyState, ErrorState } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { CellTime, DataTable, Pager, usePaging } from '../../components/table-kit';
import { ApproveDialog, DenyDialog } from './decision-dialogs';
import { formatHours } from './durations';
import { REQUEST_FILTERS, RequestStatusTag } from './request-status';

const column = createColumnHelper<SupportRequest>();
const EMPTY: SupportRequest[] = [];

/** The requests list with its filter and page; the view owns it to know when it has loaded. */
export function useSupportRequests() {
  const trpc = useTRPC();
  const [filter, setFilter] = useState<SupportRequestStatus | 'all'>('pending');
  const paging = usePaging('support-requests', filter);
  const requests = useQuery({
    ...trpc.supportAccess.requests.queryOptions({
      status: filter,
      skip: paging.skip,
      limit: paging.pageSize,
    }),
    placeholderData: keepPreviousData,
  });
  return { filter, setFilter, paging, requests };
}

/** SUP-4: the account's requests (pending ones unless asked otherwise), with approve and deny. */
export function RequestsPanel({
  list,
  reason,
}: {
  list: ReturnType<typeof useSupportRequests>;
  /** Why this caller cannot decide; the buttons are disabled with it. */
  reason: string | null;
}) {
  const ids = useId();
  const { filter, setFilter, paging, requests } = list;
  const [approving, setApproving] = useState<SupportRequest | null>(null);
  const [denying, setDenying] = useState<SupportRequest | null>(null);

  const columns = useMemo(
    () => [
      column.accessor((r) => r.engineer_email ?? `Engineer #${r.engineer_user_id}`, {
        id: 'engineer',
        header: 'Engineer',
        cell: (c) => <span className="cell-name">{c.getValue()}</span>,
      }),
      column.accessor('reason', {
        header: 'Reason',
        cell: (c) => (
          <span className="cell-wrap" title={c.getValue()}>
            {c.getValue()}
          </span>
        ),
      }),
      column.accessor('duration_hours', {
        header: 'Duration',
        cell: (c) => formatHours(c.getValue()),
      }),
      column.accessor('created_at', {
        header: 'Requested',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.accessor('status', {
        header: 'Status',
        cell: (c) => {
          const r = c.row.original;
          return (
            <div className="cell-stack">
              <span>
                <RequestStatusTag status={r.status} />
              </span>
              <span className="cell-sub">
                {r.status === 'pending' ? (
                  <>
                    Undecided, expires <CellTime iso={r.expires_at} />
                  </>
                ) : r.decided_at ? (
                  <>
                    <CellTime iso={r.decided_at} />
                    {r.decision_reason ? ` · ${r.decision_reason}` : ''}
                  </>
                ) : null}
              </span>
            </div>
          );
        },
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const r = c.row.original;
          if (r.status !== 'pending') return null;
          const guard = {
            disabled: Boolean(reason),
            'aria-describedby': reason ? `${ids}-reason` : undefined,
          };
          const name = r.engineer_email ?? `engineer #${r.engineer_user_id}`;
          return (
            <span className="row-actions">
              <button
                type="button"
                className="button button-primary"
                aria-label={`Approve the request of ${name}`}
                {...guard}
                onClick={() => setApproving(r)}
              >
                Approve
              </button>
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Deny the request of ${name}`}
                {...guard}
                onClick={() => setDenying(r)}
              >
                Deny…
              </button>
            </span>
          );
        },
      }),
    ],
    [reason, ids],
  );

  const table = useReactTable({
    data: requests.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
    manualPagination: true,
    rowCount: requests.data?.total ?? 0,
  });
  const total = requests.data?.total;

  return (
    <section className="panel" aria-labelledby={`${ids}-heading`} data-testid="support-requests">
      <header className="panel-header">
        <h2 id={`${ids}-heading`}>
          Requests from support engineers
          {total !== undefined && filter === 'pending' ? (
            <span className="tag tag-info">{formatCount(total)} pending</span>
          ) : null}
        </h2>
        <div className="toolbar-field">
          <label className="toolbar-label" htmlFor={`${ids}-status`}>
            Show
          </label>
          <select
            id={`${ids}-status`}
            value={filter}
            onChange={(e) => setFilter(e.target.value as SupportRequestStatus | 'all')}
          >
            {REQUEST_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      </header>
      {reason ? (
        <p id={`${ids}-reason`} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      {requests.error ? (
        <ErrorState error={errorMessage(requests.error)} onRetry={() => void requests.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Support requests"
          loading={requests.isPending}
          fetching={requests.isFetching}
          refreshing={requests.isFetching && requests.isPlaceholderData}
          skeletonRows={3}
          empty={
            <EmptyState title={filter === 'pending' ? 'No pending requests' : 'No requests'}>
              <p>
                Support engineers ask for access here; approving gives one engineer view-only access
                for the time they asked for.
              </p>
            </EmptyState>
          }
        />
      )}
      <Pager paging={paging} total={total} label="Pages of support requests" />
      <ApproveDialog request={approving} onClose={() => setApproving(null)} />
      <DenyDialog request={denying} onClose={() => setDenying(null)} />
    </section>
  );
}
