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
  OFFLINE_LEAD_MS,
  ONLINE_LEAD_MS,
  orgPagesWhile,
  pageRow,
  prepare,
  putHostsOnlineSqlite,
  setLastSeenSqlite,
  settleHostCounts,
  statusChanges,
  verifyFloor,
  type Prepared,
  type VerifyFloor,
} from './heartbeat-load';
import { pgHeartbeatBenches } from './pg-heartbeat-bench';
import type { PgDataset } from './pg-dataset';
import { cpuWindow, processFileWriteBytes } from './proc-cpu';
import { percentile } from './measure';

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

/** What one SQLite heartbeat run measured. */
interface SqliteRun {
  result: autocannon.Result;
  cpu: ReturnType<ReturnType<typeof cpuWindow>>;
  busy: number[];
  idle: number[];
  settleSeconds: number;
  /** Heartbeats sent (answered or not). */
  sent: number;
  /** Of those, from hosts not online when the load started: each a status change. */
  statusChanges: number;
  /** Bytes the server wrote to its files during the load (WAL frames, checkpoints). */
  fileBytes: number;
}

/** The last-seen times of the hosts `reqs` heartbeat from, as the file holds them now. */
function lastSeenOf(file: string, reqs: Prepared[]): Map<number, number | null> {
  const lite = new Database(file, { readonly: true });
  try {
    const get = lite.prepare('SELECT last_seen_at AS seen FROM hosts WHERE id = ?');
    return new Map(
      reqs.map((r) => [r.hostId, (get.get(r.hostId) as { seen: number | null }).seen] as const),
    );
  } finally {
    lite.close();
  }
}

/** One server process on the file: settled, the idle page, then the heartbeats and the page. */
async function sqliteRun(ds: Dataset, token: string, reqs: Prepared[]): Promise<SqliteRun> {
  const server = await startServer(ds.dir);
  try {
    const lite = new Database(ds.file, { readonly: true });
    const settled = await settleHostCounts(async () => {
      const { n } = lite
        .prepare('SELECT count(*) AS n FROM organization_host_counts WHERE next_change_at <= ?')
        .get(Date.now()) as { n: number };
      return n;
    }).finally(() => lite.close());
    // Before the idle pages: read after them it left their keep-alive connection idle past the
    // server's keep-alive timeout on a loaded machine (the first page under load then failed).
    const lastSeen = lastSeenOf(ds.file, reqs);
    // Idle org page first: the baseline of the page-under-load row.
    const idle = await idleOrgPages([server.url], token);

    let next = 0;
    const startedAt = Date.now();
    const bytes0 = processFileWriteBytes(server.child.pid!);
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
    const fileBytes = processFileWriteBytes(server.child.pid!) - bytes0;
    const busy = await pages;
    if (next > reqs.length) throw new Error('bench: heartbeats reused (prepare more)');
    const sentIds = reqs.slice(0, next).map((r) => r.hostId);
    return {
      result,
      cpu,
      busy,
      idle,
      settleSeconds: settled.seconds,
      sent: next,
      statusChanges: statusChanges(lastSeen, sentIds, startedAt),
      fileBytes,
    };
  } finally {
    await server.stop();
  }
}

