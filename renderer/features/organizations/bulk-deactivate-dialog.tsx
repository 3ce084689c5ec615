// UI-13: deactivate the selected orgs in one call (ORG-5's soft delete, all or nothing).
import { useMutation } from '@tanstack/react-query';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { OrgTargetList } from '../../components/org-badge';
import { errorMessage } from '../../lib/errors';
import { plural } from '../../lib/format';
import { useTRPC, type OrgListItem } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';

export function BulkDeactivateDialog({
  orgs,
  onClose,
  onDone,
}: {
  orgs: OrgListItem[] | null;
  onClose(): void;
  onDone(): void;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const deactivate = useMutation(
    trpc.organizations.deactivateMany.mutationOptions({
      onSuccess: (r) => {
        void invalidate('organizations');
        toast.success(`${plural(r.count, 'organization')} deactivated.`);
        onDone();
      },
    }),
  );
  const n = orgs?.length ?? 0;
  return (
    <ConfirmDialog
      open={orgs !== null}
      title={`Deactivate ${plural(n, 'organization')}?`}
      confirmLabel={`Deactivate ${plural(n, 'organization')}`}
      tone="danger"
      target={orgs ? <OrgTargetList orgs={orgs} label="Organizations to deactivate" /> : null}
      busy={deactivate.isPending}
      error={deactivate.error ? errorMessage(deactivate.error) : null}
      onClose={() => {
        deactivate.reset();
        onClose();
      }}
      onConfirm={() => orgs && deactivate.mutate({ ids: orgs.map((o) => o.id) })}
    >
      <p>
        They disappear from the default organization list and their agents are refused. Their data
        stays, and each can be reactivated in its settings.
      </p>
    </ConfirmDialog>
  );
}
