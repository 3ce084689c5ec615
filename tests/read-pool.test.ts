// The read workers (main/workers/read-pool.ts): a worker that cannot start fails its job with
// the reason it could not start. An e2e run once logged only "A read worker stopped (exit code
// 70)": a worker started for a late request after the test's data dir was removed could not
// open the database, and the boot code (main/core/worker-entry.ts) printed the cause to stderr
// and exited with 70, so the job's error said nothing of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../main/db/database';
import { ReadPool } from '../main/workers/read-pool';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

describe('ReadPool', () => {
  it('a worker that cannot open the database fails its job with that reason, not an exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-read-pool-'));
    dirs.push(dir);
    // The data dir is gone, as at the e2e teardown.
    rmSync(dir, { recursive: true, force: true });
    const pool = new ReadPool({ dbFile: join(dir, 'orgdesk.db'), chainKey: new Uint8Array(32) });
    try {
      await expect(pool.run({ kind: 'audit.verify', accountId: 1 })).rejects.toThrow(
        /A read worker could not start: .*Cannot open database because the directory does not exist/,
      );
    } finally {
      await pool.close();
    }
  });

  it('close() fails the job a worker was running: its caller is answered, not left waiting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orgdesk-read-pool-'));
    dirs.push(dir);
    openDatabase({ file: join(dir, 'orgdesk.db') }).close();
    const pool = new ReadPool({ dbFile: join(dir, 'orgdesk.db'), chainKey: new Uint8Array(32) });
    // Handed to a worker at once; the worker cannot answer before close() (no turn between).
    const job = pool.run({ kind: 'audit.verify', accountId: 1 });
    const outcome = job.then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await pool.close();
    // Every callback of the close has run by the next macrotask: a job still pending then
    // would never be answered (its worker is gone).
    const pending = new Promise((resolve) => setImmediate(() => resolve('still pending')));
    expect(await Promise.race([outcome, pending])).toBe('The read workers were stopped');
  });
});
