// A read worker's side of job-protocol.ts, shared by the SQLite worker (read-worker.ts) and the
// PostgreSQL one (pg-read-worker.ts): jobs arrive one at a time (the pool sends the next only
// after an answer) and answer progress, then a result or an error.
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import type { OffloadJob, OffloadProgress } from '../core/offload';
import { transferablesOf } from '../core/file-answer';
import { serializeJobError, type FromWorker, type ToWorker } from './job-protocol';

/** The event loop comes first: lowers this thread only (on Linux a thread's nice value is its own). */
export function lowerPriority(): void {
  try {
    setPriority(10);
  } catch {
    // Not permitted or not supported here: run at the normal priority.
  }
}

export function serveJobs(
  run: (job: OffloadJob, onProgress: (p: OffloadProgress) => void) => unknown,
  onClose: () => Promise<void> | void = () => {},
): void {
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []) =>
    parentPort?.postMessage(m, transfer);
  post({ type: 'ready' });
  parentPort?.on('message', (m: ToWorker) => {
    if ('close' in m) {
      // The thread ends once nothing is left open: the port, then the connections.
      parentPort?.close();
      void Promise.resolve()
        .then(onClose)
        .catch(() => undefined);
      return;
    }
    const fail = (err: unknown) => post({ type: 'error', id: m.id, error: serializeJobError(err) });
    try {
      const result = run(m.job, (p) => post({ type: 'progress', id: m.id, ...p }));
      const done = (value: unknown) =>
        // An export's bytes are moved, not cloned: the main thread gets them at no cost.
        post({ type: 'done', id: m.id, result: value }, transferablesOf(value));
      if (result instanceof Promise) result.then(done, fail);
      else done(result);
    } catch (err) {
      fail(err);
    }
  });
}
