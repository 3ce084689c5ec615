// The SQLite unit of work (issue 14, scale-out.md §4.2): the lock, the guard against real I/O
// inside a transaction, afterCommit, repositories bound to their transaction, and the agents'
// batch (the group commit it replaces: one transaction per turn, a savepoint per job, nobody
// hears "done" before the COMMIT).
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TxHooks } from '../main/core/uow';
import { openDatabase, type OpenedDatabase } from '../main/db/database';
import {
  IoInTransactionError,
  SqliteUnitOfWork,
  type SqliteUowOptions,
} from '../main/db/sqlite/uow';

let dir: string;
let opened: OpenedDatabase;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-uow-'));
  opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  opened.sqlite.exec('CREATE TABLE t (v TEXT NOT NULL UNIQUE)');
  // A second connection sees only what is committed.
  reader = new Database(join(dir, 'orgdesk.db'), { readonly: true });
});

afterEach(() => {
  reader.close();
  opened.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A one-table repository, shaped like the real ones: synchronous inside, promises outside. */
interface TestRepos extends TxHooks {
  t: {
    insert(v: string): Promise<number>;
    insertSync(v: string): number;
    all(): Promise<string[]>;
  };
}

function uowWith(opts: SqliteUowOptions = {}) {
  const ins = opened.sqlite.prepare('INSERT INTO t (v) VALUES (?)');
  const all = opened.sqlite.prepare('SELECT v FROM t ORDER BY v');
  const insertSync = (v: string) => Number(ins.run(v).lastInsertRowid);
  return new SqliteUnitOfWork<TestRepos>(
    opened.sqlite,
    {
      t: {
        insertSync,
        insert: async (v) => insertSync(v),
        all: async () => (all.all() as { v: string }[]).map((r) => r.v),
      },
    },
    // No time budget unless a test sets one: these assert how jobs share one COMMIT, whatever
    // the machine's speed.
    { guardIo: true, maxBatchMs: Infinity, ...opts },
  );
}

const committed = () =>
  (reader.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('unit of work: write and read', () => {
  it('commits a write, rolls back one that throws, and runs afterCommit only after a COMMIT', async () => {
    const uow = uowWith();
    const ran: string[] = [];
    await uow.write(async (r) => {
      await r.t.insert('a');
      r.afterCommit(() => ran.push(`after a: ${committed().join(',')}`));
    });
    await expect(
      uow.write(async (r) => {
        await r.t.insert('b');
        r.afterCommit(() => ran.push('after b'));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(committed()).toEqual(['a']);
    expect(ran).toEqual(['after a: a']);
    expect(opened.sqlite.inTransaction).toBe(false);
  });

  it('reads in one transaction and refuses repositories kept past their unit of work', async () => {
    const uow = uowWith();
    await uow.write((r) => r.t.insert('a'));
    let kept: TestRepos | undefined;
    expect(
      await uow.read(async (r) => {
        kept = r;
        expect(opened.sqlite.inTransaction).toBe(true);
        return r.t.all();
      }),
    ).toEqual(['a']);
    expect(() => kept!.t).toThrow(/unit of work has ended/);
  });

  it('a read that throws never rolls back a statement another chain ran inside it', async () => {
    // Until every service is converted, one still writing synchronously on this connection can
    // run at any of a read's awaits (the calls of one tRPC batch share a microtask drain).
    const uow = uowWith();
    const raw = opened.sqlite.prepare('INSERT INTO t (v) VALUES (?)');
    const other = (async () => {
      await null;
      await null;
      raw.run('written by another chain');
    })();
    const read = uow.read(async (r) => {
      for (let i = 0; i < 5; i++) await r.t.all();
      throw new Error('the read fails');
    });
    await other;
    await expect(read).rejects.toThrow('the read fails');
    expect(opened.sqlite.inTransaction).toBe(false);
    expect(committed()).toEqual(['written by another chain']);
  });

  it('the guard: a transaction that awaits real I/O is rolled back and rejected', async () => {
    const uow = uowWith();
    await expect(
      uow.write(async (r) => {
        await r.t.insert('a');
        await readFile(join(dir, 'orgdesk.db'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }),
    ).rejects.toThrow(IoInTransactionError);
    expect(committed()).toEqual([]);
    // The lock was handed on: the next unit of work runs.
    await uow.write((r) => r.t.insert('b'));
    expect(committed()).toEqual(['b']);
  });

  /**
   * A holds a transaction open across two turns (the guard is off for this test only, that is
   * what it would catch) and then fails; B writes meanwhile. Without the lock B's write lands
   * inside A's transaction and is rolled back with it although B was told it succeeded.
   */
  async function interleave(opts: SqliteUowOptions) {
    const uow = uowWith({ guardIo: false, ...opts });
    let bWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (bWrote = resolve));
    const a = uow.write(async (r) => {
      await r.t.insert('a');
      await Promise.race([wrote, turn().then(turn)]);
      throw new Error('A fails');
    });
    const b = uow.write(async (r) => {
      await r.t.insert('b');
      bWrote();
      return 'b done';
    });
    const [ra, rb] = await Promise.allSettled([a, b]);
    return { a: ra.status, b: rb.status, committed: committed() };
  }

  it('the lock: without it, another request’s write is rolled back inside someone else’s transaction', async () => {
    expect(await interleave({ unsafeNoLock: true })).toEqual({
      a: 'rejected',
      b: 'fulfilled',
      committed: [],
    });
  });

  it('the lock: with it, the other write waits and lands', async () => {
    expect(await interleave({})).toEqual({ a: 'rejected', b: 'fulfilled', committed: ['b'] });
  });
});

describe('unit of work: agentBatch (the group commit)', () => {
  it('runs writes of one turn in one transaction and settles them after its COMMIT', async () => {
    const uow = uowWith();
    const seenByOthers: string[][] = [];
    const a = uow.agentBatch((r) => r.t.insertSync('a'));
    const b = uow.agentBatch((r) => {
      // Still inside the shared transaction: a is written but not yet visible elsewhere.
      expect(opened.sqlite.inTransaction).toBe(true);
      seenByOthers.push(committed());
      return r.t.insertSync('b');
    });
    expect(committed()).toEqual([]);
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
    expect(seenByOthers).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('rolls back and rejects only the write that failed', async () => {
    const uow = uowWith();
    const hooks: string[] = [];
    const results = await Promise.allSettled([
      uow.agentBatch((r) => r.t.insertSync('a')),
      uow.agentBatch((r) => {
        r.afterCommit(() => hooks.push('half'));
        r.t.insertSync('half');
        r.t.insertSync('a'); // UNIQUE violation: 'half' must go too
      }),
      uow.agentBatch((r) => {
        r.afterCommit(() => hooks.push('c'));
        return r.t.insertSync('c');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['a', 'c']);
    expect(hooks).toEqual(['c']);
  });

  it('flushes at once when the batch is full, and later writes start a new batch', async () => {
    const uow = uowWith({ maxBatch: 2 });
    const first = [
      uow.agentBatch((r) => r.t.insertSync('a')),
      uow.agentBatch((r) => r.t.insertSync('b')),
    ];
    // The second job filled the batch: it runs at once (microtasks only), not at the next turn.
    const third = uow.agentBatch((r) => r.t.insertSync('c'));
    await Promise.all(first);
    expect(committed()).toEqual(['a', 'b']);
    await third;
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('a batch past its time budget commits the jobs it ran and lets the event loop turn before the rest', async () => {
    const uow = uowWith({ maxBatchMs: 0, minBatch: 1 });
    const order: string[] = [];
    const jobs = ['a', 'b', 'c'].map((v) =>
      uow.agentBatch((r) => {
        order.push(v);
        return r.t.insertSync(v);
      }),
    );
    // Scheduled after the batch's flush: what a console request read in the next poll phase is.
    setImmediate(() => order.push(`turn, committed ${committed().join(',')}`));
    await expect(Promise.all(jobs)).resolves.toEqual([1, 2, 3]);
    expect(order).toEqual(['a', 'turn, committed a', 'b', 'c']);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('a batch runs its minimum of jobs before the time budget applies (a starved process keeps sharing COMMITs)', async () => {
    const uow = uowWith({ maxBatchMs: 0, minBatch: 2 });
    const order: string[] = [];
    const jobs = ['a', 'b', 'c'].map((v) =>
      uow.agentBatch((r) => {
        order.push(v);
        return r.t.insertSync(v);
      }),
    );
    setImmediate(() => order.push(`turn, committed ${committed().join(',')}`));
    await Promise.all(jobs);
    expect(order).toEqual(['a', 'b', 'turn, committed a,b', 'c']);
  });

  it('rejects writes that cannot take the write lock instead of answering success', async () => {
    const uow = uowWith();
    // Another connection holds the write lock: no write of the batch can land.
    const locker = new Database(join(dir, 'orgdesk.db'));
    locker.pragma('busy_timeout = 0');
    locker.exec('BEGIN IMMEDIATE');
    opened.sqlite.pragma('busy_timeout = 0');
    const results = await Promise.allSettled([
      uow.agentBatch((r) => r.t.insertSync('a')),
      uow.agentBatch((r) => r.t.insertSync('b')),
    ]);
    locker.exec('ROLLBACK');
    locker.close();
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(committed()).toEqual([]);
  });

  it('waits for a unit of work holding the lock, and never runs inside its transaction', async () => {
    const uow = uowWith({ guardIo: false });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const w = uow.write(async (r) => {
      await r.t.insert('w');
      await held;
      throw new Error('w fails');
    });
    await turn();
    const job = uow.agentBatch((r) => r.t.insertSync('job'));
    await turn();
    await turn();
    release();
    await expect(w).rejects.toThrow('w fails');
    await job;
    expect(committed()).toEqual(['job']);
  });

  it('runs async jobs one after another in one transaction, a savepoint each, one COMMIT', async () => {
    const uow = uowWith();
    const hooks: string[] = [];
    // What another connection sees at each step: nothing until the one shared COMMIT.
    const seen: string[][] = [];
    const job = (v: string, fail = false) =>
      uow.agentBatch(async (r) => {
        r.afterCommit(() => hooks.push(v));
        const id = await r.t.insert(v);
        seen.push(committed());
        await r.t.insert(`${v}-2`);
        if (fail) throw new Error(`${v} fails`);
        return id;
      });
    const settledSeen: string[][] = [];
    const results = await Promise.allSettled(
      [job('a'), job('b', true), job('c')].map((p) =>
        p.finally(() => settledSeen.push(committed())),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/b fails/);
    // No job's writes were visible to others while the batch ran: no COMMIT between the jobs.
    expect(seen).toEqual([[], [], []]);
    // Every promise settled after the COMMIT, which had all the survivors' writes at once.
    expect(settledSeen).toEqual(Array(3).fill(['a', 'a-2', 'c', 'c-2']));
    expect(hooks).toEqual(['a', 'c']);
    expect(opened.sqlite.inTransaction).toBe(false);
  });

  it('fails an async job that awaits real I/O, alone', async () => {
    const uow = uowWith();
    const results = await Promise.allSettled([
      uow.agentBatch((r) => r.t.insert('a')),
      uow.agentBatch(async (r) => {
        await r.t.insert('slow');
        await readFile(join(dir, 'orgdesk.db'));
      }),
      uow.agentBatch((r) => r.t.insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(IoInTransactionError);
    expect(committed()).toEqual(['a', 'c']);
  });
});
