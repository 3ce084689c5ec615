// Worker-thread entry: runs one export or restore job (workerData) and posts its progress, then
// its result or error. Bundled on its own (dist/main/electron/export-worker.js) for the app.
import { parentPort, workerData } from 'node:worker_threads';
import { runJobInline, serializeError, type Job, type WorkerMessage } from './export-jobs';

const post = (message: WorkerMessage) => parentPort?.postMessage(message);

runJobInline(workerData as Job, (p) => post({ type: 'progress', ...p })).then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => post({ type: 'error', error: serializeError(err) }),
);
