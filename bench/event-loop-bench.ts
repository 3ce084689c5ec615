// `--only eventloop`: one request must not stall the server. The real server runs in its own
// process over the dataset; while the heaviest requests run concurrently and repeatedly (a
// batch of 10 audit verifications, 50,000-entry audit exports, GDPR exports, ORG-2 pages of
// 1,000 with stats, host pages of 1,000, a filtered audit page that scans the account), a
// prober on a thread of its own asks GET /healthz every 10 ms, one at a time. Its latency is
// the event loop's availability: the target is p99 ≤ 50 ms. The same probe on the idle server
// is the baseline.
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer } from './extra-benches';
import { percentile } from './measure';

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    runs: sorted.length,
  };
}

const PROBES = 400;
const PROBES_ALONE = 150;
const PROBE_EVERY_MS = 10;
const TARGET_P99_MS = 50;

interface Heavy {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export function heavyRequests(ds: Dataset): Heavy[] {
  const tenVerifies = Array.from({ length: 10 }, () => 'audit.verify').join(',');
  return [
    {
      name: '10 × audit.verify (one tRPC batch)',
      method: 'GET',
      path: `/trpc/${tenVerifies}?batch=1`,
    },
    { name: 'audit export JSON (50,000)', method: 'GET', path: '/api/v1/audit/export?format=json' },
    { name: 'audit export CSV (50,000)', method: 'GET', path: '/api/v1/audit/export?format=csv' },
    {
      name: 'audit page filtered by actor',
      method: 'GET',
      path: '/api/v1/audit?actor=nobody&limit=1000',
    },
    { name: 'GDPR account export', method: 'GET', path: '/api/v1/account/export' },
    {
      name: 'GDPR user export',
      method: 'GET',
      path: `/api/v1/users/${ds.adminUserId}/export`,
    },
    {
      name: 'ORG-2 limit 1000 with stats',
      method: 'GET',
      path: '/api/v1/organizations?limit=1000',
    },
    {
      name: 'hosts page of 1,000',
      method: 'GET',
      path: `/api/v1/organizations/${ds.exportOrgId}/hosts?limit=1000`,
    },
  ];
}

// The prober runs on a thread of its own: on this thread, receiving a 22 MB export (undici
// reading and joining the body) stalls this event loop for tens of milliseconds, and a probe
// timed here would count the client's stall as the server's.
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const samples = [];
  for (let i = 0; i < workerData.probes; i++) {
    const t0 = performance.now();
    const res = await fetch(workerData.url + '/healthz');
    await res.arrayBuffer();
    samples.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, workerData.every));
  }
  parentPort.postMessage(samples);
})();
`;

function probe(url: string, probes: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(PROBER, {
      eval: true,
      workerData: { url, probes, every: PROBE_EVERY_MS },
    });
    w.once('message', (samples: number[]) => {
      resolve(samples.sort((a, b) => a - b));
      void w.terminate();
    });
    w.once('error', reject);
  });
}

const fmt = (t: { p50: number; p99: number; max: number }) =>
  `p50 ${t.p50.toFixed(1)} ms / p99 ${t.p99.toFixed(1)} ms / max ${t.max.toFixed(1)} ms`;

export async function eventLoopBench(ds: Dataset): Promise<Row[]> {
  // A token for the dataset's account admin (a personal token, as a script would use).
  const opened = openDatabase({ file: ds.file });
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock: systemClock,
    keys: new FileKeyStore(join(ds.dir, 'master.key')),
  });
  const token = await services.auth.issueToken(ds.adminUserId, 'personal', 'event-loop bench');
  // Optional: a checkout from before the read workers has none to close.
  await services.infra.offload?.close();
  opened.close();

  const server = await startServer(ds.dir);
  const heavy = heavyRequests(ds);
  const completed = new Map<string, { n: number; ms: number[]; statuses: Set<number> }>();
  const call = async (h: Heavy) => {
    const t0 = performance.now();
    let status = 0;
    try {
      const res = await fetch(`${server.url}${h.path}`, {
        method: h.method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(h.body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: h.body ? JSON.stringify(h.body) : undefined,
      });
      await res.arrayBuffer();
      status = res.status;
    } catch {
      // A kept-alive connection the server closed as it was reused: counted as status 0.
    }
    const c = completed.get(h.name) ?? { n: 0, ms: [], statuses: new Set<number>() };
    c.n++;
    c.ms.push(performance.now() - t0);
    c.statuses.add(status);
    completed.set(h.name, c);
  };
  /** /healthz latency while these requests loop, one stream each; and what they completed. */
  async function underLoad(hs: Heavy[], probes: number) {
    completed.clear();
    let stop = false;
    const loaders = hs.map(async (h) => {
      while (!stop) await call(h);
    });
    const busy = stats(await probe(server.url, probes));
    stop = true;
    await Promise.all(loaders);
    const load = hs.map((h) => {
      const c = completed.get(h.name);
      const ms = c ? stats(c.ms) : null;
      return {
        name: h.name,
        n: c?.n ?? 0,
        statuses: [...(c?.statuses ?? [])],
        p50: ms?.p50 ?? null,
      };
    });
    return { busy, load };
  }
  const row = (
    name: string,
    idle: ReturnType<typeof stats>,
    r: Awaited<ReturnType<typeof underLoad>>,
  ): Row => ({
    name,
    figure: fmt(r.busy),
    baseline: `idle server ${fmt(idle)}`,
    ratio: `p99 ${(r.busy.p99 / Math.max(idle.p99, 0.001)).toFixed(1)}× idle`,
    target: `p99 ≤ ${TARGET_P99_MS} ms`,
    met: r.busy.p99 <= TARGET_P99_MS,
    raw: { idle, busy: r.busy, load: r.load },
  });
  try {
    // Warm up: the read workers start, the page cache fills.
    for (const h of heavy) await call(h);
    const idle = stats(await probe(server.url, PROBES));
    const rows: Row[] = [];
    for (const h of heavy) {
      const r = await underLoad([h], PROBES_ALONE);
      const l = r.load[0]!;
      console.log(
        `bench: eventloop ${h.name} alone: /healthz ${fmt(r.busy)}; ${l.n}× HTTP ${l.statuses.join('/')}`,
      );
      rows.push(row(`/healthz while ${h.name} runs in a loop (${PROBES_ALONE} probes)`, idle, r));
    }
    const all = await underLoad(heavy, PROBES);
    console.log(
      `bench: eventloop all at once: ${all.load.map((l) => `${l.name} ${l.n}× HTTP ${l.statuses.join('/')}`).join('; ')}`,
    );
    rows.push(
      row(
        `/healthz every ${PROBE_EVERY_MS} ms while all of them run concurrently (${PROBES} probes)`,
        idle,
        all,
      ),
    );
    return rows;
  } finally {
    await server.stop();
  }
}
