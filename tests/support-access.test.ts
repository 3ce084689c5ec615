import { TRPCError } from '@trpc/server';
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../main/core/actor';
import { appRouter } from '../main/trpc/router';
import { PUBLIC_PROCEDURES } from '../main/server/trpc-gate';
import { supportEngineerMutations } from '../main/trpc/procedures';

const SUPPORT_ENGINEER_MUTATIONS = supportEngineerMutations();
import { dropFailTrigger, failAuditEntry } from './fixtures/fail-trigger';
import { t } from './fixtures/tables';
import { createWorld, type Caller, type World } from './fixtures/world';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let w: World;
let api: Caller;
let orgId: number;
let platformAccountId: number;
let se: Actor;
let se2: Actor;

beforeEach(async () => {
  w = await createWorld();
  api = w.caller(w.admin);
  orgId = (await api.organizations.create({ name: 'Acme' })).id;
  platformAccountId = (await w.otherAccount('Platform support')).accountId;
  se = await w.userWith(platformAccountId, [], { support: true });
  se2 = await w.userWith(platformAccountId, [], { support: true });
});
afterEach(() => w.close());

async function failure(p: Promise<unknown>): Promise<{ code: string; field?: string | null }> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof TRPCError)) throw e;
    return { code: e.code, field: (e.cause as { field?: string } | undefined)?.field ?? null };
  }
  throw new Error('expected the call to fail');
}
const code = async (p: Promise<unknown>) => (await failure(p)).code;

/** What a support engineer can see of account A right now, through the ordinary org read. */
async function seesAcme(actor: Actor): Promise<boolean> {
  return w
    .caller(actor)
    .organizations.get({ id: orgId })
    .then(
      () => true,
      (e: TRPCError) => {
        if (e.code !== 'NOT_FOUND') throw e;
        return false;
      },
    );
}

function auditOf(action: string) {
  return w.db
    .select()
    .from(t.auditEntries)
    .where(and(eq(t.auditEntries.accountId, w.accountId), eq(t.auditEntries.action, action)))
    .orderBy(asc(t.auditEntries.id));
}

const grantCount = async () => (await w.db.select().from(t.supportGrants)).length;
const requestRow = async (id: number) =>
  (await w.db.select().from(t.supportRequests).where(eq(t.supportRequests.id, id)))[0];

/** Every support grant and request and every audit entry, in id order, as text. */
const dumpSupport = async () =>
  JSON.stringify([
    await w.db.select().from(t.supportGrants).orderBy(asc(t.supportGrants.id)),
    await w.db.select().from(t.supportRequests).orderBy(asc(t.supportRequests.id)),
    await w.db.select().from(t.auditEntries).orderBy(asc(t.auditEntries.id)),
  ]);

async function requestAndApprove(actor: Actor, hours = 24) {
  const req = await w
    .caller(actor)
    .supportAccess.request({ account_id: w.accountId, reason: 'ticket 7', duration_hours: hours });
  return api.supportAccess.approve({ id: req.id, reason: 'ok for ticket 7' });
}

