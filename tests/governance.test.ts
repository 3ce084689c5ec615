import { TRPCError } from '@trpc/server';
import { and, count, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessService } from '../main/core/access';
import { DAY_MS, GovernanceService } from '../main/features/governance/governance.service';
import {
  RetentionScheduler,
  type IntervalTimers,
} from '../main/features/governance/retention-scheduler';
import { t } from './fixtures/tables';
import { sqliteOnly } from './fixtures/test-engine';
import { createWorld, type Caller, type World } from './fixtures/world';

let w: World;
let api: Caller;
beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>, code: TRPCError['code']): Promise<TRPCError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(TRPCError);
  expect((err as TRPCError).code).toBe(code);
  return err as TRPCError;
}

async function addHost(orgId: number): Promise<number> {
  const [loc] = await w.db
    .select()
    .from(t.locations)
    .where(eq(t.locations.organizationId, orgId))
    .orderBy(t.locations.id)
    .limit(1);
  const [host] = await w.db
    .insert(t.hosts)
    .values({
      organizationId: orgId,
      locationId: loc!.id,
      hostname: `h-${Math.random()}`,
      ip: '10.0.0.1',
      agentType: 'go',
      registeredAt: w.clock.now(),
    })
    .returning({ id: t.hosts.id });
  return host!.id;
}

