// Heavy reads run off the event loop (one request must not stall the server): a service hands a
// job — plain, cloneable data — to an Offload, which runs it on a worker thread over its own
// read-only database connection and reports progress. main/workers/ implements it; services
// only see this interface, so they stay free of threads.

export interface OffloadProgress {
  done: number;
  total: number;
}

/** A job: its kind names the function main/workers/read-jobs.ts runs; the rest is its input. */
export interface OffloadJob {
  kind: string;
  [field: string]: unknown;
}

export interface Offload {
  run<R>(job: OffloadJob, onProgress?: (p: OffloadProgress) => void): Promise<R>;
  /** Stops the worker (the server's and the tests' shutdown); later jobs start a new one. */
  close(): Promise<void>;
}
