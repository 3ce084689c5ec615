import type Database from 'better-sqlite3';
import type { TxHooks, UnitOfWork } from '../../core/uow';
import { Mutex } from './mutex';

export interface SqliteUowOptions {
  /**
   * Tests (the fixtures' worlds and servers turn it on): a transaction that outlives the turn of
   * the event loop it began in, because `fn` awaited real I/O while holding the write lock, is
   * rolled back and rejected. Off in production: it costs a timer per transaction.
   */
  guardIo?: boolean;
  /**
   * Tests only (tests/uow.test.ts, "the lock"): no lock, so a unit of work can begin while
   * another's transaction is open, and then runs inside it (as a savepoint, see run()). It exists
   * to show what the lock prevents; never set it elsewhere.
   */
  unsafeNoLock?: boolean;
  /** Agent jobs per shared transaction at most (a full batch flushes at once). */
  maxBatch?: number;
  /**
   * Milliseconds of agent jobs per shared transaction, after which it commits what ran and the
   * rest wait for the next turn of the event loop; AGENT_BATCH_BUDGET_MS when unset.
   */
  maxBatchMs?: number;
  /** Jobs a batch runs before its time budget applies; AGENT_BATCH_MIN_JOBS when unset. */
  minBatch?: number;
  /** An afterCommit callback that throws: the data is committed, so the caller still gets its value. */
  onHookError?: (error: unknown) => void;
}

export class IoInTransactionError extends Error {
  constructor() {
    super(
      'A unit of work awaited real I/O inside its transaction (a timer scheduled at BEGIN fired ' +
        'before COMMIT), holding the write lock meanwhile; it was rolled back. Do slow work ' +
        '(password hashing, network, files, workers) before write()/read() or after it.',
    );
    this.name = 'IoInTransactionError';
  }
}

/** One unit of work (or one agent job): what its `r` is bound to. */
class Tx<R extends TxHooks> {
  open = true;
  awaitedIo = false;
  readonly hooks: (() => void)[] = [];
  readonly view: R;

