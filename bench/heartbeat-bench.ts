// Issue 15: signed heartbeats at fleet scale (AGT-2). A million hosts, each heartbeat from a
// distinct host id, every signature verified by the server, against the floor measured in the same
// run: `crypto.verify` of the same signatures in a tight loop on one core. Beside it, the ORG-2
// page while the heartbeats run, and the server's CPU per heartbeat (so the scaling to more
// replicas and cores can be read off where this machine has too few cores to show it).
import { createHash, generateKeyPairSync, sign, verify, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { systemClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import { openDatabase } from '../main/db/database';
import { sqliteStorage } from '../main/db/sqlite/storage';
import { createServices } from '../main/services';
import { heartbeatSigningString } from '../shared/schemas/agents.schema';
import type { Dataset } from './dataset';
import type { Row } from './db-benches';
import { startServer } from './extra-benches';
import { percentile } from './measure';

/**
 * Distinct keys. Generating a million Ed25519 key pairs would take minutes here (60-200 µs
 * each); the server's work per heartbeat does not depend on whether two hosts share a key (it
 * imports and checks the registered key of the host id at every heartbeat, with no cache by key),
 * so hosts share a pool of keys while every heartbeat still names its own host.
 */
const KEY_POOL = 4096;
const CONNECTIONS = 64;
const DURATION_S = 10;

type KeyPair = ReturnType<typeof generateKeyPairSync>;

interface GoHost {
  id: number;
  ip: string | null;
}

interface Prepared {
  hostId: number;
  headers: Record<string, string>;
  body: string;
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

function cpuMs(pid: number): number {
  // utime + stime, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / 100) * 1000;
}

/** Gives every Go host of the dataset a key of the pool and forgets its signed seconds. */
function keyHosts(file: string): { keys: KeyPair[]; goHosts: GoHost[] } {
  const keys = Array.from({ length: KEY_POOL }, () => generateKeyPairSync('ed25519'));
  const raw = keys.map((k) =>
    (k.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64'),
  );
  const db = new Database(file);
  try {
    db.exec('CREATE TEMP TABLE bench_keys (i INTEGER PRIMARY KEY, key TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO bench_keys (i, key) VALUES (?, ?)');
    db.transaction(() => raw.forEach((k, i) => ins.run(i, k)))();
    db.prepare(
      `UPDATE hosts SET public_key = (SELECT key FROM bench_keys WHERE i = hosts.id % ${KEY_POOL}),
              last_signed_at = NULL
       WHERE agent_type = 'go'`,
    ).run();
    const goHosts = db
      .prepare(`SELECT id, ip FROM hosts WHERE agent_type = 'go' ORDER BY id`)
      .all() as GoHost[];
    return { keys, goHosts };
  } finally {
    db.close();
  }
}

/**
 * `count` heartbeats from distinct hosts spread over the whole id range (a prime stride), signed now: each host's signed second is used once, as AGT-2 requires.
 */
function prepare(keys: KeyPair[], goHosts: GoHost[], count: number): Prepared[] {
  const ts = String(Math.floor(Date.now() / 1000));
  const stride = 7919;
  const out: Prepared[] = [];
  for (let j = 0; j < count && j < goHosts.length; j++) {
    const host = goHosts[(j * stride) % goHosts.length]!;
    const hostId = host.id;
    // The address it registered with: a fleet's steady state (a changed address re-resolves the
    // location and is audited, which is AGT-1/LOC-3's cost, not the heartbeat's).
    const body = JSON.stringify(host.ip === null ? {} : { ip: host.ip });
    const message = heartbeatSigningString(String(hostId), ts, sha256Hex(body));
    const signature = sign(null, Buffer.from(message), keys[hostId % KEY_POOL]!.privateKey);
    out.push({
      hostId,
      body,
      headers: {
        'content-type': 'application/json',
        'x-host-id': String(hostId),
        'x-timestamp': ts,
        'x-signature': signature.toString('base64'),
      },
    });
  }
  return out;
}

/** The floor: verifying the same signatures with their keys on one core, nothing else. */
function verifyFloor(
  keys: KeyPair[],
  reqs: Prepared[],
): { perSec: number; withImportPerSec: number } {
  const sample = reqs.slice(0, 4000).map((r) => ({
    key: keys[r.hostId % KEY_POOL]!.publicKey,
    der: keys[r.hostId % KEY_POOL]!.publicKey.export({ format: 'der', type: 'spki' }) as Buffer,
    msg: Buffer.from(
      heartbeatSigningString(String(r.hostId), r.headers['x-timestamp']!, sha256Hex(r.body)),
    ),
    sig: Buffer.from(r.headers['x-signature']!, 'base64'),
  }));
  const loop = (fn: (s: (typeof sample)[number]) => boolean) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 2000) {
      for (const s of sample) if (!fn(s)) throw new Error('bench: a signature did not verify');
      n += sample.length;
    }
    return n / ((performance.now() - t0) / 1000);
  };
  loop((s) => verify(null, s.msg, s.key, s.sig)); // warm-up
  const perSec = loop((s) => verify(null, s.msg, s.key, s.sig));
  const withImportPerSec = loop((s) =>
    verify(null, s.msg, createPublicKey({ key: s.der, format: 'der', type: 'spki' }), s.sig),
  );
  return { perSec, withImportPerSec };
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

/** ORG-2's first page with stats, fetched one after another while `until` is pending. */
async function orgPagesWhile(
  url: string,
  token: string,
  until: Promise<unknown>,
): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/organizations?limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`bench: the org page answered ${res.status}`);
    samples.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples.sort((a, b) => a - b);
}

export async function heartbeatBenches(ds: Dataset): Promise<Row[]> {
  const { keys, goHosts } = keyHosts(ds.file);
  // Enough for the run at well above what one process can do here.
  const reqs = prepare(keys, goHosts, 250_000);
  const floor = verifyFloor(keys, reqs);
  const token = await sessionToken(ds);
  const durability = 'SQLite WAL, synchronous=NORMAL';

  const server = await startServer(ds.dir);
  try {
    // Idle org page first: the baseline of the page-under-load row.
    const idle: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/v1/organizations?limit=100`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      idle.push(performance.now() - t0);
    }
    idle.sort((a, b) => a - b);

    let next = 0;
    const cpu0 = cpuMs(server.child.pid!);
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
    const pages = orgPagesWhile(server.url, token, run);
    const result = await run;
    const cpu = cpuMs(server.child.pid!) - cpu0;
    const busy = await pages;
    const ok = result['2xx'];
    if (next > reqs.length) throw new Error('bench: heartbeats reused (prepare more)');
    const rps = ok / DURATION_S;
    const p95 = percentile(busy, 95);
    const idleP95 = percentile(idle, 95);
    const share = rps / floor.perSec;
    return [
      {
        name: `AGT-2 signed heartbeats over loopback HTTP, ${ds.size.hosts.toLocaleString('en-US')} hosts, distinct host ids (SQLite, one process; ${CONNECTIONS} connections, ${DURATION_S} s)`,
        figure: `${Math.round(rps).toLocaleString('en-US')} heartbeats/s, ${result.non2xx} non-2xx of ${(ok + result.non2xx).toLocaleString('en-US')}; server CPU ${(cpu / Math.max(ok, 1)).toFixed(3)} ms per heartbeat (${durability})`,
        baseline: `crypto.verify of the same signatures on one core: ${Math.round(floor.perSec).toLocaleString('en-US')}/s (with the key imported each time: ${Math.round(floor.withImportPerSec).toLocaleString('en-US')}/s)`,
        ratio: `${(share * 100).toFixed(0)}% of the floor`,
        target: '≥ 50% of the verify floor',
        met: share >= 0.5 && result.non2xx === 0,
        raw: {
          rps,
          ok,
          non2xx: result.non2xx,
          cpuMsPerHeartbeat: cpu / Math.max(ok, 1),
          floor,
          durability,
        },
      },
      {
        name: 'ORG-2 page (limit 100, stats) over REST while the heartbeats above run (SQLite)',
        figure: `p50 ${percentile(busy, 50).toFixed(2)} ms / p95 ${p95.toFixed(2)} ms (${busy.length} pages)`,
        baseline: `idle server p50 ${percentile(idle, 50).toFixed(2)} ms / p95 ${idleP95.toFixed(2)} ms`,
        ratio: `${(p95 / idleP95).toFixed(1)}× idle (p95)`,
        target: 'report',
        met: null,
        raw: {
          busy: { p50: percentile(busy, 50), p95 },
          idle: { p50: percentile(idle, 50), p95: idleP95 },
        },
      },
    ];
  } finally {
    await server.stop();
  }
}
