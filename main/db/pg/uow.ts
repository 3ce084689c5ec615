// The PostgreSQL adapter of the unit of work (issue 15, scale-out.md §4.2): the contract of
// main/core/uow.ts over a pg.Pool. The feature repositories for PostgreSQL are a later step; this
// takes a factory that builds them per transaction, bound to that transaction's connection.
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { TxHooks, UnitOfWork } from '../../core/uow';
import { withoutParameters } from './query-error';

/** What a repository of one transaction is built over: its connection, nothing else. */
export interface PgTx {
  /**
   * Drizzle over this transaction's connection, without the relational schema: drizzle() with
   * it costs about 390 µs (it re-derives the relations of every table), without it about 5 µs,
   * and this is built per transaction. Repositories use the query builder with the tables of
   * ./schema, which needs none.
   */
  db: NodePgDatabase;
  /** For the statements drizzle does not spell (unnest batches, FOR UPDATE CTEs). */
  query: pg.PoolClient['query'];
  /**
   * Runs `cb` after `fn` has returned and before COMMIT, on this transaction, in registration
   * order: the audit repository chains its buffered entries there, so the chain head's row lock
   * is held only for the append and the COMMIT (scale-out.md §4.3). A throw rolls back.
   */
  beforeCommit(cb: () => Promise<void>): void;
  /**
   * Should this attempt fail and be retried, the next attempts run `lock` (a LOCK TABLE) right
   * after BEGIN, before their first statement takes the snapshot. For a hot row every writer
   * updates (the audit chain head): under SERIALIZABLE its row lock only makes a loser wait and
   * then abort, because its snapshot predates the winner's update, so a burst on one row commits
   * about one writer per round and the last needs as many attempts as there were writers. A
   * retry that holds the table lock before its snapshot sees every earlier update and cannot be
   * overtaken, so it commits (tests/pg/audit-head-retry.test.ts).
   */
  lockOnRetry(lock: string): void;
  /**
   * A read (REPEATABLE READ READ ONLY): PostgreSQL refuses SELECT … FOR UPDATE there, and no row
   * it reads is about to change in it, so a repository asked `{ forUpdate }` takes no lock
   * (repos/sql-helpers.ts lockRow), as on SQLite, where it is a no-op. Absent: a write.
   */
  readOnly?: boolean;
}

export type PgReposFactory<R extends TxHooks> = (tx: PgTx) => Omit<R, keyof TxHooks>;

export interface PgUowOptions {
  /** Attempts of one write in all, the first included (serialization failures, deadlocks). */
  maxAttempts?: number;
  /** The backoff before retry n is a random delay in [0, min(cap, base · 2^(n-1))) ms. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /**
   * agentBatch's isolation. READ COMMITTED (scale-out.md §4.2): agent writes are blind or
   * conditional statements (ON CONFLICT upserts, `WHERE last_signed_at < $ts`), correct under
   * it and never aborted for serialization at 17k heartbeats/s; 'serializable' is for work that
   * still reads and then writes.
   */
  agentIsolation?: 'read committed' | 'serializable';
  /** An afterCommit callback that throws: the data is committed, so the caller still gets its value. */
  onHookError?: (error: unknown) => void;
  /** Tests: sees each retry (attempt number that failed, its error). */
  onRetry?: (attempt: number, error: unknown) => void;
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * The SQLSTATE of a failed statement: pg's error carries it as `code`; drizzle wraps that error
 * (DrizzleQueryError, with the query) and keeps it as `cause`.
 */
export function sqlState(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export const isRetryable = (error: unknown) => RETRYABLE.has(sqlState(error) ?? '');

const ended = () =>
  new Error(
    'This unit of work has ended: its repositories are bound to its transaction; ' +
      'do the work inside read()/write(), or start a new one',
  );

/**
 * A statement failed but `fn` caught the error and returned: PostgreSQL has aborted the
 * transaction, and its COMMIT would silently roll back (answering ROLLBACK, not an error).
 */
export class AbortedTransactionError extends Error {
  constructor(override readonly cause: unknown) {
    super(
      'A statement of this unit of work failed and the error was caught inside it; PostgreSQL ' +
        'aborted the transaction, so nothing was written. Let the error propagate out of ' +
        `write()/read(), or check before the statement instead (first error: ${String(
          (cause as Error | undefined)?.message ?? cause,
        )})`,
    );
    this.name = 'AbortedTransactionError';
  }
}

/**
 * What readOne lets through: a plain SELECT (WITH included), nothing that writes or locks. In
 * autocommit a write would commit on its own, where read()'s READ ONLY transaction refuses it.
 */
const READ_ONLY_STATEMENT = /^\s*(SELECT|WITH)\b/i;
const WRITES_OR_LOCKS = /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|LOCK|FOR\s+(KEY\s+)?SHARE)\b/i;

function statementText(args: unknown[]): string {
  const a = args[0];
  if (typeof a === 'string') return a;
  return typeof (a as { text?: unknown } | null)?.text === 'string'
    ? (a as { text: string }).text
    : '';
}

/** Why readOne refuses a statement, or null to let it run. */
export function readOneRefusal(text: string, earlier: number): string | null {
  if (earlier > 0) {
    return (
      'readOne() runs one statement, its own snapshot; this is a second one, which would read ' +
      'another snapshot: read everything in that one statement, or use read() for several'
    );
  }
  if (!READ_ONLY_STATEMENT.test(text) || WRITES_OR_LOCKS.test(text)) {
    return (
      'readOne() runs a plain SELECT outside any transaction, where a write or a lock would ' +
      'take effect on its own: use write() for it'
    );
  }
  return null;
}

/** One attempt of one unit of work: what its `r` and its repositories are bound to. */
class Tx<R extends TxHooks> {
  open = true;
  /** The first statement that failed inside `fn` (a retry is decided on it, see run()). */
  failed: unknown = undefined;
  readonly hooks: (() => void)[] = [];
  readonly preCommit: (() => Promise<void>)[] = [];
  readonly retryLocks = new Set<string>();
  readonly view: R;
  /** Statements sent so far (readOne allows one). */
  private sent = 0;

