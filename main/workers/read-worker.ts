// Worker-thread entry for read jobs on SQLite (main/workers/read-jobs.ts): one read-only
// connection to the live database, opened once, and the audit chain's key; the job loop is
// serve-jobs.ts. Bundled on its own (read-worker.mjs) for the app, which is SQLite-only: the
// PostgreSQL runner has an entry of its own (pg-read-worker.ts) and never enters this bundle.
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { workerData } from 'node:worker_threads';
import { AuditChain } from '../core/audit';
import type { Db } from '../db/database';
import * as schema from '../db/schema';
import { runReadJobInSnapshot } from './read-jobs';
import type { ReadWorkerData } from './read-pool';
import { lowerPriority, serveJobs } from './serve-jobs';

const data = workerData as ReadWorkerData;
lowerPriority();
const sqlite = new Database(data.dbFile, { readonly: true, fileMustExist: true });
sqlite.pragma('busy_timeout = 5000');
sqlite.pragma('cache_size = -65536');
const db = drizzle(sqlite, { schema }) as unknown as Db;
const chain = AuditChain.fromKey(Buffer.from(data.chainKey));

// Each job reads one snapshot of the file (runReadJobInSnapshot says why).
serveJobs(
  (job, onProgress) => runReadJobInSnapshot({ db, chain }, job, onProgress),
  () => {
    sqlite.close();
  },
);
