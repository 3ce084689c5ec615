// Issue 15: the WAL copied back into the database file on a worker thread, beside the main
// connection's own autocheckpoint. Under signed heartbeats (about 16 KiB of WAL each) that
// autocheckpoint ran every second or so on the event loop, inside a COMMIT, and copied 10,000
// pages at a time: 130–150 ms during which no request was answered (the ORG-2 page's p95 while
// heartbeats run). The worker's PASSIVE checkpoints, every 100 ms, copy nearly all of it
// off the loop; the autocheckpoint still runs at its 10,000 pages, but finds only the frames
// committed since the worker's last round left to copy, and it stays the one that restarts the
// WAL (a checkpoint on another connection never catches a writer that keeps committing: with the
// autocheckpoint off, 100,000 pages written left 104,257 frames in the WAL). So correctness never rests on the worker: if it fails or is
// never started, the main connection checkpoints as before.
import { Worker } from 'node:worker_threads';
import { workerEntry, type WorkerEntry } from '../../core/worker-entry';

/** How often the worker checkpoints: often enough that the main connection's share stays small. */
export const WAL_CHECKPOINT_INTERVAL_MS = 100;

export interface CheckpointWorkerData {
  dbFile: string;
  intervalMs: number;
  /** Post each round (only when someone listens: an idle server is not woken ten times a second). */
  reportRounds: boolean;
}

/** One PASSIVE checkpoint's outcome, as SQLite reports it. */
export interface CheckpointRound {
  /** Frames in the WAL. */
  framesInWal: number;
  /** Of those, frames now in the database file. */
  framesCopied: number;
}

export type FromCheckpointWorker =
  { type: 'round'; round: CheckpointRound } | { type: 'failed'; message: string };

export interface WalCheckpointerOptions {
  intervalMs?: number;
  entry?: WorkerEntry;
  /** Each round's outcome (tests; a server could export it as a metric). */
  onRound?: (round: CheckpointRound) => void;
  /** The worker stopped checkpointing (the main connection goes on by itself). */
  onFailure?: (message: string) => void;
}

const defaultEntry = (): WorkerEntry =>
  workerEntry(
    new URL('../../workers/checkpoint-worker.ts', import.meta.url),
    'checkpoint-worker.mjs',
    import.meta.url,
  );

export class WalCheckpointer {
  private readonly worker: Worker;
  private closed: Promise<void> | null = null;

  constructor(dbFile: string, o: WalCheckpointerOptions = {}) {
    const entry = o.entry ?? defaultEntry();
    const data: CheckpointWorkerData = {
      dbFile,
      intervalMs: o.intervalMs ?? WAL_CHECKPOINT_INTERVAL_MS,
      reportRounds: o.onRound !== undefined,
    };
    this.worker =
      'file' in entry
        ? new Worker(entry.file, { workerData: data })
        : new Worker(entry.evalCode, { eval: true, workerData: data });
    // It never keeps the process alive: the process's own work decides when it ends.
    this.worker.unref();
    this.worker.on('message', (m: FromCheckpointWorker) => {
      if (m.type === 'round') o.onRound?.(m.round);
      else if (m.type === 'failed') o.onFailure?.(m.message);
    });
    // A worker that could not even load (the worker posts its own failures as text).
    this.worker.on('error', (err) => o.onFailure?.(String(err?.message ?? err)));
  }

  /** Stops the worker; its connection closes with it. Idempotent. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.worker.threadId === -1) return resolve();
      this.worker.once('exit', () => resolve());
      // Held while it ends: unref'd, the process could exit before 'exit' came, and whatever
      // awaited close() (the server's "stopped" line, the database's own close) would not run.
      this.worker.ref();
      this.worker.postMessage({ close: true });
      // A worker busy in a checkpoint ends after it; one that does not answer is stopped.
      setTimeout(() => void this.worker.terminate(), 2_000).unref();
    });
    return this.closed;
  }
}
