// Worker-thread entry for read jobs on PostgreSQL (pg-read-pool.ts): a small pg.Pool of its own
// on the connection string, the audit chain's key, and the job runner of main/db/pg/read-jobs.ts
// behind serve-jobs.ts's loop. It opens no SQLite connection and loads no native module (the
// SQLite schema module comes along: the GDPR registry is declared over it).
import { workerData } from 'node:worker_threads';
import { AuditChain } from '../core/audit';
import { createPgPool } from '../db/pg/database';
import { runPgReadJob } from '../db/pg/read-jobs';
import type { PgReadWorkerData } from './pg-read-pool';
import { lowerPriority, serveJobs } from './serve-jobs';

const data = workerData as PgReadWorkerData;
lowerPriority();
const pool = createPgPool(data.connectionString, {
  max: data.connections ?? 1,
  // An idle worker gives its connection back to the server's budget (max_connections).
  idleTimeoutMillis: 10_000,
  application_name: 'orgdesk-read-worker',
});
// A connection that drops while idle is the pool's to replace; unhandled, it would end the thread.
pool.on('error', () => undefined);
const chain = AuditChain.fromKey(Buffer.from(data.chainKey));

serveJobs(
  (job, onProgress) => runPgReadJob({ pool, chain }, job, onProgress),
  () => pool.end(),
);
