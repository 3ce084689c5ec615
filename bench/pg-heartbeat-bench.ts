// Issue 15 item 5 on PostgreSQL: the signed-heartbeat row for one replica and for two (server
// processes of `npm run server` on one database), the ORG-2 page while each runs, and the
// failover row (kill -9 of one of two replicas under load: requests failed, acknowledged writes
// lost, lease takeover time). Same hosts, keys and heartbeats as the SQLite row, same floor.
//
// The load generator connects to each replica directly (half the connections each) instead of
// through a proxy: a proxy in Node would be one more process parsing and forwarding every request
// on the same two cores that run the replicas, PostgreSQL and the load generator, and would be
// what the two-replica figure measured. For the failover row the generator is its own client-side
// balancer: each request goes to the next replica still up, and a replica whose connection fails
// is taken out of the rotation for the rest of the run (a load balancer's passive health check).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type pg from 'pg';
import { HOST_COUNTS_REFRESH_MS } from '../shared/constants';
import { systemClock } from '../main/core/clock';
import { StaticKeyStore } from '../main/core/key-store';
import { leaseTtlFor } from '../main/core/lease';
import { pgStorage } from '../main/db/pg/storage';
import { HOST_COUNTS_LEASE } from '../main/features/hosts/host-status-counts';
import { createServices } from '../main/services';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer, type RunningServer } from './extra-benches';
import {
  CONNECTIONS,
  DURATION_S,
  idleOrgPages,
  KEY_POOL,
  orgPagesWhile,
  pageRow,
  settleHostCounts,
  type HeartbeatKeys,
  type Prepared,
  type VerifyFloor,
} from './heartbeat-load';
import type { PgDataset } from './pg-dataset';
import { cpuWindow, type CpuSpent } from './proc-cpu';

/** The failover row: the kill this long after the load started. */
const KILL_AFTER_MS = 5_000;
/** Console writers beside the heartbeats in the failover row, each one write at a time. */
const WRITERS = 4;
const WRITE_PAUSE_MS = 20;

export interface PgHeartbeatContext {
  ds: Dataset;
  pgds: PgDataset;
  keyed: HeartbeatKeys;
  floor: VerifyFloor;
  /** The hosts every run's heartbeats come from. */
  hostIds: number[];
  /** Heartbeats signed at a new second (every run needs its own: a second is used once). */
  signed: () => Promise<{ ts: number; reqs: Prepared[] }>;
}

/**
 * The SQLite row's keys on the PostgreSQL copy (keyHosts ran on the SQLite file after the copy),
 * for the hosts that heartbeat (every run takes the same ones): one statement, triggers off, as a
 * host's key is nothing the host counts or revisions follow.
 */
