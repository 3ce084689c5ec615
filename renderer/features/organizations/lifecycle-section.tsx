import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { GuardedButton } from '../../components/guarded-button';
import { OrgTarget } from '../../components/org-badge';
import { RemoveAllHostsDialog } from './remove-all-hosts-dialog';
import { TypedConfirmDialog } from '../../components/typed-confirm';
import { errorMessage } from '../../lib/errors';
import { plural } from '../../lib/format';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { usePrefsStore } from '../../stores/prefs-store';
import { toast } from '../../stores/toast-store';
import { useNavigation } from '../../shell/navigation';
import { useShell } from '../../shell/shell-context';

/** ORG-5: deactivate/reactivate (reversible), and hard delete (never while hosts remain). */
export function LifecycleSection({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const headingId = useId();
  const [confirmDeactivate, setConfirmDeactivate] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [removingHosts, setRemovingHosts] = useState(false);
  const hosts = org.stats?.total ?? 0;

  const toggleActive = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: (o) => {
        setConfirmDeactivate(false);
        void invalidate('organizations');
        toast.success(o.is_active ? `${o.name} is active again.` : `${o.name} was deactivated.`);
      },
    }),
  );
  const nav = useNavigation();
  const hardDelete = useMutation(
    trpc.organizations.delete.mutationOptions({
      onSuccess: () => {
        setConfirmDelete(false);
        // Leave the org before anything refetches it: it no longer exists, so it does not stay
        // in the history either. The notice belongs to All organizations, where the window goes.
        void nav.openAll(undefined, { replace: true });
        usePrefsStore.getState().forgetOrg(org.id);
        void invalidate('organizations');
        toast.success(`${org.name} and all its data were deleted.`, null);
      },
    }),
  );

  const activeReason = denyReason(me, org.permissions, 'settings.manage');
  // ORG-5: refused while hosts remain; UI-13: the flow removes them first, for whoever may.
  const removeHostsReason = hosts > 0 ? denyReason(me, org.permissions, 'hosts.manage') : null;
  const deleteReason =
    denyReason(me, org.permissions, 'organizations.hard_delete') ??
    (removeHostsReason
      ? `${org.name} still has ${plural(hosts, 'host')}, removed first when deleting. ${removeHostsReason}`
      : null);

  return (
    <section className="panel panel-danger" aria-labelledby={headingId}>
      <header className="section-header">
        <h2 id={headingId}>Lifecycle</h2>
      </header>
      <div className="danger-row">
        <div>
          <div className="danger-title">{org.is_active ? 'Deactivate' : 'Reactivate'}</div>
          <div className="field-hint">
            {org.is_active
              ? 'Hides the organization from the default list and keeps all its data. Reversible.'
              : 'Brings the organization back into the default list.'}
          </div>
        </div>
        <GuardedButton
          disabledReason={activeReason}
          busy={!confirmDeactivate && toggleActive.isPending}
          onClick={() => {
            toggleActive.reset();
            if (org.is_active) setConfirmDeactivate(true);
            else toggleActive.mutate({ id: org.id, patch: { is_active: true } });
          }}
        >
          {org.is_active ? 'Deactivate…' : 'Reactivate'}
        </GuardedButton>
      </div>
      <div className="danger-row">
        <div>
          <div className="danger-title">Delete permanently</div>
          <div className="field-hint">
            Removes the organization, its locations, settings and history. Cannot be undone.
            {hosts > 0
              ? ` Its ${plural(hosts, 'host')} are removed first, in a step of its own.`
              : ''}
          </div>
        </div>
        <GuardedButton
          variant="danger"
          disabledReason={deleteReason}
          onClick={() => {
            hardDelete.reset();
            if (hosts > 0) setRemovingHosts(true);
            else setConfirmDelete(true);
          }}
        >
          Delete permanently…
        </GuardedButton>
      </div>

      <ConfirmDialog
        open={confirmDeactivate}
        title={`Deactivate ${org.name}?`}
        target={<OrgTarget org={org} />}
        confirmLabel="Deactivate"
        tone="danger"
        busy={toggleActive.isPending}
        error={toggleActive.error ? errorMessage(toggleActive.error) : null}
        onClose={() => setConfirmDeactivate(false)}
        onConfirm={() => toggleActive.mutate({ id: org.id, patch: { is_active: false } })}
      >
        <p>
          The organization disappears from the default organization list. Its data stays, and you
          can reactivate it at any time.
        </p>
      </ConfirmDialog>
      <RemoveAllHostsDialog
        org={org}
        open={removingHosts}
        onClose={() => setRemovingHosts(false)}
        onRemoved={() => {
          setRemovingHosts(false);
          setConfirmDelete(true);
        }}
      />
      <TypedConfirmDialog
        open={confirmDelete}
        title={`Delete ${org.name} permanently?`}
        expected={org.name}
        target={<OrgTarget org={org} />}
        confirmLabel="Delete permanently"
        busy={hardDelete.isPending}
        error={hardDelete.error ? errorMessage(hardDelete.error) : null}
        warning={
          <>
            <strong>This cannot be undone.</strong> The organization, its locations, workflows,
            settings and secret are removed. Agents enrolled with its secret can no longer register.
          </>
        }
        onClose={() => setConfirmDelete(false)}
        onConfirm={() => hardDelete.mutate({ id: org.id, hard_delete: true })}
      />
    </section>
  );
}
