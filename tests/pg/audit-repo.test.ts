// The PostgreSQL audit append (issue 15, scale-out.md §4.3): entries buffered per transaction and
// chained at commit under the account's locked head. 2,000 appends from many concurrent
// transactions (SERIALIZABLE console writes retried, READ COMMITTED agent jobs waiting on the
// lock) must verify as one chain: seq 1..2000 without a gap, each entry linked to the one before.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../../main/core/actor';
import { AuditChain, chainFields, GENESIS_HASH, linkHash } from '../../main/core/audit';
import { createPgClient, createPgPool } from '../../main/db/pg/database';
import { createPgReposB } from '../../main/db/pg/repos';
import { PgAuditTrailRepo } from '../../main/db/pg/repos/audit-trail';
import { PgUnitOfWork } from '../../main/db/pg/uow';
import type { TxHooks } from '../../main/core/uow';
import type { Repos } from '../../main/repos';
import { listAuditInput } from '../../shared/schemas/audit.schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

type AuditOnly = Pick<Repos, 'audit' | 'afterCommit'>;

describe.skipIf(!pgAvailable)('PostgreSQL audit repository', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  const chain = AuditChain.fromKey(randomBytes(32));
  let t = 1_700_000_000_000;
  const clock = { now: () => t++ };

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });
  beforeEach(async () => {
    db = await createTestDatabase(env.available ? env.url : '');
    pool = createPgPool(db.url, { max: 16 });
  });
  afterEach(async () => {
    await pool.end();
    // pool.end() resolves before the server has closed every backend; DROP … WITH (FORCE) would
    // then terminate the stragglers and their clients throw (57P01) after the test.
    const c = createPgClient(env.available ? env.url : '');
    await c.connect();
    for (let i = 0; i < 200; i++) {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [db.name],
      );
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await c.end();
    await db.drop();
  });

  const uowWith = (maxAttempts = 5) =>
    new PgUnitOfWork<AuditOnly>(pool, (tx) => createPgReposB(tx, { chain, clock }), {
      maxAttempts,
      backoffBaseMs: 2,
      backoffCapMs: 50,
    });

  const user = (userId: number, label: string): Actor => ({
    ...systemActor(1),
    via: 'session',
    userId,
    label,
  });

  /** Walks one account's chain by seq: the problems found, none when it is one unforked chain. */
  const verify = async (accountId: number) => {
    const { rows } = await pool.query(
      `SELECT id, at, account_id AS "accountId", organization_id AS "organizationId",
              actor_user_id AS "actorUserId", actor_label AS "actorLabel", action,
              target_type AS "targetType", target_id AS "targetId", details,
              prev_hash AS "prevHash", hash, seq
         FROM audit_entries WHERE account_id = $1 ORDER BY seq`,
      [accountId],
    );
    const problems: string[] = [];
    let prev = GENESIS_HASH;
    rows.forEach((r: Parameters<typeof chainFields>[0], i: number) => {
      if (r.seq !== i + 1) problems.push(`seq ${r.seq} at position ${i + 1}`);
      if (r.prevHash !== prev) problems.push(`seq ${r.seq} does not link to the entry before`);
      if (!chain.verifies(chainFields(r), r.hash)) problems.push(`seq ${r.seq} does not verify`);
      prev = linkHash(r.hash);
    });
    const head = await pool.query('SELECT seq, hash FROM audit_heads WHERE account_id = $1', [
      accountId,
    ]);
    if (rows.length > 0 && (head.rows[0]?.seq !== rows.length || head.rows[0]?.hash !== prev)) {
      problems.push('the head is not the last entry');
    }
    return { count: rows.length, problems };
  };

  /**
   * AUD-2: the (account, org) pairs whose kept count (audit_counts) differs from a count of the
   * entries now, as "account/org kept≠counted"; none when the triggers kept every one.
   */
  const keptCountErrors = async () => {
    const { rows } = await pool.query<{ pair: string }>(
      `SELECT coalesce(c.account_id, e.account_id) || '/' || coalesce(c.organization_id, e.org)
                || ' ' || coalesce(c.entries, 0) || '≠' || coalesce(e.n, 0) AS pair
         FROM audit_counts c
         FULL JOIN (SELECT account_id, coalesce(organization_id, 0) AS org, count(*) AS n
                      FROM audit_entries GROUP BY 1, 2) e
           ON e.account_id = c.account_id AND e.org = c.organization_id
        WHERE coalesce(c.entries, 0) <> coalesce(e.n, 0) ORDER BY 1`,
    );
    return rows.map((r) => r.pair);
  };

  it('2,000 concurrent appends from 250 transactions verify as one unforked chain', async () => {
    // Serializable writes lose the head to each other and retry; give them room to.
    const uow = uowWith(200);
    const perTx = 8;
    const txs = Array.from({ length: 250 }, (_, i) => {
      const work = async (r: AuditOnly) => {
        for (let k = 0; k < perTx; k++) {
          await r.audit.record(systemActor(1), {
            accountId: 1,
            action: 'test.append',
            targetType: 'test',
            targetId: `${i}.${k}`,
          });
        }
      };
      // Half console writes (SERIALIZABLE), half agent jobs (READ COMMITTED, recordSync).
      return i % 2 === 0
        ? uow.write(work)
        : uow.agentBatch((r) => {
            for (let k = 0; k < perTx; k++) {
              r.audit.recordSync(systemActor(1), {
                accountId: 1,
                action: 'test.append',
                targetType: 'test',
                targetId: `${i}.${k}`,
              });
            }
          });
    });
    await Promise.all(txs);
    const { count, problems } = await verify(1);
    expect(problems).toEqual([]);
    expect(count).toBe(2000);
    // AUD-2: the count the triggers keep moved with every one of those racing appends.
    expect(await keptCountErrors()).toEqual([]);
    expect(
      (await pool.query('SELECT entries FROM audit_counts WHERE account_id = 1')).rows,
    ).toEqual([{ entries: 2000 }]);
    // One transaction's entries are contiguous: they were chained under one lock.
    const { rows } = await pool.query<{ target_id: string }>(
      'SELECT target_id FROM audit_entries WHERE account_id = 1 ORDER BY seq',
    );
    for (let s = 0; s < rows.length; s += perTx) {
      const group = rows.slice(s, s + perTx).map((r) => r.target_id.split('.'));
      expect(new Set(group.map(([tx]) => tx)).size).toBe(1);
      expect(group.map(([, k]) => Number(k))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it('appends nothing of a transaction that rolls back, and chains several accounts in one', async () => {
    const uow = uowWith();
    await expect(
      uow.write(async (r) => {
        await r.audit.record(systemActor(1), { accountId: 1, action: 'a', targetType: 't' });
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_entries')).rows[0].n).toBe(0);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_heads')).rows[0].n).toBe(0);

    await uow.write(async (r) => {
      await r.audit.record(systemActor(2), { accountId: 2, action: 'b1', targetType: 't' });
      await r.audit.record(systemActor(1), { accountId: 1, action: 'a1', targetType: 't' });
      await r.audit.record(systemActor(2), { accountId: 2, action: 'b2', targetType: 't' });
    });
    expect(await verify(1)).toEqual({ count: 1, problems: [] });
    expect(await verify(2)).toEqual({ count: 2, problems: [] });
    const { rows } = await pool.query<{ action: string }>(
      'SELECT action FROM audit_entries WHERE account_id = 2 ORDER BY seq',
    );
    expect(rows.map((r) => r.action)).toEqual(['b1', 'b2']);
  });

  it('relabels an actor (GDPR-1) and the chain still verifies', async () => {
    const uow = uowWith();
    await uow.write(async (r) => {
      await r.audit.record(user(7, 'ann@example.com'), {
        accountId: 1,
        action: 'x',
        targetType: 't',
        details: { password: 'hunter2', note: 'kept' },
      });
      await r.audit.record(user(8, 'bob@example.com'), {
        accountId: 1,
        action: 'y',
        targetType: 't',
      });
      await r.audit.record(user(7, 'ann@example.com'), {
        accountId: 1,
        action: 'z',
        targetType: 't',
      });
    });
    expect(await uow.write((r) => r.audit.relabelActor(7, 'erased user'))).toBe(2);
    const { rows } = await pool.query<{ actor_label: string; details: string }>(
      'SELECT actor_label, details FROM audit_entries ORDER BY seq',
    );
    expect(rows.map((r) => r.actor_label)).toEqual([
      'erased user',
      'bob@example.com',
      'erased user',
    ]);
    // Redacted as on SQLite: the one derivation (entryFields) serves both engines.
    expect(JSON.parse(rows[0]!.details)).toEqual({ password: '[redacted]', note: 'kept' });
    expect(await verify(1)).toEqual({ count: 3, problems: [] });
    expect(await keptCountErrors()).toEqual([]);
  });

  it('keeps every account and org its entry count (AUD-2) through appends, rollbacks and deletes', async () => {
    const uow = uowWith();
    const entry = (accountId: number, organizationId?: number) => ({
      accountId,
      ...(organizationId === undefined ? {} : { organizationId }),
      action: 'test.count',
      targetType: 't',
    });
    await uow.write(async (r) => {
      for (let i = 0; i < 5; i++) await r.audit.record(systemActor(1), entry(1, 10));
      await r.audit.record(systemActor(1), entry(1, 11));
      await r.audit.record(systemActor(1), entry(1));
      await r.audit.record(systemActor(2), entry(2, 20));
    });
    await uow.agentBatch((r) => r.audit.recordSync(systemActor(1), entry(1, 11)));
    await expect(
      uow.write(async (r) => {
        await r.audit.record(systemActor(1), entry(1, 10));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const kept = async () =>
      (
        await pool.query<{ pair: string }>(
          `SELECT account_id || '/' || organization_id || '=' || entries AS pair
             FROM audit_counts ORDER BY account_id, organization_id`,
        )
      ).rows.map((r) => r.pair);
    expect(await kept()).toEqual(['1/0=1', '1/10=5', '1/11=2', '2/20=1']);
    expect(await keptCountErrors()).toEqual([]);

    // The trail's totals: kept for a whole scope, counted for a filtered one; both as count(*).
    const trails = new PgUnitOfWork<{ trail: PgAuditTrailRepo } & TxHooks>(pool, (tx) => ({
      trail: new PgAuditTrailRepo(tx),
    }));
    const total = (scope: { organizationId: number } | { accountId: number }, action?: string) =>
      trails.read(
        async (r) =>
          (
            await r.trail.page(
              scope,
              listAuditInput.parse({ limit: 2, ...(action ? { action } : {}) }),
            )
          ).total,
      );
    expect(await total({ organizationId: 10 })).toBe(5);
    expect(await total({ accountId: 1 })).toBe(8);
    expect(await total({ accountId: 2 })).toBe(1);
    expect(await total({ organizationId: 99 })).toBe(0);
    expect(await total({ accountId: 1 }, 'none.such')).toBe(0);
    expect(await total({ organizationId: 10 }, 'test.count')).toBe(5);
    expect(await total({ accountId: 1 }, 'test.*')).toBe(8);

    // Whatever else writes the table is followed too: a hand DELETE, a move, a TRUNCATE.
    await pool.query(
      'DELETE FROM audit_entries WHERE id IN (SELECT id FROM audit_entries WHERE organization_id = 10 LIMIT 2)',
    );
    await pool.query('UPDATE audit_entries SET organization_id = 12 WHERE organization_id = 11');
    expect(await keptCountErrors()).toEqual([]);
    expect(await total({ organizationId: 10 })).toBe(3);
    expect(await total({ organizationId: 12 })).toBe(2);
    await pool.query('TRUNCATE audit_entries');
    expect(await keptCountErrors()).toEqual([]);
    expect(await total({ accountId: 1 })).toBe(0);
  });
});
