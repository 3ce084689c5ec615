import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import type { DestinationKind } from '../../../shared/integrations';
import type { Delivery, Destination } from '../../../shared/schemas/integrations.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { CellTime, DataTable } from '../../components/table-kit';
import { EmptyState, ErrorState, ViewRoot } from '../../components/view-root';
import { errorMessage, fieldError } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC, type RouterOutputs } from '../../lib/trpc';
import { toast } from '../../stores/toast-store';
import { SecretOnce } from '../secrets/secret-once';
import './integrations.css';

type Created = RouterOutputs['integrations']['create'];
const column = createColumnHelper<Destination>();
const deliveryColumn = createColumnHelper<Delivery>();
const EMPTY: Destination[] = [];
const NO_DELIVERIES: Delivery[] = [];

/** What the admin reads first about a destination: on, off (and why), or failing. */
function stateOf(d: Destination): { label: string; tone: string } {
  if (!d.enabled)
    return { label: d.disabled_reason ? 'Disabled automatically' : 'Off', tone: 'tag-danger' };
  if (d.status.failures > 0) return { label: 'Failing', tone: 'tag-warning' };
  return { label: 'Delivering', tone: 'tag-success' };
}

/**
 * INT-1/INT-2: where the account's audit trail is forwarded (syslog collectors, webhooks), with
 * each destination's delivery status, a test send, the delivery log with redelivery, and
 * disable/delete. Account admins only (the view is hidden for everyone else; the server refuses).
 */
