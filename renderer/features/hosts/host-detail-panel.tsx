import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import type { Host } from '../../../shared/schemas/hosts.schema';
import { RelativeTime } from '../../components/table-kit';
import { ErrorState, Skeleton } from '../../components/view-root';
import { errorCode, errorMessage } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { useTRPC } from '../../lib/trpc';
import { HostStatusBadge } from './host-status';

interface HostDetailPanelProps {
  hostId: number;
  locationName(id: number): string;
  /** Why this caller cannot change hosts (null: they can): the actions are disabled with it. */
  reason: string | null;
  reasonId: string;
  unpinning: boolean;
  onMove(host: Host): void;
  onUnpin(host: Host): void;
  onRemove(host: Host): void;
  onClose(): void;
}

/**
 * UI-7 / AGT-3/4: everything about one host beside the table (the locations editor's side panel
 * pattern), with the row's actions. Read fresh by id, so a move or unpin shows here at once and a
 * host removed (here or elsewhere) closes the panel. Focus goes to its heading on open; Escape
 * or Close hand it back to the view, which returns it to the name that opened the panel.
 */
export function HostDetailPanel(p: HostDetailPanelProps) {
  const trpc = useTRPC();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const host = useQuery({ ...trpc.hosts.get.queryOptions({ id: p.hostId }), retry: false });
  const h = host.data;
  const { onClose } = p;
  const gone = errorCode(host.error) === 'NOT_FOUND';

  useEffect(() => {
    heading.current?.focus();
  }, [p.hostId]);
  useEffect(() => {
    if (gone) onClose();
  }, [gone, onClose]);

  const guard = {
    disabled: p.reason !== null,
    'aria-describedby': p.reason ? p.reasonId : undefined,
  };
  return (
    <section
      className="panel host-detail"
      aria-labelledby={headingId}
      data-testid="host-detail"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="section-header">
        <h2 id={headingId} ref={heading} tabIndex={-1}>
          {h?.hostname ?? 'Host'}
        </h2>
      </header>
      {host.error && !gone ? (
        <ErrorState error={errorMessage(host.error)} onRetry={() => void host.refetch()} />
      ) : !h ? (
        <div className="facts-skeleton" aria-hidden="true">
          <Skeleton width="70%" />
          <Skeleton width="50%" />
          <Skeleton width="60%" />
        </div>
      ) : (
        <>
          <dl className="facts">
            <dt>Host name</dt>
            <dd className="cell-name">{h.hostname}</dd>
            <dt>IP address</dt>
            <dd className="cell-mono">{h.ip}</dd>
            <dt>Agent</dt>
            <dd>{h.agent_type === 'go' ? 'Go' : 'Legacy'}</dd>
            <dt>Key fingerprint</dt>
            <dd className={h.key_fingerprint ? 'cell-mono host-fingerprint' : 'muted'}>
              {h.key_fingerprint ??
                (h.agent_type === 'go'
                  ? 'None (identity reset: set by its next registration)'
                  : 'None (legacy agents send the org secret)')}
            </dd>
            <dt>Location</dt>
            <dd>
              {p.locationName(h.location_id)}
              {h.pinned ? ', pinned (moved by hand)' : ', placed by its subnets'}
            </dd>
            <dt>Status</dt>
            <dd>
              <HostStatusBadge status={h.status} />
            </dd>
            <dt>Last seen</dt>
            <dd>
              <RelativeTime iso={h.last_seen_at} now={host.dataUpdatedAt || Date.now()} />
            </dd>
            <dt>Registered</dt>
            <dd>
              <time dateTime={h.registered_at}>{formatDateTime(h.registered_at)}</time>
            </dd>
          </dl>
          <div className="row-actions">
            <button
              type="button"
              className="button button-secondary"
              aria-label={`Move ${h.hostname}`}
              {...guard}
              onClick={() => p.onMove(h)}
            >
              Move…
            </button>
            {h.pinned ? (
              <button
                type="button"
                className="button button-secondary"
                aria-label={`Unpin ${h.hostname}`}
                {...guard}
                disabled={guard.disabled || p.unpinning}
                onClick={() => p.onUnpin(h)}
              >
                Unpin
              </button>
            ) : null}
            <button
              type="button"
              className="button button-danger-outline"
              aria-label={`Remove ${h.hostname}`}
              {...guard}
              onClick={() => p.onRemove(h)}
            >
              Remove…
            </button>
          </div>
        </>
      )}
      <div className="form-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}
