import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useState } from 'react';
import { DEFAULT_DURATION_HOURS, MAX_REASON_LENGTH } from '../../../shared/constants';
import type { MyAccess, SupportRequest } from '../../../shared/schemas/support-access.schema';
import { Field, FormError } from '../../components/field';
import { EmptyState, ErrorState, Skeleton, ViewRoot } from '../../components/view-root';
import { errorMessage, fieldError } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { PlaceLink } from '../../shell/place-link';
import { CellTime, DataTable } from '../../components/table-kit';
import { Countdown } from './countdown';
import { DurationField } from './duration-field';
import { formatHours } from './durations';
import { RequestStatusTag } from './request-status';
import { VIEW_ONLY_REASON } from './view-only';

const column = createColumnHelper<SupportRequest>();
const EMPTY: SupportRequest[] = [];
const columns = [
  column.accessor('account_id', { header: 'Account', cell: (c) => `Account #${c.getValue()}` }),
  column.accessor('reason', {
    header: 'Reason',
    cell: (c) => (
      <span className="cell-wrap" title={c.getValue()}>
        {c.getValue()}
      </span>
    ),
  }),
  column.accessor('duration_hours', { header: 'Duration', cell: (c) => formatHours(c.getValue()) }),
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
            {r.decided_at ? (
              <>
                <CellTime iso={r.decided_at} />
                {r.decision_reason ? ` · ${r.decision_reason}` : ''}
              </>
            ) : r.status === 'pending' ? (
              <>
                Expires <CellTime iso={r.expires_at} /> unless decided
              </>
            ) : null}
          </span>
        </div>
      );
    },
  }),
];

/** UI-6 for a platform support engineer: their access, the request form, their requests. */
export function EngineerSupportView() {
  const trpc = useTRPC();
  // Like every list, looked at again every 30 s while visible (UI-14): an approval is someone
  // else's doing.
  const mine = useQuery(trpc.supportAccess.myAccess.queryOptions());
  const table = useReactTable({
    data: mine.data?.requests ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
  });
  const headingId = useId();

  return (
    <ViewRoot
      view="support-access"
      title="Support access"
      ready={mine.isSuccess}
      subtitle="Your view-only access to customer accounts"
    >
      <div className="callout callout-info callout-flush">
        {VIEW_ONLY_REASON} You can read an account while its admins have enabled support access or
        approved your request, and only until it ends.
      </div>
      <div className="grid support-grid">
        <AccessPanel data={mine.data} error={mine.error} onRefetch={() => void mine.refetch()} />
        <RequestForm />
      </div>
      <section className="panel" aria-labelledby={headingId}>
        <h2 id={headingId}>Your requests</h2>
        {mine.error ? null : (
          <DataTable
            table={table}
            label="Your support requests"
            loading={mine.isPending}
            fetching={mine.isFetching}
            skeletonRows={2}
            empty={<EmptyState title="You have not asked for access yet" />}
          />
        )}
      </section>
    </ViewRoot>
  );
}

function AccessPanel({
  data,
  error,
  onRefetch,
}: {
  data: MyAccess | undefined;
  error: unknown;
  onRefetch(): void;
}) {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId} data-testid="my-support-access">
      <h2 id={headingId}>Your access now</h2>
      {error ? (
        <ErrorState error={errorMessage(error)} onRetry={onRefetch} />
      ) : !data ? (
        <div className="facts-skeleton">
          <Skeleton width="60%" />
          <Skeleton width="40%" />
        </div>
      ) : data.accounts.length === 0 ? (
        <p className="muted">No account has given you access right now.</p>
      ) : (
        <ul className="grant-list" aria-label="Accounts you can read">
          {/* UI-6: picked by name, with when the access ends; opening one lands in its orgs. */}
          {data.accounts.map((a) => (
            <li key={a.account_id}>
              <div className="status-line">
                <span className="tag tag-success status-tag">Read access</span>
                <strong>{a.account_name}</strong>
                <span className="muted">Account #{a.account_id}</span>
              </div>
              <div>
                <PlaceLink
                  className="button button-secondary"
                  place={{
                    orgId: null,
                    view: 'organizations',
                    search: { account: String(a.account_id) },
                  }}
                >
                  Open {a.account_name}
                </PlaceLink>
              </div>
              <div>
                Ends in <Countdown until={a.expires_at} onExpire={onRefetch} />{' '}
                <span className="muted">
                  · until {formatDateTime(a.expires_at)} ·{' '}
                  {a.kinds
                    .map((k) =>
                      k === 'customer' ? 'enabled by the customer' : 'your approved request',
                    )
                    .join(' and ')}
                </span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RequestForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [accountId, setAccountId] = useState('');
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState(DEFAULT_DURATION_HOURS);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);
  const request = useMutation(
    trpc.supportAccess.request.mutationOptions({
      onSuccess: (r) => {
        void queryClient.invalidateQueries({ queryKey: trpc.supportAccess.pathKey() });
        toast.success(
          `Request ${r.id} sent to account #${r.account_id}. Access starts when one of its admins approves.`,
        );
        setAccountId('');
        setReason('');
        setHours(DEFAULT_DURATION_HOURS);
      },
    }),
  );
  const errorFor = (field: string) =>
    localError?.field === field ? localError.message : fieldError(request.error, field);
  const errors = {
    account: errorFor('account_id'),
    reason: errorFor('reason'),
    duration: errorFor('duration_hours'),
  };
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Request access</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const id = Number(accountId.trim());
          if (!/^\d+$/.test(accountId.trim()) || id < 1) {
            setLocalError({
              field: 'account_id',
              message: 'account_id must be the number of the customer account.',
            });
            return;
          }
          if (!reason.trim()) {
            setLocalError({
              field: 'reason',
              message: 'reason is required: say why you need access to this account.',
            });
            return;
          }
          setLocalError(null);
          request.mutate({ account_id: id, reason: reason.trim(), duration_hours: hours });
        }}
      >
        <div className="form-grid">
          <Field
            label="Account number"
            error={errors.account}
            hint="The customer account's id, from the ticket."
          >
            <input
              type="text"
              inputMode="numeric"
              autoComplete="off"
              value={accountId}
              onChange={(e) => {
                setLocalError(null);
                setAccountId(e.target.value);
              }}
            />
          </Field>
          <DurationField
            value={hours}
            onChange={setHours}
            error={errors.duration}
            hint="Counted from approval."
          />
        </div>
        <Field
          label="Reason"
          error={errors.reason}
          hint="The customer's admins read it before deciding."
        >
          <textarea
            rows={2}
            maxLength={MAX_REASON_LENGTH}
            value={reason}
            onChange={(e) => {
              setLocalError(null);
              setReason(e.target.value);
            }}
          />
        </Field>
        <FormError
          error={
            request.error && !errors.account && !errors.reason && !errors.duration
              ? errorMessage(request.error)
              : null
          }
        />
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={request.isPending}
            aria-busy={request.isPending || undefined}
          >
            {request.isPending ? <span className="spinner" aria-hidden="true" /> : null}
            Send request
          </button>
        </div>
      </form>
    </section>
  );
}
