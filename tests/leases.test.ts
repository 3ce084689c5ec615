// SCALE-2: the scheduled jobs run once across processes on one database, each under a named
// lease in worker_leases. Two processes here are two createServices over one database, each with
// its own connection (two replicas over one SQLite file or one PostgreSQL database), with one
// ManualClock; ticks are fired by hand.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../main/core/clock';
import { JobLease, leaseTtlFor } from '../main/core/lease';
import { PeriodicJob } from '../main/core/periodic-job';
import { FileKeyStore } from '../main/core/key-store';
import { SNAPSHOT_LEASE, SnapshotScheduler } from '../main/features/fleet/snapshot-scheduler';
import {
  DEFAULT_RETENTION_INTERVAL_MS,
  RETENTION_LEASE,
  RetentionScheduler,
} from '../main/features/governance/retention-scheduler';
import { HOST_COUNTS_LEASE, HostCountsScheduler } from '../main/features/hosts/host-status-counts';
import { createServices, type Services } from '../main/services';
import { t } from './fixtures/tables';
import { openTestStorage, type TestStorage } from './fixtures/test-storage';
import { createWorld, type World } from './fixtures/world';

const manualTimers = { setInterval: () => 'handle', clearInterval: () => {} };

/**
 * Interval timers fired by hand, and one-shot timers recorded with their delay (the lease's
 * early retry): `due()` is the pending one, `fire()` runs it.
 */
class RecordingTimers {
  private next = 1;
  readonly timeouts = new Map<number, { fn: () => void; ms: number }>();
  setInterval = () => 'interval';
  clearInterval = () => {};
  setTimeout = (fn: () => void, ms: number): unknown => {
    const h = this.next++;
    this.timeouts.set(h, { fn, ms });
    return h;
  };
  clearTimeout = (h: unknown) => void this.timeouts.delete(h as number);
  due(): { ms: number } | undefined {
    return [...this.timeouts.values()][0];
  }
  fire(): void {
    const [h, t] = [...this.timeouts.entries()][0]!;
    this.timeouts.delete(h);
    t.fn();
  }
}
const TTL = leaseTtlFor(DEFAULT_RETENTION_INTERVAL_MS);

let w: World;
let other: TestStorage;
let a: Services;
let b: Services;

beforeEach(async () => {
  w = await createWorld();
  a = w.services;
  other = await openTestStorage(w.dir, { guardTransactions: true, pgDatabase: w.pgDatabase });
  b = createServices({
    storage: other.storage,
    clock: w.clock,
    keys: new FileKeyStore(join(w.dir, 'master.key')),
  });
});
afterEach(async () => {
  await b.infra.offload.close();
  await other.stop();
  await w.close();
});

const holderOf = async (name: string) =>
  (await w.db.select().from(t.workerLeases)).find((l) => l.name === name)?.holder;

function retention(s: Services, reports: string[], label: string) {
  return new RetentionScheduler({
    governance: s.governance,
    clock: w.clock,
    timers: manualTimers,
    lease: s.infra.lease(RETENTION_LEASE, TTL),
    onReport: () => reports.push(label),
  });
}

