import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import type { Session } from '../../../shared/schemas/users.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { readOnlyReason } from '../../stores/read-only-store';
import { CellTime, DataTable } from '../../components/table-kit';
import './users.css';

const column = createColumnHelper<Session>();
const EMPTY: Session[] = [];
const CURRENT_REASON = 'This is the session you are using now: sign out to end it.';

/**
 * IDN-5: the signed-in user's sessions (where and with what each signed in, when it was last
 * used), each of which they can end; "sign out everywhere else" keeps only this one. Support
 * engineers too: ending one's own sessions changes nothing in any account.
 */
export function SessionsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const [ending, setEnding] = useState<Session | null>(null);
  const [endingOthers, setEndingOthers] = useState(false);
  const ids = useId();
  const reason = readOnlyReason();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: (s) => {
        setEnding(null);
        void refresh();
        toast.success(`The session from ${s.client_address ?? 'an unknown address'} was ended.`);
      },
    }),
  );
  const revokeOthers = useMutation(
    trpc.auth.revokeOtherSessions.mutationOptions({
      onSuccess: (r) => {
        setEndingOthers(false);
        void refresh();
        toast.success(`Signed out everywhere else: ${plural(r.revoked, 'session')} ended.`);
      },
    }),
  );

  const columns = useMemo(
    () => [
      column.accessor('client', {
        header: 'Client',
        cell: (c) => (
          <div className="cell-stack">
            <span className="cell-name session-client">
              {c.getValue()}
              {c.row.original.current ? <span className="tag tag-info">this session</span> : null}
            </span>
            <span className="cell-sub">{c.row.original.client_address ?? 'address unknown'}</span>
          </div>
        ),
      }),
      column.accessor('created_at', {
        header: 'Signed in',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.accessor('last_used_at', {
        header: 'Last used',
        cell: (c) => <CellTime iso={c.getValue()} empty="not since" />,
      }),
      column.accessor('expires_at', {
        header: 'Expires',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const s = c.row.original;
          const why = s.current ? CURRENT_REASON : reason;
          return (
            <span className="row-actions">
              <button
                type="button"
                className="button button-danger-outline"
                aria-label={`End session from ${s.client_address ?? 'unknown address'} (${s.client})`}
                disabled={Boolean(why)}
                aria-describedby={why ? `${ids}-why-${s.id}` : undefined}
                onClick={() => {
                  revoke.reset();
                  setEnding(s);
                }}
              >
                End…
              </button>
              {why ? (
                <span id={`${ids}-why-${s.id}`} className="visually-hidden">
                  {why}
                </span>
              ) : null}
            </span>
          );
        },
      }),
    ],
    [reason, revoke, ids],
  );
  const table = useReactTable({
    data: sessions.data ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (s) => String(s.id),
  });
  const others = (sessions.data ?? EMPTY).filter((s) => !s.current).length;

  return (
    <ViewRoot
      view="sessions"
      title="Sessions"
      ready={sessions.isSuccess}
      subtitle={
        sessions.data ? `Yours, signed in now · ${plural(sessions.data.length, 'session')}` : ' '
      }
      actions={[
        {
          id: 'end-other-sessions',
          label: 'Sign out everywhere else',
          variant: 'primary',
          disabledReason: reason ?? (others === 0 ? 'No other session is signed in.' : null),
          run: () => {
            revokeOthers.reset();
            setEndingOthers(true);
          },
        },
      ]}
    >
      <p className="field-hint">
        Each place you are signed in: the browser or desktop app, the address it signed in from, and
        when it was last used. A session you do not recognise should be ended, and your password
        changed.
      </p>
      {sessions.error ? (
        <ErrorState error={errorMessage(sessions.error)} onRetry={() => void sessions.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Your sessions"
          loading={sessions.isPending}
          fetching={sessions.isFetching}
          skeletonRows={2}
          empty={<EmptyState title="No sessions: this connection signs in without one" />}
        />
      )}
      <ConfirmDialog
        open={ending !== null}
        title="End this session?"
        confirmLabel="End session"
        tone="danger"
        busy={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onClose={() => setEnding(null)}
        onConfirm={() => ending && revoke.mutate({ id: ending.id })}
      >
        <p>
          {ending
            ? `${ending.client}, from ${ending.client_address ?? 'an unknown address'}: `
            : ''}
          its next request is refused, and it has to sign in again.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={endingOthers}
        title="Sign out everywhere else?"
        confirmLabel="Sign out everywhere else"
        tone="danger"
        busy={revokeOthers.isPending}
        error={revokeOthers.error ? errorMessage(revokeOthers.error) : null}
        onClose={() => setEndingOthers(false)}
        onConfirm={() => revokeOthers.mutate()}
      >
        <p>
          {plural(others, 'other session')} of yours end now; this one stays. Personal API tokens
          are not sessions and keep working.
        </p>
      </ConfirmDialog>
    </ViewRoot>
  );
}
