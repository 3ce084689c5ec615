// UI-12: the fleet overview (totals, the orgs needing attention) and the hourly health snapshots
// behind its chart: who sees what, the thresholds, idempotence per hour, retention, the schedule.
import type { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../main/core/access';
import { FleetSnapshots, HOUR_MS, hourOf } from '../main/features/fleet/fleet-snapshots';
import { attentionReasons, FleetService } from '../main/features/fleet/fleet.service';
import {
  SNAPSHOT_CHECK_INTERVAL_MS,
  SnapshotScheduler,
} from '../main/features/fleet/snapshot-scheduler';
import type { IntervalTimers } from '../main/features/governance/retention-scheduler';
import {
  ATTENTION_LIST_LIMIT,
  ATTENTION_OFFLINE_SHARE,
  ATTENTION_STALE_SHARE,
  MAX_HISTORY_HOURS,
  ONLINE_WITHIN_MS,
  SNAPSHOT_RETENTION_DAYS,
  STALE_AFTER_MS,
} from '../shared/constants';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

const DAY = 24 * HOUR_MS;
// 10:20 on a day: the snapshot of this hour is filed under 10:00.
const START = Date.UTC(2026, 2, 10, 10, 20);

let w: World;
let api: Caller;
const orgs: Record<string, { id: number; locationId: number }> = {};

async function org(name: string) {
  const o = await api.organizations.create({ name });
  orgs[name] = { id: o.id, locationId: o.default_location_id };
  return o.id;
}

let hostSeq = 0;
/**
 * Hosts in each health state, inserted as agents would leave them (AGT-3 by last-seen); each
 * with a hostname of its own (one host per hostname and org, AGT-1).
 */
async function addHosts(name: string, n: { online?: number; offline?: number; stale?: number }) {
  const { id, locationId } = orgs[name]!;
  const now = w.clock.now();
  const seen = {
    online: now - 1000,
    offline: now - ONLINE_WITHIN_MS - 60_000,
    stale: now - STALE_AFTER_MS - DAY,
  };
  const rows = (['online', 'offline', 'stale'] as const).flatMap((status) =>
    Array.from({ length: n[status] ?? 0 }, () => ({
      organizationId: id,
      locationId,
      hostname: `${name}-${status}-${hostSeq++}`,
      ip: '10.0.0.1',
      agentType: 'go' as const,
      registeredAt: now - 60 * DAY,
      lastSeenAt: seen[status],
    })),
  );
  if (rows.length > 0) await w.db.insert(t.hosts).values(rows);
}

beforeEach(async () => {
  w = await createWorld({ now: START });
  api = w.caller(w.admin);
  await org('Healthy');
  await org('Outage');
  await org('Forgotten');
  await org('Boundary');
  await org('Switched');
  await org('Gone');
  await addHosts('Healthy', { online: 10 });
  await addHosts('Outage', { online: 6, offline: 4 }); // 40 % offline
  await addHosts('Forgotten', { online: 9, stale: 1 }); // 10 % stale: exactly at the threshold
  await addHosts('Boundary', { online: 7, offline: 2 }); // 22 % offline: under it
  await addHosts('Gone', { online: 3 });
  await api.organizations.update({ id: orgs.Switched!.id, patch: { kill_switch: true } });
  await api.organizations.delete({ id: orgs.Gone!.id });
});
afterEach(() => w.close());

const code = (e: unknown) => (e as TRPCError).code;

describe('attention thresholds (shared/constants.ts)', () => {
  it('are a quarter offline and a tenth stale, each counted at the threshold itself', () => {
    expect(ATTENTION_OFFLINE_SHARE).toBe(0.25);
    expect(ATTENTION_STALE_SHARE).toBe(0.1);
    const on = { isActive: true, killSwitch: false };
    const stats = (offline: number, stale: number, total: number) => ({
      online: total - offline - stale,
      offline,
      stale,
      total,
    });
    expect(attentionReasons(on, stats(1, 0, 4))).toEqual(['offline_share']);
    expect(attentionReasons(on, stats(1, 0, 5))).toEqual([]);
    expect(attentionReasons(on, stats(0, 1, 10))).toEqual(['stale_share']);
    expect(attentionReasons(on, stats(0, 1, 11))).toEqual([]);
    expect(attentionReasons(on, stats(0, 0, 0))).toEqual([]);
    // A deactivated org is listed for being deactivated, not for its hosts going quiet.
    expect(attentionReasons({ isActive: false, killSwitch: true }, stats(4, 4, 8))).toEqual([
      'kill_switch',
      'deactivated',
    ]);
  });
});

describe('fleet.overview (UI-12)', () => {
  it('totals the active orgs and lists who needs attention, worst first', async () => {
    const o = await api.fleet.overview();
    expect(o.organizations).toEqual({ total: 6, active: 5, deactivated: 1 });
    // Gone's 3 hosts are not the fleet's: it is deactivated.
    expect(o.hosts).toEqual({ online: 32, offline: 6, stale: 1, total: 39 });
    expect(o.thresholds).toEqual({ offline_share: 0.25, stale_share: 0.1 });
    expect(o.attention.items.map((i) => [i.name, i.reasons])).toEqual([
      ['Outage', ['offline_share']],
      ['Forgotten', ['stale_share']],
      ['Switched', ['kill_switch']],
      ['Gone', ['deactivated']],
    ]);
    expect(o.attention.total).toBe(4);
    expect(o.attention.counts).toEqual({
      offline_share: 1,
      stale_share: 1,
      kill_switch: 1,
      deactivated: 1,
    });
    expect(o.attention.items[0]).toMatchObject({
      organization_id: orgs.Outage!.id,
      is_active: true,
      kill_switch: false,
      stats: { online: 6, offline: 4, stale: 0, total: 10 },
      offline_share: 0.4,
      stale_share: 0,
    });
    expect(o.generated_at).toBe(new Date(START).toISOString());
  });

  it("shows the account's support access to those who manage it, as one line", async () => {
    expect((await api.fleet.overview()).support_access).toEqual({
      active: false,
      expires_at: null,
      grants: 0,
    });
    await api.supportAccess.enable({ duration_hours: 2 });
    expect((await api.fleet.overview()).support_access).toEqual({
      active: true,
      expires_at: new Date(START + 2 * HOUR_MS).toISOString(),
      grants: 1,
    });
    const reader = await w.userWith(w.accountId, [{ role: 'reader', orgId: orgs.Outage!.id }]);
    expect((await w.caller(reader).fleet.overview()).support_access).toBeNull();
  });

  it('covers exactly the orgs the caller may read', async () => {
    const reader = await w.userWith(w.accountId, [
      { role: 'reader', orgId: orgs.Outage!.id },
      { role: 'technician', orgId: orgs.Healthy!.id },
    ]);
    const mine = await w.caller(reader).fleet.overview();
    expect(mine.organizations).toEqual({ total: 2, active: 2, deactivated: 0 });
    expect(mine.hosts).toEqual({ online: 16, offline: 4, stale: 0, total: 20 });
    expect(mine.attention.items.map((i) => i.name)).toEqual(['Outage']);

    // Another account's admin sees their own (empty) fleet, nothing of ours.
    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).fleet.overview();
    expect(theirs.organizations.total).toBe(0);
    expect(theirs.attention.items).toEqual([]);

    // A support engineer: nothing without a grant, the account's fleet read-only with one.
    const platform = await w.otherAccount('Platform');
    const engineer = await w.userWith(platform.accountId, [], { support: true });
    expect((await w.caller(engineer).fleet.overview()).organizations.total).toBe(0);
    await api.supportAccess.enable({ duration_hours: 1 });
    const granted = await w.caller(engineer).fleet.overview();
    expect(granted.organizations.total).toBe(6);
    expect(granted.support_access).toBeNull();
    w.clock.advance(HOUR_MS + 1);
    expect((await w.caller(engineer).fleet.overview()).organizations.total).toBe(0);
  });

  it(`lists at most ${ATTENTION_LIST_LIMIT} orgs and counts them all`, async () => {
    for (let i = 0; i < ATTENTION_LIST_LIMIT; i++) {
      const id = await org(`Paused ${String(i).padStart(2, '0')}`);
      await api.organizations.update({ id, patch: { kill_switch: true } });
    }
    const o = await api.fleet.overview();
    expect(o.attention.total).toBe(ATTENTION_LIST_LIMIT + 4);
    expect(o.attention.items).toHaveLength(ATTENTION_LIST_LIMIT);
    expect(o.attention.items[0]!.name).toBe('Outage');
    expect(o.attention.counts.kill_switch).toBe(ATTENTION_LIST_LIMIT + 1);
  });

  it('reads the stats in chunks, yielding to the event loop between them', async () => {
    let yields = 0;
    const fleet = new FleetService({
      uow: w.services.infra.uow,
      clock: w.clock,
      access: new AccessService(w.clock),
      supportAccess: w.services.supportAccess,
      chunk: 2,
      yieldNow: async () => {
        yields++;
      },
    });
    const o = await fleet.overview(w.admin);
    expect(o.hosts.total).toBe(39);
    expect(yields).toBe(2); // 6 orgs, 3 chunks
  });
});