describe('scheduled jobs under a lease (worker_leases)', () => {
  it('retention: one of two schedulers runs a pass; a killed holder is taken over once its lease ran out', async () => {
    const passes: string[] = [];
    const onA = retention(a, passes, 'A');
    const onB = retention(b, passes, 'B');
    await onA.tick();
    await onB.tick();
    expect(passes).toEqual(['A']);
    // The holder renews at each tick and keeps the job; the other never runs it meanwhile.
    w.clock.advance(DEFAULT_RETENTION_INTERVAL_MS);
    await onB.tick();
    await onA.tick();
    await onB.tick();
    expect(passes).toEqual(['A', 'A']);
    expect(await holderOf(RETENTION_LEASE)).toBe(a.infra.lease(RETENTION_LEASE, TTL).holder);

    // A is killed: it stops without giving its lease up.
    await onA.shutdown({ release: false });
    w.clock.advance(TTL - 1);
    await onB.tick();
    expect(passes).toEqual(['A', 'A']);
    w.clock.advance(1);
    await onB.tick();
    expect(passes).toEqual(['A', 'A', 'B']);
    expect(await holderOf(RETENTION_LEASE)).toBe(b.infra.lease(RETENTION_LEASE, TTL).holder);

    // A restarted process finds the job held; a clean shutdown of B hands it over at once.
    const restarted = retention(a, passes, 'A2');
    await restarted.tick();
    expect(passes).toEqual(['A', 'A', 'B']);
    await onB.shutdown();
    await restarted.tick();
    expect(passes).toEqual(['A', 'A', 'B', 'A2']);
  });

  it('support expiry, fleet snapshots and host counts: each runs in one process only', async () => {
    const expiries: string[] = [];
    const job = (s: Services, label: string) =>
      new PeriodicJob({
        run: async () => {
          await s.supportAccess.expireStale();
          expiries.push(label);
        },
        intervalMs: 5 * 60_000,
        timers: manualTimers,
        lease: s.infra.lease('support-expiry', leaseTtlFor(5 * 60_000)),
      });
    const [ea, eb] = [job(a, 'A'), job(b, 'B')];
    expect([await eb.tick(), await ea.tick(), await eb.tick()]).toEqual([true, false, true]);
    expect(expiries).toEqual(['B', 'B']);

    const snap = (s: Services) =>
      new SnapshotScheduler({
        snapshots: s.infra.fleetSnapshots,
        timers: manualTimers,
        lease: s.infra.lease(SNAPSHOT_LEASE, leaseTtlFor(10 * 60_000)),
      });
    const [sa, sb] = [snap(a), snap(b)];
    expect(await sa.tick()).not.toBeNull();
    expect(await sb.tick()).toBeNull();

    const counts = (s: Services) =>
      new HostCountsScheduler({
        counts: s.infra.hostCounts,
        clock: w.clock,
        timers: manualTimers,
        lease: s.infra.lease(HOST_COUNTS_LEASE, leaseTtlFor(15_000)),
      });
    const [ca, cb] = [counts(a), counts(b)];
    await cb.tick();
    await ca.tick();
    expect(await holderOf(HOST_COUNTS_LEASE)).toBe(b.infra.lease(HOST_COUNTS_LEASE, 1).holder);
    expect(await holderOf(SNAPSHOT_LEASE)).toBe(a.infra.lease(SNAPSHOT_LEASE, 1).holder);
    expect(await holderOf('support-expiry')).toBe(b.infra.lease('support-expiry', 1).holder);
    // Two processes, two holder names.
    expect(a.infra.lease('x', 1).holder).not.toBe(b.infra.lease('x', 1).holder);
  });
});