async function keyPgHosts(pool: pg.Pool, publicKeys: string[], hostIds: number[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const { rowCount } = await client.query(
      `UPDATE hosts SET public_key = k.key, last_signed_at = NULL
       FROM unnest($1::int8[], $2::text[]) AS k(id, key) WHERE hosts.id = k.id`,
      [hostIds, hostIds.map((id) => publicKeys[id % KEY_POOL]!)],
    );
    await client.query('COMMIT');
    // The update left a dead version of each of those hosts: gone before anything is measured.
    await client.query('VACUUM (ANALYZE) hosts');
    return rowCount ?? 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function pgSessionToken(ds: Dataset, pgds: PgDataset, masterKey: string): Promise<string> {
  const services = createServices({
    storage: pgStorage({ pool: pgds.pool, connectionString: pgds.url }),
    clock: systemClock,
    keys: new StaticKeyStore(masterKey, 'the dataset master key'),
  });
  try {
    return await services.auth.issueToken(ds.adminUserId, 'session', 'bench heartbeats');
  } finally {
    await services.infra.storage.close();
  }
}

const dueOrgs = (pool: pg.Pool) => async () => {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM organization_host_counts WHERE next_change_at <= $1',
    [Date.now()],
  );
  return rows[0]!.n;
};

interface RunResult {
  replicas: number;
  ok: number;
  failed: number;
  rps: number;
  cpu: CpuSpent;
  busy: number[];
  idle: number[];
  settleSeconds: number;
}

/** `CONNECTIONS` connections spread evenly over `replicas`, each straight to its replica. */
async function heartbeatRun(
  replicas: RunningServer[],
  reqs: Prepared[],
  token: string,
  pgds: PgDataset,
): Promise<RunResult> {
  const settled = await settleHostCounts(dueOrgs(pgds.pool));
  const urls = replicas.map((r) => r.url);
  const idle = await idleOrgPages(urls, token);
  let next = 0;
  const spent = cpuWindow({
    replicas: replicas.map((r) => r.child.pid!),
    postmaster: pgds.postmasterPid,
  });
  const run = Promise.all(
    replicas.map((r) =>
      // autocannon's instance is a thenable, not a Promise: wrapped so it can be shared.
      Promise.resolve(
        autocannon({
          url: `${r.url}/api/v1/agents/heartbeat`,
          connections: CONNECTIONS / replicas.length,
          duration: DURATION_S,
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const h = reqs[next++ % reqs.length]!;
                return { ...req, headers: h.headers, body: h.body };
              },
            },
          ],
        }),
      ),
    ),
  );
  const pages = orgPagesWhile(urls, token, run);
  const results = await run;
  const cpu = spent();
  const busy = await pages;
  if (next > reqs.length) throw new Error('bench: heartbeats reused (prepare more: --heartbeats)');
  const ok = results.reduce((s, r) => s + r['2xx'], 0);
  const failed = results.reduce((s, r) => s + r.non2xx + r.errors, 0);
  return {
    replicas: replicas.length,
    ok,
    failed,
    rps: ok / DURATION_S,
    cpu,
    busy,
    idle,
    settleSeconds: settled.seconds,
  };
}

const perBeat = (ms: number, r: RunResult) => (ms / Math.max(r.ok, 1)).toFixed(3);

function cpuText(r: RunResult): string {
  const replicas = r.cpu.replicas.map((ms) => perBeat(ms, r)).join(' + ');
  return `CPU per heartbeat: replica${r.replicas > 1 ? 's' : ''} ${replicas} ms, PostgreSQL ${perBeat(r.cpu.postgres, r)} ms, load generator ${perBeat(r.cpu.loadGenerator, r)} ms; machine ${(r.cpu.machineBusy * 100).toFixed(0)}% busy, ${(r.cpu.machineIowait * 100).toFixed(0)}% waiting for the disk`;
}

function rawRun(r: RunResult, durability: string) {
  const per = (ms: number) => ms / Math.max(r.ok, 1);
  return {
    engine: 'pg',
    replicas: r.replicas,
    rps: r.rps,
    ok: r.ok,
    failed: r.failed,
    cpuMsPerHeartbeat: {
      replicas: r.cpu.replicas.map(per),
      postgres: per(r.cpu.postgres),
      loadGenerator: per(r.cpu.loadGenerator),
    },
    machineBusy: r.cpu.machineBusy,
    machineIowait: r.cpu.machineIowait,
    settleSeconds: r.settleSeconds,
    durability,
  };
}

interface Target {
  url: URL;
  agent: Agent;
  up: boolean;
}

