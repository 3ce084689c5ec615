/**
 * The unit of work: the only way a converted service reaches storage (issue 14, scale-out.md §4.1).
 *
 * A service asks for a transaction and is handed repositories bound to it (`r`); there is no
 * ambient database handle to forget, so a query outside the transaction cannot be written. This
 * is the engine-neutral contract: the SQLite adapter is main/db/sqlite/uow.ts; a PostgreSQL one
 * implements the same three calls.
 *
 * Rules for `fn` (what every adapter may rely on):
 * - It awaits only repository calls (and other pure promises): never real I/O (scrypt, fetch, a
 *   file, a worker). On SQLite the transaction holds the process-wide write lock for as long as
 *   `fn` runs; the test guard fails a transaction that outlives its turn of the event loop. Do
 *   slow work before `write()` or after it.
 * - It never calls `read`/`write` again (the lock is not re-entrant: that waits forever). A
 *   helper that needs storage takes `r` from its caller instead.
 * - It may run more than once on an engine that retries serialization failures, so side effects
 *   outside the database (cache bumps, notifications) go into `r.afterCommit(cb)`, which runs
 *   once, after the final successful COMMIT, and never after a rollback.
 * - Repositories belong to their transaction: keeping `r` (or a repository taken from it) past
 *   `fn` and using it later is refused.
 */
export interface UnitOfWork<R> {
  /** One consistent snapshot, no writes (SQLite: a deferred transaction; PG: REPEATABLE READ READ ONLY). */
  read<T>(fn: (r: R) => Promise<T> | T): Promise<T>;
  /**
   * A read of ONE statement, which is its own snapshot: `fn` makes exactly one repository call
   * that runs one statement, reading everything its answer must agree on (ORG-2: the actor's
   * access facts beside the page, OrganizationsRepo.pageFor). PostgreSQL runs it with no BEGIN
   * and no COMMIT, one round trip where read() takes three, and refuses a second statement (its
   * snapshot would be another) or one that is not a plain SELECT; SQLite runs it as read().
   */
  readOne<T>(fn: (r: R) => Promise<T> | T): Promise<T>;
  /** One transaction that writes (SQLite: BEGIN IMMEDIATE; PG: SERIALIZABLE with retries). */
  write<T>(fn: (r: R) => Promise<T> | T): Promise<T>;
  /**
   * The agents' high-rate writes (registrations, heartbeats): `work` follows the rules of `fn`
   * above and runs with other agents' work of the same event-loop turn in one shared transaction
   * (SQLite: the jobs one after another, each awaited in its own savepoint; PostgreSQL: a READ
   * COMMITTED transaction each), so one that throws rolls back and rejects alone. Every promise settles after the
   * shared COMMIT (nothing is answered before it is durable); a failed COMMIT rejects them all.
   * Replaces the GroupCommit of core/group-commit.ts.
   */
  agentBatch<T>(work: (r: R) => Promise<T> | T): Promise<T>;
}

/** What every `r` carries besides the repositories. */
export interface TxHooks {
  /** Runs `cb` once after this unit of work commits (never if it rolls back). */
  afterCommit(cb: () => void): void;
}