/** Inserts recordings started `ageDays` ago, fast: a few hundred rows per statement. */
async function addRecordings(orgId: number, n: number, ageDays: number): Promise<void> {
  const started = w.clock.now() - ageDays * DAY_MS;
  const rows = Array.from({ length: n }, (_, i) => ({
    organizationId: orgId,
    hostId: null,
    userId: null,
    kind: 'terminal' as const,
    capture: 'metadata' as const,
    startedAt: started - i,
    sizeBytes: 100,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await w.db.insert(t.recordings).values(rows.slice(i, i + 500));
  }
}

const recordingsOf = async (orgId: number) =>
  (
    await w.db
      .select({ n: count() })
      .from(t.recordings)
      .where(eq(t.recordings.organizationId, orgId))
  )[0]!.n;

/** The audit entries of this action, oldest first. */
const entriesOf = (action: string) =>
  w.db
    .select()
    .from(t.auditEntries)
    .where(eq(t.auditEntries.action, action))
    .orderBy(t.auditEntries.id);

describe('GOV-2 retention', () => {
  it('null inherits the account default of 90 days; an account default change flows through', async () => {
    const org = await api.organizations.create({ name: 'A' });
    expect(await api.governance.settings({ organization_id: org.id })).toEqual({
      organization_id: org.id,
      recording_policy: 'metadata',
      recording_retention_days: null,
      effective_retention_days: 90,
      inherited: true,
      account_default_retention_days: 90,
      legal_hold: false,
      legal_hold_reason: null,
    });
    await api.governance.setAccountRetention({ default_retention_days: 30 });
    expect(await api.governance.settings({ organization_id: org.id })).toMatchObject({
      effective_retention_days: 30,
      inherited: true,
    });
    await api.organizations.update({ id: org.id, patch: { recording_retention_days: 7 } });
    expect(await api.governance.settings({ organization_id: org.id })).toMatchObject({
      recording_retention_days: 7,
      effective_retention_days: 7,
      inherited: false,
    });
    await api.organizations.update({ id: org.id, patch: { recording_retention_days: null } });
    expect(
      (await api.governance.settings({ organization_id: org.id })).effective_retention_days,
    ).toBe(30);
  });

  it('the cleanup keeps 89-day-old recordings and removes 91-day-old ones under the inherited 90', async () => {
    const org = await api.organizations.create({ name: 'A' });
    await addRecordings(org.id, 3, 89);
    await addRecordings(org.id, 4, 91);
    const report = await w.services.governance.runCleanup(w.clock.now());
    expect(report.organizations).toEqual([
      expect.objectContaining({
        organization_id: org.id,
        effective_retention_days: 90,
        deleted: 4,
        skipped: null,
      }),
    ]);
    expect(report.total_deleted).toBe(4);
    expect(await recordingsOf(org.id)).toBe(3);
  });

  it('the account default setter is for account admins only, validated and audited', async () => {
    const org = await api.organizations.create({ name: 'A' });
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await failure(
      orgAdmin.governance.setAccountRetention({ default_retention_days: 5 }),
      'FORBIDDEN',
    );
    const e = await failure(
      api.governance.setAccountRetention({ default_retention_days: 0 }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/default_retention_days must be at least 1/);
    await api.governance.setAccountRetention({ default_retention_days: 45 });
    const [entry] = await entriesOf('account.retention_updated');
    expect(JSON.parse(entry!.details)).toEqual({ default_retention_days: { from: 90, to: 45 } });
  });
});

describe('GOV-3 legal hold and the retention cleanup', () => {
  it('legal hold on: the cleanup removes nothing for that org and still cleans the others, reporting per org', async () => {
    const held = await api.organizations.create({ name: 'Held' });
    const free = await api.organizations.create({ name: 'Free' });
    const short = await api.organizations.create({ name: 'Short' });
    await api.organizations.update({
      id: held.id,
      patch: { legal_hold: true, legal_hold_reason: 'Case 42' },
    });
    await api.organizations.update({ id: short.id, patch: { recording_retention_days: 10 } });
    await addRecordings(held.id, 5, 400);
    await addRecordings(free.id, 6, 100);
    await addRecordings(free.id, 2, 5);
    await addRecordings(short.id, 3, 11);
    await addRecordings(short.id, 1, 9);
    const report = await api.governance.runCleanup();
    const byOrg = Object.fromEntries(report.organizations.map((o) => [o.name, o]));
    expect(byOrg.Held).toMatchObject({ deleted: 0, skipped: 'legal_hold' });
    expect(byOrg.Free).toMatchObject({ deleted: 6, skipped: null, effective_retention_days: 90 });
    expect(byOrg.Short).toMatchObject({ deleted: 3, effective_retention_days: 10 });
    expect(report.total_deleted).toBe(9);
    expect(await recordingsOf(held.id)).toBe(5);
    expect(await recordingsOf(free.id)).toBe(2);
    expect(await recordingsOf(short.id)).toBe(1);
    // Lifting the hold lets the next run clean that org too.
    await api.organizations.update({ id: held.id, patch: { legal_hold: false } });
    expect((await api.governance.runCleanup()).total_deleted).toBe(5);
    expect(await recordingsOf(held.id)).toBe(0);
  });

  it('deletes in bounded batches: more rows than one batch take several transactions', async () => {
    const org = await api.organizations.create({ name: 'Big' });
    await addRecordings(org.id, 1_201, 200);
    await addRecordings(org.id, 2, 1);
    const report = await w.services.governance.runCleanup(w.clock.now());
    expect(report.batch_size).toBe(500);
    expect(report.organizations[0]).toMatchObject({ deleted: 1_201, batches: 3 });
    expect(await recordingsOf(org.id)).toBe(2);
    // One audit entry per batch transaction, none over the batch size.
    const batches = (await entriesOf('recordings.retention_deleted')).map(
      (e) => (JSON.parse(e.details) as { deleted: number }).deleted,
    );
    expect(batches).toEqual([500, 500, 201]);
  });

  it('a legal hold committed between two batches of a cleanup stops it at the next batch (either engine)', async () => {
    const org = await api.organizations.create({ name: 'Held between batches' });
    await addRecordings(org.id, 1_201, 200);
    // The hold commits right before the second batch's write: each batch reads it inside its own.
    const real = w.services.infra.uow;
    let writes = 0;
    const uow: typeof real = Object.create(real) as typeof real;
    uow.write = async (fn) => {
      if (++writes === 2) {
        await api.organizations.update({
          id: org.id,
          patch: { legal_hold: true, legal_hold_reason: 'Litigation' },
        });
      }
      return real.write(fn);
    };
    const svc = new GovernanceService({ uow, clock: w.clock, access: new AccessService(w.clock) });
    const report = await svc.runCleanup(w.clock.now());
    expect(report.organizations[0]).toMatchObject({
      deleted: 500,
      batches: 1,
      skipped: 'legal_hold',
    });
    expect(await recordingsOf(org.id)).toBe(701);
  });

  it.skipIf(
    sqliteOnly(
      "the hold's request lands between the cleanup's batches only through SQLite's FIFO write " +
        'lock; on PostgreSQL the two run on their own connections in any order (the test above ' +
        'places it there on both engines)',
    ),
  )(
    'a legal hold placed while a cleanup runs stops it: no recording is deleted after the hold commits (issue 14)',
    async () => {
      const org = await api.organizations.create({ name: 'Held mid-run' });
      await addRecordings(org.id, 1_201, 200);
      // The cleanup starts first; the hold arrives while it runs. Each batch is its own write
      // with the hold read inside it, so the batches after the hold's commit find it.
      const [report] = await Promise.all([
        w.services.governance.runCleanup(w.clock.now()),
        api.organizations.update({
          id: org.id,
          patch: { legal_hold: true, legal_hold_reason: 'Litigation' },
        }),
      ]);
      const entries = await w.db
        .select()
        .from(t.auditEntries)
        .where(eq(t.auditEntries.organizationId, org.id))
        .orderBy(t.auditEntries.id);
      const holdAt = entries.find((e) => e.action === 'organization.updated')!.id;
      const deletedAfterHold = entries.filter(
        (e) => e.action === 'recordings.retention_deleted' && e.id > holdAt,
      );
      expect(deletedAfterHold).toEqual([]);
      expect(report.organizations[0]).toMatchObject({ skipped: 'legal_hold' });
      expect(await recordingsOf(org.id)).toBe(1_201 - report.organizations[0]!.deleted);
      expect(await recordingsOf(org.id)).toBeGreaterThan(0);
    },
  );

  it('honours a smaller injected batch size', async () => {
    const svc = new GovernanceService({
      uow: w.services.infra.uow,
      clock: w.clock,
      access: new AccessService(w.clock),
      cleanupBatchSize: 7,
    });
    const org = await api.organizations.create({ name: 'B' });
    await addRecordings(org.id, 15, 100);
    expect((await svc.runCleanup()).organizations[0]).toMatchObject({ deleted: 15, batches: 3 });
  });

  it('on demand it is for account admins, covers only their account, and is audited as them', async () => {
    const mine = await api.organizations.create({ name: 'Mine' });
    const other = await w.otherAccount();
    const theirs = await w.caller(other.admin).organizations.create({ name: 'Theirs' });
    await addRecordings(mine.id, 2, 100);
    await addRecordings(theirs.id, 2, 100);
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: mine.id }]),
    );
    await failure(orgAdmin.governance.runCleanup(), 'FORBIDDEN');
    const report = await api.governance.runCleanup();
    expect(report.organizations.map((o) => o.organization_id)).toEqual([mine.id]);
    expect(await recordingsOf(mine.id)).toBe(0);
    expect(await recordingsOf(theirs.id)).toBe(2);
    const [entry] = await entriesOf('recordings.retention_deleted');
    expect(entry).toMatchObject({ actorUserId: w.admin.userId, organizationId: mine.id });
    // The scheduled run (no account) covers everyone, as the system.
    await w.services.governance.runCleanup(w.clock.now());
    expect(await recordingsOf(theirs.id)).toBe(0);
    expect(
      (
        await w.db
          .select()
          .from(t.auditEntries)
          .where(
            and(
              eq(t.auditEntries.action, 'recordings.retention_deleted'),
              eq(t.auditEntries.organizationId, theirs.id),
            ),
          )
          .orderBy(t.auditEntries.id)
          .limit(1)
      )[0],
    ).toMatchObject({ actorUserId: null, actorLabel: 'system' });
  });

  it('a user cannot delete a recording under legal hold, with a clear reason; after the hold, they can', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const host = await addHost(org.id);
    const rec = await api.governance.createRecording({
      organization_id: org.id,
      host_id: host,
      user_id: w.admin.userId,
      kind: 'terminal',
      capture: 'metadata',
      started_at: w.clock.now() - 1000,
      size_bytes: 2048,
    });
    await api.organizations.update({
      id: org.id,
      patch: { legal_hold: true, legal_hold_reason: 'Litigation 7' },
    });
    const e = await failure(api.governance.deleteRecording({ id: rec.id }), 'CONFLICT');
    expect(e.message).toMatch(/under legal hold \(reason: Litigation 7\)/);
    expect(await recordingsOf(org.id)).toBe(1);
    await api.organizations.update({ id: org.id, patch: { legal_hold: false } });
    expect(await api.governance.deleteRecording({ id: rec.id })).toEqual({
      id: rec.id,
      deleted: true,
    });
    expect(await recordingsOf(org.id)).toBe(0);
    expect(await entriesOf('recording.deleted')).toHaveLength(1);
  });

  it('deleting needs governance.manage; foreign recordings are not found', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    await addRecordings(org.id, 1, 1);
    const id = (await w.db.select().from(t.recordings))[0]!.id;
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]));
    const e = await failure(tech.governance.deleteRecording({ id }), 'FORBIDDEN');
    expect(e.message).toMatch(/governance\.manage/);
    const other = await w.otherAccount();
    const f = await failure(w.caller(other.admin).governance.deleteRecording({ id }), 'NOT_FOUND');
    expect(f.message).toBe(`Recording ${id} not found`);
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await expect(orgAdmin.governance.deleteRecording({ id })).resolves.toMatchObject({ id });
  });

  it('legal hold and retention need governance.manage (an org admin has it, a technician not)', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const tech = w.caller(await w.userWith(w.accountId, [{ role: 'technician', orgId: org.id }]));
    await failure(
      tech.organizations.update({
        id: org.id,
        patch: { legal_hold: true, legal_hold_reason: 'x' },
      }),
      'FORBIDDEN',
    );
    const orgAdmin = w.caller(
      await w.userWith(w.accountId, [{ role: 'org_admin', orgId: org.id }]),
    );
    await expect(
      orgAdmin.organizations.update({
        id: org.id,
        patch: { legal_hold: true, legal_hold_reason: 'x', recording_retention_days: 3 },
      }),
    ).resolves.toMatchObject({ legal_hold: true, recording_retention_days: 3 });
  });
});

