import { useQuery } from '@tanstack/react-query';
import { ViewRoot } from '../../components/view-root';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { ControlsPanel } from './controls-panel';
import { EngineerSupportView } from './engineer-view';
import { RequestsPanel, useSupportRequests } from './requests-panel';
import { StatusPanel } from './status-panel';
import { useRefreshSupport } from './use-refresh';
import { denyReason } from '../../lib/permissions';
import './support-access.css';

/** UI-6: the customer admin's side, or the request form when a support engineer signs in. */
export function SupportAccessView() {
  const { me } = useShell();
  return me.is_support_engineer ? <EngineerSupportView /> : <AdminSupportView />;
}

function AdminSupportView() {
  const trpc = useTRPC();
  const { me, accountPermissions } = useShell();
  const refresh = useRefreshSupport();
  const status = useQuery(trpc.supportAccess.status.queryOptions());
  const requests = useSupportRequests();
  const reason = denyReason(me, accountPermissions, 'support_access.manage');

  return (
    <ViewRoot
      view="support-access"
      title="Support access"
      ready={
        status.isSuccess && requests.requests.isSuccess && !requests.requests.isPlaceholderData
      }
      subtitle="Time-bound, view-only access for the platform support team to this account"
    >
      <div className="grid support-grid">
        <StatusPanel
          data={status.data}
          error={status.error}
          onRetry={() => void status.refetch()}
          onExpire={() => void refresh()}
        />
        <ControlsPanel status={status.data} reason={reason} />
      </div>
      <RequestsPanel list={requests} reason={reason} />
    </ViewRoot>
  );
}