describe('lease takeover within its TTL (issue 15 target)', () => {
  const INTERVAL = 5 * 60_000;
  const JOB_TTL = leaseTtlFor(INTERVAL);

  it('a replica refused the lease tries again when the holder’s lease runs out (plus a margin), not at its next tick', async () => {
    const runs: string[] = [];
    const job = (s: Services, label: string, timers: RecordingTimers | typeof manualTimers) =>
      new PeriodicJob({
        run: async () => void runs.push(label),
        intervalMs: INTERVAL,
        timers,
        lease: s.infra.lease('support-expiry', JOB_TTL),
      });
    const onA = job(a, 'A', manualTimers);
    expect(await onA.tick()).toBe(true);
    const expiresAt = w.clock.now() + JOB_TTL;
    // Two thirds of an interval later B starts: its first attempt, at start, is refused, and it
    // arms a retry at A's expiry, which comes before its own next tick.
    w.clock.advance((INTERVAL * 2) / 3);
    const timers = new RecordingTimers();
    const onB = job(b, 'B', timers);
    onB.start();
    await onB.tick();
    expect(runs).toEqual(['A']);
    const retry = timers.due();
    expect(retry, 'a retry armed at the holder’s expiry').toBeDefined();
    const remaining = expiresAt - w.clock.now();
    expect(remaining).toBeLessThan(INTERVAL);
    expect(retry!.ms).toBeGreaterThanOrEqual(remaining + 50);
    expect(retry!.ms).toBeLessThan(remaining + 250);

    // A is killed (its lease is left to run out); at the retry B takes the job over.
    await onA.shutdown({ release: false });
    w.clock.advance(retry!.ms);
    timers.fire();
    await onB.tick();
    expect(runs).toEqual(['A', 'B']);
    expect(await holderOf('support-expiry')).toBe(b.infra.lease('support-expiry', 1).holder);
    // Holding it, B renews at its ticks: no retry pending; stopped, none is left behind.
    expect(timers.due()).toBeUndefined();
    onB.stop();
  });

  it('host counts (the failover row’s job): the same retry at the holder’s expiry', async () => {
    const interval = 15_000;
    const ttl = leaseTtlFor(interval);
    const counts = (s: Services, timers: RecordingTimers | typeof manualTimers) =>
      new HostCountsScheduler({
        counts: s.infra.hostCounts,
        clock: w.clock,
        timers,
        intervalMs: interval,
        lease: s.infra.lease(HOST_COUNTS_LEASE, ttl),
      });
    const onA = counts(a, manualTimers);
    await onA.tick();
    w.clock.advance(10_000);
    const timers = new RecordingTimers();
    const onB = counts(b, timers);
    await onB.start();
    const retry = timers.due();
    expect(retry, 'a retry armed at the holder’s expiry').toBeDefined();
    expect(retry!.ms).toBeGreaterThanOrEqual(ttl - 10_000 + 50);
    expect(retry!.ms).toBeLessThan(ttl - 10_000 + 250);
    w.clock.advance(retry!.ms);
    timers.fire();
    await onB.idle();
    expect(await holderOf(HOST_COUNTS_LEASE)).toBe(b.infra.lease(HOST_COUNTS_LEASE, 1).holder);
    onB.stop();
  });

  it('a holder whose renewal returned after the lease it wrote ran out does not run the pass', async () => {
    const runs: string[] = [];
    // The clock this process reads: the first reading of the next attempt is followed by a
    // pause of a TTL and a millisecond (a long GC pause, a statement stuck behind a lock).
    let pause = false;
    const pausing: Clock = {
      now: () => {
        const t = w.clock.now();
        if (pause) {
          pause = false;
          w.clock.advance(JOB_TTL + 1);
        }
        return t;
      },
    };
    const lease = new JobLease({
      uow: a.infra.uow,
      clock: pausing,
      name: 'support-expiry',
      holder: 'paused-replica',
      ttlMs: JOB_TTL,
    });
    const paused = new PeriodicJob({
      run: async () => void runs.push('paused'),
      intervalMs: INTERVAL,
      timers: manualTimers,
      lease,
    });
    expect(await paused.tick()).toBe(true);
    pause = true;
    // Its renewal wrote a lease that had run out by the time it returned: no pass.
    expect(await paused.tick()).toBe(false);
    expect(runs).toEqual(['paused']);
    // Meanwhile the job is free for another replica, which runs it.
    const other = new PeriodicJob({
      run: async () => void runs.push('B'),
      intervalMs: INTERVAL,
      timers: manualTimers,
      lease: b.infra.lease('support-expiry', JOB_TTL),
    });
    expect(await other.tick()).toBe(true);
    expect(runs).toEqual(['paused', 'B']);
  });

  it('a lease that does not outlast its job’s interval is refused when the job is built', () => {
    expect(
      () =>
        new PeriodicJob({
          run: async () => {},
          intervalMs: INTERVAL,
          lease: a.infra.lease('support-expiry', INTERVAL),
        }),
    ).toThrow(/must exceed the job's interval/);
  });
});
