import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { formatDateTime, plural } from '../../lib/format';
import { useTRPC, type OrgDetail } from '../../lib/trpc';

/**
 * SEC-3: while a grace period runs, when it ends and which legacy hosts still send the old
 * secret (they stop working then). Nothing when no grace runs.
 */
export function SecretRollover({ org }: { org: OrgDetail }) {
  const trpc = useTRPC();
  const headingId = useId();
  const usage = useQuery(trpc.organizations.secretUsage.queryOptions({ id: org.id }));
  const grace = usage.data?.grace;
  if (!grace) return null;
  const shown = grace.hosts_on_previous.length;
  return (
    <section
      className="panel callout-warning"
      aria-labelledby={headingId}
      data-testid="secret-rollover"
    >
      <h2 id={headingId}>Secret rollover in progress</h2>
      <p>
        The previous organization secret is still accepted until{' '}
        <strong>{formatDateTime(grace.previous_secret_valid_until)}</strong>.{' '}
        {grace.hosts_on_previous_total === 0
          ? 'Every legacy agent already uses the new secret.'
          : `${plural(grace.hosts_on_previous_total, 'legacy agent')} ${grace.hosts_on_previous_total === 1 ? 'has' : 'have'} not been seen with the new secret yet: ${grace.hosts_on_previous_total === 1 ? 'it stops' : 'they stop'} working then unless updated.`}
      </p>
      {shown > 0 ? (
        <ul aria-label="Hosts still using the old secret">
          {grace.hosts_on_previous.map((h) => (
            <li key={h.id}>
              <strong>{h.hostname}</strong> <span className="muted">{h.ip}</span>{' '}
              <span className="muted">
                · {h.last_seen_at ? `last seen ${formatDateTime(h.last_seen_at)}` : 'never seen'}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {grace.hosts_on_previous_total > shown ? (
        <p className="muted">
          And {plural(grace.hosts_on_previous_total - shown, 'more host')}: the Hosts view lists
          every legacy agent.
        </p>
      ) : null}
    </section>
  );
}