describe('SUP-1 customer-enabled support access', () => {
  it('enables for 24 hours by default, for the whole support team, view-only', async () => {
    expect(await seesAcme(se)).toBe(false);
    const res = await api.supportAccess.enable();
    expect(res).toMatchObject({
      active: true,
      extended: false,
      expires_at: '2026-01-02T00:00:00.000Z',
    });
    expect(res.grant).toMatchObject({ kind: 'customer', engineer_user_id: null, active: true });
    expect(await seesAcme(se)).toBe(true);
    expect(await seesAcme(se2)).toBe(true);
    // view-only: even with the grant, an engineer's write is refused
    expect(await code(w.caller(se).locations.create({ organization_id: orgId, name: 'X' }))).toBe(
      'FORBIDDEN',
    );
  });

  it.each([
    [0, 'duration_hours'],
    [169, 'duration_hours'],
    [1.5, 'duration_hours'],
    ['24', 'duration_hours'],
    [-3, 'duration_hours'],
  ])('refuses duration_hours %s, naming the field', async (bad, field) => {
    const f = await failure(api.supportAccess.enable({ duration_hours: bad as number }));
    expect(f.code).toBe('BAD_REQUEST');
    const e = await api.supportAccess.enable({ duration_hours: bad as number }).catch((x) => x);
    expect(String(e.message)).toContain(field);
    expect(await grantCount()).toBe(0);
  });

  it('accepts exactly 1 hour and exactly 7 days', async () => {
    expect((await api.supportAccess.enable({ duration_hours: 1 })).expires_at).toBe(
      '2026-01-01T01:00:00.000Z',
    );
    await api.supportAccess.disable();
    expect((await api.supportAccess.enable({ duration_hours: 168 })).expires_at).toBe(
      '2026-01-08T00:00:00.000Z',
    );
  });

  it('needs support_access.manage: org admins and foreign admins cannot enable it here', async () => {
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId }]);
    expect(await code(w.caller(orgAdmin).supportAccess.enable())).toBe('FORBIDDEN');
    const other = await w.otherAccount();
    await w.caller(other.admin).supportAccess.enable();
    // The foreign admin enabled access to their own account only.
    expect((await api.supportAccess.status()).active).toBe(false);
    expect(await seesAcme(se)).toBe(false);
  });

  it('enabling while active extends the same grant, says so, and audits support_access.extended', async () => {
    const first = await api.supportAccess.enable({ duration_hours: 2, reason: 'ticket 1' });
    w.clock.advance(HOUR);
    const again = await api.supportAccess.enable({ duration_hours: 4, reason: 'needs longer' });
    expect(again.extended).toBe(true);
    expect(again.grant.id).toBe(first.grant.id);
    expect(again.previous_expires_at).toBe('2026-01-01T02:00:00.000Z');
    expect(again.expires_at).toBe('2026-01-01T05:00:00.000Z');
    expect(again.message).toMatch(/already active until 2026-01-01T02:00:00.000Z; extended to/);
    const [ext] = await auditOf('support_access.extended');
    expect(ext).toMatchObject({ actorUserId: w.admin.userId, targetId: String(first.grant.id) });
    expect(JSON.parse(ext!.details)).toEqual({
      from: '2026-01-01T02:00:00.000Z',
      to: '2026-01-01T05:00:00.000Z',
      duration_hours: 4,
      reason: 'needs longer',
    });
    // Asking for less than what is left changes nothing and records nothing.
    const shorter = await api.supportAccess.enable({ duration_hours: 1 });
    expect(shorter).toMatchObject({ extended: false, expires_at: '2026-01-01T05:00:00.000Z' });
    expect(shorter.message).toMatch(/nothing changed/);
    expect(await auditOf('support_access.extended')).toHaveLength(1);
    expect(await grantCount()).toBe(1);
  });
});

describe('SUP-2 status', () => {
  it('says whether access is active now, until when, and through which grants', async () => {
    expect(await api.supportAccess.status()).toEqual({
      account_id: w.accountId,
      active: false,
      expires_at: null,
      grants: [],
    });
    await api.supportAccess.enable({ duration_hours: 2 });
    await requestAndApprove(se, 5);
    const s = await api.supportAccess.status();
    expect(s.active).toBe(true);
    expect(s.expires_at).toBe('2026-01-01T05:00:00.000Z');
    expect(s.grants.map((g) => [g.kind, g.engineer_email])).toEqual([
      ['customer', null],
      ['request', expect.stringContaining('@test.example')],
    ]);
    w.clock.advance(2 * HOUR);
    expect((await api.supportAccess.status()).grants.map((g) => g.kind)).toEqual(['request']);
    w.clock.advance(3 * HOUR);
    expect(await api.supportAccess.status()).toMatchObject({ active: false, expires_at: null });
  });

  it('is for account admins, and for engineers only on an account they can read or asked for', async () => {
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId }]);
    expect(await code(w.caller(orgAdmin).supportAccess.status())).toBe('FORBIDDEN');
    const other = await w.otherAccount();
    expect(
      await code(w.caller(other.admin).supportAccess.status({ account_id: w.accountId })),
    ).toBe('NOT_FOUND');
    const seApi = w.caller(se);
    expect(await code(seApi.supportAccess.status())).toBe('BAD_REQUEST');
    expect(await code(seApi.supportAccess.status({ account_id: w.accountId }))).toBe('NOT_FOUND');
    // A pending request lets the engineer watch for the decision.
    await seApi.supportAccess.request({ account_id: w.accountId, reason: 'ticket 9' });
    expect(await seApi.supportAccess.status({ account_id: w.accountId })).toMatchObject({
      active: false,
      grants: [],
    });
    expect(await code(w.caller(se2).supportAccess.status({ account_id: w.accountId }))).toBe(
      'NOT_FOUND',
    );
    // An engineer sees the customer's grant and their own, never another engineer's.
    await requestAndApprove(se2, 3);
    await api.supportAccess.enable({ duration_hours: 1 });
    const mine = await w.caller(se2).supportAccess.status({ account_id: w.accountId });
    expect(mine.grants.map((g) => [g.kind, g.engineer_user_id])).toEqual([
      ['request', se2.userId],
      ['customer', null],
    ]);
    expect(mine.expires_at).toBe('2026-01-01T03:00:00.000Z');
    const theirs = await seApi.supportAccess.status({ account_id: w.accountId });
    expect(theirs.grants.map((g) => g.kind)).toEqual(['customer']);
  });
});

