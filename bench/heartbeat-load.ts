// What every signed-heartbeat row shares (issue 15 item 5), whatever the engine: the hosts' keys,
// the heartbeats signed ahead of the run, the verify floor, the ORG-2 page sampled while the
// load runs, and the wait for the server's first host-counts pass.
import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { ONLINE_WITHIN_MS } from '../shared/constants';
import { heartbeatSigningString } from '../shared/schemas/agents.schema';
import type { Row } from './db-benches';
import { percentile } from './measure';

/**
 * Distinct keys. Generating a million Ed25519 key pairs would take minutes here (60-200 µs
 * each); the server's work per heartbeat does not depend on whether two hosts share a key (it
 * imports and checks the registered key of the host id at every heartbeat, with no cache by key),
 * so hosts share a pool of keys while every heartbeat still names its own host.
 */
export const KEY_POOL = 4096;
/** Connections of every heartbeat run, whatever the number of replicas they are spread over. */
export const CONNECTIONS = 64;
export const DURATION_S = 10;
/** The ORG-2 page under heartbeat load, on either engine (issue 15's target). */
export const PAGE_UNDER_LOAD_P95_MS = 20;

type KeyPair = ReturnType<typeof generateKeyPairSync>;

export interface GoHost {
  id: number;
  ip: string | null;
}

export interface Prepared {
  hostId: number;
  headers: Record<string, string>;
  body: string;
}

