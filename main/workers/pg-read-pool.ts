// The read jobs (main/workers/read-jobs.ts) on PostgreSQL, as an Offload (main/core/offload.ts):
// ReadPool's worker threads (WorkerPool: queue, progress, failures), each with a small pg.Pool
// of its own on the connection string and the audit chain's derived key, as the SQLite pool
// passes it; the job runner is main/db/pg/read-jobs.ts. The CPU-heavy parts (hashing a million
// entries, encoding and signing an export) run there, off the server's event loop.
//
// Only the server runs on PostgreSQL, and it runs from source (`npm run server`, tsx): the
// worker starts from pg-read-worker.ts through tsx. The packaged desktop app, the one thing
// bundled (scripts/build-main.mjs), is SQLite-only and bundles read-worker.ts alone, so the
// PostgreSQL runner stays out of it (tests/electron/bundle.test.ts checks it does).
import type pg from 'pg';
import type { AuditChain } from '../core/audit';
import type { Offload, OffloadJob, OffloadProgress } from '../core/offload';
import { workerEntry, type WorkerEntry } from '../core/worker-entry';
import { runPgReadJob } from '../db/pg/read-jobs';
import { WorkerPool, type WorkerPoolOptions } from './read-pool';

export interface PgReadWorkerData {
  /** ORGDESK_DATABASE_URL: the worker opens its own pool on it. */
  connectionString: string;
  /** The audit chain's derived HMAC key (not the master key): verification needs no more. */
  chainKey: Uint8Array;
  /**
   * Connections of each worker's pool. A worker runs one job at a time, in one transaction, so
   * 1 is enough; count workers × this against max_connections with the replicas' own pools.
   */
  connections?: number;
}

export const defaultPgReadWorkerEntry = (): WorkerEntry =>
  workerEntry(
    new URL('./pg-read-worker.ts', import.meta.url),
    'pg-read-worker.mjs',
    import.meta.url,
  );

/** The read jobs on PostgreSQL, on up to `size` worker threads (2 by default). */
export class PgReadPool extends WorkerPool<PgReadWorkerData> {
  constructor(data: PgReadWorkerData, o: WorkerPoolOptions = {}) {
    // A worker ends its pool before it ends: the server sees a goodbye, not a dropped socket.
    super(data, defaultPgReadWorkerEntry, { ...o, gracefulCloseMs: 2000 });
  }
}

/**
 * The same jobs on the calling thread over the caller's pool (tests, tools): the same results
 * as PgReadPool, the CPU-heavy parts on this event loop. close() leaves the pool to its owner.
 */
export class InlinePgOffload implements Offload {
  constructor(private readonly ctx: { pool: pg.Pool; chain: AuditChain }) {}
  run<R>(job: OffloadJob, onProgress?: (p: OffloadProgress) => void): Promise<R> {
    return runPgReadJob(this.ctx, job, onProgress ?? (() => {})) as Promise<R>;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