/** The heartbeat row of one SQLite run, named for what its hosts were doing. */
function sqliteRow(
  ds: Dataset,
  m: SqliteRun,
  floor: VerifyFloor,
  durability: string,
  scenario: { what: string; target: string; steady: boolean },
): Row {
  const { result, cpu } = m;
  const ok = result['2xx'];
  const rps = ok / DURATION_S;
  const share = rps / floor.perSec;
  const per = (msSpent: number) => msSpent / Math.max(ok, 1);
  const changedShare = m.statusChanges / Math.max(m.sent, 1);
  return {
    name: `AGT-2 signed heartbeats over loopback HTTP, ${ds.size.hosts.toLocaleString('en-US')} hosts, distinct host ids, ${scenario.what} (SQLite, one process; ${CONNECTIONS} connections, ${DURATION_S} s)`,
    figure: `${Math.round(rps).toLocaleString('en-US')} heartbeats/s, ${result.non2xx + result.errors} failed of ${(ok + result.non2xx + result.errors).toLocaleString('en-US')}; ${(changedShare * 100).toFixed(0)}% of them a status change; CPU per heartbeat: server ${per(cpu.replicas[0]!).toFixed(3)} ms, load generator ${per(cpu.loadGenerator).toFixed(3)} ms; server file writes ${(m.fileBytes / Math.max(ok, 1) / 1024).toFixed(1)} KiB per heartbeat; machine ${(cpu.machineBusy * 100).toFixed(0)}% busy, ${(cpu.machineIowait * 100).toFixed(0)}% waiting for the disk (${durability})`,
    baseline: `crypto.verify of the same signatures on one core: ${Math.round(floor.perSec).toLocaleString('en-US')}/s (with the key imported each time: ${Math.round(floor.withImportPerSec).toLocaleString('en-US')}/s)`,
    ratio: `${(share * 100).toFixed(0)}% of the floor`,
    target: scenario.target,
    met: scenario.steady
      ? share >= 0.5 && result.non2xx === 0 && result.errors === 0
      : result.non2xx === 0 && result.errors === 0,
    raw: {
      engine: 'sqlite',
      scenario: scenario.steady ? 'steady' : 'status-changes',
      rps,
      ok,
      non2xx: result.non2xx,
      errors: result.errors,
      cpuMsPerHeartbeat: per(cpu.replicas[0]!),
      loadGeneratorMsPerHeartbeat: per(cpu.loadGenerator),
      statusChanges: m.statusChanges,
      sent: m.sent,
      fileBytesPerHeartbeat: m.fileBytes / Math.max(ok, 1),
      machineBusy: cpu.machineBusy,
      machineIowait: cpu.machineIowait,
      floor,
      durability,
      settleSeconds: m.settleSeconds,
      page: {
        busy: { p50: percentile(m.busy, 50), p95: percentile(m.busy, 95) },
        idle: { p50: percentile(m.idle, 50), p95: percentile(m.idle, 95) },
      },
    },
  };
}

/**
 * The SQLite rows: first the target, hosts in their steady state (online: seen a minute before,
 * as a fleet heartbeating every minute is), with the ORG-2 page under that load; then hosts
 * coming back online (every heartbeat a status change, as after an outage), reported beside it.
 */
async function sqliteRows(
  ds: Dataset,
  steadyReqs: Prepared[],
  comebackReqs: Prepared[],
  floor: VerifyFloor,
  durability: string,
): Promise<Row[]> {
  const token = await sessionToken(ds);
  putHostsOnlineSqlite(
    ds.file,
    steadyReqs.map((r) => r.hostId),
    Date.now() - ONLINE_LEAD_MS,
  );
  const steady = await sqliteRun(ds, token, steadyReqs);
  setLastSeenSqlite(
    ds.file,
    comebackReqs.map((r) => r.hostId),
    Date.now() - OFFLINE_LEAD_MS,
  );
  const comeback = await sqliteRun(ds, token, comebackReqs);
  return [
    sqliteRow(ds, steady, floor, durability, {
      what: 'hosts online (seen a minute before: the steady state)',
      target: '≥ 50% of the verify floor',
      steady: true,
    }),
    pageRow('SQLite', steady.busy, steady.idle, { engine: 'sqlite' }),
    sqliteRow(ds, comeback, floor, durability, {
      what: 'hosts coming back online (every heartbeat a status change)',
      target: 'report (the steady-state row is the target)',
      steady: false,
    }),
  ];
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
  if (o.sqlite) {
    // Other hosts than the steady row's (and the PostgreSQL rows'), put offline before their run.
    const comeback = prepare(keyed, o.heartbeats, first.ts, o.heartbeats);
    rows.push(...(await sqliteRows(ds, first.reqs, comeback, floor, sqliteDurability(ds.file))));
  }
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
