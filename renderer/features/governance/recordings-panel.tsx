import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import type { Recording } from '../../../shared/schemas/governance.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState, ErrorState } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount, formatDateTime, plural } from '../../lib/format';
import { useInvalidate } from '../../lib/use-invalidate';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { CellTime, DataTable, Pager, usePaging } from '../../components/table-kit';

const column = createColumnHelper<Recording>();
const EMPTY: Recording[] = [];

const KIND_LABELS: Record<Recording['kind'], string> = {
  terminal: 'Terminal',
  remote_desktop: 'Remote desktop',
};

export function formatBytes(n: number): string {
  if (n < 1024) return `${formatCount(n)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function formatSpan(startIso: string, endIso: string | null): string {
  if (!endIso) return 'running or unknown';
  const s = Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** The org's recordings, a page at a time; the view owns it to know when it has loaded. */
export function useRecordings(orgId: number) {
  const trpc = useTRPC();
  const paging = usePaging('recordings', String(orgId));
  const recordings = useQuery({
    ...trpc.governance.recordings.queryOptions({
      organization_id: orgId,
      skip: paging.skip,
      limit: paging.pageSize,
    }),
    placeholderData: keepPreviousData,
  });
  return { paging, recordings };
}

/** GOV-1/3: the org's session recordings; deleting one is refused while the org is on legal hold. */
export function RecordingsPanel({
  org,
  list,
  reason,
}: {
  org: OrgDetail;
  list: ReturnType<typeof useRecordings>;
  /** Why this caller cannot delete recordings. */
  reason: string | null;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const ids = useId();
  const { paging, recordings } = list;
  const [deleting, setDeleting] = useState<Recording | null>(null);
  const remove = useMutation(
    trpc.governance.deleteRecording.mutationOptions({
      onSuccess: (r) => {
        void invalidate('governance');
        toast.success(`Recording #${r.id} was deleted.`);
        setDeleting(null);
      },
    }),
  );

  const columns = useMemo(
    () => [
      column.accessor('started_at', {
        header: 'Started',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.accessor('kind', { header: 'Session', cell: (c) => KIND_LABELS[c.getValue()] }),
      column.accessor('capture', {
        header: 'Captured',
        cell: (c) => (c.getValue() === 'full' ? 'Full' : 'Metadata'),
      }),
      column.accessor('host_id', {
        header: 'Host',
        cell: (c) => (c.getValue() === null ? '—' : `Host #${c.getValue()}`),
      }),
      column.accessor('user_id', {
        header: 'User',
        cell: (c) => (c.getValue() === null ? '—' : `User #${c.getValue()}`),
      }),
      column.accessor((r) => formatSpan(r.started_at, r.ended_at), {
        id: 'length',
        header: 'Length',
      }),
      column.accessor('size_bytes', {
        header: 'Size',
        meta: { numeric: true },
        cell: (c) => formatBytes(c.getValue()),
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => (
          <button
            type="button"
            className="button button-danger-outline"
            aria-label={`Delete recording #${c.row.original.id}`}
            disabled={Boolean(reason)}
            aria-describedby={reason ? `${ids}-reason` : undefined}
            onClick={() => {
              remove.reset();
              setDeleting(c.row.original);
            }}
          >
            Delete…
          </button>
        ),
      }),
    ],
    [reason, ids, remove],
  );
  const total = recordings.data?.total;
  const table = useReactTable({
    data: recordings.data?.items ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
    manualPagination: true,
    rowCount: total ?? 0,
  });

  return (
    <section className="panel" aria-labelledby={`${ids}-heading`} data-testid="recordings">
      <header className="panel-header">
        <h2 id={`${ids}-heading`}>Session recordings</h2>
        <span className="muted">{total !== undefined ? plural(total, 'recording') : ' '}</span>
      </header>
      {org.legal_hold ? (
        <div className="callout callout-warning">
          <strong>Legal hold is on</strong>
          {org.legal_hold_reason ? ` (${org.legal_hold_reason})` : ''}: no recording of this
          organization can be deleted, by anyone or by the retention cleanup, until it is lifted.
        </div>
      ) : null}
      {reason ? (
        <p id={`${ids}-reason`} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      {recordings.error ? (
        <ErrorState
          error={errorMessage(recordings.error)}
          onRetry={() => void recordings.refetch()}
        />
      ) : (
        <DataTable
          table={table}
          label="Session recordings"
          loading={recordings.isPending}
          fetching={recordings.isFetching}
          refreshing={recordings.isFetching && recordings.isPlaceholderData}
          skeletonRows={3}
          empty={
            <EmptyState title="No recordings">
              <p>
                {org.recording_policy === 'off'
                  ? 'Recording is off for this organization.'
                  : 'Recorded terminal and remote-desktop sessions appear here.'}
              </p>
            </EmptyState>
          }
        />
      )}
      <Pager paging={paging} total={total} label="Pages of recordings" />
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete recording #${deleting.id}?` : 'Delete recording?'}
        confirmLabel="Delete recording"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>
          The {deleting ? KIND_LABELS[deleting.kind].toLowerCase() : ''} session of{' '}
          {deleting ? formatDateTime(deleting.started_at) : ''} is deleted for good. The deletion is
          recorded in the audit trail.
        </p>
      </ConfirmDialog>
    </section>
  );
}
