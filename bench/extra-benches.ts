// Benchmarks that need more than the database: registration over loopback HTTP against the real
// server in its own process (with its RSS), and the same registration through the service.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { createServices } from '../main/services';
import { sqliteStorage } from '../main/db/sqlite/storage';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';

const ROOT = join(import.meta.dirname, '..');

export interface RunningServer {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The real `npm run server` entry as a separate process, so load and server do not share a loop. */
export async function startServer(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  // BENCH_SERVER_NODE_ARGS (development): e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile
  // the server under the load (NODE_OPTIONS refuses --cpu-prof).
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'main/server/index.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...env,
      ORGDESK_DATA_DIR: dataDir,
      ORGDESK_PORT: '0',
      ORGDESK_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        // A replica the failover row killed has exited already: no 'exit' event will come.
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

function registrationBody(n: number, orgIdx: number): string {
  return JSON.stringify({
    hostname: `bench-${orgIdx}-${n}`,
    ip: `10.${n % 50}.${orgIdx % 256}.${n % 250}`,
    agent_type: 'legacy',
  });
}

export async function extraBenches(ds: Dataset, want: (name: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  if (!want('register') && !want('rss')) return rows;
  const secrets = [...ds.secrets.values()].slice(0, 50);

  // Baseline first: the same registrations through the service, in this process.
  const opened = openDatabase({ file: ds.file });
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock: systemClock,
    keys: new FileKeyStore(join(ds.dir, 'master.key')),
  });
  const direct = 20_000;
  const body = (i: number) => JSON.parse(registrationBody(i, i % 50)) as unknown;
  for (let i = 0; i < 500; i++)
    await services.agents.register(secrets[i % secrets.length], body(i));
  // What the route does without HTTP: 32 registrations in flight through the agents' batch.
  let t0 = performance.now();
  for (let i = 0; i < direct; i += 32) {
    const inFlight: Promise<unknown>[] = [];
    for (let j = i; j < i + 32; j++)
      inFlight.push(services.agents.register(secrets[j % secrets.length], body(1_000 + j)));
    await Promise.all(inFlight);
  }
  const directPerSec = direct / ((performance.now() - t0) / 1000);
  // And one transaction per registration, as before the group commit: one at a time, so each is
  // a batch of its own.
  t0 = performance.now();
  for (let i = 0; i < direct / 2; i++)
    await services.agents.register(secrets[i % secrets.length], body(50_000 + i));
  const unbatchedPerSec = direct / 2 / ((performance.now() - t0) / 1000);
  opened.close();

  const server = await startServer(ds.dir);
  try {
    let n = 100_000;
    const result = await autocannon({
      url: `${server.url}/api/v1/agents/register`,
      connections: 32,
      duration: 10,
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => {
            n++;
            const org = n % secrets.length;
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                'x-organization-secret': secrets[org]!,
              },
              body: registrationBody(n, org),
            };
          },
        },
      ],
    });
    const ok = result['2xx'];
    const rps = result.requests.average;
    const p95 = (result.latency as unknown as Record<string, number>).p97_5 ?? result.latency.p99;
    rows.push({
      name: 'AGT-1 registration over loopback HTTP (32 connections, 10 s)',
      figure: `${Math.round(rps).toLocaleString('en-US')} req/s, p97.5 ${p95} ms, ${result.non2xx} non-2xx of ${ok + result.non2xx}`,
      baseline: `service direct, group commit ${Math.round(directPerSec).toLocaleString('en-US')} reg/s (one commit each: ${Math.round(unbatchedPerSec).toLocaleString('en-US')})`,
      ratio: `HTTP ${((rps / directPerSec) * 100).toFixed(0)}% of direct`,
      target: '≥ 3,000/s on 2 cores',
      met: rps >= 3000 && result.non2xx === 0,
      raw: { rps, latency: result.latency, non2xx: result.non2xx, directPerSec, unbatchedPerSec },
    });
    if (want('rss')) {
      // Touch the big read paths before reading RSS.
      await fetch(`${server.url}/healthz`);
      const rss = rssMiB(server.child.pid!);
      rows.push({
        name: `Server RSS with ${ds.size.orgs.toLocaleString('en-US')} orgs / ${ds.size.hosts.toLocaleString('en-US')} hosts loaded, after load`,
        figure: `${rss.toFixed(0)} MiB`,
        baseline: `bench process ${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`,
        ratio: '–',
        target: 'report',
        met: null,
        raw: { rssMiB: rss },
      });
    }
  } finally {
    await server.stop();
  }
  return rows;
}