export function IntegrationsView() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.integrations.list.queryOptions(), refetchInterval: 5_000 });
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Destination | null>(null);
  const [logOf, setLogOf] = useState<Destination | null>(null);
  const refresh = () =>
    void queryClient.invalidateQueries({ queryKey: trpc.integrations.list.queryKey() });
  const test = useMutation(
    trpc.integrations.test.mutationOptions({
      onSuccess: (r) =>
        r.ok
          ? toast.success('Test message delivered.')
          : toast.error(`Test failed: ${r.error ?? 'no answer'}`),
    }),
  );
  const toggle = useMutation(
    trpc.integrations.update.mutationOptions({
      onSuccess: (d) => {
        refresh();
        toast.success(
          d.enabled ? `“${d.name}” is on again.` : `“${d.name}” is off: nothing is queued for it.`,
        );
      },
    }),
  );
  const remove = useMutation(
    trpc.integrations.remove.mutationOptions({
      onSuccess: () => {
        const name = deleting?.name ?? 'The destination';
        setDeleting(null);
        refresh();
        toast.success(`${name} was deleted with its queue.`);
      },
    }),
  );

  const columns = useMemo(
    () => [
      column.accessor('name', {
        header: 'Name',
        cell: (c) => (
          <span className="cell-name">
            {c.getValue()}
            <span className="cell-sub">{c.row.original.url}</span>
          </span>
        ),
      }),
      column.accessor('kind', {
        header: 'Kind',
        cell: (c) => (c.getValue() === 'syslog' ? 'Syslog' : 'Webhook'),
      }),
      column.display({
        id: 'state',
        header: 'Status',
        cell: (c) => {
          const d = c.row.original;
          const s = stateOf(d);
          return (
            <span className="integration-state">
              <span className={`tag ${s.tone}`}>{s.label}</span>
              {d.disabled_reason ? <span className="cell-sub">{d.disabled_reason}</span> : null}
              {d.enabled && d.status.last_error ? (
                <span className="cell-sub">Last error: {d.status.last_error}</span>
              ) : null}
            </span>
          );
        },
      }),
      column.display({
        id: 'backlog',
        header: 'Backlog',
        cell: (c) => {
          const s = c.row.original.status;
          return `${s.backlog}${s.dead > 0 ? ` · ${s.dead} dead` : ''}`;
        },
      }),
      column.display({
        id: 'last',
        header: 'Last delivery',
        cell: (c) => <CellTime iso={c.row.original.status.last_delivered_at} />,
      }),
      column.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) => {
          const d = c.row.original;
          return (
            <span className="row-actions">
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Send a test to ${d.name}`}
                disabled={test.isPending}
                onClick={() => test.mutate({ id: d.id })}
              >
                Test
              </button>
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Deliveries of ${d.name}`}
                onClick={() => setLogOf(d)}
              >
                Deliveries
              </button>
              <button
                type="button"
                className="button button-secondary"
                aria-label={`${d.enabled ? 'Disable' : 'Enable'} ${d.name}`}
                onClick={() => toggle.mutate({ id: d.id, patch: { enabled: !d.enabled } })}
              >
                {d.enabled ? 'Disable' : 'Enable'}
              </button>
              <button
                type="button"
                className="button button-danger-outline"
                aria-label={`Delete ${d.name}`}
                onClick={() => {
                  remove.reset();
                  setDeleting(d);
                }}
              >
                Delete…
              </button>
            </span>
          );
        },
      }),
    ],
    [test, toggle, remove],
  );
  const table = useReactTable({
    data: list.data ?? EMPTY,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (d) => String(d.id),
  });

  return (
    <ViewRoot
      view="integrations"
      title="Integrations"
      ready={list.isSuccess}
      subtitle={list.data ? `Audit forwarding · ${plural(list.data.length, 'destination')}` : ' '}
      actions={[
        {
          id: 'new-destination',
          label: 'New destination',
          shortcut: { key: 'n' },
          variant: 'primary',
          run: () => setCreating(true),
        },
      ]}
    >
      <p className="field-hint">
        Every audit entry of the account is sent to each destination that asks for its event, at
        least once and in order: to a syslog collector (RFC 5424 over TLS, TCP or UDP) or a signed
        webhook. Failures are retried for 24 hours; a webhook failing 10 times in a row is turned
        off and says why here.
      </p>
      {list.error ? (
        <ErrorState error={errorMessage(list.error)} onRetry={() => void list.refetch()} />
      ) : (
        <DataTable
          table={table}
          label="Destinations"
          loading={list.isPending}
          fetching={list.isFetching}
          skeletonRows={2}
          empty={<EmptyState title="No destinations yet" />}
        />
      )}
      <CreateDestinationDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={refresh}
      />
      {logOf ? <DeliveriesDialog destination={logOf} onClose={() => setLogOf(null)} /> : null}
      <ConfirmDialog
        open={deleting !== null}
        title={deleting ? `Delete “${deleting.name}”?` : 'Delete destination?'}
        confirmLabel="Delete destination"
        tone="danger"
        busy={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onClose={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>Its backlog and delivery log go with it. Entries already sent stay where they are.</p>
      </ConfirmDialog>
    </ViewRoot>
  );
}

function CreateDestinationDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  onCreated(): void;
}) {
  const [created, setCreated] = useState<Created | null>(null);
  const close = () => {
    // Dropping it drops the secret from memory with it.
    setCreated(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={created ? 'Destination added' : 'New destination'}
      size="medium"
    >
      {created ? (
        <div className="token-created">
          {created.secret ? (
            <SecretOnce
              secret={created.secret}
              label={`Signing secret of “${created.name}”`}
              note="Shown only this once. Your receiver checks X-Orgdesk-Signature with it (docs/integrations.md)."
            />
          ) : (
            <p>“{created.name}” receives the audit entries written from now on.</p>
          )}
          <div className="form-actions">
            <button type="button" className="button button-primary" data-autofocus onClick={close}>
              Done
            </button>
          </div>
        </div>
      ) : (
        <CreateDestinationForm
          onCreated={(d) => {
            onCreated();
            setCreated(d);
          }}
          onCancel={close}
        />
      )}
    </Dialog>
  );
}

function CreateDestinationForm({
  onCreated,
  onCancel,
}: {
  onCreated(d: Created): void;
  onCancel(): void;
}) {
  const trpc = useTRPC();
  const [kind, setKind] = useState<DestinationKind>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('');
  const [caPem, setCaPem] = useState('');
  const create = useMutation(trpc.integrations.create.mutationOptions({ onSuccess: onCreated }));
  const err = create.error;
  const errors = {
    name: fieldError(err, 'name'),
    url: fieldError(err, 'url'),
    events: fieldError(err, 'events'),
    ca: fieldError(err, 'ca_pem'),
  };
  const patterns = events
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          kind,
          url: url.trim(),
          ...(name.trim() ? { name: name.trim() } : {}),
          events: patterns.length > 0 ? patterns : null,
          ca_pem: kind === 'syslog' && caPem.trim() ? caPem : null,
        });
      }}
    >
      <Field label="Kind">
        <select
          value={kind}
          onChange={(e) => setKind(e.target.value as DestinationKind)}
          data-autofocus
        >
          <option value="webhook">Webhook (HTTPS, signed)</option>
          <option value="syslog">Syslog collector</option>
        </select>
      </Field>
      <Field label="Name" aside="optional" error={errors.name} hint="How the list names it.">
        <input type="text" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field
        label="URL"
        error={errors.url}
        hint={
          kind === 'syslog'
            ? 'tls://collector:6514 (recommended), tcp://collector:514 or udp://collector:514'
            : 'https://hooks.example.com/orgdesk'
        }
      >
        <input type="text" required value={url} onChange={(e) => setUrl(e.target.value)} />
      </Field>
      <Field
        label="Events"
        aside="optional"
        error={errors.events}
        hint="Comma-separated, e.g. support_access.*, host.registered. Empty: every event."
      >
        <input type="text" value={events} onChange={(e) => setEvents(e.target.value)} />
      </Field>
      {kind === 'syslog' ? (
        <Field
          label="Collector CA (PEM)"
          aside="for tls://"
          error={errors.ca}
          hint="The CA the collector's certificate must chain to; empty: the system's CAs."
        >
          <textarea rows={4} value={caPem} onChange={(e) => setCaPem(e.target.value)} />
        </Field>
      ) : null}
      <FormError
        error={
          err && !errors.name && !errors.url && !errors.events && !errors.ca
            ? errorMessage(err)
            : null
        }
      />
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
          Add destination
        </button>
      </div>
    </form>
  );
}