describe('SUP-3 disable and emergency disable', () => {
  it('disable ends the customer grant only; approved requests keep running', async () => {
    await api.supportAccess.enable();
    await requestAndApprove(se);
    const res = await api.supportAccess.disable({ reason: 'done' });
    expect(res.ended_grant_ids).toHaveLength(1);
    expect(res.message).toMatch(/1 approved engineer request still active/);
    expect(await seesAcme(se)).toBe(true);
    expect(await seesAcme(se2)).toBe(false);
    const [entry] = await auditOf('support_access.disabled');
    expect(entry).toMatchObject({ actorUserId: w.admin.userId });
    expect(JSON.parse(entry!.details)).toMatchObject({ kind: 'customer', reason: 'done' });
    const [row] = await w.db
      .select()
      .from(t.supportGrants)
      .where(eq(t.supportGrants.kind, 'customer'));
    expect(row).toMatchObject({ revokedAt: w.clock.now(), revokedByUserId: w.admin.userId });
    // Nothing to end: answered, not audited.
    const again = await api.supportAccess.disable();
    expect(again.ended_grant_ids).toEqual([]);
    expect(await auditOf('support_access.disabled')).toHaveLength(1);
  });

  it('emergency disable needs a reason', async () => {
    for (const input of [{}, { reason: '' }, { reason: '   ' }]) {
      const f = await failure(api.supportAccess.emergencyDisable(input as { reason: string }));
      expect(f.code).toBe('BAD_REQUEST');
      const e = await api.supportAccess
        .emergencyDisable(input as { reason: string })
        .catch((x) => x);
      expect(String(e.message)).toMatch(/reason/);
    }
  });

  it('emergency disable ends every grant and cancels every pending request, audited with the reason', async () => {
    const se3 = await w.userWith(platformAccountId, [], { support: true });
    await api.supportAccess.enable();
    await requestAndApprove(se);
    const pending = await w
      .caller(se2)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 8' });
    // Another account's grants and requests are untouched.
    const other = await w.otherAccount();
    await w.caller(other.admin).supportAccess.enable();
    const foreignReq = await w
      .caller(se3)
      .supportAccess.request({ account_id: other.accountId, reason: 'elsewhere' });

    const res = await api.supportAccess.emergencyDisable({ reason: 'suspected breach' });
    expect(res.revoked_grant_ids).toHaveLength(2);
    expect(res.cancelled_request_ids).toEqual([pending.id]);
    expect(res).toMatchObject({ active: false, grants: [] });
    expect(await seesAcme(se)).toBe(false);
    expect(await seesAcme(se2)).toBe(false);
    const mine = await w.db
      .select()
      .from(t.supportGrants)
      .where(eq(t.supportGrants.accountId, w.accountId));
    expect(mine.every((g) => g.revokeReason === 'suspected breach' && g.revokedAt !== null)).toBe(
      true,
    );
    expect(await requestRow(pending.id)).toMatchObject({
      status: 'cancelled',
      decisionReason: 'suspected breach',
    });
    // The other account is untouched.
    expect((await w.caller(other.admin).supportAccess.status()).active).toBe(true);
    expect(await requestRow(foreignReq.id)).toMatchObject({ status: 'pending' });
    const [summary] = await auditOf('support_access.emergency_disabled');
    expect(summary).toMatchObject({ actorUserId: w.admin.userId, actorLabel: 'admin@a.test' });
    expect(JSON.parse(summary!.details)).toEqual({
      reason: 'suspected breach',
      revoked_grant_ids: res.revoked_grant_ids,
      cancelled_request_ids: [pending.id],
    });
    expect(await auditOf('support_access.grant_revoked')).toHaveLength(2);
    expect(await auditOf('support_access.request_cancelled')).toHaveLength(1);
  });

  it('emergency disable is one transaction: if its last write fails, nothing changed', async () => {
    await api.supportAccess.enable();
    await requestAndApprove(se);
    await w.caller(se2).supportAccess.request({ account_id: w.accountId, reason: 'ticket 8' });
    // A real failure inside the database, at the very last statement of the use case.
    await failAuditEntry(w.db, 'fail_summary', 'support_access.emergency_disabled');
    const before = await dumpSupport();
    await expect(api.supportAccess.emergencyDisable({ reason: 'x' })).rejects.toThrow();
    expect(await dumpSupport()).toBe(before);
    expect(await seesAcme(se)).toBe(true);
  });
});