describe('GOV-1 recordings', () => {
  it('are created under the org policy, listed newest first and paginated', async () => {
    const org = await api.organizations.create({ name: 'Acme' });
    const host = await addHost(org.id);
    const base = { organization_id: org.id, host_id: host, kind: 'terminal' as const };
    // Default policy: metadata only.
    const e = await failure(
      api.governance.createRecording({ ...base, capture: 'full', started_at: w.clock.now() }),
      'BAD_REQUEST',
    );
    expect(e.message).toMatch(/capture full is not allowed/);
    for (let i = 0; i < 3; i++) {
      await api.governance.createRecording({
        ...base,
        capture: 'metadata',
        started_at: w.clock.now() - i * 1000,
        ended_at: new Date(w.clock.now()).toISOString(),
        size_bytes: i,
      });
    }
    await api.organizations.update({ id: org.id, patch: { recording_policy: 'full' } });
    await api.governance.createRecording({
      ...base,
      kind: 'remote_desktop',
      capture: 'full',
      started_at: new Date(w.clock.now() + 5000).toISOString(),
    });
    await api.organizations.update({ id: org.id, patch: { recording_policy: 'off' } });
    const off = await failure(
      api.governance.createRecording({ ...base, capture: 'metadata', started_at: w.clock.now() }),
      'CONFLICT',
    );
    expect(off.message).toMatch(/Recording is off/);

    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: org.id }]));
    const page = await reader.governance.recordings({ organization_id: org.id, limit: 2 });
    expect(page.total).toBe(4);
    expect(page.items.map((r) => r.kind)).toEqual(['remote_desktop', 'terminal']);
    expect(page.items[1]).toMatchObject({ size_bytes: 0, host_id: host, capture: 'metadata' });
    const rest = await reader.governance.recordings({
      organization_id: org.id,
      skip: 2,
      limit: 2,
    });
    expect(rest.items.map((r) => r.size_bytes)).toEqual([1, 2]);
  });

  it('the host must be of that org; a reader cannot create', async () => {
    const a = await api.organizations.create({ name: 'A' });
    const b = await api.organizations.create({ name: 'B' });
    const hostB = await addHost(b.id);
    const e = await failure(
      api.governance.createRecording({
        organization_id: a.id,
        host_id: hostB,
        kind: 'terminal',
        capture: 'metadata',
        started_at: w.clock.now(),
      }),
      'NOT_FOUND',
    );
    expect(e.message).toBe(`Host ${hostB} not found in this organization`);
    const reader = w.caller(await w.userWith(w.accountId, [{ role: 'reader', orgId: a.id }]));
    await failure(
      reader.governance.createRecording({
        organization_id: a.id,
        host_id: await addHost(a.id),
        kind: 'terminal',
        capture: 'metadata',
        started_at: w.clock.now(),
      }),
      'FORBIDDEN',
    );
  });
});

