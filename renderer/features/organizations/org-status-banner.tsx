import { useMutation } from '@tanstack/react-query';
import { GuardedButton } from '../../components/guarded-button';
import { errorMessage } from '../../lib/errors';
import { denyReason } from '../../lib/permissions';
import { useTRPC, type OrgDetail } from '../../lib/trpc';
import { useInvalidate } from '../../lib/use-invalidate';
import { toast } from '../../stores/toast-store';
import { useShell } from '../../shell/shell-context';

/** A deactivated org says so at the top of its views, with the way back. */
export function OrgStatusBanner({ org }: { org: OrgDetail }) {
  const { me } = useShell();
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const reactivate = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: () => {
        void invalidate('organizations');
        toast.success(`${org.name} is active again.`);
      },
      onError: (e) => toast.error(errorMessage(e)),
    }),
  );
  if (org.is_active) return null;
  return (
    <div className="callout callout-warning banner">
      <span>
        <strong>{org.name} is deactivated.</strong> It is hidden from the default organization list
        and kept with all its data until it is reactivated or deleted.
      </span>
      <GuardedButton
        disabledReason={denyReason(me, org.permissions, 'settings.manage')}
        busy={reactivate.isPending}
        onClick={() => reactivate.mutate({ id: org.id, patch: { is_active: true } })}
      >
        Reactivate
      </GuardedButton>
    </div>
  );
}
