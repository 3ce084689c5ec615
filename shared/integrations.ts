// INT-1/INT-2: the pure rules of audit forwarding, shared by the server (which fans entries out
// to destinations) and the console (which explains them). Zod-free.

export const DESTINATION_KINDS = ['syslog', 'webhook'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

/** A failed delivery is retried first after this long (SPEC: at most 10 s)… */
export const RETRY_FIRST_MS = 10_000;
/** …then with doubling delays, capped here (SPEC: 10 minutes)… */
export const RETRY_CAP_MS = 10 * 60_000;
/** …for this long after the entry was written; then it is a dead letter. */
export const DEAD_LETTER_AFTER_MS = 24 * 3_600_000;
/**
 * A webhook is disabled automatically after this many failed attempts in a row (INT-2): with the
 * backoff above that is about an hour of a receiver refusing or unreachable. Syslog collectors are
 * not disabled (INT-1 does not ask it): their backlog waits for the collector, up to the dead letter.
 */
export const WEBHOOK_DISABLE_AFTER_FAILURES = 10;

/** The delay before the next attempt after `failures` failed attempts in a row (1, 2, …). */
export function retryDelayMs(failures: number): number {
  if (failures <= 0) return 0;
  // 2^(failures-1) overflows nothing before the cap is reached.
  return Math.min(RETRY_CAP_MS, RETRY_FIRST_MS * 2 ** Math.min(failures - 1, 20));
}

/**
 * Whether an audit action is one the destination asked for. A pattern is an action name
 * (`host.registered`) or a prefix ending in `.*` (`support_access.*`); `*` alone, or no
 * filter at all (null), is every event.
 */
export function eventMatches(patterns: readonly string[] | null, action: string): boolean {
  if (patterns === null) return true;
  return patterns.some((p) =>
    p === '*' ? true : p.endsWith('.*') ? action.startsWith(p.slice(0, -1)) : p === action,
  );
}
