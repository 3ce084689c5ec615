import type { HostStatus } from '../../../shared/schemas/hosts.schema';

// The renderer imports only types from the schemas; these mirror HOST_STATUSES there.
export const HOST_STATUSES: readonly HostStatus[] = ['online', 'offline', 'stale'];

export const HOST_STATUS_LABELS: Record<HostStatus, string> = {
  online: 'Online',
  offline: 'Offline',
  stale: 'Stale',
};

/** AGT-3, with the dots of the org health badges: colour for the eye, a word for everyone. */
export function HostStatusBadge({ status }: { status: HostStatus }) {
  return (
    <span className="health">
      <span className={`health-item health-${status}`}>
        <span className="dot" aria-hidden="true" />
        {HOST_STATUS_LABELS[status]}
      </span>
    </span>
  );
}
