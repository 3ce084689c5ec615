/**
 * Signatures already accepted, each kept until its timestamp leaves the acceptance window: after
 * that the timestamp check refuses a replay on its own, so the entry is no longer needed.
 *
 * Bounded: when full even after dropping expired entries, new heartbeats are refused (the caller
 * turns that into 429) rather than forgetting live entries, which would re-open replays.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private inserts = 0;
  constructor(private readonly maxEntries = 200_000) {}

  /** Records a signature unless it was already seen and has not expired, or the cache is full. */
  remember(signature: string, expiresAt: number, now: number): 'new' | 'replay' | 'full' {
    const prior = this.seen.get(signature);
    if (prior !== undefined && prior > now) return 'replay';
    // Amortised clean-up keeps memory near the live set without a timer.
    if (++this.inserts % 4096 === 0 || this.seen.size >= this.maxEntries) this.sweep(now);
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(signature, expiresAt);
    return 'new';
  }

  private sweep(now: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