describe('hourly snapshots and fleet.history (UI-12)', () => {
  const snapshots = () => w.services.infra.fleetSnapshots;
  const rows = () => w.db.select().from(t.orgHealthSnapshots);

  it('take one row per org and one per account, idempotent within the hour', async () => {
    const report = await snapshots().take();
    expect(report).toEqual({ hour: hourOf(START), organizations: 6, accounts: 1, deleted: 0 });
    expect(hourOf(START)).toBe(Date.UTC(2026, 2, 10, 10));
    expect(await rows()).toHaveLength(6);
    const account = await w.db.select().from(t.accountHealthSnapshots);
    // The account row is the sum over its active orgs, as the overview counts them.
    expect(account).toEqual([
      {
        accountId: w.accountId,
        hour: hourOf(START),
        organizations: 5,
        online: 32,
        offline: 6,
        stale: 1,
        total: 39,
      },
    ]);

    // Later in the same hour: hosts changed, yet the hour's snapshot stands and nothing is added.
    w.clock.advance(30 * 60_000);
    await addHosts('Healthy', { online: 5 });
    const again = await snapshots().take();
    expect(again).toMatchObject({ organizations: 0, accounts: 0 });
    expect(await rows()).toHaveLength(6);
    expect(await w.db.select().from(t.accountHealthSnapshots)).toEqual(account);

    // The next hour is a new snapshot.
    w.clock.advance(HOUR_MS);
    expect(await snapshots().take()).toMatchObject({ organizations: 6, accounts: 1 });
    expect(await rows()).toHaveLength(12);
  });

  it('a run cut short is finished by the next one, without touching what it wrote', async () => {
    let chunks = 0;
    const failing = new FleetSnapshots({
      uow: w.services.infra.uow,
      clock: w.clock,
      chunk: 2,
      yieldNow: async () => {
        if (++chunks === 2) throw new Error('process stopped');
      },
    });
    await expect(failing.take()).rejects.toThrow('process stopped');
    expect(await rows()).toHaveLength(4);
    expect(await w.db.select().from(t.accountHealthSnapshots)).toEqual([]);
    const before = await rows();
    await addHosts('Healthy', { offline: 1 });
    expect(await snapshots().take()).toMatchObject({ organizations: 2, accounts: 1 });
    expect(await rows()).toHaveLength(6);
    const after = await rows();
    for (const r of before) expect(after).toContainEqual(r);
  });

  it(`keep ${SNAPSHOT_RETENTION_DAYS} days and delete what is older`, async () => {
    await snapshots().take();
    w.clock.advance(SNAPSHOT_RETENTION_DAYS * DAY - HOUR_MS);
    expect((await snapshots().take()).deleted).toBe(0);
    w.clock.advance(HOUR_MS);
    // The first snapshot is now 7 days old: its 6 org rows and its account row go.
    expect((await snapshots().take()).deleted).toBe(7);
    expect(new Set((await rows()).map((r) => r.hour)).size).toBe(2);
  });

  it('answers the last 24 hours, oldest first, for the fleet and for one org', async () => {
    for (let h = 0; h < 30; h++) {
      await snapshots().take();
      if (h === 27) await addHosts('Outage', { offline: 2 });
      w.clock.advance(HOUR_MS);
    }
    w.clock.advance(-HOUR_MS);
    const fleet = await api.fleet.history();
    expect(fleet.organization_id).toBeNull();
    expect(fleet.points).toHaveLength(24);
    expect(fleet.to).toBe(new Date(hourOf(w.clock.now())).toISOString());
    expect(fleet.from).toBe(new Date(hourOf(w.clock.now()) - 23 * HOUR_MS).toISOString());
    expect(fleet.points[0]!.hour).toBe(fleet.from);
    // The newest point is this hour's snapshot: what the overview counts now (hosts age meanwhile).
    expect(fleet.points.at(-1)).toEqual({ hour: fleet.to, ...(await api.fleet.overview()).hosts });
    expect(fleet.points.map((p) => p.total)).toEqual([...Array(22).fill(39), 41, 41]);

    const one = await api.fleet.history({ organization_id: orgs.Outage!.id, hours: 3 });
    expect(one.points.map((p) => p.total)).toEqual([10, 12, 12]);
    expect((await api.fleet.history({ hours: MAX_HISTORY_HOURS })).points).toHaveLength(30);
    await expect(api.fleet.history({ hours: MAX_HISTORY_HOURS + 1 })).rejects.toThrow(
      /hours must be at most 168/,
    );
  });

  it("gives org-scoped users their active orgs' sum, and a foreign org is not found", async () => {
    await snapshots().take();
    const reader = await w.userWith(w.accountId, [
      { role: 'reader', orgId: orgs.Outage!.id },
      { role: 'reader', orgId: orgs.Gone!.id },
    ]);
    const mine = await w.caller(reader).fleet.history();
    // Gone is deactivated: out of the fleet, as in the overview.
    expect(mine.points).toEqual([{ hour: mine.to, online: 6, offline: 4, stale: 0, total: 10 }]);
    const gone = await w.caller(reader).fleet.history({ organization_id: orgs.Gone!.id });
    expect(gone.points.map((p) => p.total)).toEqual([3]);
    const err = await w
      .caller(reader)
      .fleet.history({ organization_id: orgs.Healthy!.id })
      .catch((e: unknown) => e);
    expect(code(err)).toBe('NOT_FOUND');
    const other = await w.otherAccount();
    expect((await w.caller(other.admin).fleet.history()).points).toEqual([]);
  });

  it('follow an org into its hard delete', async () => {
    await snapshots().take();
    const id = orgs.Switched!.id;
    await api.organizations.delete({ id, hard_delete: true });
    expect(
      await w.db
        .select()
        .from(t.orgHealthSnapshots)
        .where(eq(t.orgHealthSnapshots.organizationId, id)),
    ).toEqual([]);
  });
});

