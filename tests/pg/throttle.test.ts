// SCALE-2 on PostgreSQL: the sign-in throttle's table shared by two "replicas" (two pools, two
// units of work) on one database. Attempts on one key arriving at once through both take their
// places one by one (lockKeys' FOR UPDATE, SERIALIZABLE retries): never more than the free five.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TxHooks } from '../../main/core/uow';
import { createPgPool } from '../../main/db/pg/database';
import { createPgReposScale } from '../../main/db/pg/repos';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import {
  DEFAULT_THROTTLE_POLICY as P,
  DatabaseThrottleStore,
  SignInThrottle,
} from '../../main/features/auth/throttle';
import type { ThrottleRepo } from '../../main/features/auth/throttle.repo';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type R = { throttle: ThrottleRepo } & TxHooks;
const keys = ['email:a@x.test', 'addr:192.0.2.1'];

describe.skipIf(!pgAvailable)('sign-in throttle on PostgreSQL', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pools: pg.Pool[];

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '');
    pools = [createPgPool(db.url, { max: 6 }), createPgPool(db.url, { max: 6 })];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  // Many attempts on one key: more retries than the default, as a burst on one row needs.
  const replica = (pool: pg.Pool) =>
    new SignInThrottle(
      {},
      new DatabaseThrottleStore(
        new PgUnitOfWork<R>(pool, (tx) => createPgReposScale(tx), { maxAttempts: 50 }),
      ),
    );
  const rows = async () =>
    (
      await pools[0]!.query<{ key: string; failed: number; in_flight: number }>(
        'SELECT key, failed, in_flight FROM sign_in_throttle ORDER BY key',
      )
    ).rows;

  it('20 attempts at once over two replicas: 5 places; their failures lock the key on both', async () => {
    const [a, b] = pools.map(replica) as [SignInThrottle, SignInThrottle];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).reserve(keys, 0)),
    );
    const tickets = results.flatMap((r) => (r.ok ? [r.ticket] : []));
    expect(tickets).toHaveLength(5);
    expect(await rows()).toEqual([
      { key: 'addr:192.0.2.1', failed: 0, in_flight: 5 },
      { key: 'email:a@x.test', failed: 0, in_flight: 5 },
    ]);
    await Promise.all(tickets.map((t, i) => (i % 2 ? a : b).fail(t, 0)));
    expect(await a.reserve(keys, 10)).toMatchObject({ ok: false, retryAfterMs: 990 });
    expect(await b.reserve(keys, 10)).toMatchObject({ ok: false, retryAfterMs: 990 });
    // A refused attempt leaves no placeholder row behind; a forgotten key's row is purged.
    const r = await b.reserve(['email:other@x.test'], 0);
    expect(r.ok).toBe(true);
    if (r.ok) await b.succeed(r.ticket, ['email:other@x.test']);
    expect((await rows()).map((x) => x.key)).toEqual(['addr:192.0.2.1', 'email:a@x.test']);
    const later = P.windowMs + 1;
    const probe = await a.reserve(['addr:198.51.100.1'], later);
    if (probe.ok) await a.release(probe.ticket, later);
    expect(await rows()).toEqual([]);
  });
});
