import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Skeleton, ViewRoot } from '../../components/view-root';
import { AUTOMATION_EXPLANATIONS, AUTOMATION_LABELS, formatCount, plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import type { OrgViewProps } from '../../shell/views';
import { useNavigation } from '../../shell/navigation';
import { ONLINE_RULE, STALE_RULE } from '../hosts/host-status';
import { HealthHistory } from '../fleet/health-chart';
import { SecretPanel } from '../secrets/secret-panel';
import { SecretRollover } from '../secrets/secret-rollover';
import { OrgStatusBanner } from './org-status-banner';

/** The org at a glance: host health, automation, locations, and agent enrollment (UI-5). */
export function OrgOverviewView({ org }: OrgViewProps) {
  const trpc = useTRPC();
  const { setView } = useNavigation();
  const locations = useQuery(trpc.locations.list.queryOptions({ organization_id: org.id }));
  const workflows = useQuery({
    ...trpc.workflows.list.queryOptions({ organization_id: org.id, active_only: false }),
    enabled: org.major_incident_workflow_id !== null,
  });
  const boundWorkflow = workflows.data?.find((w) => w.id === org.major_incident_workflow_id);
  const hostsId = useId();
  const autoId = useId();
  const locId = useId();
  const stats = org.stats ?? { online: 0, offline: 0, stale: 0, total: 0 };
  const defaultLocation = locations.data?.find((l) => l.is_default);

  return (
    <ViewRoot
      view="overview"
      title={org.name}
      ready={locations.isSuccess}
      subtitle={
        <>
          {org.region ? <span>{org.region}</span> : <span className="muted">No region</span>}
          {org.description ? <span className="muted"> · {org.description}</span> : null}
        </>
      }
    >
      <OrgStatusBanner org={org} />
      <SecretRollover org={org} />
      <div className="grid">
        <section className="panel" aria-labelledby={hostsId}>
          <h2 id={hostsId}>Hosts</h2>
          <dl className="stat-grid">
            <div className="stat stat-online">
              <dt>Online</dt>
              <dd>{formatCount(stats.online)}</dd>
            </div>
            <div className="stat stat-offline">
              <dt>Offline</dt>
              <dd>{formatCount(stats.offline)}</dd>
            </div>
            <div className="stat stat-stale">
              <dt>Stale</dt>
              <dd>{formatCount(stats.stale)}</dd>
            </div>
            <div className="stat">
              <dt>Total</dt>
              <dd>{formatCount(stats.total)}</dd>
            </div>
          </dl>
          <p className="field-hint">
            {ONLINE_RULE} {STALE_RULE}
          </p>
        </section>

        <section className="panel" aria-labelledby={autoId}>
          <h2 id={autoId}>Automation</h2>
          <dl className="facts">
            <dt>Level</dt>
            <dd>
              {AUTOMATION_LABELS[org.automation_level]}
              <div className="muted">{AUTOMATION_EXPLANATIONS[org.automation_level]}</div>
            </dd>
            <dt>Kill switch</dt>
            <dd>
              {org.kill_switch ? (
                <span className="tag tag-danger">On — nothing automatic runs</span>
              ) : (
                'Off'
              )}
            </dd>
            <dt>Major incidents</dt>
            <dd>
              {org.major_incident_workflow_id === null
                ? 'No workflow bound'
                : (boundWorkflow?.name ?? `Workflow #${org.major_incident_workflow_id}`)}
            </dd>
          </dl>
          <button type="button" className="link-button" onClick={() => void setView('settings')}>
            Change in Settings
          </button>
        </section>

        <section className="panel" aria-labelledby={locId}>
          <h2 id={locId}>Locations</h2>
          {locations.data ? (
            <dl className="facts">
              <dt>Locations</dt>
              <dd>{formatCount(locations.data.length)}</dd>
              <dt>Default</dt>
              <dd>{defaultLocation?.name ?? '—'}</dd>
              <dt>Subnets</dt>
              <dd>
                {plural(
                  locations.data.reduce((n, l) => n + l.subnets.length, 0),
                  'subnet',
                )}
              </dd>
            </dl>
          ) : (
            <div className="facts-skeleton">
              <Skeleton width="50%" />
              <Skeleton width="40%" />
              <Skeleton width="45%" />
            </div>
          )}
          <button type="button" className="link-button" onClick={() => void setView('locations')}>
            Manage locations
          </button>
        </section>
      </div>
      <HealthHistory organizationId={org.id} title="Host health, last 24 hours" />
      <SecretPanel org={org} />
    </ViewRoot>
  );
}
