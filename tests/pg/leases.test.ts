// SCALE-2 on PostgreSQL: the scheduled jobs' lease shared by two "replicas" (two pools) on one
// database: one holder at a time, renewed by its holder, taken over once it ran out, given up at
// a clean stop. Taken at once by many, it goes to exactly one.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../main/core/clock';
import { JobLease } from '../../main/core/lease';
import type { LeaseRepo } from '../../main/core/lease.repo';
import type { TxHooks } from '../../main/core/uow';
import { createPgPool } from '../../main/db/pg/database';
import { createPgReposScale } from '../../main/db/pg/repos';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type R = { leases: LeaseRepo } & TxHooks;

describe.skipIf(!pgAvailable)('job leases on PostgreSQL', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pools: pg.Pool[];
  const clock = new ManualClock(1_000_000);

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '');
    pools = [createPgPool(db.url, { max: 4 }), createPgPool(db.url, { max: 4 })];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  const lease = (pool: pg.Pool, holder: string) =>
    new JobLease({
      uow: new PgUnitOfWork<R>(pool, (tx) => createPgReposScale(tx), { maxAttempts: 20 }),
      clock,
      name: 'retention-cleanup',
      holder,
      ttlMs: 1000,
    });

  it('one holder; renewed; taken over after it ran out; handed over on release', async () => {
    const a = lease(pools[0]!, 'A');
    const b = lease(pools[1]!, 'B');
    expect(await a.take()).toBe(true);
    expect(await b.take()).toBe(false);
    clock.advance(900);
    expect(await a.take()).toBe(true);
    clock.advance(999);
    expect(await b.take()).toBe(false);
    clock.advance(1);
    expect(await b.take()).toBe(true);
    expect(await a.take()).toBe(false);
    await b.release();
    expect(await a.take()).toBe(true);
  });

  it('an attempt answers, from the same statement, who holds the lease and until when', async () => {
    const uow = (pool: pg.Pool) =>
      new PgUnitOfWork<R>(pool, (tx) => createPgReposScale(tx), { maxAttempts: 20 });
    const [ua, ub] = [uow(pools[0]!), uow(pools[1]!)];
    const T = 5_000_000;
    expect(await ua.write((r) => r.leases.attempt('job', 'A', T, T + 1000))).toEqual({
      taken: true,
      expiresAt: T + 1000,
    });
    expect(await ub.write((r) => r.leases.attempt('job', 'B', T + 10, T + 1010))).toEqual({
      taken: false,
      holder: 'A',
      expiresAt: T + 1000,
    });
    // Renewed by its holder; taken over once it ran out (`expires_at <= now`).
    expect(await ua.write((r) => r.leases.attempt('job', 'A', T + 500, T + 1500))).toEqual({
      taken: true,
      expiresAt: T + 1500,
    });
    expect(await ub.write((r) => r.leases.attempt('job', 'B', T + 1499, T + 2499))).toEqual({
      taken: false,
      holder: 'A',
      expiresAt: T + 1500,
    });
    expect(await ub.write((r) => r.leases.attempt('job', 'B', T + 1500, T + 2500))).toEqual({
      taken: true,
      expiresAt: T + 2500,
    });
    const { rows } = await pools[0]!.query<{ holder: string; expires_at: string }>(
      'SELECT holder, expires_at FROM worker_leases',
    );
    expect(rows.map((r) => [r.holder, Number(r.expires_at)])).toEqual([['B', T + 2500]]);
  });

  it('ten replicas taking it at once: exactly one holds it', async () => {
    const many = Array.from({ length: 10 }, (_, i) => lease(pools[i % 2]!, `R${i}`));
    const held = await Promise.all(many.map((l) => l.take()));
    expect(held.filter(Boolean)).toHaveLength(1);
  });
});
