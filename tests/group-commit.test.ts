// The group commit shares one transaction among writes queued in the same turn, yet each write
// lands or fails on its own and nobody hears "done" before the COMMIT.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../main/core/group-commit';
import { openDatabase, type OpenedDatabase } from '../main/db/database';

let dir: string;
let opened: OpenedDatabase;
let reader: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'orgdesk-gc-'));
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

const insert = (v: string) => () =>
  Number(opened.sqlite.prepare('INSERT INTO t (v) VALUES (?)').run(v).lastInsertRowid);
const committed = () =>
  (reader.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);

describe('GroupCommit', () => {
  it('runs writes of one turn in one transaction and settles them after its COMMIT', async () => {
    const gc = new GroupCommit(opened.db);
    const seenByOthers: string[][] = [];
    const a = gc.run(insert('a'));
    const b = gc.run(() => {
      // Still inside the shared transaction: a is written but not yet visible elsewhere.
      expect(opened.sqlite.inTransaction).toBe(true);
      seenByOthers.push(committed());
      return insert('b')();
    });
    expect(committed()).toEqual([]);
    await expect(Promise.all([a, b])).resolves.toEqual([1, 2]);
    expect(seenByOthers).toEqual([[]]);
    expect(committed()).toEqual(['a', 'b']);
  });

  it('rolls back and rejects only the write that failed', async () => {
    const gc = new GroupCommit(opened.db);
    const results = await Promise.allSettled([
      gc.run(insert('a')),
      gc.run(() => {
        insert('half')();
        insert('a')(); // UNIQUE violation: 'half' must go too
      }),
      gc.run(insert('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect(committed()).toEqual(['a', 'c']);
  });

  it('flushes at once when the batch is full, and later writes start a new batch', async () => {
    const gc = new GroupCommit(opened.db, 2);
    const first = [gc.run(insert('a')), gc.run(insert('b'))];
    // The second run filled the batch: it committed synchronously.
    expect(committed()).toEqual(['a', 'b']);
    const third = gc.run(insert('c'));
    expect(committed()).toEqual(['a', 'b']);
    await Promise.all([...first, third]);
    expect(committed()).toEqual(['a', 'b', 'c']);
  });

  it('rejects writes that cannot take the write lock instead of answering success', async () => {
    const gc = new GroupCommit(opened.db);
    // Another connection holds the write lock: no write of the batch can land.
    const locker = new Database(join(dir, 'orgdesk.db'));
    locker.pragma('busy_timeout = 0');
    locker.exec('BEGIN IMMEDIATE');
    opened.sqlite.pragma('busy_timeout = 0');
    const results = await Promise.allSettled([gc.run(insert('a')), gc.run(insert('b'))]);
    locker.exec('ROLLBACK');
    locker.close();
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(committed()).toEqual([]);
  });
});