export interface HeartbeatKeys {
  keys: KeyPair[];
  /** The pool's public keys as the hosts table holds them (raw 32 bytes, base64). */
  publicKeys: string[];
  goHosts: GoHost[];
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Gives every Go host of the dataset a key of the pool and forgets its signed seconds. */
export function keyHosts(file: string): HeartbeatKeys {
  const keys = Array.from({ length: KEY_POOL }, () => generateKeyPairSync('ed25519'));
  const publicKeys = keys.map((k) =>
    (k.publicKey.export({ format: 'der', type: 'spki' }) as Buffer).subarray(12).toString('base64'),
  );
  const db = new Database(file);
  try {
    db.exec('CREATE TEMP TABLE bench_keys (i INTEGER PRIMARY KEY, key TEXT NOT NULL)');
    const ins = db.prepare('INSERT INTO bench_keys (i, key) VALUES (?, ?)');
    db.transaction(() => publicKeys.forEach((k, i) => ins.run(i, k)))();
    db.prepare(
      `UPDATE hosts SET public_key = (SELECT key FROM bench_keys WHERE i = hosts.id % ${KEY_POOL}),
              last_signed_at = NULL
       WHERE agent_type = 'go'`,
    ).run();
    const goHosts = db
      .prepare(`SELECT id, ip FROM hosts WHERE agent_type = 'go' ORDER BY id`)
      .all() as GoHost[];
    return { keys, publicKeys, goHosts };
  } finally {
    db.close();
  }
}

/**
 * `count` heartbeats from distinct hosts spread over the whole id range (a prime stride), signed
 * at `ts` (unix seconds): each host's signed second is used once, as AGT-2 requires. Every run
 * takes the same hosts, bodies and keys; only the second differs, later than the run before.
 * `offset` skips the first hosts of the stride: another `count` hosts, none of the default's
 * (while offset + count stays within the Go hosts).
 */
export function prepare(k: HeartbeatKeys, count: number, ts: number, offset = 0): Prepared[] {
  const stride = 7919;
  const out: Prepared[] = [];
  for (let j = offset; j < offset + count && j < k.goHosts.length; j++) {
    const host = k.goHosts[(j * stride) % k.goHosts.length]!;
    const hostId = host.id;
    // The address it registered with: a fleet's steady state (a changed address re-resolves the
    // location and is audited, which is AGT-1/LOC-3's cost, not the heartbeat's).
    const body = JSON.stringify(host.ip === null ? {} : { ip: host.ip });
    const message = heartbeatSigningString(String(hostId), String(ts), sha256Hex(body));
    const signature = sign(null, Buffer.from(message), k.keys[hostId % KEY_POOL]!.privateKey);
    out.push({
      hostId,
      body,
      headers: {
        'content-type': 'application/json',
        'x-host-id': String(hostId),
        'x-timestamp': String(ts),
        'x-signature': signature.toString('base64'),
      },
    });
  }
  return out;
}

/** Heartbeats signed at a second later than any earlier call's (waits for the clock if needed). */
export function heartbeatSource(k: HeartbeatKeys, count: number, offset = 0) {
  let last = 0;
  return async (): Promise<{ ts: number; reqs: Prepared[] }> => {
    let ts = Math.floor(Date.now() / 1000);
    while (ts <= last) {
      await new Promise((r) => setTimeout(r, 200));
      ts = Math.floor(Date.now() / 1000);
    }
    last = ts;
    return { ts, reqs: prepare(k, count, ts, offset) };
  };
}

/**
 * How long before a run the steady-state rows put their hosts' last heartbeat: a fleet that
 * heartbeats every minute. The dataset's last-seen times are as of its build (weeks before
 * today's clock), so without this every heartbeat of a run would be a host coming back from
 * offline or stale: a status change, which rewrites its org's counts row over all its sort
 * indexes and is not what a fleet in its steady state does (the trigger's WHERE is false).
 */
export const ONLINE_LEAD_MS = 60_000;

/**
 * The newest a steady-state run may start after its hosts were put online and still have every
 * heartbeat from an online host (the run's duration and a margin before ONLINE_WITHIN_MS).
 */
export const ONLINE_FOR_MS = ONLINE_WITHIN_MS - ONLINE_LEAD_MS - DURATION_S * 1000 - 30_000;

/**
 * The steady state on SQLite: `hostIds` last seen at `seenAt` (ms), in one transaction on the
 * file with the server stopped. The host-count triggers run (the counts stay exact at their
 * as_of); the server's first refresh pass then re-counts the orgs due (settleHostCounts).
 */
export function putHostsOnlineSqlite(file: string, hostIds: number[], seenAt: number): number {
  return setLastSeenSqlite(file, hostIds, seenAt);
}

/**
 * A day before a run: offline (not stale), so each heartbeat of the run is a host coming back
 * online, however recently an earlier run on a reused dataset heartbeated from it.
 */
export const OFFLINE_LEAD_MS = 24 * 60 * 60 * 1000;

/** `hostIds` last seen at `seenAt` (ms), in one transaction, with the server stopped. */
export function setLastSeenSqlite(file: string, hostIds: number[], seenAt: number): number {
  const db = new Database(file);
  try {
    const set = db.prepare('UPDATE hosts SET last_seen_at = ? WHERE id = ?');
    let changed = 0;
    db.transaction(() => {
      for (const id of hostIds) changed += set.run(seenAt, id).changes;
    })();
    return changed;
  } finally {
    db.close();
  }
}

/**
 * The same on PostgreSQL (for pg-heartbeat-bench.ts): one statement, the host-count triggers on,
 * then VACUUM so the dead versions it left are gone before anything is measured.
 */
export async function putHostsOnlinePg(
  pool: pg.Pool,
  hostIds: number[],
  seenAt: number,
): Promise<number> {
  const { rowCount } = await pool.query(
    'UPDATE hosts SET last_seen_at = $2 FROM unnest($1::int8[]) AS k(id) WHERE hosts.id = k.id',
    [hostIds, seenAt],
  );
  await pool.query('VACUUM (ANALYZE) hosts');
  return rowCount ?? 0;
}

/**
 * Of `hostIds`, how many are not online at `now` by their last-seen time in `lastSeen` (id →
 * ms, null when never seen): the heartbeats of a run that change a host's status.
 */
export function statusChanges(
  lastSeen: Map<number, number | null>,
  hostIds: number[],
  now: number,
): number {
  let n = 0;
  for (const id of hostIds) {
    const seen = lastSeen.get(id);
    if (seen === undefined || seen === null || now - seen > ONLINE_WITHIN_MS) n++;
  }
  return n;
}

export interface VerifyFloor {
  perSec: number;
  withImportPerSec: number;
}

/** The floor: verifying the same signatures with their keys on one core, nothing else. */
export function verifyFloor(k: HeartbeatKeys, reqs: Prepared[]): VerifyFloor {
  const sample = reqs.slice(0, 4000).map((r) => ({
    key: k.keys[r.hostId % KEY_POOL]!.publicKey,
    der: k.keys[r.hostId % KEY_POOL]!.publicKey.export({ format: 'der', type: 'spki' }) as Buffer,
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

async function orgPage(url: string, token: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/organizations?limit=100`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`bench: the org page answered ${res.status}`);
  return performance.now() - t0;
}

/** ORG-2's first page with stats, 40 times one after another on an idle server (sorted ms). */
export async function idleOrgPages(urls: string[], token: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < 40; i++) samples.push(await orgPage(urls[i % urls.length]!, token));
  return samples.sort((a, b) => a - b);
}

/**
 * ORG-2's first page with stats, fetched one after another (50 ms apart, alternating between
 * `urls`: one per replica) while `until` is pending; sorted ms.
 */
export async function orgPagesWhile(
  urls: string[],
  token: string,
  until: Promise<unknown>,
): Promise<number[]> {
  let done = false;
  void until.finally(() => (done = true));
  const samples: number[] = [];
  while (!done) {
    samples.push(await orgPage(urls[samples.length % urls.length]!, token));
    await new Promise((r) => setTimeout(r, 50));
  }
  return samples.sort((a, b) => a - b);
}

/**
 * Waits until the server's first host-counts pass has re-counted every org it found due (the
 * dataset's counts are as of its build time; the server's clock is today's), so no row measures
 * that one-off pass. `due` reads how many orgs are still due; gives up after `timeoutMs`.
 */
export async function settleHostCounts(
  due: () => Promise<number>,
  timeoutMs = 180_000,
): Promise<{ seconds: number; left: number }> {
  const t0 = performance.now();
  for (;;) {
    const left = await due();
    const seconds = (performance.now() - t0) / 1000;
    if (left === 0 || seconds * 1000 > timeoutMs) return { seconds, left };
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The org page row under heartbeat load, for either engine. */
export function pageRow(
  where: string,
  busy: number[],
  idle: number[],
  raw: Record<string, unknown> = {},
): Row {
  const p95 = percentile(busy, 95);
  const idleP95 = percentile(idle, 95);
  return {
    name: `ORG-2 page (limit 100, stats) over REST while the heartbeats above run (${where})`,
    figure: `p50 ${percentile(busy, 50).toFixed(2)} ms / p95 ${p95.toFixed(2)} ms (${busy.length} pages)`,
    baseline: `idle server p50 ${percentile(idle, 50).toFixed(2)} ms / p95 ${idleP95.toFixed(2)} ms`,
    ratio: `${(p95 / idleP95).toFixed(1)}× idle (p95)`,
    target: `p95 ≤ ${PAGE_UNDER_LOAD_P95_MS} ms`,
    met: p95 <= PAGE_UNDER_LOAD_P95_MS,
    raw: {
      ...raw,
      busy: { p50: percentile(busy, 50), p95 },
      idle: { p50: percentile(idle, 50), p95: idleP95 },
    },
  };
}
