// Issue 15 item 4 (SCALE-2), the scheduled jobs across replicas: two server processes on one
// PostgreSQL database both run the support-access expiry job, every second here
// (ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS), under the `support-expiry` lease. A grant that ends gets
// exactly one expiry entry however many passes and requests notice it; after `kill -9` of the
// lease holder a replica ticking far less often takes the job over as soon as the lease runs out
// (it learnt the expiry when refused), within the TTL and the retry's margin.
//
// Grants end by real time here (the replicas use the system clock) and the shortest grant the
// API gives lasts an hour, so a test moves a grant's end into the near past in the database
// itself, as the passing of that hour would have.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaseTtlFor } from '../../main/core/lease';
import {
  GRANT_EXPIRED,
  SUPPORT_EXPIRY_LEASE,
} from '../../main/features/support-access/support-access.expiry';
import { pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';
import {
  eventually,
  killReplica,
  startReplica,
  startReplicaSet,
  stopReplica,
  type ReplicaSet,
} from '../fixtures/replicas';

const INTERVAL_MS = 1000;
const TTL_MS = leaseTtlFor(INTERVAL_MS);
/** How late a replica's timer may fire on two shared, busy cores: one more interval. */
const TIMER_SLACK_MS = INTERVAL_MS;
const POLL_MS = 50;
/** A survivor's tick far longer than the dead holder's TTL (the takeover must not wait for it). */
const SLOW_INTERVAL_MS = 10_000;
/**
 * The most a refused replica waits after the holder's expiry before trying again (core/lease.ts
 * LEASE_RETRY_MARGIN_MS + LEASE_RETRY_JITTER_MS).
 */
const RETRY_MARGIN_MS = 250;

describe.skipIf(!pgAvailable)('scheduled jobs on two replicas of one PostgreSQL database', () => {
  let env: PgTestEnv;
  let w: ReplicaSet;
  let customerAdmin: string;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    w = await startReplicaSet(env.url, {
      env: { ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS: String(INTERVAL_MS) },
    });
    const customer = await w.api('/accounts', {
      method: 'POST',
      body: { name: 'Customer', admin_email: 'admin@customer.test', admin_name: 'Customer admin' },
    });
    expect(customer.status, customer.text).toBe(201);
    customerAdmin = customer.body.admin_token as string;
  }, 180_000);

  afterAll(async () => {
    await w?.close();
    if (env?.available) await env.release();
  }, 60_000);

  const asCustomer = (path: string, body: unknown, where: { to?: number; direct?: number }) =>
    w.api(`/support-access/${path}`, { method: 'POST', body, token: customerAdmin, ...where });

  /** A customer grant (SUP-1), its end moved to a moment ago. */
  const grantEndedNow = async (where: { to?: number; direct?: number }): Promise<number> => {
    const enabled = await asCustomer('enable', { duration_hours: 1 }, where);
    expect(enabled.status, enabled.text).toBe(200);
    const id = enabled.body.grant.id as number;
    const now = Date.now();
    await w.sql.query('UPDATE support_grants SET starts_at = $2, expires_at = $3 WHERE id = $1', [
      id,
      now - 60_000,
      now - 1,
    ]);
    return id;
  };

  /** The grant's expiry entries, as the customer's audit trail shows them (through the proxy). */
  const expiryEntries = async (
    grantId: number,
    where: { direct?: number } = {},
  ): Promise<number> => {
    const res = await w.api(
      `/audit?action=${GRANT_EXPIRED}&target_type=support_grant&target_id=${grantId}`,
      { token: customerAdmin, ...where },
    );
    expect(res.status, res.text).toBe(200);
    return (res.body as unknown[]).length;
  };

  const lease = async () => {
    const { rows } = await w.sql.query<{ holder: string; expires_at: string }>(
      'SELECT holder, expires_at FROM worker_leases WHERE name = $1',
      [SUPPORT_EXPIRY_LEASE],
    );
    return rows[0] && { holder: rows[0].holder, expiresAt: Number(rows[0].expires_at) };
  };
  /** Which replica a lease holder name is (core/lease.ts: `host:pid:random`). */
  const replicaOf = (holder: string) =>
    w.replicas.findIndex((r) => holder.split(':').at(-2) === String(r.pid));

  /** Waits until the holder has renewed its lease, i.e. run its pass, `passes` more times. */
  const morePasses = async (passes: number) => {
    const start = await eventually('a lease holder', lease);
    await eventually(
      `${passes} more passes of the job`,
      async () => {
        const now = await lease();
        return now && now.expiresAt >= start.expiresAt + passes * INTERVAL_MS ? true : undefined;
      },
      30_000,
      POLL_MS,
    );
  };

  it('a grant that ends gets exactly one expiry entry: both jobs and both replicas’ requests notice it at once (SUP-6)', async () => {
    const grants: number[] = [];
    for (let round = 0; round < 3; round++) {
      const id = await grantEndedNow({ direct: round % 2 });
      // Every support-access write records the account's due expiries first (the lazy path):
      // both replicas at the same moment, while their expiry jobs tick.
      const answers = await Promise.all([
        asCustomer('disable', {}, { direct: 0 }),
        asCustomer('disable', {}, { direct: 1 }),
      ]);
      expect(
        answers.map((a) => a.status),
        answers.map((a) => a.text).join('\n'),
      ).toEqual([200, 200]);
      grants.push(id);
    }
    for (const id of grants) {
      await eventually(`grant ${id}'s expiry entry`, async () =>
        (await expiryEntries(id)) > 0 ? true : undefined,
      );
    }
    // Three more passes of the job leave every count at one.
    await morePasses(3);
    for (const id of grants) expect(await expiryEntries(id), `grant ${id}`).toBe(1);
    const all = await w.sql.query<{ target_id: string; n: string }>(
      `SELECT target_id, count(*) AS n FROM audit_entries WHERE action = $1 GROUP BY target_id`,
      [GRANT_EXPIRED],
    );
    const counts = all.rows.map((r) => [Number(r.target_id), Number(r.n)]);
    expect(counts.sort((x, y) => x[0]! - y[0]!)).toEqual(grants.map((id) => [id, 1]));
    expect((await w.api('/audit/verify', { token: customerAdmin })).body.ok).toBe(true);
  });

  it('kill -9 of the lease holder: a replica whose tick is far off takes the job over when the lease runs out, within the TTL', async () => {
    const held = await eventually('a replica holding the lease', async () => {
      const now = await lease();
      return now && replicaOf(now.holder) >= 0 ? now : undefined;
    });
    const deadIndex = replicaOf(held.holder);
    // The one survivor ticks every SLOW_INTERVAL_MS, far longer than the holder's TTL: taken
    // over at its next tick (today's code), the job would wait up to that long after the kill.
    await stopReplica(w.replicas[1 - deadIndex]!);
    const slow = await startReplica(w.databaseUrl, {
      ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS: String(SLOW_INTERVAL_MS),
    });
    w.replicas.push(slow);
    const survivor = w.replicas.length - 1;
    // Its first attempt (at start) was refused: the holder renews meanwhile, and keeps it.
    await morePasses(1);
    expect(replicaOf((await lease())!.holder)).toBe(deadIndex);
    const killedAt = Date.now();
    await killReplica(w.replicas[deadIndex]!);
    // The dead holder's last lease: it renews nothing any more.
    const last = (await lease())!;
    expect(last.holder).toBe(held.holder);
    const taken = await eventually(
      'the other replica to take the lease',
      async () => {
        const now = await lease();
        return now && now.holder !== last.holder ? { ...now, seenAt: Date.now() } : undefined;
      },
      30_000,
      POLL_MS,
    );
    expect(replicaOf(taken.holder)).toBe(survivor);
    // When the survivor took it, by its own clock: never before the lease ran out (no two
    // holders), and right after, within the retry's margin (core/lease.ts; plus a timer's
    // lateness on busy cores), not at its next tick.
    const takenAt = taken.expiresAt - leaseTtlFor(SLOW_INTERVAL_MS);
    expect(takenAt).toBeGreaterThanOrEqual(last.expiresAt);
    expect(takenAt - last.expiresAt).toBeLessThanOrEqual(RETRY_MARGIN_MS + TIMER_SLACK_MS);
    // From the kill: within the lease's TTL and the margin.
    expect(taken.seenAt - killedAt).toBeLessThanOrEqual(
      TTL_MS + RETRY_MARGIN_MS + TIMER_SLACK_MS + POLL_MS,
    );
    // The job goes on there: a grant that ends now gets its one expiry entry from the survivor
    // (asked directly: the proxy's other two replicas are gone).
    const id = await grantEndedNow({ direct: survivor });
    await eventually(`grant ${id}'s expiry entry`, async () =>
      (await expiryEntries(id, { direct: survivor })) > 0 ? true : undefined,
    );
    await morePasses(1);
    expect(await expiryEntries(id, { direct: survivor })).toBe(1);
    const recorder = await w.sql.query<{ holder: string }>(
      'SELECT holder FROM worker_leases WHERE name = $1',
      [SUPPORT_EXPIRY_LEASE],
    );
    expect(replicaOf(recorder.rows[0]!.holder)).toBe(survivor);
  }, 90_000);
});
