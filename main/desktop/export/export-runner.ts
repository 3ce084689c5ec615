// Runs an export or restore job on a worker thread and relays its progress: the main process
// (and so every window) stays responsive however large the export.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Progress } from './export.service';
import { deserializeError, type Job, type JobResult, type WorkerMessage } from './export-jobs';

/** A script file, or (eval) code that boots one. */
export type WorkerEntry = { file: URL } | { evalCode: string };

/** tsx's ESM registration API, located through tsx's own exports map (dev and tests only). */
function tsxApiUrl(from: string): string {
  const require = createRequire(from);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  return pathToFileURL(join(dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

/**
 * The worker script beside this module: in the app, the bundled export-worker.js next to the
 * bundled main; from source (tsx, Vitest: this file is .ts), the .ts worker loaded through
 * tsx, which a worker thread must register for itself.
 */
export function defaultWorkerEntry(base: string = import.meta.url): WorkerEntry {
  if (!base.endsWith('.ts')) return { file: new URL('./export-worker.js', base) };
  const target = new URL('./export-worker.ts', base).href;
  const api = tsxApiUrl(base);
  return {
    evalCode:
      `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); })` +
      `.catch((err) => { console.error(err); process.exit(70); });`,
  };
}

export function runJob<J extends Job>(
  job: J,
  options: { onProgress?: (p: Progress) => void; entry?: WorkerEntry } = {},
): Promise<JobResult<J>> {
  const entry = options.entry ?? defaultWorkerEntry();
  return new Promise((resolve, reject) => {
    const worker =
      'file' in entry
        ? new Worker(entry.file, { workerData: job })
        : new Worker(entry.evalCode, { eval: true, workerData: job });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress')
        options.onProgress?.({ phase: m.phase, done: m.done, total: m.total });
      else if (m.type === 'done') settle(() => resolve(m.result as JobResult<J>));
      else settle(() => reject(deserializeError(m.error)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`The export worker stopped unexpectedly (exit code ${code})`))),
    );
  });
}