function post(
  t: Target,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: t.url.hostname,
        port: t.url.port,
        path,
        method: 'POST',
        agent: t.agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

interface Tally {
  ok: number;
  /** Answered, but not 2xx: by status. */
  refused: Record<string, number>;
  /** No answer: a connection reset under a request in flight, or a timeout. */
  errors: number;
}

const newTally = (): Tally => ({ ok: 0, refused: {}, errors: 0 });
const failedOf = (t: Tally) => t.errors + Object.values(t.refused).reduce((a, b) => a + b, 0);
const tallyText = (t: Tally) => {
  const refused = Object.entries(t.refused).map(([s, n]) => `${n}× ${s}`);
  return [`${t.errors} without an answer`, ...refused].join(', ');
};

/** The lease's holder pid (holders are `host:pid:uuid8`, core/lease.ts), or null. */
async function leaseHolderPid(pool: pg.Pool, name: string): Promise<number | null> {
  const { rows } = await pool.query<{ holder: string }>(
    'SELECT holder FROM worker_leases WHERE name = $1',
    [name],
  );
  const m = /:(\d+):[0-9a-f]{8}$/.exec(rows[0]?.holder ?? '');
  return m ? Number(m[1]) : null;
}

interface FailoverResult {
  ttlMs: number;
  /** Requests whose connection the killed replica refused, sent to the survivor instead. */
  rerouted: number;
  intervalMs: number;
  takeoverMs: number | null;
  heartbeats: Tally & { sent: number; lost: number; seconds: number };
  writes: Tally & { sent: number; lost: number; unacknowledgedCommitted: number };
}

/**
 * Two replicas under heartbeats and console writes (each creates an org with a numbered name);
 * the holder of the host-counts lease (the one scheduled job with a short interval) is killed
 * with SIGKILL after KILL_AFTER_MS. The load goes on until the survivor holds the lease (or
 * two and a half intervals after the kill, the latest it can), then every acknowledged write is
 * looked for in the database.
 */
async function failoverRun(
  replicas: RunningServer[],
  signed: { ts: number; reqs: Prepared[] },
  token: string,
  pgds: PgDataset,
): Promise<FailoverResult> {
  const intervalMs = HOST_COUNTS_REFRESH_MS;
  const ttlMs = leaseTtlFor(intervalMs);
  const pids = replicas.map((r) => r.child.pid!);
  let holder: number | null = null;
  for (let i = 0; i < 100 && (holder === null || !pids.includes(holder)); i++) {
    holder = await leaseHolderPid(pgds.pool, HOST_COUNTS_LEASE);
    if (holder === null || !pids.includes(holder)) await new Promise((r) => setTimeout(r, 500));
  }
  if (holder === null || !pids.includes(holder)) {
    throw new Error(`bench: neither replica holds the ${HOST_COUNTS_LEASE} lease`);
  }
  const victim = replicas[pids.indexOf(holder)]!;
  const survivorPid = pids.find((p) => p !== holder)!;
  const targets: Target[] = replicas.map((r) => ({
    url: new URL(r.url),
    agent: new Agent({ keepAlive: true, maxSockets: CONNECTIONS }),
    up: true,
  }));
  let turn = 0;
  const pick = (): Target | null => {
    for (let i = 0; i < targets.length; i++) {
      const t = targets[turn++ % targets.length]!;
      if (t.up) return t;
    }
    return null;
  };
  // A refused connection never reached a server: the replica is gone (out of the rotation) and
  // the request goes to the next one, as a balancer does. Anything else (a reset of a request in
  // flight on the killed replica, a timeout) is a failed request.
  let rerouted = 0;
  const send = async (path: string, h: Record<string, string>, body: string) => {
    for (;;) {
      const t = pick();
      if (!t) throw new Error('bench: no replica left');
      try {
        return await post(t, path, h, body);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw err;
        t.up = false;
        rerouted++;
      }
    }
  };

  let stopped = false;
  const hb = { ...newTally(), sent: 0 };
  const writes = { ...newTally(), sent: 0 };
  const ackedHosts: number[] = [];
  const ackedOrgs: number[] = [];
  const prefix = `Failover ${randomUUID().slice(0, 8)}`;
  let next = 0;
  const t0 = performance.now();
  let heartbeatsEnded = 0;

  const heartbeatWorker = async () => {
    while (!stopped) {
      const h = signed.reqs[next++];
      if (!h) break; // all used: the run goes on with the console writes only
      hb.sent++;
      try {
        const res = await send('/api/v1/agents/heartbeat', h.headers, h.body);
        if (res.status >= 200 && res.status < 300) {
          hb.ok++;
          ackedHosts.push(h.hostId);
        } else hb.refused[res.status] = (hb.refused[res.status] ?? 0) + 1;
      } catch {
        hb.errors++;
      }
    }
    heartbeatsEnded = Math.max(heartbeatsEnded, performance.now());
  };
  let n = 0;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const writer = async () => {
    while (!stopped) {
      const body = JSON.stringify({ name: `${prefix} ${++n}` });
      writes.sent++;
      try {
        const res = await send('/api/v1/organizations', headers, body);
        if (res.status >= 200 && res.status < 300) {
          writes.ok++;
          ackedOrgs.push((JSON.parse(res.text) as { id: number }).id);
        } else writes.refused[res.status] = (writes.refused[res.status] ?? 0) + 1;
      } catch {
        writes.errors++;
      }
      await new Promise((r) => setTimeout(r, WRITE_PAUSE_MS));
    }
  };
  const workers = [
    ...Array.from({ length: CONNECTIONS }, heartbeatWorker),
    ...Array.from({ length: WRITERS }, writer),
  ];

  await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
  victim.child.kill('SIGKILL');
  const killedAt = performance.now();
  let takeoverMs: number | null = null;
  // The latest a takeover can come: the holder renewed just before the kill (a TTL), and the
  // survivor's tick came just before the lease ran out (one more interval).
  const deadline = killedAt + ttlMs + intervalMs + 5_000;
  while (performance.now() < deadline) {
    if ((await leaseHolderPid(pgds.pool, HOST_COUNTS_LEASE)) === survivorPid) {
      takeoverMs = performance.now() - killedAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // A little load after the takeover: the survivor's first pass runs under it too.
  await new Promise((r) => setTimeout(r, 2_000));
  stopped = true;
  await Promise.all(workers);
  for (const t of targets) t.agent.destroy();

  // Every 2xx must be in the database: the orgs by id, the heartbeats by their signed second.
  const { rows: orgs } = await pgds.pool.query<{ found: number; named: number }>(
    `SELECT (SELECT count(*)::int FROM organizations WHERE id = ANY($1::int8[])) AS found,
            (SELECT count(*)::int FROM organizations WHERE name LIKE $2) AS named`,
    [ackedOrgs, `${prefix} %`],
  );
  const { rows: beats } = await pgds.pool.query<{ found: number }>(
    'SELECT count(*)::int AS found FROM hosts WHERE id = ANY($1::int8[]) AND last_signed_at >= $2',
    [ackedHosts, signed.ts],
  );
  return {
    ttlMs,
    rerouted,
    intervalMs,
    takeoverMs,
    heartbeats: {
      ...hb,
      lost: hb.ok - beats[0]!.found,
      seconds: ((heartbeatsEnded || performance.now()) - t0) / 1000,
    },
    writes: {
      ...writes,
      lost: writes.ok - orgs[0]!.found,
      unacknowledgedCommitted: orgs[0]!.named - orgs[0]!.found,
    },
  };
}

export async function pgHeartbeatBenches(c: PgHeartbeatContext): Promise<Row[]> {
  const { ds, pgds } = c;
  const t0 = performance.now();
  const keyedHosts = await keyPgHosts(pgds.pool, c.keyed.publicKeys, c.hostIds);
  console.log(
    `bench: PostgreSQL: the ${keyedHosts.toLocaleString('en-US')} Go hosts that heartbeat keyed and vacuumed in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const masterKey = readFileSync(join(ds.dir, 'master.key'), 'utf8').trim();
  const token = await pgSessionToken(ds, pgds, masterKey);
  const s = pgds.settings;
  const durability = `PostgreSQL fsync=${s.fsync}, synchronous_commit=${s.synchronous_commit}`;
  const hosts = ds.size.hosts.toLocaleString('en-US');
  const env = { ORGDESK_DATABASE_URL: pgds.url, ORGDESK_MASTER_KEY: masterKey };
  const replicas: RunningServer[] = [];
  try {
    replicas.push(await startServer(ds.dir, env));
    const one = await heartbeatRun(replicas, (await c.signed()).reqs, token, pgds);
    replicas.push(await startServer(ds.dir, env));
    const two = await heartbeatRun(replicas, (await c.signed()).reqs, token, pgds);
    const failover = await failoverRun(replicas, await c.signed(), token, pgds);

    const floorText = `crypto.verify of the same signatures on one core: ${Math.round(c.floor.perSec).toLocaleString('en-US')}/s (with the key imported each time: ${Math.round(c.floor.withImportPerSec).toLocaleString('en-US')}/s)`;
    const scaling = two.rps / one.rps;
    const coresBusy = two.cpu.machineBusy >= 0.9;
    const f = failover;
    const lost = f.heartbeats.lost + f.writes.lost;
    const takeover =
      f.takeoverMs === null ? 'not taken over' : `${(f.takeoverMs / 1000).toFixed(1)} s`;
    return [
      {
        name: `AGT-2 signed heartbeats over loopback HTTP, ${hosts} hosts, distinct host ids (PostgreSQL, one replica; ${CONNECTIONS} connections, ${DURATION_S} s)`,
        figure: `${Math.round(one.rps).toLocaleString('en-US')} heartbeats/s, ${one.failed} failed of ${(one.ok + one.failed).toLocaleString('en-US')}; ${cpuText(one)} (${durability})`,
        baseline: floorText,
        ratio: `${((one.rps / c.floor.perSec) * 100).toFixed(0)}% of the floor`,
        target: 'report (CPU per heartbeat)',
        met: null,
        raw: { ...rawRun(one, durability), floor: c.floor },
      },
      pageRow('PostgreSQL, one replica', one.busy, one.idle, { engine: 'pg', replicas: 1 }),
      {
        name: `AGT-2 signed heartbeats over loopback HTTP, ${hosts} hosts, distinct host ids (PostgreSQL, two replicas on one database; ${CONNECTIONS} connections, ${CONNECTIONS / 2} straight to each, ${DURATION_S} s)`,
        figure: `${Math.round(two.rps).toLocaleString('en-US')} heartbeats/s, ${two.failed} failed of ${(two.ok + two.failed).toLocaleString('en-US')}; ${cpuText(two)} (${durability})`,
        baseline: `one replica (same run): ${Math.round(one.rps).toLocaleString('en-US')} heartbeats/s, ${cpuText(one)}`,
        ratio: `${scaling.toFixed(2)}× one replica`,
        target: '≥ 1.6× one replica where cores allow; else CPU per heartbeat',
        // Two cores busy with both replicas, PostgreSQL and the load generator: the cores did
        // not allow, and the CPU per heartbeat is the figure to read.
        met: scaling >= 1.6 && two.failed === 0 ? true : coresBusy ? null : false,
        raw: { ...rawRun(two, durability), scaling, one: rawRun(one, durability) },
      },
      pageRow('PostgreSQL, two replicas, pages alternating between them', two.busy, two.idle, {
        engine: 'pg',
        replicas: 2,
      }),
      {
        name: `SCALE-2 failover: kill -9 of one of two replicas (the host-counts lease holder) ${KILL_AFTER_MS / 1000} s into signed heartbeats (${CONNECTIONS} connections, client-side round robin) and console writes (${WRITERS} writers creating orgs)`,
        figure:
          `heartbeats: ${failedOf(f.heartbeats)} failed of ${f.heartbeats.sent.toLocaleString('en-US')} (${tallyText(f.heartbeats)}), ${f.heartbeats.lost} of ${f.heartbeats.ok.toLocaleString('en-US')} acknowledged lost; ` +
          `console writes: ${failedOf(f.writes)} failed of ${f.writes.sent.toLocaleString('en-US')} (${tallyText(f.writes)}), ${f.writes.lost} of ${f.writes.ok.toLocaleString('en-US')} acknowledged lost, ${f.writes.unacknowledgedCommitted} committed unacknowledged; ` +
          `${f.rerouted} refused connections re-sent to the survivor; lease ${HOST_COUNTS_LEASE} taken by the survivor ${takeover} after the kill (${durability})`,
        baseline: `lease TTL ${(f.ttlMs / 1000).toFixed(1)} s (job interval ${(f.intervalMs / 1000).toFixed(0)} s: 1.5×)`,
        ratio: f.takeoverMs === null ? '–' : `takeover ${(f.takeoverMs / f.ttlMs).toFixed(2)}× TTL`,
        target: '0 acknowledged writes lost; lease takeover ≤ TTL',
        met: lost === 0 && f.takeoverMs !== null && f.takeoverMs <= f.ttlMs,
        raw: { engine: 'pg', ...f, durability },
      },
    ];
  } finally {
    for (const r of replicas) await r.stop();
  }
}
