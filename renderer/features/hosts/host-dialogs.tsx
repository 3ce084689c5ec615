import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { Host } from '../../../shared/schemas/hosts.schema';
import type { Location } from '../../../shared/schemas/locations.schema';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { OrgTarget } from '../../components/org-badge';
import { Field, FormError } from '../../components/field';
import { errorMessage, fieldError } from '../../lib/errors';
import { useTRPC } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';

/** AGT-4: a hand move pins the host, and the dialog says so before it happens. */
export function MoveHostDialog({
  host,
  locations,
  onClose,
}: {
  host: Host | null;
  locations: Location[];
  onClose(): void;
}) {
  return (
    <Dialog
      open={host !== null}
      onClose={onClose}
      title={host ? `Move ${host.hostname}` : 'Move host'}
      size="small"
    >
      {host ? <MoveForm host={host} locations={locations} onClose={onClose} /> : null}
    </Dialog>
  );
}

function MoveForm({
  host,
  locations,
  onClose,
}: {
  host: Host;
  locations: Location[];
  onClose(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const others = locations.filter((l) => l.id !== host.location_id);
  const [target, setTarget] = useState<number | null>(others[0]?.id ?? null);
  const current = locations.find((l) => l.id === host.location_id);
  const move = useMutation(
    trpc.hosts.move.mutationOptions({
      onSuccess: (h) => {
        void invalidate('hosts', 'locations', 'organizations');
        const to =
          locations.find((l) => l.id === h.location_id)?.name ?? `location #${h.location_id}`;
        toast.success(`${h.hostname} moved to ${to} and pinned there.`);
        onClose();
      },
    }),
  );
  const locationError = fieldError(move.error, 'location_id');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (target !== null) move.mutate({ id: host.id, location_id: target });
      }}
    >
      <p className="muted">
        Now in <strong>{current?.name ?? `location #${host.location_id}`}</strong>.
      </p>
      {others.length === 0 ? (
        <div className="callout callout-info">
          This organization has no other location. Add one in Locations first.
        </div>
      ) : (
        <Field label="Move to" error={locationError}>
          <select value={target ?? ''} onChange={(e) => setTarget(Number(e.target.value))}>
            {others.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
                {l.is_default ? ' (default)' : ''}
              </option>
            ))}
          </select>
        </Field>
      )}
      <div className="callout callout-warning">
        The host will be <strong>pinned</strong> to this location: automatic assignment by subnet
        will not move it again until you unpin it.
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
          Move and pin
        </button>
      </div>
    </form>
  );
}

export function RemoveHostDialog({
  org,
  host,
  onClose,
}: {
  org: { id: number; name: string };
  host: Host | null;
  onClose(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const remove = useMutation(
    trpc.hosts.remove.mutationOptions({
      onSuccess: () => {
        void invalidate('hosts', 'locations', 'organizations');
        toast.success(`${host?.hostname ?? 'The host'} was removed.`);
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={host !== null}
      title={host ? `Remove ${host.hostname}?` : 'Remove host?'}
      confirmLabel="Remove host"
      tone="danger"
      target={<OrgTarget org={org} />}
      busy={remove.isPending}
      error={remove.error ? errorMessage(remove.error) : null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      onConfirm={() => host && remove.mutate({ id: host.id })}
    >
      <p>
        The host leaves this organization with its history. If its agent still runs, it has to
        register again with the organization secret.
      </p>
    </ConfirmDialog>
  );
}