describe('SUP-4 requests by support engineers', () => {
  it('only support engineers request, with a reason, for an account that exists', async () => {
    const seApi = w.caller(se);
    expect(await code(api.supportAccess.request({ account_id: w.accountId, reason: 'mine' }))).toBe(
      'FORBIDDEN',
    );
    for (const bad of [{ reason: '' }, { reason: '  ' }, {}]) {
      const f = await failure(
        seApi.supportAccess.request({ account_id: w.accountId, ...bad } as never),
      );
      expect(f.code).toBe('BAD_REQUEST');
    }
    const e = await seApi.supportAccess
      .request({ account_id: w.accountId, reason: 'x', duration_hours: 169 })
      .catch((x) => x);
    expect(e.code).toBe('BAD_REQUEST');
    expect(e.message).toMatch(/duration_hours/);
    expect(await code(seApi.supportAccess.request({ account_id: 999_999, reason: 'x' }))).toBe(
      'NOT_FOUND',
    );
    const req = await seApi.supportAccess.request({ account_id: w.accountId, reason: 'ticket 5' });
    expect(req).toMatchObject({ status: 'pending', duration_hours: 24, reason: 'ticket 5' });
    expect(req.expires_at).toBe('2026-01-08T00:00:00.000Z');
    expect(
      await code(seApi.supportAccess.request({ account_id: w.accountId, reason: 'again' })),
    ).toBe('CONFLICT');
    // Asking gives no access.
    expect(await seesAcme(se)).toBe(false);
    const [entry] = await auditOf('support_access.requested');
    expect(entry).toMatchObject({ actorUserId: se.userId, targetId: String(req.id) });
    expect(JSON.parse(entry!.details)).toEqual({ reason: 'ticket 5', duration_hours: 24 });
  });

  it('admins list pending requests; approval gives that engineer access for the duration, counted from approval', async () => {
    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'slow hosts', duration_hours: 10 });
    const orgAdmin = await w.userWith(w.accountId, [{ role: 'org_admin', orgId }]);
    expect(await code(w.caller(orgAdmin).supportAccess.requests())).toBe('FORBIDDEN');
    expect(await code(w.caller(orgAdmin).supportAccess.approve({ id: req.id }))).toBe('FORBIDDEN');
    const list = await api.supportAccess.requests();
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      id: req.id,
      engineer_user_id: se.userId,
      status: 'pending',
    });

    w.clock.advance(3 * DAY);
    const approvedAt = w.clock.now();
    const res = await api.supportAccess.approve({ id: req.id, reason: 'go ahead' });
    expect(res.request).toMatchObject({ status: 'approved', grant_id: res.grant!.id });
    expect(res.grant).toMatchObject({ kind: 'request', engineer_user_id: se.userId });
    expect(Date.parse(res.grant!.starts_at)).toBe(approvedAt);
    expect(Date.parse(res.grant!.expires_at)).toBe(approvedAt + 10 * HOUR);
    expect(await seesAcme(se)).toBe(true);
    expect(await seesAcme(se2)).toBe(false);
    expect((await api.supportAccess.requests()).total).toBe(0);
    expect((await api.supportAccess.requests({ status: 'approved' })).total).toBe(1);
    expect(await code(api.supportAccess.approve({ id: req.id }))).toBe('CONFLICT');
    expect(await code(api.supportAccess.deny({ id: req.id }))).toBe('CONFLICT');
    const [entry] = await auditOf('support_access.approved');
    expect(JSON.parse(entry!.details)).toMatchObject({
      engineer_user_id: se.userId,
      duration_hours: 10,
      grant_id: res.grant!.id,
      reason: 'go ahead',
    });
    w.clock.advance(10 * HOUR - 1);
    expect(await seesAcme(se)).toBe(true);
    w.clock.advance(1);
    expect(await seesAcme(se)).toBe(false);
  });

  it('deny gives no access and is audited; a foreign admin cannot decide', async () => {
    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'curious' });
    const other = await w.otherAccount();
    expect(await code(w.caller(other.admin).supportAccess.approve({ id: req.id }))).toBe(
      'NOT_FOUND',
    );
    expect(await code(w.caller(other.admin).supportAccess.deny({ id: req.id }))).toBe('NOT_FOUND');
    const res = await api.supportAccess.deny({ id: req.id, reason: 'no ticket' });
    expect(res).toMatchObject({
      grant: null,
      request: { status: 'denied', decision_reason: 'no ticket' },
    });
    expect(await seesAcme(se)).toBe(false);
    expect(await grantCount()).toBe(0);
    expect(await auditOf('support_access.denied')).toHaveLength(1);
    const mine = await w.caller(se).supportAccess.myAccess();
    expect(mine.requests.map((r) => [r.id, r.status, r.decision_reason])).toEqual([
      [req.id, 'denied', 'no ticket'],
    ]);
    expect(mine.accounts).toEqual([]);
  });

  it('undecided requests expire after 7 days: read as expired at once, marked and audited by the job', async () => {
    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 3' });
    w.clock.advance(7 * DAY - 1);
    expect((await api.supportAccess.requests()).total).toBe(1);
    expect(await w.services.supportAccess.expireStale()).toEqual({
      expired_request_ids: [],
      expired_grant_ids: [],
    });
    w.clock.advance(1);
    // On read: no longer pending, shown as expired, before anything wrote to the database.
    expect((await api.supportAccess.requests()).total).toBe(0);
    const expired = await api.supportAccess.requests({ status: 'expired' });
    expect(expired.items.map((r) => [r.id, r.status])).toEqual([[req.id, 'expired']]);
    expect((await requestRow(req.id))!.status).toBe('pending');
    // The job marks it, once, with an audit entry by the system.
    expect((await w.services.supportAccess.expireStale()).expired_request_ids).toEqual([req.id]);
    expect((await w.services.supportAccess.expireStale()).expired_request_ids).toEqual([]);
    expect((await requestRow(req.id))!.status).toBe('expired');
    const entries = await auditOf('support_access.request_expired');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorUserId: null,
      actorLabel: 'system',
      targetId: String(req.id),
    });
    expect(await code(api.supportAccess.approve({ id: req.id }))).toBe('CONFLICT');
    // The engineer may ask again.
    await expect(
      w.caller(se).supportAccess.request({ account_id: w.accountId, reason: 'still needed' }),
    ).resolves.toMatchObject({ status: 'pending' });
  });

  it('approving a request that went stale is refused, and its expiry is still recorded', async () => {
    const req = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 4' });
    w.clock.advance(8 * DAY);
    const e = await api.supportAccess.approve({ id: req.id }).catch((x) => x);
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/already expired/);
    expect(await auditOf('support_access.request_expired')).toHaveLength(1);
    expect(await grantCount()).toBe(0);
  });

  it('a decision is one transaction with the expiries it records: if its last write fails, nothing changed', async () => {
    const stale = await w
      .caller(se)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 5' });
    w.clock.advance(4 * DAY);
    const fresh = await w
      .caller(se2)
      .supportAccess.request({ account_id: w.accountId, reason: 'ticket 6' });
    w.clock.advance(4 * DAY); // the first request is now past its 7 days, the second is not
    // A real failure inside the database, at the very last statement of the approval.
    await failAuditEntry(w.db, 'fail_approval', 'support_access.approved');
    const before = await dumpSupport();
    await expect(api.supportAccess.approve({ id: fresh.id })).rejects.toThrow();
    // Neither the grant nor the stale request's expiry (status and audit entry) stayed behind.
    expect(await dumpSupport()).toBe(before);
    expect(await auditOf('support_access.request_expired')).toHaveLength(0);
    await dropFailTrigger(w.db, 'fail_approval');
    await api.supportAccess.approve({ id: fresh.id });
    expect((await auditOf('support_access.request_expired')).map((e) => e.targetId)).toEqual([
      String(stale.id),
    ]);
  });

  it('grant expiry is audited once, by the job or by the next support-access write', async () => {
    await api.supportAccess.enable({ duration_hours: 1 });
    const { grant } = await requestAndApprove(se, 2);
    w.clock.advance(HOUR);
    const first = await w.services.supportAccess.expireStale();
    expect(first.expired_grant_ids).toHaveLength(1);
    expect((await w.services.supportAccess.expireStale()).expired_grant_ids).toEqual([]);
    w.clock.advance(HOUR);
    // Lazily: the next write of the account records the second expiry before its own entry.
    await api.supportAccess.enable({ duration_hours: 1 });
    const actions = (await api.audit.list({ action: 'support_access.' })).items.map((e) => [
      e.action,
      e.target_id,
    ]);
    expect(actions.slice(0, 2)).toEqual([
      ['support_access.enabled', expect.any(String)],
      ['support_access.grant_expired', String(grant!.id)],
    ]);
    expect(await auditOf('support_access.grant_expired')).toHaveLength(2);
    expect((await w.services.supportAccess.expireStale()).expired_grant_ids).toEqual([]);
  });
});

