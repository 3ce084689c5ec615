// Runs read jobs on worker threads (main/core/offload.ts): up to `size` workers, started on the
// first job, each with its own read-only connection; a job waits for a free worker. A worker
// keeps the process alive only while it has a job. If one dies, its job fails and the next
// job starts a fresh worker.
import { Worker } from 'node:worker_threads';
import type { AuditChain } from '../core/audit';
import type { Offload, OffloadJob, OffloadProgress } from '../core/offload';
import { workerEntry, type WorkerEntry } from '../core/worker-entry';
import type { Db } from '../db/database';
import { runReadJob } from './read-jobs';

export interface ReadWorkerData {
  dbFile: string;
  /** The audit chain's derived HMAC key (not the master key): verification needs no more. */
  chainKey: Uint8Array;
}

export type ToWorker = { id: number; job: OffloadJob };
export type FromWorker =
  | ({ type: 'progress'; id: number } & OffloadProgress)
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string; stack?: string } };

export function serializeJobError(err: unknown): { name: string; message: string; stack?: string } {
  return err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { name: 'Error', message: String(err) };
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
}

export class ReadPool implements Offload {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private seq = 0;

  constructor(
    private readonly data: ReadWorkerData,
    private readonly o: { size?: number; entry?: WorkerEntry } = {},
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
    for (const p of this.queue.splice(0)) p.reject(new Error('The read workers were stopped'));
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
    const entry = this.o.entry ?? defaultReadWorkerEntry();
    const options = { workerData: this.data };
    const worker =
      'file' in entry
        ? new Worker(entry.file, options)
        : new Worker(entry.evalCode, { ...options, eval: true });
    const slot: Slot = { worker, current: null };
    this.slots.push(slot);
    worker.on('message', (m: FromWorker) => {
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
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`A read worker stopped (exit code ${code})`)));
    return slot;
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