  constructor(client: pg.PoolClient, factory: PgReposFactory<R>, readOnly: boolean, one = false) {
    // Every statement goes through this: a repository kept past its transaction (or a retried
    // attempt) is refused instead of running on a connection the pool has since handed to
    // someone else's transaction (the trap of scale-out.md §1.3, worse on a pool).
    const query = ((...args: Parameters<pg.PoolClient['query']>) => {
      if (!this.open) throw ended();
      if (one) {
        const refusal = readOneRefusal(statementText(args), this.sent);
        if (refusal) throw new Error(refusal);
      }
      this.sent++;
      const out = (client.query as (...a: unknown[]) => unknown)(...args);
      if (out instanceof Promise) {
        return out.catch((error: unknown) => {
          this.failed ??= error;
          throw error;
        });
      }
      return out;
    }) as pg.PoolClient['query'];
    const guarded = new Proxy(client, {
      get: (target, key) => {
        if (key === 'query') return query;
        if (!this.open) throw ended();
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    });
    const beforeCommit = (cb: () => Promise<void>) => {
      if (!this.open) throw ended();
      this.preCommit.push(cb);
    };
    const lockOnRetry = (lock: string) => {
      if (!this.open) throw ended();
      this.retryLocks.add(lock);
    };
    const repos = factory({ db: drizzle(guarded), query, beforeCommit, lockOnRetry, readOnly });
    const afterCommit = (cb: () => void) => {
      if (!this.open) throw ended();
      this.hooks.push(cb);
    };
    this.view = new Proxy(repos as R, {
      get: (target, key, receiver) => {
        if (!this.open) throw ended();
        if (key === 'afterCommit') return afterCommit;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
}

type Mode = 'read' | 'one' | 'write' | 'agent';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Console writes run SERIALIZABLE and are retried on a serialization failure or a deadlock
 * (bounded, with jittered exponential backoff): SQLite's one writer made every read-modify-write
 * serializable, and this keeps that without auditing each one by hand (and CockroachDB requires
 * client retries anyway). `fn` may therefore run more than once; a retried attempt's
 * afterCommit callbacks are dropped with it, and the final one's run once, after its COMMIT.
 * Reads are REPEATABLE READ READ ONLY: one snapshot, so a page's total, ids and rows agree; a
 * read-only transaction at that level is never aborted for serialization, so it is not retried.
 */
export class PgUnitOfWork<R extends TxHooks> implements UnitOfWork<R> {
  private readonly maxAttempts: number;
  private readonly baseMs: number;
  private readonly capMs: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly factory: PgReposFactory<R>,
    private readonly opts: PgUowOptions = {},
  ) {
    this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
    this.baseMs = opts.backoffBaseMs ?? 5;
    this.capMs = opts.backoffCapMs ?? 200;
  }

  read<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('read', fn);
  }

  /**
   * No BEGIN, no COMMIT: the one statement runs in autocommit, and a single statement sees one
   * snapshot whatever it reads (its subqueries and CTEs included), so it agrees with itself as
   * a REPEATABLE READ transaction would; it saves the two round trips a transaction adds, each
   * a wake-up of the backend (the ORG-2 page was eight round trips, issue 15).
   */
  readOne<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('one', fn);
  }

  write<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('write', fn);
  }

  /**
   * On SQLite the agents' writes of one event-loop turn share one transaction, because one
   * writer serializes every COMMIT and one COMMIT for many jobs is what makes 1,000s per second
   * possible. On PostgreSQL the pool runs transactions side by side on separate backends and the
   * server groups their WAL flushes itself, so each job runs in a short transaction of its own:
   * sharing one across requests would need a savepoint per job (subtransactions, costly on PG
   * under load) and would make every job wait for the slowest one's locks and share its
   * failure. The hot statement itself, a signed heartbeat from the host's stored address, does
   * not come here: heartbeat-batcher.ts coalesces it (`UPDATE … FROM unnest(…)`, ids locked in
   * order, §4.7); what does (registrations, moved or legacy heartbeats, the per-job answer of a
   * heartbeat that did not land) is rare. `work` may be async here.
   */
  agentBatch<T>(work: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('agent', work);
  }

  private begin(mode: Mode): string {
    if (mode === 'read') return 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
    if (mode === 'agent' && (this.opts.agentIsolation ?? 'read committed') === 'read committed') {
      return 'BEGIN ISOLATION LEVEL READ COMMITTED';
    }
    return 'BEGIN ISOLATION LEVEL SERIALIZABLE';
  }

  private async run<T>(mode: Mode, fn: (r: R) => Promise<T> | T): Promise<T> {
    // Sorted when taken: two retries wanting the same tables take them in one order.
    const locks = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(mode, fn, [...locks].sort());
      if (outcome.ok) {
        this.runHooks(outcome.hooks);
        return outcome.value;
      }
      const retry =
        mode !== 'read' &&
        mode !== 'one' &&
        attempt < this.maxAttempts &&
        isRetryable(outcome.error);
      // What leaves carries no statement parameters (query-error.ts says why).
      if (!retry) throw withoutParameters(outcome.error);
      for (const lock of outcome.retryLocks) locks.add(lock);
      this.opts.onRetry?.(attempt, outcome.error);
      await sleep(Math.random() * Math.min(this.capMs, this.baseMs * 2 ** (attempt - 1)));
    }
  }