describe('SUP-5 enforcement on every call, never cached', () => {
  it('a grant expiring between two calls of the same engineer denies the second', async () => {
    await requestAndApprove(se, 1);
    const seApi = w.caller(se);
    expect((await seApi.organizations.list()).items.map((o) => o.name)).toEqual(['Acme']);
    await expect(seApi.organizations.get({ id: orgId })).resolves.toMatchObject({ name: 'Acme' });
    w.clock.advance(HOUR);
    expect((await seApi.organizations.list()).items).toEqual([]);
    expect(await code(seApi.organizations.get({ id: orgId }))).toBe('NOT_FOUND');
    expect(await code(seApi.locations.list({ organization_id: orgId }))).toBe('NOT_FOUND');
    expect(await code(seApi.audit.list({ account_id: w.accountId }))).toBe('NOT_FOUND');
  });

  it('emergency disable during an active session denies the very next call of that session', async () => {
    await api.supportAccess.enable();
    const token = await w.services.auth.issueToken(se.userId, 'session', 'engineer console');
    // Each call authenticates the token afresh, as the transports do.
    const call = async () => w.caller((await w.services.auth.authenticate(token))!);
    await expect((await call()).organizations.get({ id: orgId })).resolves.toMatchObject({
      id: orgId,
    });
    await expect((await call()).audit.list({ account_id: w.accountId })).resolves.toBeTruthy();
    // The same caller object, held across the change, is denied too: nothing is cached in it.
    const held = await call();
    await api.supportAccess.emergencyDisable({ reason: 'engineer laptop stolen' });
    expect(await code(held.organizations.get({ id: orgId }))).toBe('NOT_FOUND');
    expect(await code((await call()).organizations.get({ id: orgId }))).toBe('NOT_FOUND');
    expect((await (await call()).organizations.list()).items).toEqual([]);
  });

  it('disable (revocation) during an active session denies the next call', async () => {
    await api.supportAccess.enable();
    const seApi = w.caller(se);
    await expect(seApi.organizations.get({ id: orgId })).resolves.toBeTruthy();
    await api.supportAccess.disable();
    expect(await code(seApi.organizations.get({ id: orgId }))).toBe('NOT_FOUND');
  });

  it('no support grant ever allows a write: every mutation but request/logout is refused', async () => {
    await api.supportAccess.enable();
    await requestAndApprove(se);
    const procedures = (
      appRouter._def as unknown as { procedures: Record<string, { _def: { type: string } }> }
    ).procedures;
    const mutations = Object.entries(procedures)
      .filter(([, p]) => p._def.type === 'mutation')
      .map(([path]) => path);
    expect(mutations.length).toBeGreaterThan(10);
    const seApi = w.caller(se) as unknown as Record<
      string,
      Record<string, (i: unknown) => Promise<unknown>>
    >;
    // Public procedures take no actor (sign-in, SSO's start and exchange); they are not a
    // support engineer's write.
    const PUBLIC = PUBLIC_PROCEDURES;
    for (const path of mutations) {
      if (SUPPORT_ENGINEER_MUTATIONS.has(path) || PUBLIC.has(path)) continue;
      const [ns, name] = path.split('.') as [string, string];
      // Refused before input validation: even a nonsense input is never looked at.
      const e = (await seApi[ns]![name]!({}).catch((x: unknown) => x)) as TRPCError;
      expect([path, e?.code]).toEqual([path, 'FORBIDDEN']);
      expect(e.message).toMatch(/view-only/);
    }
  });
});

