// UI-13: move or remove the selected hosts of one org in one call (all or nothing).
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { Host } from '../../../shared/schemas/hosts.schema';
import type { Location } from '../../../shared/schemas/locations.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { OrgTarget } from '../../components/org-badge';
import { errorMessage, fieldError } from '../../lib/errors';
import { formatCount, plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';

interface OrgRef {
  id: number;
  name: string;
}

/** The hosts named in a dialog: a few by name, the rest counted. */
function HostNames({ hosts }: { hosts: Host[] }) {
  const shown = hosts.slice(0, 5);
  return (
    <p className="muted">
      {shown.map((h) => h.hostname).join(', ')}
      {hosts.length > shown.length ? ` and ${formatCount(hosts.length - shown.length)} more` : ''}
    </p>
  );
}

export function BulkMoveHostsDialog({
  org,
  hosts,
  locations,
  onClose,
  onDone,
}: {
  org: OrgRef;
  hosts: Host[] | null;
  locations: Location[];
  onClose(): void;
  onDone(): void;
}) {
  return (
    <Dialog
      open={hosts !== null}
      onClose={onClose}
      title={hosts ? `Move ${plural(hosts.length, 'host')}` : 'Move hosts'}
      size="small"
    >
      {hosts ? (
        <BulkMoveForm
          org={org}
          hosts={hosts}
          locations={locations}
          onClose={onClose}
          onDone={onDone}
        />
      ) : null}
    </Dialog>
  );
}

function BulkMoveForm({
  org,
  hosts,
  locations,
  onClose,
  onDone,
}: {
  org: OrgRef;
  hosts: Host[];
  locations: Location[];
  onClose(): void;
  onDone(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [target, setTarget] = useState<number | null>(locations[0]?.id ?? null);
  const move = useMutation(
    trpc.hosts.moveMany.mutationOptions({
      onSuccess: (r) => {
        void invalidate('hosts', 'locations', 'organizations');
        const to = locations.find((l) => l.id === target)?.name ?? 'the location';
        toast.success(`${plural(r.count, 'host')} moved to ${to} and pinned there.`);
        onDone();
      },
    }),
  );
  const locationError = fieldError(move.error, 'location_id');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (target !== null)
          move.mutate({
            organization_id: org.id,
            ids: hosts.map((h) => h.id),
            location_id: target,
          });
      }}
    >
      <OrgTarget org={org} />
      <HostNames hosts={hosts} />
      <Field label="Move to" error={locationError}>
        <select value={target ?? ''} onChange={(e) => setTarget(Number(e.target.value))}>
          {locations.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
              {l.is_default ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </Field>
      <div className="callout callout-warning">
        Every one of them will be <strong>pinned</strong> to this location: automatic assignment by
        subnet will not move them again until they are unpinned.
      </div>
      <FormError error={move.error && !locationError ? errorMessage(move.error) : null} />
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={target === null || move.isPending}
          aria-busy={move.isPending || undefined}
        >
          {move.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Move and pin {plural(hosts.length, 'host')}
        </button>
      </div>
    </form>
  );
}

export function BulkRemoveHostsDialog({
  org,
  hosts,
  onClose,
  onDone,
}: {
  org: OrgRef;
  hosts: Host[] | null;
  onClose(): void;
  onDone(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const remove = useMutation(
    trpc.hosts.removeMany.mutationOptions({
      onSuccess: (r) => {
        void invalidate('hosts', 'locations', 'organizations');
        toast.success(`${plural(r.count, 'host')} removed.`);
        onDone();
      },
    }),
  );
  const n = hosts?.length ?? 0;
  return (
    <ConfirmDialog
      open={hosts !== null}
      title={`Remove ${plural(n, 'host')}?`}
      confirmLabel={`Remove ${plural(n, 'host')}`}
      tone="danger"
      target={<OrgTarget org={org} />}
      busy={remove.isPending}
      error={remove.error ? errorMessage(remove.error) : null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      onConfirm={() =>
        hosts && remove.mutate({ organization_id: org.id, ids: hosts.map((h) => h.id) })
      }
    >
      {hosts ? <HostNames hosts={hosts} /> : null}
      <p>
        They leave this organization with their history, all of them or none. An agent that still
        runs has to register again with the organization secret.
      </p>
    </ConfirmDialog>
  );
}
