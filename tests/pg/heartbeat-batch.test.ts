// AGT-2 on PostgreSQL, coalesced (issue 15 item 1, scale-out.md §4.7): signed heartbeats arriving
// together share one key read and one conditional write (main/db/pg/heartbeat-batcher.ts), where
// each was two transactions (seven statements). Proven on the services composed over pgStorage,
// as the server composes them: the statements a batch sends, and every invariant the per-job
// path kept — a replay in the same batch refused, a key changed between the read and the write
// refused, a deactivated tenant refused, a failed statement answering none of its batch 200.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../main/core/crypto';
import { AuditChain } from '../../main/core/audit';
import { ManualClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { createPgPool } from '../../main/db/pg/database';
import { pgStorage } from '../../main/db/pg/storage';
import type { HeartbeatRequest } from '../../main/features/agents/agents.service';
import { createServices, type Services } from '../../main/services';
import { InlinePgOffload } from '../../main/workers/pg-read-pool';
import { heartbeatSigningString } from '../../shared/schemas/agents.schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

const NOW = 1_800_000_000_000;
const TS = NOW / 1000;
/** Hosts 1..16 in org 10 (account 1); host 50 in org 20 (account 2). */
const HOSTS = Array.from({ length: 16 }, (_, i) => i + 1);
const OTHER_TENANT_HOST = 50;

function keyPair(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { publicKey: Buffer.from(x, 'base64url').toString('base64'), privateKey };
}

const outcome = async <T>(p: Promise<T>) => {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { error: err.code ?? 'thrown', message: err.message };
  }
};