describe('SnapshotScheduler', () => {
  function manualTimers() {
    const registered: { fn: () => void; ms: number }[] = [];
    let cleared = 0;
    const timers: IntervalTimers = {
      setInterval: (fn, ms) => {
        registered.push({ fn, ms });
        return registered.length;
      },
      clearInterval: () => {
        cleared++;
      },
    };
    return { timers, registered, cleared: () => cleared };
  }

  it('takes a snapshot at start-up, then checks every 10 minutes; ticks never overlap', async () => {
    const t = manualTimers();
    const reports: unknown[] = [];
    const scheduler = new SnapshotScheduler({
      snapshots: w.services.infra.fleetSnapshots,
      timers: t.timers,
      onReport: (r) => reports.push(r),
    });
    scheduler.start();
    expect(t.registered.map((r) => r.ms)).toEqual([SNAPSHOT_CHECK_INTERVAL_MS]);
    expect(SNAPSHOT_CHECK_INTERVAL_MS).toBe(10 * 60_000);
    // The start-up snapshot is under way; a tick meanwhile joins it.
    const joined = scheduler.tick();
    expect(await joined).toMatchObject({ organizations: 6, accounts: 1 });
    expect(reports).toHaveLength(1);
    t.registered[0]!.fn();
    expect(await scheduler.tick()).toMatchObject({ organizations: 0, accounts: 0 });
    scheduler.stop();
    expect(t.cleared()).toBe(1);
    expect(scheduler.started).toBe(false);
  });

  it('reports an error and keeps going', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const scheduler = new SnapshotScheduler({
      snapshots: {
        take: () =>
          fail ? Promise.reject(new Error('disk full')) : Promise.resolve(null as never),
      },
      timers: manualTimers().timers,
      onError: (e) => errors.push(e),
    });
    expect(await scheduler.tick()).toBeNull();
    expect(errors).toEqual([new Error('disk full')]);
    fail = false;
    await scheduler.tick();
    expect(errors).toHaveLength(1);
  });
});
