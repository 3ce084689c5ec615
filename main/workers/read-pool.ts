// Runs read jobs on worker threads (main/core/offload.ts): up to `size` workers, started on the
// first job, each with its own read-only connection; a job waits for a free worker. A worker
// keeps the process alive only while it has a job. If one dies, its job fails and the next
// job starts a fresh worker. WorkerPool is the engine-free part (the PostgreSQL pool,
// pg-read-pool.ts, is one too); ReadPool the SQLite one.
import { Worker } from 'node:worker_threads';
import type { AuditChain } from '../core/audit';
import type { Offload, OffloadJob, OffloadProgress } from '../core/offload';
import { workerEntry, type WorkerEntry } from '../core/worker-entry';
import type { Db } from '../db/database';
import type { FromWorker, ToWorker } from './job-protocol';
import { runReadJob } from './read-jobs';

export { serializeJobError, type FromWorker, type ToWorker } from './job-protocol';

export interface ReadWorkerData {
  dbFile: string;
  /** The audit chain's derived HMAC key (not the master key): verification needs no more. */
  chainKey: Uint8Array;
}

/** A job's failure back on the main thread: an unexpected error (the caller answers 500). */
export class ReadJobError extends Error {
  constructor(e: { name: string; message: string; stack?: string }) {
    super(`read job failed: ${e.name}: ${e.message}`);
    this.name = 'ReadJobError';
    if (e.stack) this.stack = `${this.name}: ${this.message}\n(worker) ${e.stack}`;
  }
}

export const defaultReadWorkerEntry = (): WorkerEntry =>
  workerEntry(new URL('./read-worker.ts', import.meta.url), 'read-worker.mjs', import.meta.url);

interface Pending {
  id: number;
  job: OffloadJob;
  onProgress?: (p: OffloadProgress) => void;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  current: Pending | null;
  ready: boolean;
}

export interface WorkerPoolOptions {
  /** Workers at most (2: the cores a server leaves its heavy reads). */
  size?: number;
  entry?: WorkerEntry;
}

/** The pool of worker threads, whatever they read: queue, progress, failures, close(). */
export class WorkerPool<D> implements Offload {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private seq = 0;

  constructor(
    private readonly data: D,
    private readonly defaultEntry: () => WorkerEntry,
    private readonly o: WorkerPoolOptions & {
      /**
       * ms a closing worker gets to close its connections and end by itself before it is
       * terminated; undefined: terminated at once (a SQLite file needs no goodbye).
       */
      gracefulCloseMs?: number;
    } = {},
  ) {}

  run<R>(job: OffloadJob, onProgress?: (p: OffloadProgress) => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({
        id: ++this.seq,
        job,
        onProgress,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.pump();
    });
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    const stopped = () => new Error('The read workers were stopped');
    for (const p of this.queue.splice(0)) p.reject(stopped());
    // A running job too: its worker is out of the pool now, so its exit no longer answers it.
    for (const s of slots) {
      s.current?.reject(stopped());
      s.current = null;
    }
    await Promise.all(slots.map((s) => this.stop(s)));
  }

  private async stop(slot: Slot): Promise<void> {
    const grace = this.o.gracefulCloseMs;
    if (grace !== undefined) {
      const exited = new Promise<boolean>((resolve) => {
        slot.worker.once('exit', () => resolve(true));
        const timer = setTimeout(() => resolve(false), grace);
        timer.unref();
      });
      slot.worker.postMessage({ close: true } satisfies ToWorker);
      if (await exited) return;
    }
    await slot.worker.terminate();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.current === null);
      if (!slot && this.slots.length < (this.o.size ?? 2)) slot = this.start();
      if (!slot) return;
      const next = this.queue.shift()!;
      slot.current = next;
      slot.worker.ref();
      slot.worker.postMessage({ id: next.id, job: next.job } satisfies ToWorker);
    }
  }

  private start(): Slot {
    const entry = this.o.entry ?? this.defaultEntry();
    const options = { workerData: this.data };
    const worker =
      'file' in entry
        ? new Worker(entry.file, options)
        : new Worker(entry.evalCode, { ...options, eval: true });
    const slot: Slot = { worker, current: null, ready: false };
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        slot.ready = true;
        return;
      }
      const p = slot.current;
      if (!p || p.id !== m.id) return;
      if (m.type === 'progress') {
        p.onProgress?.({ done: m.done, total: m.total });
        return;
      }
      slot.current = null;
      worker.unref();
      if (m.type === 'done') p.resolve(m.result);
      else p.reject(new ReadJobError(m.error));
      this.pump();
    });
    const lost = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      slot.current?.reject(err);
      slot.current = null;
      this.pump();
    };
    // The cause, and whether the worker ever started: "could not start" is its database or its
    // code (e.g. the data dir is gone), "failed" a job that crashed it.
    worker.on('error', (err) =>
      lost(
        new Error(
          `${slot.ready ? 'A read worker failed' : 'A read worker could not start'}: ${err.message}`,
          { cause: err },
        ),
      ),
    );
    worker.on('exit', (code) => lost(new Error(`A read worker stopped (exit code ${code})`)));
    return slot;
  }
}

/** The read jobs on SQLite: workers with a read-only connection each to the database file. */
export class ReadPool extends WorkerPool<ReadWorkerData> {
  constructor(data: ReadWorkerData, o: WorkerPoolOptions = {}) {
    super(data, defaultReadWorkerEntry, o);
  }
}

/** The same jobs on the calling thread, for databases a worker cannot open (in memory). */
export class InlineOffload implements Offload {
  constructor(private readonly ctx: { db: Db; chain: AuditChain }) {}
  run<R>(job: OffloadJob, onProgress?: (p: OffloadProgress) => void): Promise<R> {
    return new Promise<R>((resolve) =>
      resolve(runReadJob(this.ctx, job, onProgress ?? (() => {})) as R),
    );
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