describe('SUP-6 every change is in the audit trail with who, when and why', () => {
  it('records enable, extend, disable, request, approve, deny, emergency and expiry', async () => {
    await api.supportAccess.enable({ duration_hours: 2, reason: 'ticket 1' });
    w.clock.advance(HOUR);
    await api.supportAccess.enable({ duration_hours: 3, reason: 'ticket 1 again' });
    await api.supportAccess.disable({ reason: 'fixed' });
    const r1 = await w.caller(se).supportAccess.request({ account_id: w.accountId, reason: 'a' });
    const r2 = await w.caller(se2).supportAccess.request({ account_id: w.accountId, reason: 'b' });
    await api.supportAccess.approve({ id: r1.id, reason: 'yes' });
    await api.supportAccess.deny({ id: r2.id, reason: 'no' });
    const r3 = await w.caller(se2).supportAccess.request({ account_id: w.accountId, reason: 'c' });
    w.clock.advance(8 * DAY);
    await w.services.supportAccess.expireStale();
    await api.supportAccess.emergencyDisable({ reason: 'audit' });
    const entries = (
      await api.audit.list({ action: 'support_access.*', limit: 100 })
    ).items.reverse();
    expect(entries.map((e) => e.action)).toEqual([
      'support_access.enabled',
      'support_access.extended',
      'support_access.disabled',
      'support_access.requested',
      'support_access.requested',
      'support_access.approved',
      'support_access.denied',
      'support_access.requested',
      'support_access.request_expired',
      'support_access.grant_expired',
      'support_access.emergency_disabled',
    ]);
    for (const e of entries) {
      expect(e.actor_label).toBeTruthy();
      expect(e.at).toMatch(/^2026-01-/);
      expect(e.details).toHaveProperty('reason');
    }
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
    expect(byAction['support_access.approved']).toMatchObject({
      actor_user_id: w.admin.userId,
      target_id: String(r1.id),
      details: { reason: 'yes' },
    });
    expect(byAction['support_access.request_expired']).toMatchObject({
      actor_label: 'system',
      target_id: String(r3.id),
    });
    expect(byAction['support_access.emergency_disabled']!.details).toMatchObject({
      reason: 'audit',
    });
    expect((await api.audit.verify()).ok).toBe(true);
  });
});

