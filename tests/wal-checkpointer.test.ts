// The WAL copied back off the event loop (main/db/sqlite/wal-checkpointer.ts): the worker's
// checkpoints land in the database file by themselves, the main connection's autocheckpoint
// still bounds the WAL under a writer that never pauses, and a worker that cannot start says so
// while the main connection goes on checkpointing.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../main/db/database';
import { WalCheckpointer, type CheckpointRound } from '../main/db/sqlite/wal-checkpointer';

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

const PAGE = 4096;

function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-checkpoint-'));
  const file = join(dir, 'orgdesk.db');
  const opened = openDatabase({ file });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => opened.close());
  const sqlite = opened.sqlite;
  sqlite.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  const insert = sqlite.prepare('INSERT INTO filler (body) VALUES (randomblob(3000))');
  /** `pages` pages of rows (one row a page), in commits of `perCommit` rows. */
  const write = (pages: number, perCommit = 100) => {
    const batch = sqlite.transaction((n: number) => {
      for (let i = 0; i < n; i++) insert.run();
    });
    for (let done = 0; done < pages; done += perCommit) batch(Math.min(perCommit, pages - done));
  };
  return { file, sqlite, write };
}

function checkpointer(file: string, o: ConstructorParameters<typeof WalCheckpointer>[1] = {}) {
  const c = new WalCheckpointer(file, o);
  cleanups.push(() => c.close());
  return c;
}

/** Resolves with the first round that `done` accepts; fails after `ms`. */
function roundWhere(
  rounds: CheckpointRound[],
  done: (r: CheckpointRound) => boolean,
  ms = 20_000,
): Promise<CheckpointRound> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const look = () => {
      const hit = rounds.find(done);
      if (hit) return resolve(hit);
      if (Date.now() - started > ms) return reject(new Error(`no such round in ${ms} ms`));
      setTimeout(look, 10);
    };
    look();
  });
}

describe('WalCheckpointer', () => {
  it("copies the WAL into the database file while the main connection's autocheckpoint is off", async () => {
    const db = freshDatabase();
    db.sqlite.pragma('wal_autocheckpoint = 0');
    db.write(2_000);
    // Nothing copied yet: the rows are only in the WAL, and the file is as small as it was.
    const before = statSync(db.file).size;
    expect(before).toBeLessThan(500 * PAGE);

    const rounds: CheckpointRound[] = [];
    checkpointer(db.file, { intervalMs: 10, onRound: (r) => rounds.push(r) });
    const all = await roundWhere(
      rounds,
      (r) => r.framesInWal > 0 && r.framesCopied === r.framesInWal,
    );
    expect(all.framesInWal).toBeGreaterThanOrEqual(2_000);
    // In the file now, by the worker alone.
    expect(statSync(db.file).size).toBeGreaterThanOrEqual(before + 2_000 * PAGE);
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 2_000 });
  });

  it('with no one listening to its rounds (the server), it copies all the same', async () => {
    const db = freshDatabase();
    db.sqlite.pragma('wal_autocheckpoint = 0');
    db.write(2_000);
    const before = statSync(db.file).size;
    checkpointer(db.file, { intervalMs: 10 });
    await expect
      .poll(() => statSync(db.file).size, { timeout: 20_000, interval: 20 })
      .toBeGreaterThanOrEqual(before + 2_000 * PAGE);
  });

  it("under a writer that never pauses, the main connection's autocheckpoint still restarts the WAL", async () => {
    const db = freshDatabase();
    db.sqlite.pragma('wal_autocheckpoint = 1000');
    const rounds: CheckpointRound[] = [];
    checkpointer(db.file, { intervalMs: 10, onRound: (r) => rounds.push(r) });
    await roundWhere(rounds, () => true);
    // 20,000 pages, four times the bound below: a WAL nothing restarted would hold them all.
    // (It holds more than the autocheckpoint's 1,000, up to 2,300 frames over 100,000 pages with
    // the worker at 10 ms: as we read SQLite, a commit whose checkpoint meets the worker's skips
    // it and a later one restarts the WAL.)
    for (let i = 0; i < 20; i++) {
      db.write(1_000);
      // A turn for the worker's messages (the writes themselves never wait for it).
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(statSync(`${db.file}-wal`).size).toBeLessThan(5_000 * (PAGE + 24));
    // And the worker took part: some of its rounds found frames to copy.
    expect(rounds.some((r) => r.framesCopied > 0)).toBe(true);
  });

  it('a worker that cannot open the database reports it; the main connection checkpoints on', async () => {
    const db = freshDatabase();
    const failures: string[] = [];
    checkpointer(join(db.file, 'no-such-dir', 'orgdesk.db'), {
      onFailure: (m) => failures.push(m),
    });
    await expect.poll(() => failures.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(0);
    expect(failures[0]).toMatch(/directory does not exist|unable to open/i);
    db.sqlite.pragma('wal_autocheckpoint = 100');
    db.write(1_000);
    expect(statSync(`${db.file}-wal`).size).toBeLessThan(300 * (PAGE + 24));
  });

  it('close() ends the worker and is idempotent', async () => {
    const db = freshDatabase();
    const rounds: CheckpointRound[] = [];
    const c = new WalCheckpointer(db.file, { intervalMs: 5, onRound: (r) => rounds.push(r) });
    await roundWhere(rounds, () => true);
    await c.close();
    await c.close();
    const seen = rounds.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(rounds.length).toBe(seen);
  });
});
