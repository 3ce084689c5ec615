// A read worker's job sees one snapshot of the SQLite file (main/workers/read-jobs.ts,
// runReadJobInSnapshot): the worker's connection is its own, so without a read transaction each
// of a job's statements saw the latest commit. An append committed while a verification walked
// the chain was then walked too, past the head read at the start, and the intact chain was
// reported as "entries removed from the end" (AUD-3's false alarm under ordinary use: every
// audited write during a verification). The PostgreSQL jobs read in one REPEATABLE READ
// transaction (main/db/pg/read-jobs.ts); this keeps the verdicts of both engines alike.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../main/core/actor';
import { AuditChain } from '../main/core/audit';
import { AuditLog } from '../main/db/sqlite/audit-log';
import type { OffloadProgress } from '../main/core/offload';
import { openDatabase, type Db, type OpenedDatabase } from '../main/db/database';
import * as schema from '../main/db/schema';
import { runReadJobInSnapshot } from '../main/workers/read-jobs';
import type { AuditVerifyResult } from '../shared/schemas/audit.schema';

describe('read jobs on a SQLite worker connection', () => {
  let dir: string;
  let opened: OpenedDatabase;
  let reader: Database.Database;
  let log: AuditLog;
  const chain = AuditChain.fromKey(randomBytes(32));
  let t = 1_750_000_000_000;
  const append = (n: number) =>
    opened.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) {
        log.record(systemActor(1), { accountId: 1, action: 'host.updated', targetType: 'host' });
      }
    })();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-read-snapshot-'));
    opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    opened.sqlite
      .prepare('INSERT INTO accounts (id, name, created_at) VALUES (1, ?, ?)')
      .run('Acme', t);
    log = new AuditLog(opened.db, { now: () => (t += 1) }, chain);
    append(2500);
    // As the worker opens it (main/workers/read-worker.ts).
    reader = new Database(join(dir, 'orgdesk.db'), { readonly: true, fileMustExist: true });
  });
  afterEach(() => {
    reader.close();
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a verification that an append overtakes judges the chain as it started: intact', async () => {
    const db = drizzle(reader, { schema }) as unknown as Db;
    let appended = false;
    const onProgress = (p: OffloadProgress) => {
      // After the head and the count were read, before the walk: an audited write commits.
      if (p.done === 0 && !appended) {
        appended = true;
        append(3);
      }
    };
    const result = (await runReadJobInSnapshot(
      { db, chain },
      { kind: 'audit.verify', accountId: 1 },
      onProgress,
    )) as AuditVerifyResult;
    expect(appended).toBe(true);
    expect(result).toMatchObject({ ok: true, checked: 2500 });
    // The next verification sees the appended entries, and they verify too.
    const next = (await runReadJobInSnapshot(
      { db, chain },
      { kind: 'audit.verify', accountId: 1 },
      () => {},
    )) as AuditVerifyResult;
    expect(next).toMatchObject({ ok: true, checked: 2503 });
  });

  it('a job that fails still ends its read transaction', async () => {
    const db = drizzle(reader, { schema }) as unknown as Db;
    await expect(
      runReadJobInSnapshot({ db, chain }, { kind: 'no.such.job' }, () => {}),
    ).rejects.toThrow(/Unknown read job no.such.job/);
    expect(reader.inTransaction).toBe(false);
  });
});
