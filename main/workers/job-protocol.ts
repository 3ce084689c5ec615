// The messages between a read pool (main/workers/read-pool.ts, pg-read-pool.ts) and its worker
// threads (serve-jobs.ts), whatever the engine: a job in, its progress, then a result or an
// error out. Kept free of any database module, so a worker loads only its own engine's code.
import type { OffloadJob, OffloadProgress } from '../core/offload';

export type ToWorker =
  | { id: number; job: OffloadJob }
  /** Close the connections and let the thread end (the pool's graceful close). */
  | { close: true };

export type FromWorker =
  /** Sent once the worker opened its connection: from then on a failure is a job's, not its start's. */
  | { type: 'ready' }
  | ({ type: 'progress'; id: number } & OffloadProgress)
  | { type: 'done'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string; stack?: string } };

export function serializeJobError(err: unknown): { name: string; message: string; stack?: string } {
  return err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { name: 'Error', message: String(err) };
}