describe('GOV-3 RetentionScheduler', () => {
  class FakeTimers implements IntervalTimers {
    handles = new Map<number, { fn: () => void; ms: number }>();
    private next = 1;
    setInterval(fn: () => void, ms: number): unknown {
      const h = this.next++;
      this.handles.set(h, { fn, ms });
      return h;
    }
    clearInterval(handle: unknown): void {
      this.handles.delete(handle as number);
    }
    fire(): void {
      for (const { fn } of this.handles.values()) fn();
    }
  }

  it('runs the cleanup on each tick with the injected clock, and stops cleanly', async () => {
    const org = await api.organizations.create({ name: 'A' });
    const timers = new FakeTimers();
    const reports: number[] = [];
    const scheduler = new RetentionScheduler({
      governance: w.services.governance,
      clock: w.clock,
      intervalMs: 60_000,
      timers,
      onReport: (r) => reports.push(r.total_deleted),
    });
    scheduler.start();
    scheduler.start();
    expect(timers.handles.size).toBe(1);
    expect([...timers.handles.values()][0]!.ms).toBe(60_000);
    await addRecordings(org.id, 2, 80);
    timers.fire();
    await scheduler.settled();
    expect(reports).toEqual([0]);
    // Time moves on (the injected clock): the same recordings are now past retention.
    w.clock.advance(11 * DAY_MS);
    timers.fire();
    await scheduler.settled();
    expect(reports).toEqual([0, 2]);
    expect(await recordingsOf(org.id)).toBe(0);
    scheduler.stop();
    expect(scheduler.running).toBe(false);
    expect(timers.handles.size).toBe(0);
  });

  it('reports an error instead of throwing into the timer', async () => {
    const timers = new FakeTimers();
    const errors: unknown[] = [];
    const scheduler = new RetentionScheduler({
      governance: {
        runCleanup: () => {
          throw new Error('disk full');
        },
      },
      clock: w.clock,
      timers,
      onError: (e) => errors.push(e),
    });
    scheduler.start();
    expect(() => timers.fire()).not.toThrow();
    await scheduler.settled();
    expect(errors).toEqual([new Error('disk full')]);
    scheduler.stop();
    expect(
      () =>
        new RetentionScheduler({
          governance: w.services.governance,
          clock: w.clock,
          intervalMs: 0,
        }),
    ).toThrow(RangeError);
  });
});
