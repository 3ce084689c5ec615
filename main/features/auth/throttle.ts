/**
 * Slows down repeated failed sign-ins per account and per address: after `free` failures, each
 * further attempt must wait twice as long as the last (capped). Memory only; a restart resets it.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();
  constructor(
    private readonly free = 5,
    private readonly baseMs = 1000,
    private readonly maxMs = 15 * 60 * 1000,
  ) {}

  /** Milliseconds to wait before another attempt under any of these keys; 0 = go ahead. */
  waitMs(keys: string[], now: number): number {
    let wait = 0;
    for (const k of keys) {
      const f = this.failures.get(k);
      if (f && f.until > now) wait = Math.max(wait, f.until - now);
    }
    return wait;
  }

  fail(keys: string[], now: number): void {
    for (const k of keys) {
      const count = (this.failures.get(k)?.count ?? 0) + 1;
      const over = count - this.free;
      const until = over > 0 ? now + Math.min(this.maxMs, this.baseMs * 2 ** (over - 1)) : 0;
      this.failures.set(k, { count, until });
    }
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }
}