  constructor(repos: Omit<R, keyof TxHooks>) {
    const afterCommit = (cb: () => void) => {
      if (!this.open) throw ended();
      this.hooks.push(cb);
    };
    // Every repository is reached through the view, so one kept past its unit of work is refused
    // instead of running outside any transaction (the trap of scale-out.md §1.3).
    this.view = new Proxy(repos as R, {
      get: (target, key, receiver) => {
        if (!this.open) throw ended();
        if (key === 'afterCommit') return afterCommit;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
}

const ended = () =>
  new Error(
    'This unit of work has ended: its repositories are bound to its transaction; ' +
      'do the work inside read()/write(), or start a new one',
  );

interface Job<R> {
  work: (r: R) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown; hooks: (() => void)[] } | { ok: false; error: unknown };

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A batch runs its jobs without letting the event loop turn (one transaction, microtasks only),
 * so a console request that arrives meanwhile waits for all of them: under a heartbeat flood a
 * batch of 256 jobs held the loop for tens of milliseconds (ORG-2's page p95 ≤ 20 ms while
 * heartbeats run). Past this budget it commits the jobs it ran and the rest run at the next
 * turn, after the poll phase has served what arrived. Small enough for the console's budget,
 * large enough that a COMMIT is still shared by dozens of heartbeats.
 */
export const AGENT_BATCH_BUDGET_MS = 5;

/**
 * The budget is wall-clock time, and a process starved of CPU (a loaded machine) passes it
 * within a job or two: without a floor its COMMITs would stop being shared exactly when CPU is
 * scarcest. So a batch runs at least this many jobs (when queued) before the budget applies.
 */
export const AGENT_BATCH_MIN_JOBS = 16;

/**
 * The SQLite adapter of the unit of work (scale-out.md §4.2): one connection, so a process-wide
 * lock; `BEGIN IMMEDIATE` for writes (the write lock up front: no deadlock-prone upgrade) and a
 * deferred BEGIN for reads; synchronous better-sqlite3 statements inside, prepared once per
 * connection by the repositories, which return already-settled promises, so a transaction spans
 * microtasks only, as long as the synchronous one it replaces.
 */
export class SqliteUnitOfWork<R extends TxHooks> implements UnitOfWork<R> {
  private readonly lock = new Mutex();
  private readonly stmts;
  private queue: Job<R>[] = [];
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxBatchMs: number;
  private readonly minBatch: number;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly repos: Omit<R, keyof TxHooks>,
    private readonly opts: SqliteUowOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 256;
    this.maxBatchMs = opts.maxBatchMs ?? AGENT_BATCH_BUDGET_MS;
    this.minBatch = opts.minBatch ?? AGENT_BATCH_MIN_JOBS;
    this.stmts = {
      begin: sqlite.prepare('BEGIN'),
      beginImmediate: sqlite.prepare('BEGIN IMMEDIATE'),
      commit: sqlite.prepare('COMMIT'),
      rollback: sqlite.prepare('ROLLBACK'),
      savepoint: sqlite.prepare('SAVEPOINT agent_job'),
      release: sqlite.prepare('RELEASE agent_job'),
      rollbackTo: sqlite.prepare('ROLLBACK TO agent_job'),
      nest: sqlite.prepare('SAVEPOINT uow'),
      unnest: sqlite.prepare('RELEASE uow'),
      unnestUndo: sqlite.prepare('ROLLBACK TO uow'),
    };
  }

  read<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('read', fn);
  }

  // One connection in-process: a read transaction costs no round trip, so one statement's read
  // is a read like any other.
  readOne<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('read', fn);
  }

  write<T>(fn: (r: R) => Promise<T> | T): Promise<T> {
    return this.run('write', fn);
  }

  private async run<T>(mode: 'read' | 'write', fn: (r: R) => Promise<T> | T): Promise<T> {
    const locked = !this.opts.unsafeNoLock;
    if (locked && !this.lock.tryAcquire()) await this.lock.acquire();
    const begin = mode === 'read' ? this.stmts.begin : this.stmts.beginImmediate;
    let tx!: Tx<R>;
    let value!: T;
    try {
      // A write begins in a turn of its own. Until every service is converted, the others run
      // synchronous statements on this connection from their own promise chains, and chains that
      // share one microtask drain (the calls of one tRPC batch) would run them between our
      // awaits, inside our transaction, to be rolled back with it. From a setImmediate of its
      // own, a transaction that spans microtasks only has no other chain's continuation inside.
      // A read does not pay that hop (it was the p95 tail of ORG-2 pages: a turn lets timers and
      // I/O callbacks run inside the request): it never rolls back (see `end`), so a statement
      // that lands inside it stays committed.
      if (mode === 'write') await nextTurn();
      // Already inside a transaction opened outside any unit of work (a test that wraps calls in
      // BEGIN…ROLLBACK; without the lock, someone else's): a savepoint of it, as drizzle and
      // better-sqlite3 nest. Its COMMIT is the outer transaction's business.
      const nested = this.sqlite.inTransaction;
      (nested ? this.stmts.nest : begin).run();
      tx = new Tx<R>(this.repos);
      if (this.opts.guardIo) this.watch(tx);
      try {
        value = await fn(tx.view);
      } catch (error) {
        tx.open = false;
        if (mode === 'read') this.end(nested);
        else this.undo(nested);
        throw error;
      }
      tx.open = false;
      if (tx.awaitedIo) {
        if (mode === 'read') this.end(nested);
        else this.undo(nested);
        throw new IoInTransactionError();
      }
      try {
        (nested ? this.stmts.unnest : this.stmts.commit).run();
      } catch (error) {
        this.undo(nested);
        throw error;
      }
    } finally {
      if (locked) this.lock.release();
    }
    this.runHooks(tx.hooks);
    return value;
  }

  /**
   * How a read ends, even one that threw: COMMIT. It wrote nothing of its own, and a not yet
   * converted service's autocommit statement that ran at one of its awaits is someone else's
   * acknowledged write, not to be rolled back with it.
   */
  private end(nested: boolean): void {
    if (!this.sqlite.inTransaction) return;
    (nested ? this.stmts.unnest : this.stmts.commit).run();
  }

  private undo(nested: boolean): void {
    if (!nested) return this.rollback();
    if (!this.sqlite.inTransaction) return;
    this.stmts.unnestUndo.run();
    this.stmts.unnest.run();
  }

  private watch(tx: Tx<R>): void {
    const trip = () => {
      if (tx.open) tx.awaitedIo = true;
    };
    // A setImmediate fires after the next poll phase, a 0 ms timer at the next timers phase:
    // whichever comes first while the transaction is still open means it awaited a macrotask.
    setImmediate(trip);
    setTimeout(trip, 0);
  }

  private rollback(): void {
    // Some errors (SQLITE_FULL, an interrupted statement) already rolled the transaction back.
    if (this.sqlite.inTransaction) this.stmts.rollback.run();
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

  agentBatch<T>(work: (r: R) => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the poll phase: requests read in this turn have all been queued by then.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const run = () =>
      this.runBatch(jobs).catch((error: unknown) => {
        for (const job of jobs) job.reject(error);
      });
    if (this.opts.unsafeNoLock || this.lock.tryAcquire()) void run();
    else void this.lock.acquire().then(run);
  }

  /**
   * BEGIN, the jobs one after another (each awaited in its own savepoint), COMMIT, under the
   * write lock. The repositories answer with settled promises, so this spans microtasks only:
   * still one turn of the event loop, as the synchronous batch it replaces (guardIo fails a job
   * that awaited more). Past maxBatchMs the jobs not yet run go back to the head of the queue,
   * for the next turn (AGENT_BATCH_BUDGET_MS).
   */
  private async runBatch(jobs: Job<R>[]): Promise<void> {
    const outcomes: Outcome[] = [];
    // Inside a transaction opened outside any unit of work: a savepoint of it (see run()).
    const nested = this.sqlite.inTransaction;
    const started = performance.now();
    try {
      (nested ? this.stmts.nest : this.stmts.beginImmediate).run();
      for (const job of jobs) {
        outcomes.push(await this.runJob(job));
        const ran = outcomes.length;
        if (
          ran < jobs.length &&
          ran >= this.minBatch &&
          performance.now() - started >= this.maxBatchMs
        )
          break;
      }
      (nested ? this.stmts.unnest : this.stmts.commit).run();
    } catch (error) {
      this.undo(nested);
      for (const job of jobs) job.reject(error);
      return;
    } finally {
      if (!this.opts.unsafeNoLock) this.lock.release();
    }
    if (outcomes.length < jobs.length) {
      this.queue = [...jobs.slice(outcomes.length), ...this.queue];
      this.scheduleFlush();
      jobs = jobs.slice(0, outcomes.length);
    }
    jobs.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        job.resolve(o.value);
        this.runHooks(o.hooks);
      } else job.reject(o.error);
    });
  }

  /** One job in its own savepoint: one that throws rolls back only its own writes. */
  private async runJob(job: Job<R>): Promise<Outcome> {
    const tx = new Tx<R>(this.repos);
    this.stmts.savepoint.run();
    if (this.opts.guardIo) this.watch(tx);
    try {
      const value = await job.work(tx.view);
      if (tx.awaitedIo) throw new IoInTransactionError();
      this.stmts.release.run();
      return { ok: true, value, hooks: tx.hooks };
    } catch (error) {
      this.stmts.rollbackTo.run();
      this.stmts.release.run();
      return { ok: false, error };
    } finally {
      tx.open = false;
    }
  }
}
