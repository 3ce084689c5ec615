// AGT-1 and AGT-2 on PostgreSQL (issue 15): AgentsService itself, composed as main/services.ts
// composes it, over PgUnitOfWork + createPgRepos, answers registrations and heartbeats as it does
// over SQLite's batch: the same hosts, the same refusals (a replayed signed heartbeat), one host
// for one hostname registered concurrently, the same audit entries.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, SecretBox } from '../../main/core/crypto';
import type { UnitOfWork } from '../../main/core/uow';
import { AgentsService, type HeartbeatRequest } from '../../main/features/agents/agents.service';
import { LocationMatcherCache } from '../../main/features/locations/location-matcher';
import type { AccessService } from '../../main/core/access';
import { SecretsService } from '../../main/features/organizations/secrets.service';
import { heartbeatSigningString } from '../../shared/schemas/agents.schema';
import { pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import { openEngines, type C, type Engines, type Seed } from './repos-c-harness';

const NOW = 1_750_000_000_000;
const SECRET = 'org-secret-of-ten';
const MASTER = randomBytes(32);
const box = new SecretBox({ masterKey: () => MASTER });

const SEED = (): Seed => [
  ['accounts', [{ id: 1, name: 'one', createdAt: NOW }]],
  [
    'organizations',
    [
      {
        id: 10,
        accountId: 1,
        name: 'Ten',
        nameKey: 'ten',
        searchText: 'ten',
        isActive: true,
        secretCiphertext: new Uint8Array([1]),
        secretDigest: box.secretDigest(SECRET),
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
  ],
  [
    'locations',
    [
      {
        id: 10,
        organizationId: 10,
        name: 'Main',
        nameKey: 'main',
        isDefault: true,
        createdAt: NOW,
        updatedAt: NOW,
      },
    ],
  ],
];

function keyPair(): { publicKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { publicKey: Buffer.from(x, 'base64url').toString('base64'), privateKey };
}

/** Composed as main/services.ts does, over `uow`; the clock stands still at NOW. */
function agentsOver(uow: UnitOfWork<C>): AgentsService {
  const clock = { now: () => NOW };
  const secrets = new SecretsService({ uow, clock, box, access: {} as AccessService });
  return new AgentsService({ uow, clock, secrets, matchers: new LocationMatcherCache(uow) });
}

const outcome = async <T>(p: Promise<T>) => {
  try {
    return { ok: await p };
  } catch (e) {
    const err = e as { code?: string; message: string };
    return { error: err.code ?? 'thrown', message: err.message };
  }
};

/** The same script on either engine; everything it logs is compared. */
async function script(uow: UnitOfWork<C>, key: ReturnType<typeof keyPair>) {
  const agents = agentsOver(uow);
  const log: Record<string, unknown> = {};
  const go = { hostname: 'web-1', ip: '10.0.0.7', agent_type: 'go', public_key: key.publicKey };
  log.registered = await outcome(agents.register(SECRET, go));
  log.wrongSecret = await outcome(agents.register('not-the-secret', go));
  // Two agents of one hostname (ignoring case) at once: one host, the other registered again.
  const raced = await Promise.all([
    outcome(agents.register(SECRET, { hostname: 'db-1', ip: '10.0.0.8', agent_type: 'legacy' })),
    outcome(agents.register(SECRET, { hostname: 'DB-1', ip: '10.0.0.9', agent_type: 'legacy' })),
  ]);
  log.raced = raced;
  const hostId = String((log.registered as { ok: { host_id: number } }).ok.host_id);
  const signed = (ts: number, input: unknown): HeartbeatRequest => {
    const rawBody = Buffer.from(JSON.stringify(input));
    const message = heartbeatSigningString(hostId, String(ts), sha256Hex(rawBody));
    return {
      hostId,
      timestamp: String(ts),
      signature: sign(null, Buffer.from(message), key.privateKey).toString('base64'),
      rawBody,
      input,
    };
  };
  const ts = NOW / 1000;
  log.beat = await outcome(agents.heartbeat(signed(ts, { ip: '10.0.0.70' })));
  log.replayed = await outcome(agents.heartbeat(signed(ts, { ip: '10.0.0.70' })));
  log.next = await outcome(agents.heartbeat(signed(ts + 1, {})));
  const legacyId = (raced[0] as { ok: { host_id: number } }).ok.host_id;
  log.legacyBeat = await outcome(
    agents.heartbeat({
      hostId: String(legacyId),
      secret: SECRET,
      rawBody: Buffer.alloc(0),
      input: undefined,
    }),
  );
  log.hosts = await uow.read(async (r) => [
    await r.agents.hostById(Number(hostId)),
    await r.agents.hostById(legacyId),
    await r.agents.hostByHostname(10, 'Db-1'),
  ]);
  return log;
}

const auditOf = async (engines: Engines, onPg: boolean) => {
  const sql = 'SELECT action, target_id, details FROM audit_entries ORDER BY seq';
  const rows = (
    onPg ? (await engines.pool.query(sql)).rows : engines.opened.sqlite.prepare(sql).all()
  ) as { action: string; target_id: number | string; details: string }[];
  // Both store the details as JSON text; PostgreSQL answers the int8 id as text.
  return rows.map((r) => ({
    action: r.action,
    targetId: Number(r.target_id),
    details: JSON.parse(r.details) as unknown,
  }));
};

describe.skipIf(!pgAvailable)('AgentsService on PostgreSQL answers as on SQLite', () => {
  let env: PgTestEnv;
  let engines: Engines;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    engines = await openEngines(env.url, SEED());
  });

  afterAll(async () => {
    await engines?.close();
    if (env?.available) await env.release();
  });

  it('registers, refuses a replay, and makes one host of one hostname raced', async () => {
    const key = keyPair();
    const onSqlite = await script(engines.sqliteUow(NOW), key);
    const onPg = await script(engines.pgUow(NOW), key);
    expect(onPg).toEqual(onSqlite);
    // Not merely equal: the script reached what it is about.
    expect(onPg.registered).toMatchObject({ ok: { created: true, organization_id: 10 } });
    expect(onPg.wrongSecret).toMatchObject({ error: 'UNAUTHORIZED' });
    expect(
      (onPg.raced as { ok: { created: boolean; host_id: number } }[])
        .map((r) => r.ok.created)
        .sort(),
    ).toEqual([false, true]);
    const [a, b] = onPg.raced as { ok: { host_id: number } }[];
    expect(a!.ok.host_id).toBe(b!.ok.host_id);
    expect(onPg.beat).toMatchObject({ ok: { agent_type: 'go' } });
    expect(onPg.replayed).toMatchObject({
      error: 'CONFLICT',
      message: expect.stringMatching(/replay/),
    });
    expect(onPg.next).toMatchObject({ ok: { agent_type: 'go' } });
    expect(onPg.legacyBeat).toMatchObject({ ok: { agent_type: 'legacy' } });
    const pgAudit = await auditOf(engines, true);
    expect(pgAudit).toEqual(await auditOf(engines, false));
    expect(pgAudit.map((e) => e.action)).toEqual([
      'host.registered',
      'host.registered',
      'host.reregistered',
    ]);
  });
});
