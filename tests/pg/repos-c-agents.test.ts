// Parity of the agents' repository (issue 15, group C): registration and heartbeat storage
// (AGT-1, AGT-2): the same script awaits both adapters of the port. Then the agents' conditional writes race
// on PostgreSQL in agentBatch's READ COMMITTED transactions: one hostname registered by two
// replicas at once makes one host; one signed heartbeat replayed at once passes once.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UnitOfWork } from '../../main/core/uow';
import { pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import {
  barrier,
  bothEngines,
  openEngines,
  type C,
  type Engines,
  type Seed,
} from './repos-c-harness';

const T0 = 1_750_000_000_000;
const blob = new Uint8Array([1, 2, 3]);

const SEED: Seed = [
  [
    'accounts',
    [
      { id: 1, name: 'one', createdAt: T0 },
      { id: 2, name: 'two', createdAt: T0, isActive: false },
    ],
  ],
  [
    'organizations',
    [
      [10, 1, 'Ten', true],
      [11, 1, 'Eleven', false],
      [20, 2, 'Twenty', true],
    ].map(([id, accountId, name, isActive]) => ({
      id,
      accountId,
      name,
      nameKey: String(name).toLowerCase(),
      searchText: String(name).toLowerCase(),
      isActive,
      secretCiphertext: blob,
      secretDigest: `d${id}`,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'locations',
    [
      [10, 10, true],
      [12, 10, false],
      [11, 11, true],
      [20, 20, true],
    ].map(([id, organizationId, isDefault]) => ({
      id,
      organizationId,
      name: `Loc ${id}`,
      nameKey: `loc ${id}`,
      isDefault,
      createdAt: T0,
      updatedAt: T0,
    })),
  ],
  [
    'hosts',
    [
      // id, org, location, hostname, agentType, lastSignedAt, duplicateOf
      [1, 10, 10, 'Web-1', 'go', null, null],
      [2, 10, 12, 'db', 'go', 1_750_000_000, null],
      [3, 20, 20, 'web-1', 'legacy', null, null],
      [4, 10, 10, 'WEB-1', 'go', null, 1],
      [5, 11, 11, 'old', 'legacy', null, null],
      [6, 10, 10, 'École-7', 'go', null, null],
      // Go hosts of a deactivated org (11) and of a deactivated account's org (20).
      [7, 11, 11, 'off-org', 'go', null, null],
      [8, 20, 20, 'off-account', 'go', null, null],
    ].map(([id, organizationId, locationId, hostname, agentType, lastSignedAt, duplicateOf]) => ({
      id,
      organizationId,
      locationId,
      hostname,
      ip: `10.0.0.${id}`,
      ipKey: `k${id}`,
      agentType,
      publicKey: agentType === 'go' ? `pk${id}` : null,
      registeredAt: T0 - 1000,
      lastSeenAt: T0 - 500,
      lastSignedAt,
      secretGeneration: id === 3 ? 2 : null,
      duplicateOf,
    })),
  ],
];

const values = (hostname: string, now: number) => ({
  hostname,
  ip: '192.0.2.7',
  ipKey: 'ipk',
  agentType: 'go' as const,
  publicKey: 'pk-new',
  now,
  secretGeneration: 1,
});

async function script(uow: UnitOfWork<C>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const log = (name: string, v: unknown) => {
    out[name] = v;
  };
  await uow.write(async (r) => {
    log('agents.hostByHostname', [
      await r.agents.hostByHostname(10, 'web-1'), // folded: Web-1, not its duplicate
      await r.agents.hostByHostname(10, 'DB'),
      await r.agents.hostByHostname(20, 'WEB-1'),
      await r.agents.hostByHostname(10, 'none'),
      // ASCII folding only, on both sides of the comparison: É stays É (SQLite's lower()).
      await r.agents.hostByHostname(10, 'ÉCOLE-7'),
      await r.agents.hostByHostname(10, 'école-7'),
    ]);
    log('agents.hostById', [await r.agents.hostById(2), await r.agents.hostById(99)]);
    log('agents.hostWithTenant', [
      await r.agents.hostWithTenant(1),
      await r.agents.hostWithTenant(3), // inactive account
      await r.agents.hostWithTenant(5), // inactive org
      await r.agents.hostWithTenant(99),
    ]);
    log('agents.hostInOrg', [
      await r.agents.hostInOrg(1, 10),
      await r.agents.hostInOrg(1, 20), // another org's host
    ]);
    log('agents.insertHostIfAbsent', [
      await r.agents.insertHostIfAbsent({
        ...values('new-host', T0),
        organizationId: 10,
        locationId: 12,
      }),
      await r.agents.insertHostIfAbsent({
        ...values('NEW-HOST', T0 + 1), // the same folded hostname: nothing written
        organizationId: 10,
        locationId: 10,
      }),
      await r.agents.insertHostIfAbsent({
        ...values('new-host', T0 + 2), // another org: its own
        organizationId: 20,
        locationId: 20,
      }),
      await r.agents.insertHostIfAbsent({
        ...values('db', T0 + 3),
        agentType: 'legacy',
        publicKey: null,
        ipKey: null,
        organizationId: 10,
        locationId: 10,
      }),
    ]);
    log(
      'agents.reregisterHost',
      await r.agents.reregisterHost(1, { ...values('web-1', T0 + 4), locationId: 12 }),
    );
    log('agents.useSignedSecond', [
      await r.agents.useSignedSecond(1, 1_750_000_100), // none yet
      await r.agents.useSignedSecond(1, 1_750_000_100), // the same second again
      await r.agents.useSignedSecond(2, 1_749_999_999), // earlier than the last
      await r.agents.useSignedSecond(2, 1_750_000_001),
      await r.agents.useSignedSecond(99, 1),
    ]);
    await r.agents.seenLegacy(3, T0 + 5, 3);
    await r.agents.seenLegacy(5, T0 + 5, null);
    await r.agents.seenLegacyMoved(3, {
      now: T0 + 6,
      ip: '198.51.100.1',
      ipKey: null,
      locationId: 20,
      secretGeneration: 2,
    });
    log('agents.seenLegacy', [await r.agents.hostById(3), await r.agents.hostById(5)]);
    log('agents.seenSigned', [
      await r.agents.seenSignedMoved(2, {
        now: T0 + 7,
        signedAt: 1_750_000_001, // used above: a replay
        ip: '203.0.113.9',
        ipKey: 'x',
        locationId: 10,
      }),
      await r.agents.seenSignedMoved(2, {
        now: T0 + 8,
        signedAt: 1_750_000_002,
        ip: '203.0.113.9',
        ipKey: 'x',
        locationId: 10,
      }),
      await r.agents.seenSignedMoved(99, {
        now: T0 + 8,
        signedAt: 1_750_000_002,
        ip: '203.0.113.9',
        ipKey: 'x',
        locationId: 10,
      }),
      // From the stored address: last seen and the signed second only.
      await r.agents.seenSigned(2, { now: T0 + 9, signedAt: 1_750_000_002 }), // a replay
      await r.agents.seenSigned(2, { now: T0 + 9, signedAt: 1_750_000_003 }),
      await r.agents.seenSigned(99, { now: T0 + 9, signedAt: 1_750_000_004 }),
    ]);
    log('agents.afterSigned', await r.agents.hostById(2));
    // The steady state's one statement: lands only for the same key, an active tenant, the
    // stored address (or none sent) and a later second; otherwise nothing is written.
    const steady = (id: number, signedAt: number, publicKey: string, ip: string | null) =>
      r.agents.seenSignedSteady(id, { now: T0 + 10, signedAt, publicKey, ip });
    log('agents.seenSignedSteady', [
      await steady(2, 1_750_000_004, 'pk2', '203.0.113.9'),
      await steady(2, 1_750_000_004, 'pk2', '203.0.113.9'), // a replay
      await steady(2, 1_750_000_005, 'pk-other', null), // not the key that verified
      await steady(2, 1_750_000_005, 'pk2', '198.51.100.3'), // moved: the full path's
      await steady(2, 1_750_000_005, 'pk2', null), // no address sent
      await steady(5, 1_750_000_005, 'pk5', null), // a legacy host
      await steady(7, 1_750_000_005, 'pk7', '10.0.0.7'), // org deactivated
      await steady(8, 1_750_000_005, 'pk8', '10.0.0.8'), // account deactivated
      await steady(99, 1_750_000_005, 'pk99', null), // no such host
    ]);
    log('agents.afterSteady', [
      await r.agents.hostById(2),
      await r.agents.hostById(7),
      await r.agents.hostById(8),
    ]);
    log('agents.accountOfOrg', [await r.agents.accountOfOrg(10), await r.agents.accountOfOrg(20)]);
  });
  return out;
}

describe.skipIf(!pgAvailable)('the agents repository: SQLite and PostgreSQL agree', () => {
  let env: PgTestEnv;
  let engines: Engines;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    engines = await openEngines(env.available ? env.url : '', SEED);
  });
  afterEach(async () => {
    await engines.close();
  });

  it('every method answers the same on both engines', async () => {
    const { onSqlite, onPg } = await bothEngines(engines, T0, script);
    for (const name of Object.keys(onSqlite)) {
      expect({ [name]: onPg[name] }).toEqual({ [name]: onSqlite[name] });
    }
    expect(Object.keys(onPg)).toEqual(Object.keys(onSqlite));
    // The script reached real rows, not a run of undefineds that agree.
    expect((onPg['agents.hostByHostname'] as { id: number }[])[0]!.id).toBe(1);
    expect((onPg['agents.insertHostIfAbsent'] as unknown[]).map((h) => h !== undefined)).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect(onPg['agents.useSignedSecond']).toEqual([true, false, false, true, false]);
    expect(onPg['agents.accountOfOrg']).toEqual([1, 2]);
    expect(onPg['agents.seenSignedSteady']).toEqual([
      { locationId: 10 },
      undefined,
      undefined,
      undefined,
      { locationId: 10 },
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(
      (onPg['agents.afterSteady'] as { lastSeenAt: number; lastSignedAt: number | null }[]).map(
        (h) => [h.lastSeenAt, h.lastSignedAt],
      ),
    ).toEqual([
      [T0 + 10, 1_750_000_005],
      [T0 - 500, null],
      [T0 - 500, null],
    ]);
  });

  /** Two agentBatch jobs at once (READ COMMITTED), each reading first, then `write`. */
  async function race<T>(read: (r: C) => Promise<unknown>, write: (r: C) => Promise<T>) {
    const uow = engines.pgUow(T0);
    const gate = barrier();
    let ready = 0;
    const one = () =>
      uow.agentBatch(async (r) => {
        await read(r);
        if (++ready === 2) gate.resolve();
        await gate.promise;
        return write(r);
      }) as Promise<T>;
    return Promise.all([one(), one()]);
  }

  it('one hostname registered by two replicas at once: one host, the other finds none written', async () => {
    const results = await race(
      (r) => r.agents.hostByHostname(10, 'raced'),
      (r) =>
        r.agents.insertHostIfAbsent({ ...values('Raced', T0), organizationId: 10, locationId: 10 }),
    );
    expect(results.filter((h) => h !== undefined)).toHaveLength(1);
    const { rows } = await engines.pool.query(
      "SELECT id FROM hosts WHERE organization_id = 10 AND lower(hostname) = 'raced'",
    );
    expect(rows).toHaveLength(1);
  });

  it('one signed heartbeat replayed at once: accepted once', async () => {
    const set = { now: T0, signedAt: 1_750_000_500 };
    const results = await race(
      (r) => r.agents.hostWithTenant(2),
      (r) => r.agents.seenSigned(2, set),
    );
    expect(results.sort()).toEqual([false, true]);
  });

  it('one key-change proof replayed at once: its signed second used once', async () => {
    const results = await race(
      (r) => r.agents.hostById(1),
      (r) => r.agents.useSignedSecond(1, 1_750_000_600),
    );
    expect(results.sort()).toEqual([false, true]);
  });
});