  private async attempt<T>(
    mode: Mode,
    fn: (r: R) => Promise<T> | T,
    locks: string[],
  ): Promise<
    | { ok: true; value: T; hooks: (() => void)[] }
    | { ok: false; error: unknown; retryLocks: Set<string> }
  > {
    const client = await this.pool.connect();
    const one = mode === 'one';
    let broken = false;
    let tx: Tx<R> | undefined;
    try {
      if (!one) await client.query(this.begin(mode));
      // Before fn's first statement: LOCK TABLE takes no snapshot, so the one fn's reads get
      // is taken after the lock is held.
      for (const lock of locks) await client.query(lock);
      // readOne is a read too: its repositories take no row locks either.
      tx = new Tx<R>(client, this.factory, mode === 'read' || one, one);
      let value: T;
      try {
        value = await fn(tx.view);
        // Not after a failed statement: the transaction is aborted, nothing more would run.
        if (tx.failed === undefined) for (const cb of tx.preCommit) await cb();
      } finally {
        tx.open = false;
      }
      // Autocommit: the statement has ended and nothing is open to commit or to abort.
      if (one) return { ok: true, value, hooks: tx.hooks };
      // fn swallowed a failed statement: retry on what it was, never commit a half.
      if (tx.failed !== undefined)
        throw isRetryable(tx.failed) ? tx.failed : new AbortedTransactionError(tx.failed);
      const done = await client.query('COMMIT');
      // COMMIT of an aborted transaction answers ROLLBACK instead of failing.
      if (done.command === 'ROLLBACK') throw new AbortedTransactionError(tx.failed);
      return { ok: true, value, hooks: tx.hooks };
    } catch (error) {
      try {
        if (!one) await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      // A statement fn caught was a serialization failure; what fn threw instead may be a
      // consequence (25P02, "current transaction is aborted"): the first failure decides.
      const first = tx?.failed;
      return {
        ok: false,
        error: first !== undefined && isRetryable(first) ? first : error,
        retryLocks: tx?.retryLocks ?? new Set(),
      };
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: the pool drops it.
      client.release(broken);
    }
  }

  private runHooks(hooks: (() => void)[]): void {
    for (const cb of hooks) {
      try {
        cb();
      } catch (error) {
        (this.opts.onHookError ?? ((e) => console.error('afterCommit callback failed:', e)))(error);
      }
    }
  }
}
