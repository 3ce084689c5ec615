// UI-12: the fleet overview on All organizations: totals, the orgs that need attention, the
// account's support access, and the fleet's health over the last 24 hours.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import type { AttentionItem, AttentionReason } from '../../../shared/schemas/fleet.schema';
import { OrgBadge } from '../../components/org-badge';
import { EmptyState, ErrorState, Skeleton, ViewRoot } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatCount, formatDateTime, plural } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { useShell } from '../../shell/shell-context';
import { useNavigation } from '../../shell/navigation';
import { PlaceLink } from '../../shell/place-link';
import { ONLINE_RULE, STALE_RULE } from '../hosts/host-status';
import { HealthHistory } from './health-chart';
import './fleet.css';

const percent = (share: number) => `${Math.round(share * 100)} %`;

const REASON_LABELS: Record<AttentionReason, string> = {
  offline_share: 'Many offline',
  stale_share: 'Many stale',
  kill_switch: 'Kill switch on',
  deactivated: 'Deactivated',
};
const REASON_TONES: Record<AttentionReason, string> = {
  offline_share: 'tag-warning',
  stale_share: 'tag-info',
  kill_switch: 'tag-danger',
  deactivated: 'tag-warning',
};

function Stat({
  label,
  value,
  tone,
  hint,
}: {
  label: string;
  value: number;
  tone?: string;
  hint?: string;
}) {
  return (
    <div className={`stat${tone ? ` stat-${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{formatCount(value)}</dd>
      {hint ? <dd className="stat-hint">{hint}</dd> : null}
    </div>
  );
}

function AttentionRow({ item }: { item: AttentionItem }) {
  return (
    <tr>
      <th scope="row">
        <span className="cell-name-row">
          <OrgBadge org={{ id: item.organization_id, name: item.name }} />
          <PlaceLink
            className="link-button cell-name"
            place={{ orgId: item.organization_id, view: 'overview' }}
          >
            {item.name}
          </PlaceLink>
        </span>
      </th>
      <td>
        <span className="reason-list">
          {item.reasons.map((r) => (
            <span key={r} className={`tag ${REASON_TONES[r]}`}>
              {REASON_LABELS[r]}
            </span>
          ))}
        </span>
      </td>
      <td className="numeric">{formatCount(item.stats.total)}</td>
      <td className="numeric">
        {formatCount(item.stats.offline)}
        <span className="muted"> · {percent(item.offline_share)}</span>
      </td>
      <td className="numeric">
        {formatCount(item.stats.stale)}
        <span className="muted"> · {percent(item.stale_share)}</span>
      </td>
    </tr>
  );
}

export function FleetOverviewView() {
  const trpc = useTRPC();
  const { me, isAccountAdmin } = useShell();
  const nav = useNavigation();
  const overview = useQuery(trpc.fleet.overview.queryOptions());
  const totalsId = useId();
  const attentionId = useId();
  const o = overview.data;
  // Support access is reviewed where it is decided (the support access view, SUP-3).
  const canReviewAccess = isAccountAdmin || me.is_support_engineer;

  return (
    <ViewRoot
      view="fleet"
      title="Fleet overview"
      ready={overview.isSuccess}
      subtitle={
        o
          ? `${plural(o.organizations.total, 'organization')} ${isAccountAdmin ? 'in this account' : 'you can see'}, ${formatCount(o.organizations.active)} active · as of ${formatDateTime(o.generated_at)}`
          : ' '
      }
      actions={
        o?.support_access?.active && canReviewAccess
          ? [
              {
                id: 'review-support-access',
                label: 'Review support access',
                mutates: false,
                run: () => void nav.openAll('support-access'),
              },
            ]
          : undefined
      }
    >
      {overview.error ? (
        <ErrorState error={errorMessage(overview.error)} onRetry={() => void overview.refetch()} />
      ) : null}
      {o?.support_access?.active ? (
        <div className="callout callout-warning support-line" data-testid="fleet-support-access">
          <span>
            <strong>Support access is active</strong>
            {o.support_access.expires_at
              ? ` until ${formatDateTime(o.support_access.expires_at)}`
              : ''}{' '}
            ({plural(o.support_access.grants, 'grant')}): support engineers can read every
            organization of this account.
          </span>
          {canReviewAccess ? (
            <PlaceLink className="link-button" place={{ orgId: null, view: 'support-access' }}>
              Review support access
            </PlaceLink>
          ) : null}
        </div>
      ) : null}

      <section className="panel" aria-labelledby={totalsId}>
        <h2 id={totalsId}>Totals</h2>
        {o ? (
          <dl className="stat-grid fleet-stats" data-testid="fleet-totals">
            <Stat
              label="Organizations"
              value={o.organizations.active}
              hint={
                o.organizations.deactivated
                  ? `+ ${formatCount(o.organizations.deactivated)} deactivated`
                  : 'all active'
              }
            />
            <Stat label="Hosts online" value={o.hosts.online} tone="online" />
            <Stat label="Hosts offline" value={o.hosts.offline} tone="offline" />
            <Stat label="Hosts stale" value={o.hosts.stale} tone="stale" />
            <Stat label="Hosts in all" value={o.hosts.total} />
          </dl>
        ) : (
          <Skeleton height="64px" />
        )}
        <p className="field-hint">
          Hosts of the active organizations. {ONLINE_RULE} Offline: longer ago. {STALE_RULE}
        </p>
      </section>

      <section className="panel" aria-labelledby={attentionId}>
        <h2 id={attentionId}>
          Needs attention
          {o ? <span className="muted"> · {formatCount(o.attention.total)}</span> : null}
        </h2>
        {o ? (
          <>
            <p className="field-hint">
              An active organization with at least {percent(o.thresholds.offline_share)} of its
              hosts offline or {percent(o.thresholds.stale_share)} stale, its kill switch on, or
              deactivated.
            </p>
            <ul className="reason-counts" aria-label="Organizations per reason">
              {(Object.keys(REASON_LABELS) as AttentionReason[]).map((r) => (
                <li key={r}>
                  <span className={`tag ${REASON_TONES[r]}`}>{REASON_LABELS[r]}</span>{' '}
                  {formatCount(o.attention.counts[r])}
                </li>
              ))}
            </ul>
            {o.attention.items.length === 0 ? (
              <EmptyState title="Nothing needs attention" />
            ) : (
              <div className="table-wrap">
                <table
                  className="data-table fleet-table"
                  aria-label="Organizations that need attention"
                >
                  <thead>
                    <tr>
                      <th scope="col">Organization</th>
                      <th scope="col">Why</th>
                      <th scope="col" className="numeric">
                        Hosts
                      </th>
                      <th scope="col" className="numeric">
                        Offline
                      </th>
                      <th scope="col" className="numeric">
                        Stale
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.attention.items.map((item) => (
                      <AttentionRow key={item.organization_id} item={item} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {o.attention.total > o.attention.items.length ? (
              <p className="field-hint">
                The {formatCount(o.attention.items.length)} most urgent of{' '}
                {formatCount(o.attention.total)}: active organizations first, then those with the
                most reasons and the largest share.
              </p>
            ) : null}
          </>
        ) : (
          <Skeleton height="120px" />
        )}
      </section>

      <HealthHistory title="Fleet health, last 24 hours" />
    </ViewRoot>
  );
}