describe.skipIf(!pgAvailable)('signed heartbeats on PostgreSQL, coalesced', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let services: Services;
  const keys = new Map<number, ReturnType<typeof keyPair>>();
  /** Every statement the pool's connections were sent, in order. */
  const sent: string[] = [];

  const signed = (hostId: number, ts: number, input: unknown = {}): HeartbeatRequest => {
    const rawBody = Buffer.from(JSON.stringify(input));
    const message = heartbeatSigningString(String(hostId), String(ts), sha256Hex(rawBody));
    return {
      hostId: String(hostId),
      timestamp: String(ts),
      signature: sign(null, Buffer.from(message), keys.get(hostId)!.privateKey).toString('base64'),
      rawBody,
      input,
    };
  };

  const lastSigned = async (ids: number[]): Promise<(number | null)[]> => {
    const { rows } = await pool.query<{ id: number; last_signed_at: number | null }>(
      'SELECT id, last_signed_at FROM hosts WHERE id = ANY($1::int8[]) ORDER BY id',
      [ids],
    );
    return rows.map((r) => r.last_signed_at);
  };

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url, { max: 4 });
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...a: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const a = args[0];
        sent.push(typeof a === 'string' ? a : ((a as { text?: string }).text ?? ''));
        return query(...args);
      };
    });
    await pool.query(
      `INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', $1), (2, 'B', $1)`,
      [NOW],
    );
    for (const [org, account] of [
      [10, 1],
      [20, 2],
    ]) {
      await pool.query(
        `INSERT INTO organizations (id, account_id, name, name_key, search_text, is_active,
           secret_ciphertext, secret_digest, created_at, updated_at)
         VALUES ($1, $2, $3, $3, $3, true, '\\x01', $3, $4, $4)`,
        [org, account, `org${org}`, NOW],
      );
      await pool.query(
        `INSERT INTO locations (id, organization_id, name, name_key, timezone, is_default,
           created_at, updated_at) VALUES ($1, $1, 'Default', 'default', 'UTC', true, $2, $2)`,
        [org, NOW],
      );
    }
    for (const id of [...HOSTS, OTHER_TENANT_HOST]) {
      const key = keyPair();
      keys.set(id, key);
      const org = id === OTHER_TENANT_HOST ? 20 : 10;
      await pool.query(
        `INSERT INTO hosts (id, organization_id, location_id, hostname, ip, agent_type,
           public_key, registered_at, last_seen_at)
         VALUES ($1, $2, $2, $3, '10.0.0.1', 'go', $4, $5, $5)`,
        [id, org, `h${id}`, key.publicKey, NOW - 60_000],
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-hb-batch-'));
    const keyStore = new FileKeyStore(join(dir, 'master.key'));
    services = createServices({
      storage: pgStorage({
        pool,
        connectionString: db.url,
        offload: new InlinePgOffload({ pool, chain: new AuditChain(keyStore) }),
      }),
      clock: new ManualClock(NOW),
      keys: keyStore,
    });
  });

  afterAll(async () => {
    await services?.infra.storage.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  it('sixteen heartbeats arriving together: one key read and one write, each answered 200 and written', async () => {
    const from = sent.length;
    const answers = await Promise.all(
      HOSTS.map((id) => outcome(services.agents.heartbeat(signed(id, TS)))),
    );
    const statements = sent.slice(from);
    expect(answers.map((a) => ('ok' in a && a.ok ? a.ok.host_id : a))).toEqual(HOSTS);
    expect(answers[0]).toMatchObject({ ok: { location_id: 10, agent_type: 'go' } });
    expect(await lastSigned(HOSTS)).toEqual(HOSTS.map(() => TS));
    // Was 7 a heartbeat (112 here): BEGIN, SELECT, COMMIT to verify; BEGIN, SELECT, UPDATE,
    // COMMIT to write. Now one read for the batch's keys, no transaction, and the writes of the
    // verifications that finished together (on libuv's threads, so not always all at once).
    const reads = statements.filter((q) => /^\s*select\b/i.test(q));
    const writes = statements.filter((q) => /\bUPDATE hosts h SET\b/.test(q));
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatch(/= ANY\(/);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.length).toBeLessThanOrEqual(HOSTS.length / 4);
    expect(statements).toHaveLength(reads.length + writes.length);
  });

  it('a replay in the same batch: one of the two lands, the other answers 409; a later second of the same host lands after it', async () => {
    const [a, b, later] = await Promise.all([
      outcome(services.agents.heartbeat(signed(1, TS + 1))),
      outcome(services.agents.heartbeat(signed(1, TS + 1))),
      outcome(services.agents.heartbeat(signed(1, TS + 2))),
      outcome(services.agents.heartbeat(signed(2, TS + 1))),
    ]);
    // Each is verified on the thread pool before it joins a batch, so the three of host 1 may
    // arrive in any order: at most one of the two copies lands (none if the later second came
    // first), every other one is refused as a replay or out of order, and the later second lands.
    const copies = [a, b].filter((x) => 'ok' in x);
    expect(copies.length).toBeLessThanOrEqual(1);
    for (const refused of [a, b].filter((x) => 'error' in x)) {
      expect(refused).toMatchObject({
        error: 'CONFLICT',
        message: expect.stringContaining('replay or out of order') as unknown,
      });
    }
    expect(later).toMatchObject({ ok: { host_id: 1 } });
    expect(await lastSigned([1, 2])).toEqual([TS + 2, TS + 1]);
  });

  it('the write re-checks the key on the row it locks: a key changed after the read refuses it, and the per-job path answers 401', async () => {
    const beats = services.infra.storage.signedHeartbeats!;
    const old = keys.get(3)!.publicKey;
    const fresh = keyPair().publicKey;
    await pool.query('UPDATE hosts SET public_key = $1 WHERE id = 3', [fresh]);
    try {
      expect(
        await beats.seenSigned({ hostId: 3, publicKey: old, signedAt: TS + 5, now: NOW }),
      ).toBeNull();
      expect(await lastSigned([3])).toEqual([TS]);
      // The same key beside it in the batch still lands.
      const [stale, current] = await Promise.all([
        beats.seenSigned({ hostId: 3, publicKey: old, signedAt: TS + 6, now: NOW }),
        beats.seenSigned({
          hostId: 4,
          publicKey: keys.get(4)!.publicKey,
          signedAt: TS + 6,
          now: NOW,
        }),
      ]);
      expect([stale, current]).toEqual([null, { locationId: 10 }]);
      expect(await outcome(services.agents.heartbeat(signed(3, TS + 7)))).toMatchObject({
        error: 'UNAUTHORIZED',
      });
      expect(await lastSigned([3, 4])).toEqual([TS, TS + 6]);
    } finally {
      await pool.query('UPDATE hosts SET public_key = $1 WHERE id = 3', [old]);
    }
  });

  it('a deactivated org or account: the write refuses, and the heartbeat answers 403', async () => {
    const beats = services.infra.storage.signedHeartbeats!;
    const beat = { hostId: OTHER_TENANT_HOST, publicKey: keys.get(OTHER_TENANT_HOST)!.publicKey };
    for (const off of [
      'UPDATE organizations SET is_active = false WHERE id = 20',
      'UPDATE accounts SET is_active = false WHERE id = 2',
    ]) {
      await pool.query(off);
      try {
        expect(await beats.seenSigned({ ...beat, signedAt: TS + 10, now: NOW })).toBeNull();
        expect(
          await outcome(services.agents.heartbeat(signed(OTHER_TENANT_HOST, TS + 11))),
        ).toMatchObject({ error: 'FORBIDDEN' });
      } finally {
        await pool.query('UPDATE organizations SET is_active = true WHERE id = 20');
        await pool.query('UPDATE accounts SET is_active = true WHERE id = 2');
      }
    }
    expect(await lastSigned([OTHER_TENANT_HOST])).toEqual([null]);
    expect(
      await outcome(services.agents.heartbeat(signed(OTHER_TENANT_HOST, TS + 12))),
    ).toMatchObject({ ok: { host_id: OTHER_TENANT_HOST } });
  });

  it('the host-count triggers follow the batched write exactly (offline hosts back online)', async () => {
    const counts = async () =>
      (
        await pool.query<{ hosts: number; online: number; offline: number; stale: number }>(
          'SELECT hosts, online, offline, stale FROM organization_host_counts WHERE organization_id = 10',
        )
      ).rows[0];
    // The counts as of NOW, recounted from the rows; then four hosts gone offline.
    await pool.query(
      `UPDATE organization_host_counts c SET as_of = $1, hosts = 16, online = 16, offline = 0,
         stale = 0 WHERE organization_id = 10`,
      [NOW],
    );
    await pool.query('UPDATE hosts SET last_seen_at = $1 WHERE id IN (11, 12, 13, 14)', [
      NOW - 10 * 60_000,
    ]);
    expect(await counts()).toEqual({ hosts: 16, online: 12, offline: 4, stale: 0 });
    const answers = await Promise.all(
      [11, 12, 13, 15].map((id) => outcome(services.agents.heartbeat(signed(id, TS + 30)))),
    );
    expect(answers.every((a) => 'ok' in a)).toBe(true);
    expect(await counts()).toEqual({ hosts: 16, online: 15, offline: 1, stale: 0 });
  });

  it('a failed statement fails every heartbeat of its batch: none answered 200 unwritten, none written unanswered, each refused one sendable again', async () => {
    // A real failure of the batch's UPDATE: a trigger refusing one of its rows.
    await pool.query(`CREATE FUNCTION refuse_host_9() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 9 THEN RAISE EXCEPTION 'host 9 refused by the test'; END IF; RETURN NEW; END $$`);
    await pool.query(`CREATE TRIGGER refuse_host_9 BEFORE UPDATE ON hosts
      FOR EACH ROW EXECUTE FUNCTION refuse_host_9()`);
    const ids = [8, 9, 10];
    let answers;
    try {
      answers = await Promise.all(
        ids.map((id) => outcome(services.agents.heartbeat(signed(id, TS + 20)))),
      );
    } finally {
      await pool.query('DROP TRIGGER refuse_host_9 ON hosts');
      await pool.query('DROP FUNCTION refuse_host_9()');
    }
    // Each signature is verified on the thread pool before its heartbeat joins a batch, so 8 and
    // 10 may or may not share 9's batch: whichever did fails with it (raise_exception, not a
    // DomainError: the HTTP layer answers 500), whichever did not lands. Never a 200 for an
    // unwritten heartbeat, never a write for a refused one.
    const codes = answers.map((a) => ('error' in a ? a.error : 'ok'));
    expect(codes[1]).toBe('P0001');
    for (const c of codes) expect(['ok', 'P0001']).toContain(c);
    expect(answers[1]).toMatchObject({
      message: expect.stringContaining('host 9 refused') as unknown,
    });
    expect(await lastSigned(ids)).toEqual(codes.map((c) => (c === 'ok' ? TS + 20 : TS)));
    // Nothing was used up: the same heartbeats land now.
    const refused = ids.filter((_, i) => codes[i] === 'P0001');
    const again = await Promise.all(
      refused.map((id) => outcome(services.agents.heartbeat(signed(id, TS + 20)))),
    );
    expect(again.map((a) => ('ok' in a && a.ok ? a.ok.host_id : a))).toEqual(refused);
  });
});
