// ORG-2: how a re-count moves an org's kept host-status counts to `now`, engine-neutral: both
// adapters of HostCountsRepo (./host-counts.repo.ts) read the same ranges and apply this.
import { ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../../../shared/constants';

/** Rows re-counted per transaction: one tick never holds the database long. */
export const HOST_COUNTS_BATCH = 500;

/**
 * Up to this age of `as_of`, no host can cross both thresholds between `as_of` and now, so the
 * re-count only counts the hosts that crossed one (a few index entries), not the whole org.
 */
const DELTA_WINDOW_MS = STALE_AFTER_MS - ONLINE_WITHIN_MS;

export type CountKey = 'online' | 'offline' | 'stale';
export type StatusCounts = Record<CountKey, number>;

/** An organization_host_counts row as the re-count reads it. */
export interface KeptCounts extends StatusCounts {
  hosts: number;
  as_of: number;
}

/** The range bounds the adapters' statements take (hosts_org_seen_idx ranges). */
export interface CountBounds {
  onlineSince: number;
  staleBefore: number;
  asOfOnline: number;
  asOfStale: number;
}

export const countBounds = (kept: KeptCounts, now: number): CountBounds => ({
  onlineSince: now - ONLINE_WITHIN_MS,
  staleBefore: now - STALE_AFTER_MS,
  asOfOnline: kept.as_of - ONLINE_WITHIN_MS,
  asOfStale: kept.as_of - STALE_AFTER_MS,
});

/**
 * Whether the kept counts are the statuses at an `as_of` recent enough to move only the hosts
 * that crossed a threshold since (else, long ago or after the clock stepped back: from scratch).
 */
export function countsByDelta(kept: KeptCounts, now: number): boolean {
  const age = now - kept.as_of;
  return age >= 0 && age <= DELTA_WINDOW_MS;
}

/**
 * The counts at now from the crossers since as_of: r1 online → offline, r2 offline → stale,
 * r3 never seen offline → stale.
 */
export function countsMoved(
  kept: KeptCounts,
  c: { r1: number; r2: number; r3: number },
): StatusCounts {
  return {
    online: kept.online - c.r1,
    offline: kept.offline + c.r1 - c.r2 - c.r3,
    stale: kept.stale + c.r2 + c.r3,
  };
}

/** The counts at now from scratch: online is what is left of the kept total. */
export function countsFromScratch(
  kept: KeptCounts,
  f: { offline: number; stale: number },
): StatusCounts {
  return { online: kept.hosts - f.offline - f.stale, offline: f.offline, stale: f.stale };
}

/**
 * The first change after now: the oldest online host goes offline, the oldest offline one goes
 * stale, the oldest never-seen one goes stale (the first instant past each threshold).
 */
export function nextChangeAt(n: {
  online: number | null;
  offline: number | null;
  never: number | null;
}): number | null {
  const candidates = [
    n.online === null ? null : n.online + ONLINE_WITHIN_MS + 1,
    n.offline === null ? null : n.offline + STALE_AFTER_MS + 1,
    n.never === null ? null : n.never + STALE_AFTER_MS + 1,
  ].filter((t): t is number => t !== null);
  return candidates.length ? Math.min(...candidates) : null;
}

/** The counts that changed (an index is rewritten only when its count changed). */
export const changedCounts = (kept: KeptCounts, values: StatusCounts): CountKey[] =>
  (['online', 'offline', 'stale'] as const).filter((k) => values[k] !== kept[k]);
