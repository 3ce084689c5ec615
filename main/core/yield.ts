/**
 * Lets the event loop run whatever is waiting (requests, timers, agent heartbeats) before the
 * next chunk of a long job. better-sqlite3 is synchronous, so a job over 100,000 rows would
 * otherwise hold the one thread for its whole length; chunked, it holds it for one chunk at a time.
 */
export type Yield = () => Promise<void>;

export const yieldToEventLoop: Yield = () => new Promise((resolve) => setImmediate(resolve));

/** `items` in slices of at most `size`, in order. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
