import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import type { GovernanceSettings } from '../../../shared/schemas/governance.schema';
import { ViewRoot } from '../../components/view-root';
import { RECORDING_LABELS } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import type { OrgViewProps } from '../../shell/views';
import { GovernanceSection } from '../organizations/governance-section';
import { denyReason } from '../../lib/permissions';
import { VIEW_ONLY_REASON } from '../support-access/view-only';
import { CleanupPanel } from './cleanup-panel';
import { GdprPanel } from './gdpr-panel';
import { RecordingsPanel, useRecordings } from './recordings-panel';
import './governance.css';

/** UI-7 governance of one org: GOV-1..3 settings, its recordings, and the cleanup. */
export function GovernanceView({ org }: OrgViewProps) {
  const trpc = useTRPC();
  const { me, isAccountAdmin } = useShell();
  const settings = useQuery(trpc.governance.settings.queryOptions({ organization_id: org.id }));
  const recordings = useRecordings(org.id);
  const reason = denyReason(me, org.permissions, 'governance.manage');
  return (
    <ViewRoot
      view="governance"
      title="Governance"
      subtitle={org.name}
      ready={
        settings.isSuccess &&
        recordings.recordings.isSuccess &&
        !recordings.recordings.isPlaceholderData
      }
    >
      <div className="governance-stack">
        {me.is_support_engineer ? (
          <PolicySummary settings={settings.data} />
        ) : (
          // The same section as in Settings: one editor for GOV-1..3, whichever way you came.
          <GovernanceSection org={org} />
        )}
        <RecordingsPanel org={org} list={recordings} reason={reason} />
        {isAccountAdmin ? <CleanupPanel /> : null}
      </div>
    </ViewRoot>
  );
}

/** Support engineers read the policy; the editor (a form) is not theirs to see disabled. */
function PolicySummary({ settings }: { settings: GovernanceSettings | undefined }) {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Recording governance</h2>
      <p className="disabled-reason block">{VIEW_ONLY_REASON}</p>
      {settings ? (
        <dl className="facts">
          <dt>Recording policy</dt>
          <dd>{RECORDING_LABELS[settings.recording_policy]}</dd>
          <dt>Retention</dt>
          <dd>
            {settings.inherited
              ? `Inherits the account default (${settings.account_default_retention_days} days)`
              : `${settings.effective_retention_days} days`}
          </dd>
          <dt>Legal hold</dt>
          <dd>
            {settings.legal_hold
              ? `On${settings.legal_hold_reason ? ` — ${settings.legal_hold_reason}` : ''}`
              : 'Off'}
          </dd>
        </dl>
      ) : null}
    </section>
  );
}

/** Account-wide governance under "All organizations": the cleanup and personal data (GDPR). */
export function AccountGovernanceView() {
  const trpc = useTRPC();
  const { me, accountPermissions } = useShell();
  const canManage = denyReason(me, accountPermissions, 'gdpr.manage') === null;
  // The people the GDPR panel offers (the same query, fetched once).
  const users = useQuery({ ...trpc.users.list.queryOptions(), enabled: canManage });
  return (
    <ViewRoot
      view="governance"
      title="Retention and personal data"
      subtitle="All organizations"
      ready={!canManage || !users.isPending}
    >
      <div className="governance-stack">
        <CleanupPanel />
        <GdprPanel />
      </div>
    </ViewRoot>
  );
}
