// Worker-thread entry for read jobs (main/workers/read-jobs.ts): one read-only connection to
// the live database, opened once, and the audit chain's key; jobs arrive one at a time and
// answer progress, then a result or an error. Bundled on its own (read-worker.mjs) for the app.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { AuditChain } from '../core/audit';
import { transferablesOf } from '../core/file-answer';
import type { Db } from '../db/database';
import * as schema from '../db/schema';
import { runReadJob } from './read-jobs';
import {
  serializeJobError,
  type ToWorker,
  type FromWorker,
  type ReadWorkerData,
} from './read-pool';

const data = workerData as ReadWorkerData;
// The event loop comes first: on Linux a thread's nice value is its own, so this lowers only
// this worker, and the main thread keeps answering while a long job runs on a busy machine.
try {
  setPriority(10);
} catch {
  // Not permitted or not supported here: run at the normal priority.
}
const sqlite = new Database(data.dbFile, { readonly: true, fileMustExist: true });
sqlite.pragma('busy_timeout = 5000');
sqlite.pragma('cache_size = -65536');
const db = drizzle(sqlite, { schema }) as unknown as Db;
const chain = AuditChain.fromKey(Buffer.from(data.chainKey));

const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => parentPort?.postMessage(m, transfer);

post({ type: 'ready' });

parentPort?.on('message', (m: ToWorker) => {
  // A job answers a value or, reading through a repository, a promise of one (already settled:
  // its statements are synchronous).
  const fail = (err: unknown) => post({ type: 'error', id: m.id, error: serializeJobError(err) });
  try {
    const result = runReadJob({ db, chain }, m.job, (p) =>
      post({ type: 'progress', id: m.id, ...p }),
    );
    const done = (value: unknown) =>
      // An export's bytes are moved, not cloned: the main thread gets them at no cost.
      post({ type: 'done', id: m.id, result: value }, transferablesOf(value));
    if (result instanceof Promise) result.then(done, fail);
    else done(result);
  } catch (err) {
    fail(err);
  }
});
