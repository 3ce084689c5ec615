// The read workers (main/workers/read-pool.ts): a worker that cannot start fails its job with
// the reason it could not start. An e2e run once logged only "A read worker stopped (exit code
// 70)": a worker started for a late request after the test's data dir was removed could not
// open the database, and the boot code (main/core/worker-entry.ts) printed the cause to stderr
// and exited with 70, so the job's error said nothing of it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
});
