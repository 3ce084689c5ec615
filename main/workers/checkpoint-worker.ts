// Worker-thread side of WalCheckpointer (main/db/sqlite/wal-checkpointer.ts): its own connection
// to the live database, copying the WAL back into the file with PASSIVE checkpoints, which take
// no lock a writer or a reader waits for. Each round's outcome goes back to the main thread; a
// failure is posted as text (an error thrown here reaches the main thread without its message).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type {
  CheckpointRound,
  CheckpointWorkerData,
  FromCheckpointWorker,
} from '../db/sqlite/wal-checkpointer';

const data = workerData as CheckpointWorkerData;
const post = (m: FromCheckpointWorker) => parentPort?.postMessage(m);

function stop(sqlite: Database.Database | null, timer?: NodeJS.Timeout): void {
  clearInterval(timer);
  sqlite?.close();
  parentPort?.close();
}

function start(): void {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(data.dbFile, { fileMustExist: true });
  } catch (err) {
    post({ type: 'failed', message: String((err as Error)?.message ?? err) });
    return stop(null);
  }
  const round = (): CheckpointRound => {
    const [r] = sqlite.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    return { framesInWal: r!.log, framesCopied: r!.checkpointed };
  };
  const timer = setInterval(() => {
    try {
      const r = round();
      if (data.reportRounds) post({ type: 'round', round: r });
    } catch (err) {
      // The main connection still checkpoints by itself: report, stop, and leave it to that.
      post({ type: 'failed', message: String((err as Error)?.message ?? err) });
      stop(sqlite, timer);
    }
  }, data.intervalMs);
  parentPort?.on('message', (m: { close?: true }) => {
    if (m.close) stop(sqlite, timer);
  });
}

start();
