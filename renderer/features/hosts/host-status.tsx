import { ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../../../shared/constants';
import type { HostStatus } from '../../../shared/schemas/hosts.schema';

export const HOST_STATUS_LABELS: Record<HostStatus, string> = {
  online: 'Online',
  offline: 'Offline',
  stale: 'Stale',
};

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** AGT-3's thresholds in words, from the values the server classifies hosts with. */
export const ONLINE_RULE = `Online: seen in the last ${ONLINE_WITHIN_MS / MINUTE_MS} minutes.`;
export const STALE_RULE = `Stale: not seen for ${STALE_AFTER_MS / DAY_MS} days.`;

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
