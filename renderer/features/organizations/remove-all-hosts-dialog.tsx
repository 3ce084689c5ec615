// UI-13 / ORG-5: the step before a hard delete. A hard delete is refused while hosts remain, so
// the flow offers to remove them all, after the user types how many there are; the removal runs
// on the server in chunks, and the org's host count, polled meanwhile, is the progress.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/dialog';
import { Field, FormError } from '../../components/field';
import { OrgTarget } from '../../components/org-badge';
import { errorMessage } from '../../lib/errors';
import { formatCount, plural } from '../../lib/format';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';

/** How often the host count is read while the removal runs. */
const PROGRESS_POLL_MS = 500;

/** What the user typed, read as a count: digits, with or without group separators. */
export const typedCount = (text: string): string => text.trim().replace(/[\s,.'’_]/g, '');

export function RemoveAllHostsDialog({
  org,
  open,
  onClose,
  onRemoved,
}: {
  org: OrgDetail;
  open: boolean;
  onClose(): void;
  /** Every host is gone: the hard delete can follow. */
  onRemoved(): void;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title={`Remove every host of ${org.name}?`}
      className="remove-all-dialog"
    >
      <RemoveAllForm org={org} onClose={onClose} onRemoved={onRemoved} />
    </Dialog>
  );
}

function RemoveAllForm({
  org,
  onClose,
  onRemoved,
}: {
  org: OrgDetail;
  onClose(): void;
  onRemoved(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const current = org.stats?.total ?? 0;
  // The count the user confirms is the one shown when they typed it; the server checks it again.
  const [typed, setTyped] = useState('');
  const [started, setStarted] = useState<number | null>(null);
  const remove = useMutation(
    trpc.hosts.removeAll.mutationOptions({
      onSuccess: (r) => {
        void invalidate('organizations', 'hosts', 'locations');
        if (r.remaining > 0) {
          toast.info(
            `${plural(r.removed, 'host')} removed; ${plural(r.remaining, 'host')} registered meanwhile and remain.`,
          );
          setStarted(null);
          setTyped('');
          return;
        }
        toast.success(`${plural(r.removed, 'host')} removed from ${org.name}.`);
        onRemoved();
      },
      onError: () => {
        setStarted(null);
        void invalidate('organizations');
      },
    }),
  );
  // Progress: the org's own host count, read while the removal runs.
  const live = useQuery({
    ...trpc.organizations.get.queryOptions({ id: org.id }),
    refetchInterval: remove.isPending ? PROGRESS_POLL_MS : false,
  });
  const left = live.data?.stats?.total ?? current;
  const matches = typedCount(typed) === String(current) && current > 0;

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (!matches || remove.isPending) return;
        setStarted(current);
        remove.mutate({ organization_id: org.id, confirm_count: current });
      }}
    >
      <OrgTarget org={org} />
      <div className="callout callout-danger">
        <strong>Step 1 of 2.</strong> {org.name} still has {plural(current, 'host')}, and a
        permanent delete needs it empty. This removes every one of them with its history; agents
        that still run must register again with an organization secret.
      </div>
      {started !== null ? (
        <div className="progress-block" data-testid="remove-all-progress">
          <progress max={started} value={Math.max(0, started - left)} aria-label="Hosts removed" />
          <span aria-live="polite">
            Removed {formatCount(Math.max(0, started - left))} of {formatCount(started)} hosts…
          </span>
        </div>
      ) : (
        <Field label={`Type the number of hosts (${formatCount(current)}) to confirm`}>
          <input
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            data-autofocus
            onChange={(e) => setTyped(e.target.value)}
          />
        </Field>
      )}
      <FormError error={remove.error ? errorMessage(remove.error) : null} />
      <div className="form-actions">
        <button
          type="button"
          className="button button-secondary"
          disabled={remove.isPending}
          onClick={onClose}
        >
          Cancel
        </button>
        <button
          type="submit"
          className="button button-danger"
          disabled={!matches || remove.isPending}
          aria-busy={remove.isPending || undefined}
        >
          {remove.isPending ? <span className="spinner" aria-hidden="true" /> : null}
          Remove {plural(current, 'host')}
        </button>
      </div>
    </form>
  );
}
