/**
 * The process-wide lock of the SQLite unit of work: one connection, so one transaction at a
 * time. A FIFO chain of promises; `tryAcquire` takes it synchronously when free, so the agents'
 * batch (already in a turn of its own) and an uncontended write pay no extra hop for it.
 */
export class Mutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock to the next waiter (it stays held) or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  get isHeld(): boolean {
    return this.held;
  }
}
