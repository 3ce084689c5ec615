import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useId, useMemo, useState } from 'react';
import {
  DEFAULT_TOKEN_EXPIRY_DAYS,
  MAX_NAME_LENGTH,
  MAX_TOKEN_EXPIRY_DAYS,
} from '../../../shared/constants';
import type { ApiToken } from '../../../shared/schemas/users.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage, fieldError } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { toast } from '../../stores/toast-store';
import { CellTime, DataTable } from '../../components/table-kit';
import { SecretOnce } from '../secrets/secret-once';
import { viewOnlyReason } from '../support-access/view-only';
import './users.css';

type CreatedToken = RouterOutputs['auth']['createToken'];
const column = createColumnHelper<ApiToken>();
const EMPTY: ApiToken[] = [];

function tokenState(t: ApiToken): { label: string; tone: string } {
  if (t.revoked_at) return { label: 'Revoked', tone: 'tag-danger' };
  if (t.expires_at && Date.parse(t.expires_at) <= Date.now()) return { label: 'Expired', tone: '' };
  return { label: 'Active', tone: 'tag-success' };
}

/** TEN-6: the signed-in user's personal API tokens: shown once, stored hashed, revocable. */
export function TokensView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useShell();
  const tokens = useQuery(trpc.auth.tokens.queryOptions());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const reason = viewOnlyReason(me);
  const ids = useId();
  const revoke = useMutation(
    trpc.auth.revokeToken.mutationOptions({
      onSuccess: (t) => {
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.auth.tokens.queryKey() });
        toast.success(`Token “${t.name}” was revoked; anything using it is now refused.`);
      },
    }),
  );

  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'Name',
        cell: (c) => <span className="cell-name">{c.getValue()}</span>,
      }),
      column.accessor('read_only', {
        header: 'Access',
        cell: (c) => (c.getValue() ? 'Read-only' : 'Same as yours'),
      }),
      column.accessor('created_at', {
        header: 'Created',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.accessor('expires_at', {
        header: 'Expires',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.accessor('last_used_at', {
        header: 'Last used',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      column.display({
        id: 'state',
        header: 'Status',
        cell: (c) => {
          const s = tokenState(c.row.original);
          return <span className={`tag ${s.tone}`}>{s.label}</span>;
        },
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) =>
          c.row.original.revoked_at ? null : (
            <button
              type="button"
              className="button button-danger-outline"
              aria-label={`Revoke token ${c.row.original.name}`}
              disabled={Boolean(reason)}
              aria-describedby={reason ? `${ids}-reason` : undefined}
              onClick={() => {
                revoke.reset();
                setRevoking(c.row.original);
              }}
            >
              Revoke…
            </button>
          ),
      }),
    ],
    [reason, revoke, ids],
  );
  const table = useReactTable({
    data: tokens.data ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (t) => String(t.id),
  });

  return (
    <ViewRoot
      view="tokens"
      title="API tokens"
      ready={tokens.isSuccess}
      subtitle={
        tokens.data ? `Yours, for scripts and tools · ${plural(tokens.data.length, 'token')}` : ' '
      }
      actions={[
        {
          id: 'new-token',
          label: 'New token',
          shortcut: { key: 'n' },
          variant: 'primary',
          disabledReason: reason,
          run: () => setCreating(true),
        },
      ]}
    >
      <p className="field-hint">
        A token acts as you, with your roles at the time it is used (or fewer, when read-only). It
        is shown once and stored hashed; revoke it when a script no longer needs it.
      </p>
      {reason ? (
        <p id={`${ids}-reason`} className="disabled-reason block">
          {reason}
        </p>
      ) : null}
      {tokens.error ? (
        <ErrorState error={errorMessage(tokens.error)} onRetry={() => void tokens.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Personal API tokens"
          loading={tokens.isPending}
          fetching={tokens.isFetching}
          skeletonRows={3}
          empty={<EmptyState title="No personal tokens yet" />}
        />
      )}
      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={revoking !== null}
        title={revoking ? `Revoke “${revoking.name}”?` : 'Revoke token?'}
        confirmLabel="Revoke token"
        tone="danger"
        busy={revoke.isPending}
        error={revoke.error ? errorMessage(revoke.error) : null}
        onClose={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate({ id: revoking.id })}
      >
        <p>Every script or tool using this token is refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </ViewRoot>
  );
}

function CreateTokenDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const close = () => {
    // Dropping it drops the token text from memory with it.
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={created ? 'Token created' : 'New API token'}
      size="medium"
    >
      {created ? (
        <div className="token-created">
          <SecretOnce
            secret={created.token}
            label={`Token “${created.name}”`}
            note="Shown only this once: it is stored hashed and cannot be shown again. Copy it into your tool now."
          />
          <div className="form-actions">
            <button type="button" className="button button-primary" data-autofocus onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <CreateTokenForm onCreated={setCreated} onCancel={close} />
      )}
    </Dialog>
  );
}

function CreateTokenForm({
  onCreated,
  onCancel,
}: {
  onCreated(t: CreatedToken): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [days, setDays] = useState(String(DEFAULT_TOKEN_EXPIRY_DAYS));
  const [localError, setLocalError] = useState<string | null>(null);
  const create = useMutation(
    trpc.auth.createToken.mutationOptions({
      onSuccess: (t) => {
        void queryClient.invalidateQueries({ queryKey: trpc.auth.tokens.queryKey() });
        onCreated(t);
      },
    }),
  );
  const err = create.error;
  const errors = {
    name: fieldError(err, 'name'),
    days: localError ?? fieldError(err, 'expires_in_days'),
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const t = days.trim();
        if (!/^\d+$/.test(t)) {
          setLocalError(
            `Expiry must be a whole number of days, 1 to ${MAX_TOKEN_EXPIRY_DAYS}: every token expires.`,
          );
          return;
        }
        setLocalError(null);
        create.mutate({
          name: name.trim(),
          read_only: readOnly,
          expires_in_days: Number(t),
        });
      }}
    >
      <Field label="Name" error={errors.name} hint="What uses it, e.g. “backup script on nas01”.">
        <input
          type="text"
          required
          maxLength={MAX_NAME_LENGTH}
          value={name}
          data-autofocus
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field
        label="Expires after (days)"
        error={errors.days}
        hint={`1 to ${MAX_TOKEN_EXPIRY_DAYS} days (a year at most); ${DEFAULT_TOKEN_EXPIRY_DAYS} unless changed. Every token expires.`}
      >
        <input
          type="text"
          inputMode="numeric"
          value={days}
          onChange={(e) => {
            setLocalError(null);
            setDays(e.target.value);
          }}
        />
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} />
        <span>
          Read-only
          <span className="radio-hint">
            Reads organizations and the audit trail; changes nothing.
          </span>
        </span>
      </label>
      <FormError error={err && !errors.name && !errors.days ? errorMessage(err) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={create.isPending}
          aria-busy={create.isPending || undefined}
        >
          {create.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Create token
        </button>
      </div>
    </form>
  );
}
