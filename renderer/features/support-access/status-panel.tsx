import { useId } from 'react';
import type { SupportStatus } from '../../../shared/schemas/support-access.schema';
import { ErrorState, Skeleton } from '../../components/view-root';
import { errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { Countdown } from './countdown';

/** SUP-2: whether support access is on now, until when, and through which grants. */
export function StatusPanel({
  data,
  error,
  onRetry,
  onExpire,
}: {
  data: SupportStatus | undefined;
  error: unknown;
  onRetry(): void;
  onExpire(): void;
}) {
  const headingId = useId();
  return (
    <section
      className="panel support-status"
      aria-labelledby={headingId}
      data-testid="support-status"
    >
      <h2 id={headingId}>Status</h2>
      {error ? (
        <ErrorState error={errorMessage(error)} onRetry={onRetry} />
      ) : !data ? (
        <div className="facts-skeleton">
          <Skeleton width="30%" height="1.6em" />
          <Skeleton width="60%" />
          <Skeleton width="45%" />
        </div>
      ) : data.active && data.expires_at ? (
        <>
          <div className="status-line">
            <span className="tag tag-success status-tag" data-testid="support-state">
              Active
            </span>
            <span className="status-ends">
              Ends in <Countdown until={data.expires_at} onExpire={onExpire} />
            </span>
          </div>
          <p className="muted">
            The support team can read every organization of this account, view-only, until{' '}
            <strong>{formatDateTime(data.expires_at)}</strong>.
          </p>
          <ul className="grant-list" aria-label="Active grants">
            {data.grants.map((g) => (
              <li key={g.id}>
                <span className="grant-kind">
                  {g.kind === 'customer'
                    ? 'Enabled by your account for the support team'
                    : `Approved request of ${g.engineer_email ?? `engineer #${g.engineer_user_id}`}`}
                </span>
                <span className="muted"> · until {formatDateTime(g.expires_at)}</span>
                {g.reason ? <div className="cell-sub">Reason: {g.reason}</div> : null}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <div className="status-line">
            <span className="tag status-tag" data-testid="support-state">
              Inactive
            </span>
          </div>
          <p className="muted">
            The support team cannot see this account. Enable access for a while, or approve an
            engineer&apos;s request below.
          </p>
        </>
      )}
    </section>
  );
}
