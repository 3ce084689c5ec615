// How much of the server's main thread (its event loop) one heavy request takes: each request of
// the event-loop benchmark (bench/event-loop-bench.ts) is sent, one at a time, to the real
// server in its own process over the dataset, and the CPU time its main thread spent meanwhile
// is read from Linux's /proc/<pid>/task/<pid>/schedstat. CPU time, not wall time, so a machine
// busy with other work does not inflate the figure; a request whose main-thread time is under
// 50 ms cannot hold the event loop longer than that (worker threads are not counted).
// Run on a kept dataset: npx tsx bench/blocking-calls.ts <dir kept by --keep>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { loadDataset } from './dataset';
import { heavyRequests } from './event-loop-bench';
import { startServer } from './extra-benches';

const dir = process.argv[2];
if (!dir) throw new Error('usage: npx tsx bench/blocking-calls.ts <dataset dir>');
const ds = loadDataset(dir);
const opened = openDatabase({ file: ds.file });
const services = createServices({
  storage: sqliteStorage(opened.db),
  clock: systemClock,
  keys: new FileKeyStore(join(ds.dir, 'master.key')),
});
const token = await services.auth.issueToken(ds.adminUserId, 'personal', 'blocking-calls');
await services.infra.offload?.close();
opened.close();

const server = await startServer(ds.dir);
const pid = server.child.pid!;
/** Nanoseconds the server's main thread has been on a CPU. */
const mainThreadNs = () =>
  Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);

const runs = Number(process.env.RUNS ?? 3);
console.log(`| request | server main-thread CPU (max of ${runs}) | wall (max) |`);
console.log('| --- | --- | --- |');
try {
  // SKIP=verify leaves out the requests whose name contains it (a checkout from before the read
  // workers blocks past the HTTP client's 300 s header timeout on the verification batch).
  const skip = process.env.SKIP;
  for (const h of heavyRequests(ds).filter((x) => !skip || !x.name.includes(skip))) {
    let cpu = 0;
    let wall = 0;
    // One warm-up (the read workers start, the page cache fills), then the measured runs.
    for (let i = 0; i <= runs; i++) {
      const before = mainThreadNs();
      const t0 = performance.now();
      const res = await fetch(`${server.url}${h.path}`, {
        method: h.method,
        headers: { Authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      const used = (mainThreadNs() - before) / 1e6;
      if (res.status !== 200) throw new Error(`${h.name}: HTTP ${res.status}`);
      if (i === 0) continue;
      cpu = Math.max(cpu, used);
      wall = Math.max(wall, ms);
    }
    console.log(`| ${h.name} | ${cpu.toFixed(1)} ms | ${wall.toFixed(0)} ms |`);
  }
} finally {
  await server.stop();
}
