// Issue 15: signed heartbeats at fleet scale (AGT-2). A million hosts, each heartbeat from a
// distinct host id, every signature verified by the server, against the floor measured in the same
// run: `crypto.verify` of the same signatures in a tight loop on one core. Beside it, the ORG-2
// page while the heartbeats run, and the server's CPU per heartbeat (so the scaling to more
// replicas and cores can be read off where this machine has too few cores to show it). The
// PostgreSQL rows (one replica, two, and the failover) are in pg-heartbeat-bench.ts.
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { createServices } from '../main/services';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer } from './extra-benches';
import {
  CONNECTIONS,
  DURATION_S,
  heartbeatSource,
  idleOrgPages,
  keyHosts,
  orgPagesWhile,
  pageRow,
  settleHostCounts,
  verifyFloor,
  type Prepared,
  type VerifyFloor,
} from './heartbeat-load';
import { pgHeartbeatBenches } from './pg-heartbeat-bench';
import type { PgDataset } from './pg-dataset';
import { cpuWindow } from './proc-cpu';

const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/** SQLite's durability as the server opens its file (the same openDatabase), for the rows. */
export function sqliteDurability(file: string): string {
  const opened = openDatabase({ file });
  try {
    const journal = String(opened.sqlite.pragma('journal_mode', { simple: true }));
    const sync = Number(opened.sqlite.pragma('synchronous', { simple: true }));
    return `SQLite journal_mode=${journal.toUpperCase()}, synchronous=${SYNCHRONOUS[sync] ?? sync}`;
  } finally {
    opened.close();
  }
}

async function sessionToken(ds: Dataset): Promise<string> {
  const opened = openDatabase({ file: ds.file });
  const services = createServices({
    storage: sqliteStorage(opened.db),
    clock: systemClock,
    keys: new FileKeyStore(join(ds.dir, 'master.key')),
  });
  try {
    return await services.auth.issueToken(ds.adminUserId, 'session', 'bench heartbeats');
  } finally {
    await services.infra.storage.close();
    opened.close();
  }
}

async function sqliteRows(
  ds: Dataset,
  reqs: Prepared[],
  floor: VerifyFloor,
  durability: string,
): Promise<Row[]> {
  const token = await sessionToken(ds);
  const server = await startServer(ds.dir);
  try {
    const lite = new Database(ds.file, { readonly: true });
    const settled = await settleHostCounts(async () => {
      const { n } = lite
        .prepare('SELECT count(*) AS n FROM organization_host_counts WHERE next_change_at <= ?')
        .get(Date.now()) as { n: number };
      return n;
    }).finally(() => lite.close());
    // Idle org page first: the baseline of the page-under-load row.
    const idle = await idleOrgPages([server.url], token);

    let next = 0;
    const spent = cpuWindow({ replicas: [server.child.pid!] });
    // autocannon's instance is a thenable, not a Promise: wrapped so it can be shared.
    const run = Promise.resolve(
      autocannon({
        url: `${server.url}/api/v1/agents/heartbeat`,
        connections: CONNECTIONS,
        duration: DURATION_S,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              const r = reqs[next++ % reqs.length]!;
              return { ...req, headers: r.headers, body: r.body };
            },
          },
        ],
      }),
    );
    const pages = orgPagesWhile([server.url], token, run);
    const result = await run;
    const cpu = spent();
    const busy = await pages;
    const ok = result['2xx'];
    if (next > reqs.length) throw new Error('bench: heartbeats reused (prepare more)');
    const rps = ok / DURATION_S;
    const share = rps / floor.perSec;
    const per = (msSpent: number) => msSpent / Math.max(ok, 1);
    return [
      {
        name: `AGT-2 signed heartbeats over loopback HTTP, ${ds.size.hosts.toLocaleString('en-US')} hosts, distinct host ids (SQLite, one process; ${CONNECTIONS} connections, ${DURATION_S} s)`,
        figure: `${Math.round(rps).toLocaleString('en-US')} heartbeats/s, ${result.non2xx + result.errors} failed of ${(ok + result.non2xx + result.errors).toLocaleString('en-US')}; CPU per heartbeat: server ${per(cpu.replicas[0]!).toFixed(3)} ms, load generator ${per(cpu.loadGenerator).toFixed(3)} ms; machine ${(cpu.machineBusy * 100).toFixed(0)}% busy, ${(cpu.machineIowait * 100).toFixed(0)}% waiting for the disk (${durability})`,
        baseline: `crypto.verify of the same signatures on one core: ${Math.round(floor.perSec).toLocaleString('en-US')}/s (with the key imported each time: ${Math.round(floor.withImportPerSec).toLocaleString('en-US')}/s)`,
        ratio: `${(share * 100).toFixed(0)}% of the floor`,
        target: '≥ 50% of the verify floor',
        met: share >= 0.5 && result.non2xx === 0 && result.errors === 0,
        raw: {
          engine: 'sqlite',
          rps,
          ok,
          non2xx: result.non2xx,
          errors: result.errors,
          cpuMsPerHeartbeat: per(cpu.replicas[0]!),
          loadGeneratorMsPerHeartbeat: per(cpu.loadGenerator),
          machineBusy: cpu.machineBusy,
          machineIowait: cpu.machineIowait,
          floor,
          durability,
          settleSeconds: settled.seconds,
        },
      },
      pageRow('SQLite', busy, idle, { engine: 'sqlite' }),
    ];
  } finally {
    await server.stop();
  }
}

export interface HeartbeatBenchOptions {
  /** The SQLite row (one server process on the dataset's file). */
  sqlite: boolean;
  /** The PostgreSQL rows, on this copy of the dataset. */
  pg?: PgDataset;
  /** Heartbeats signed ahead of each run (each host at most once per run). */
  heartbeats: number;
}

export async function heartbeatBenches(ds: Dataset, o: HeartbeatBenchOptions): Promise<Row[]> {
  const keyed = keyHosts(ds.file);
  const signed = heartbeatSource(keyed, o.heartbeats);
  const first = await signed();
  const floor = verifyFloor(keyed, first.reqs);
  const rows: Row[] = [];
  if (o.sqlite) rows.push(...(await sqliteRows(ds, first.reqs, floor, sqliteDurability(ds.file))));
  if (o.pg)
    rows.push(
      ...(await pgHeartbeatBenches({
        ds,
        pgds: o.pg,
        keyed,
        floor,
        signed,
        hostIds: first.reqs.map((r) => r.hostId),
      })),
    );
  return rows;
}
