// The PostgreSQL unit of work (issue 15, main/db/pg/uow.ts) with a test-only repository over a
// test table: commit and rollback, afterCommit only after the final COMMIT, SERIALIZABLE writes
// retried after a real serialization failure between two concurrent transactions, one snapshot
// per read, and repositories refused once their transaction has ended (as tests/uow.test.ts
// shows for SQLite).
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TxHooks } from '../../main/core/uow';
import { createPgPool } from '../../main/db/pg/database';
import {
  AbortedTransactionError,
  PgUnitOfWork,
  sqlState,
  type PgUowOptions,
} from '../../main/db/pg/uow';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

interface TestRepos extends TxHooks {
  t: {
    insert(v: string): Promise<void>;
    all(): Promise<string[]>;
  };
  counter: {
    get(): Promise<number>;
    set(n: number): Promise<void>;
  };
}

describe.skipIf(!pgAvailable)('PostgreSQL unit of work', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });

  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '', { empty: true });
    pool = createPgPool(db.url, { max: 8 });
    await pool.query('CREATE TABLE t (v text PRIMARY KEY)');
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)');
    await pool.query('INSERT INTO counter VALUES (1, 0)');
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  const uowWith = (opts: PgUowOptions = {}) =>
    new PgUnitOfWork<TestRepos>(
      pool,
      (tx) => ({
        t: {
          // One method through drizzle, the others through the raw query: both are bound.
          insert: async (v) => {
            await tx.db.execute(sql`INSERT INTO t (v) VALUES (${v})`);
          },
          all: async () =>
            (await tx.query<{ v: string }>('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v),
        },
        counter: {
          get: async () =>
            (await tx.query<{ n: number }>('SELECT n FROM counter WHERE id = 1')).rows[0]!.n,
          // Through drizzle, which wraps the serialization failure: the retry must still see it.
          set: async (n) => {
            await tx.db.execute(sql`UPDATE counter SET n = ${n} WHERE id = 1`);
          },
        },
      }),
      opts,
    );

  /** The messages of a rejection and its causes, in one string. */
  const messages = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => {
        const out: string[] = [];
        for (let x = e; x instanceof Error; x = x.cause) out.push(x.message);
        return out.join(' <- ');
      },
    );

  /** What another connection sees: only what is committed. */
  const committed = async () =>
    (await pool.query<{ v: string }>('SELECT v FROM t ORDER BY v')).rows.map((r) => r.v);

  it('commits a write, rolls back one that throws, and runs afterCommit only after a COMMIT', async () => {
    const uow = uowWith();
    const ran: string[] = [];
    let seenAfterA: Promise<string[]> | undefined;
    await uow.write(async (r) => {
      await r.t.insert('a');
      r.afterCommit(() => {
        ran.push('after a');
        seenAfterA = committed();
      });
      // Not yet: the hook waits for the COMMIT.
      expect(ran).toEqual([]);
    });
    expect(await seenAfterA).toEqual(['a']);
    await expect(
      uow.write(async (r) => {
        await r.t.insert('b');
        r.afterCommit(() => ran.push('after b'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(ran).toEqual(['after a']);
    expect(await committed()).toEqual(['a']);
  });

  it('a failed statement the work caught is not committed as half a transaction', async () => {
    const uow = uowWith();
    await uow.write((r) => r.t.insert('a'));
    await expect(
      uow.write(async (r) => {
        await r.t.insert('b');
        await r.t.insert('a').catch(() => undefined); // unique violation, swallowed
      }),
    ).rejects.toBeInstanceOf(AbortedTransactionError);
    expect(await committed()).toEqual(['a']);
  });

  /**
   * Two writes that each read the counter, both before either writes it, then write read + 1:
   * under SERIALIZABLE one of them fails to commit (40001) — without a retry, an increment is
   * lost or refused.
   */
  async function twoConcurrentIncrements(uow: PgUnitOfWork<TestRepos>) {
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const hooks: string[] = [];
    let attempts = 0;
    const increment = (name: string) =>
      uow.write(async (r) => {
        attempts++;
        const n = await r.counter.get();
        if (++reads === 2) bothRead();
        await barrier; // a retried attempt passes at once: the barrier is already open
        await r.counter.set(n + 1);
        r.afterCommit(() => hooks.push(name));
        return n + 1;
      });
    const results = await Promise.allSettled([increment('x'), increment('y')]);
    return { results, hooks, attempts };
  }

  it('retries a serialization failure between two concurrent writes: both commit, hooks run once each', async () => {
    const retried: unknown[] = [];
    const uow = uowWith({ onRetry: (_n, e) => retried.push(e) });
    const { results, hooks, attempts } = await twoConcurrentIncrements(uow);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(
      results.map((r) => (r as PromiseFulfilledResult<number>).value).sort((a, b) => a - b),
    ).toEqual([1, 2]);
    expect((await pool.query('SELECT n FROM counter')).rows[0].n).toBe(2);
    expect(retried.map(sqlState)).toEqual(['40001']);
    expect(attempts).toBe(3);
    // The failed attempt's afterCommit was dropped with it: each write's ran once.
    expect(hooks.sort()).toEqual(['x', 'y']);
  });

  it('the same two writes without retries: one is refused with a serialization failure', async () => {
    // The control for the test above: the conflict is real, the retry is what absorbs it.
    const { results, hooks } = await twoConcurrentIncrements(uowWith({ maxAttempts: 1 }));
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(sqlState((rejected[0] as PromiseRejectedResult).reason)).toBe('40001');
    expect(hooks).toHaveLength(1);
    expect((await pool.query('SELECT n FROM counter')).rows[0].n).toBe(1);
  });

  it('is SERIALIZABLE: two writes that each read the table, then add a row, never both miss the other (write skew)', async () => {
    // No row is written by both, so REPEATABLE READ would commit both having seen none; only
    // serializable isolation finds the read-write cycle and fails one, which the retry reruns.
    const uow = uowWith();
    let reads = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const add = (name: string) =>
      uow.write(async (r) => {
        const seen = (await r.t.all()).length;
        if (++reads === 2) bothRead();
        await barrier;
        await r.t.insert(`${name}${seen}`);
        return seen;
      });
    const seen = await Promise.all([add('x'), add('y')]);
    expect(seen.sort()).toEqual([0, 1]);
    expect((await committed()).length).toBe(2);
    expect(reads).toBe(3);
  });

  it('reads one snapshot, writes nothing, and refuses repositories kept past their unit of work', async () => {
    const uow = uowWith();
    await uow.write((r) => r.t.insert('a'));
    let kept: TestRepos | undefined;
    let keptRepo: TestRepos['t'] | undefined;
    const seen = await uow.read(async (r) => {
      kept = r;
      keptRepo = r.t;
      const first = await r.t.all();
      await pool.query("INSERT INTO t (v) VALUES ('b')"); // committed meanwhile, elsewhere
      const second = await r.t.all();
      return [first, second];
    });
    expect(seen).toEqual([['a'], ['a']]);
    const refused = await uow.read((r) => r.t.insert('c')).catch((e: unknown) => e);
    expect(sqlState(refused)).toBe('25006'); // read_only_sql_transaction
    expect(() => kept!.t).toThrow(/unit of work has ended/);
    // A repository taken out of `r` is bound too: its connection is back in the pool, maybe in
    // someone else's transaction by now.
    // (drizzle reports it as a failed query whose cause is the refusal.)
    expect(await messages(keptRepo!.insert('d'))).toMatch(/unit of work has ended/);
    expect(await messages(keptRepo!.all())).toMatch(/unit of work has ended/);
    expect(await committed()).toEqual(['a', 'b']);
  });

  it('agentBatch runs each job in a short transaction of its own: one that fails rolls back alone', async () => {
    const uow = uowWith();
    const hooks: string[] = [];
    const results = await Promise.allSettled([
      uow.agentBatch(async (r) => {
        await r.t.insert('a');
        r.afterCommit(() => hooks.push('a'));
      }),
      uow.agentBatch(async (r) => {
        await r.t.insert('b');
        r.afterCommit(() => hooks.push('b'));
        throw new Error('job b fails');
      }),
      uow.agentBatch(async (r) => {
        await r.t.insert('c');
        r.afterCommit(() => hooks.push('c'));
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await committed()).toEqual(['a', 'c']);
    expect(hooks.sort()).toEqual(['a', 'c']);
  });

  it('a failed statement reaches the caller without its parameters: a value may be a secret', async () => {
    const uow = uowWith();
    const secret = 'odk_pat_0123456789abcdef-not-for-logs';
    await uow.write((r) => r.t.insert(secret));
    const err: unknown = await uow
      .write((r) => r.t.insert(secret))
      .then(
        () => null,
        (e: unknown) => e,
      );
    // Everything a log line could print: each message and stack down the cause chain.
    const printed: string[] = [];
    for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
      printed.push(e.message, e.stack ?? '', JSON.stringify(e));
    }
    expect(printed.join('\n')).toContain('INSERT INTO t');
    expect(printed.join('\n')).not.toContain(secret);
    // What the services map errors by is kept: the engine's error and its SQLSTATE.
    expect(sqlState(err)).toBe('23505');
  });
});
