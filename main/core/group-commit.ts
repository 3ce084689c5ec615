import type { Db } from '../db/database';

interface Job {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit for high-rate writes (agent registrations and heartbeats). Most of a small write's
 * cost is its COMMIT (the WAL frames of every page it touched), so writes that arrive in the same
 * turn of the event loop share one transaction. Each still runs in its own savepoint: one that
 * throws rolls back alone and rejects alone, the others land. Every promise settles only after the
 * shared COMMIT, so nothing is answered before it is durable; if the COMMIT itself fails, all reject.
 *
 * `work` must be synchronous (better-sqlite3 transactions cannot span an await).
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 256,
  ) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: requests read in this turn have all been queued by then.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            // Nested: a savepoint, so a failing job rolls back only its own writes.
            outcomes.push({ ok: true, value: this.db.transaction(() => job.work()) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }
}
