import { formatCount } from '../lib/format';

interface Stats {
  online: number;
  offline: number;
  stale: number;
  total: number;
}

/** Host health beside an org: three counts with words for screen readers, colours for the eye. */
export function HealthBadges({ stats, compact }: { stats: Stats | undefined; compact?: boolean }) {
  if (!stats) return <span className="health health-unknown">—</span>;
  const label = `${formatCount(stats.online)} online, ${formatCount(stats.offline)} offline, ${formatCount(stats.stale)} stale`;
  if (stats.total === 0) {
    return (
      <span className="health health-empty" title="No hosts">
        no hosts
      </span>
    );
  }
  return (
    <span className="health" role="img" aria-label={label} title={label}>
      <span className="health-item health-online">
        <span className="dot" aria-hidden="true" />
        {formatCount(stats.online)}
        {compact ? null : ' online'}
      </span>
      <span className="health-item health-offline">
        <span className="dot" aria-hidden="true" />
        {formatCount(stats.offline)}
        {compact ? null : ' offline'}
      </span>
      <span className="health-item health-stale">
        <span className="dot" aria-hidden="true" />
        {formatCount(stats.stale)}
        {compact ? null : ' stale'}
      </span>
    </span>
  );
}