function DeliveriesDialog({ destination, onClose }: { destination: Destination; onClose(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { id: destination.id, limit: 50 };
  const log = useQuery(trpc.integrations.deliveries.queryOptions(input));
  const redeliver = useMutation(
    trpc.integrations.redeliver.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({
          queryKey: trpc.integrations.deliveries.queryKey(input),
        });
        void queryClient.invalidateQueries({ queryKey: trpc.integrations.list.queryKey() });
        toast.success('Queued again: it goes out with the next pass.');
      },
    }),
  );
  const columns = useMemo(
    () => [
      deliveryColumn.accessor('event', { header: 'Event' }),
      deliveryColumn.accessor('sequence', { header: 'Seq' }),
      deliveryColumn.accessor('status', {
        header: 'Status',
        cell: (c) => {
          const d = c.row.original;
          const tone =
            d.status === 'delivered' ? 'tag-success' : d.status === 'dead' ? 'tag-danger' : '';
          return (
            <span>
              <span className={`tag ${tone}`}>{d.status}</span>
              {d.response_status !== null ? (
                <span className="cell-sub">HTTP {d.response_status}</span>
              ) : null}
              {d.last_error ? <span className="cell-sub">{d.last_error}</span> : null}
            </span>
          );
        },
      }),
      deliveryColumn.accessor('attempts', { header: 'Attempts' }),
      deliveryColumn.accessor('created_at', {
        header: 'Queued',
        cell: (c) => <CellTime iso={c.getValue()} />,
      }),
      deliveryColumn.display({
        id: 'actions',
        header: () => <span className="visually-hidden">Actions</span>,
        meta: { actions: true },
        cell: (c) =>
          c.row.original.status === 'pending' ? null : (
            <button
              type="button"
              className="button button-secondary"
              aria-label={`Redeliver ${c.row.original.event} #${c.row.original.sequence}`}
              disabled={redeliver.isPending}
              onClick={() =>
                redeliver.mutate({ id: destination.id, delivery_id: c.row.original.id })
              }
            >
              Redeliver
            </button>
          ),
      }),
    ],
    [redeliver, destination.id],
  );
  const table = useReactTable({
    data: log.data?.items ?? NO_DELIVERIES,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (d) => String(d.id),
  });
  return (
    <Dialog open onClose={onClose} title={`Deliveries of ${destination.name}`} size="large">
      {log.error ? (
        <ErrorState error={errorMessage(log.error)} onRetry={() => void log.refetch()} />
      ) : (
        <DataTable
          table={table}
          label={`Deliveries of ${destination.name}`}
          loading={log.isPending}
          fetching={log.isFetching}
          skeletonRows={3}
          empty={<EmptyState title="Nothing sent yet" />}
        />
      )}
    </Dialog>
  );
}