describe('SUP-5 / UI-6: a support engineer lands in one granted account', () => {
  it('organizations.list takes account_id: only that account, and an account without a grant reads as empty', async () => {
    await api.organizations.create({ name: 'Acme in A' });
    const other = await w.otherAccount('Account B');
    const otherApi = w.caller(other.admin);
    const bOrg = await otherApi.organizations.create({ name: 'Beta in B' });
    const noGrant = await w.otherAccount('Account C');
    await w.caller(noGrant.admin).organizations.create({ name: 'Gamma in C' });
    await api.supportAccess.enable({ duration_hours: 4 });
    await otherApi.supportAccess.enable({ duration_hours: 2 });
    const engineer = w.caller(se);

    const all = await engineer.organizations.list({ limit: 100 });
    expect(all.items.map((o) => o.name).sort()).toEqual(['Acme', 'Acme in A', 'Beta in B']);
    const inB = await engineer.organizations.list({ account_id: other.accountId, limit: 100 });
    expect(inB.items.map((o) => o.id)).toEqual([bOrg.id]);
    expect(inB.total).toBe(1);
    const inA = await engineer.organizations.list({ account_id: w.accountId, limit: 100 });
    expect(inA.items.map((o) => o.name)).toEqual(['Acme', 'Acme in A']);
    // No grant: nothing, exactly like an account that does not exist.
    for (const id of [noGrant.accountId, 999_999]) {
      expect(await engineer.organizations.list({ account_id: id })).toEqual({
        items: [],
        total: 0,
      });
    }
    // An account's own users: their account only.
    expect((await api.organizations.list({ account_id: other.accountId })).total).toBe(0);
    const own = await api.organizations.list({ account_id: w.accountId });
    expect(own.items.map((o) => o.name)).toEqual(['Acme', 'Acme in A']);
  });
});
