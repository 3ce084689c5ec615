import { and, count, desc, eq, gt, isNull, lte, or, type SQL } from 'drizzle-orm';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict, forbidden, notFound } from '../../core/errors';
import type { Db } from '../../db/database';
import { accounts, supportGrants, supportRequests } from '../../db/schema';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  REQUEST_TTL_HOURS,
  decideSupportRequestInput,
  disableSupportInput,
  emergencyDisableInput,
  enableSupportInput,
  listSupportRequestsInput,
  requestSupportInput,
  supportStatusInput,
  type DecideSupportRequestInput,
  type DisableSupportInput,
  type DisableSupportResult,
  type EmergencyDisableInput,
  type EmergencyDisableResult,
  type EnableSupportInput,
  type EnableSupportResult,
  type ListSupportRequestsInput,
  type MyAccess,
  type RequestSupportInput,
  type SupportDecision,
  type SupportGrantKind,
  type SupportRequest,
  type SupportStatus,
  type SupportStatusInput,
} from '../../../shared/schemas/support-access.schema';
import { accountsWithExpiries, recordExpiries, type ExpiryResult } from './support-access.expiry';
import {
  HOUR_MS,
  engineerEmails,
  isGrantActive,
  statusOf,
  toGrant,
  toRequest,
  type GrantRow,
  type RequestRow,
} from './support-access.mapper';

export interface SupportAccessDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

const MANAGE = 'support_access.manage';

/**
 * SUP-1..6. Customers open their account to the support team for a while, or answer one
 * engineer's request; either way it is a grant row that AccessService reads on every call.
 */
export class SupportAccessService {
  constructor(private readonly d: SupportAccessDeps) {}

  private grantsOf(accountId: number, where?: SQL): GrantRow[] {
    return this.d.db
      .select()
      .from(supportGrants)
      .where(and(eq(supportGrants.accountId, accountId), where))
      .orderBy(supportGrants.id)
      .all();
  }

  /** Grants that are (or will be) in force: not revoked and not yet ended. */
  private liveGrants(accountId: number, now: number, where?: SQL): GrantRow[] {
    return this.grantsOf(
      accountId,
      and(isNull(supportGrants.revokedAt), gt(supportGrants.expiresAt, now), where),
    );
  }

  private requestRow(accountId: number, id: number): RequestRow {
    const row = this.d.db
      .select()
      .from(supportRequests)
      .where(and(eq(supportRequests.id, id), eq(supportRequests.accountId, accountId)))
      .get();
    if (!row) throw notFound('Support request', id);
    return row;
  }

  private ownPendingRequest(actor: Actor, accountId: number, now: number): RequestRow | undefined {
    return this.d.db
      .select()
      .from(supportRequests)
      .where(
        and(
          eq(supportRequests.accountId, accountId),
          eq(supportRequests.engineerUserId, actor.userId),
          eq(supportRequests.status, 'pending'),
          gt(supportRequests.expiresAt, now),
        ),
      )
      .get();
  }

  /**
   * SUP-2. Account admins see every grant of their account. A support engineer sees an account
   * while their access to it is active or their request for it is pending, and then only the
   * grants that apply to them (the customer's, and their own approved request).
   */
  status(actor: Actor, raw?: SupportStatusInput): SupportStatus {
    const input = supportStatusInput.parse(raw);
    const now = this.d.clock.now();
    if (!actor.isSupportEngineer) {
      const accountId = this.d.access.requireVisibleAccount(
        actor,
        MANAGE,
        input.account_id ?? actor.accountId,
      );
      return statusOf(this.d.db, accountId, this.liveGrants(accountId, now), now);
    }
    if (!input.account_id) {
      throw badRequest('account_id is required: name the customer account', 'account_id');
    }
    const accountId = input.account_id;
    const mine = this.liveGrants(
      accountId,
      now,
      or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, actor.userId)),
    );
    const visible =
      this.d.access.supportAccountIds(actor).includes(accountId) ||
      this.ownPendingRequest(actor, accountId, now) !== undefined;
    if (!visible) throw notFound('Account', accountId);
    return statusOf(this.d.db, accountId, mine, now);
  }

  /** SUP-1: enabling while a customer grant is active moves its end later, never earlier. */
  enable(actor: Actor, raw?: EnableSupportInput): EnableSupportResult {
    const input = enableSupportInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(actor, MANAGE);
    const now = this.d.clock.now();
    const until = now + input.duration_hours * HOUR_MS;
    return this.d.db.transaction(() => {
      recordExpiries(this.d.db, this.d.audit, accountId, now);
      const current = this.liveGrants(accountId, now, eq(supportGrants.kind, 'customer'))
        .filter((g) => isGrantActive(g, now))
        .sort((a, b) => b.expiresAt - a.expiresAt)[0];
      let grant: GrantRow;
      let message: string;
      let extended = false;
      if (current && until <= current.expiresAt) {
        grant = current;
        message = `Support access is already active until ${iso(current.expiresAt)}, later than the ${input.duration_hours} h asked for; nothing changed.`;
      } else if (current) {
        extended = true;
        grant = this.d.db
          .update(supportGrants)
          .set({ expiresAt: until })
          .where(eq(supportGrants.id, current.id))
          .returning()
          .get()!;
        message = `Support access was already active until ${iso(current.expiresAt)}; extended to ${iso(until)}.`;
        this.d.audit.record(actor, {
          accountId,
          action: 'support_access.extended',
          targetType: 'support_grant',
          targetId: grant.id,
          details: {
            from: iso(current.expiresAt),
            to: iso(until),
            duration_hours: input.duration_hours,
            reason: input.reason,
          },
        });
      } else {
        grant = this.d.db
          .insert(supportGrants)
          .values({
            accountId,
            kind: 'customer',
            grantedByUserId: actor.userId,
            reason: input.reason,
            startsAt: now,
            expiresAt: until,
          })
          .returning()
          .get();
        message = `Support access enabled until ${iso(until)}.`;
        this.d.audit.record(actor, {
          accountId,
          action: 'support_access.enabled',
          targetType: 'support_grant',
          targetId: grant.id,
          details: {
            duration_hours: input.duration_hours,
            expires_at: iso(until),
            reason: input.reason,
          },
        });
      }
      return {
        ...statusOf(this.d.db, accountId, this.liveGrants(accountId, now), now),
        grant: toGrant(grant, now, new Map()),
        extended,
        previous_expires_at: current ? iso(current.expiresAt) : null,
        message,
      };
    });
  }

  /** SUP-3: ends the customer-enabled grant; approved engineer requests keep running. */
  disable(actor: Actor, raw?: DisableSupportInput): DisableSupportResult {
    const input = disableSupportInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(actor, MANAGE);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      recordExpiries(this.d.db, this.d.audit, accountId, now);
      const ended = this.revoke(
        actor,
        this.liveGrants(accountId, now, eq(supportGrants.kind, 'customer')),
        input.reason,
        now,
        'support_access.disabled',
      );
      const status = statusOf(this.d.db, accountId, this.liveGrants(accountId, now), now);
      const remaining = status.grants.length;
      const message =
        (ended.length > 0
          ? 'Support access enabled by your account has ended.'
          : 'No customer-enabled support access was active; nothing changed.') +
        (remaining > 0
          ? ` ${remaining} approved engineer request${remaining === 1 ? '' : 's'} still active; use emergency disable to end every grant.`
          : '');
      return { ...status, ended_grant_ids: ended, message };
    });
  }

  private revoke(
    actor: Actor,
    grants: GrantRow[],
    reason: string | null,
    now: number,
    action: string,
  ): number[] {
    for (const g of grants) {
      this.d.db
        .update(supportGrants)
        .set({ revokedAt: now, revokedByUserId: actor.userId, revokeReason: reason })
        .where(eq(supportGrants.id, g.id))
        .run();
      this.d.audit.record(actor, {
        accountId: g.accountId,
        action,
        targetType: 'support_grant',
        targetId: g.id,
        details: {
          kind: g.kind,
          engineer_user_id: g.engineerUserId,
          was_active_until: iso(g.expiresAt),
          reason,
        },
      });
    }
    return grants.map((g) => g.id);
  }

  /** SUP-3: every grant of the account ends and every pending request is cancelled, at once. */
  emergencyDisable(actor: Actor, raw: EmergencyDisableInput): EmergencyDisableResult {
    const input = emergencyDisableInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(actor, MANAGE);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      recordExpiries(this.d.db, this.d.audit, accountId, now);
      const revoked = this.revoke(
        actor,
        this.liveGrants(accountId, now),
        input.reason,
        now,
        'support_access.grant_revoked',
      );
      const cancelled = this.d.db
        .update(supportRequests)
        .set({
          status: 'cancelled',
          decidedAt: now,
          decidedByUserId: actor.userId,
          decisionReason: input.reason,
        })
        .where(and(eq(supportRequests.accountId, accountId), eq(supportRequests.status, 'pending')))
        .returning()
        .all()
        .sort((a, b) => a.id - b.id);
      for (const r of cancelled) {
        this.d.audit.record(actor, {
          accountId,
          action: 'support_access.request_cancelled',
          targetType: 'support_request',
          targetId: r.id,
          details: { engineer_user_id: r.engineerUserId, reason: input.reason },
        });
      }
      const cancelledIds = cancelled.map((r) => r.id);
      this.d.audit.record(actor, {
        accountId,
        action: 'support_access.emergency_disabled',
        targetType: 'account',
        targetId: accountId,
        details: {
          reason: input.reason,
          revoked_grant_ids: revoked,
          cancelled_request_ids: cancelledIds,
        },
      });
      return {
        ...statusOf(this.d.db, accountId, this.liveGrants(accountId, now), now),
        revoked_grant_ids: revoked,
        cancelled_request_ids: cancelledIds,
        message: `Emergency disable: ${revoked.length} grant${revoked.length === 1 ? '' : 's'} ended and ${cancelledIds.length} pending request${cancelledIds.length === 1 ? '' : 's'} cancelled.`,
      };
    });
  }

  /** SUP-4: a support engineer asks a customer account for access. */
  request(actor: Actor, raw: RequestSupportInput): SupportRequest {
    if (!actor.isSupportEngineer) {
      throw forbidden(
        'Only platform support engineers request support access; account admins enable it instead',
      );
    }
    if (actor.readOnly) throw forbidden('A read-only token cannot request support access');
    const input = requestSupportInput.parse(raw);
    const account = this.d.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, input.account_id))
      .get();
    if (!account) throw notFound('Account', input.account_id);
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      recordExpiries(this.d.db, this.d.audit, account.id, now);
      const pending = this.ownPendingRequest(actor, account.id, now);
      if (pending) {
        throw conflict(
          `You already have pending request ${pending.id} for account ${account.id}; wait for a decision`,
          'account_id',
        );
      }
      const row = this.d.db
        .insert(supportRequests)
        .values({
          accountId: account.id,
          engineerUserId: actor.userId,
          reason: input.reason,
          durationHours: input.duration_hours,
          status: 'pending',
          createdAt: now,
          expiresAt: now + REQUEST_TTL_HOURS * HOUR_MS,
        })
        .returning()
        .get();
      this.d.audit.record(actor, {
        accountId: account.id,
        action: 'support_access.requested',
        targetType: 'support_request',
        targetId: row.id,
        details: { reason: input.reason, duration_hours: input.duration_hours },
      });
      return toRequest(row, now, new Map([[actor.userId, actor.label]]));
    });
  }

  /** SUP-4: the account's requests, pending ones by default, newest first. */
  requests(actor: Actor, raw?: ListSupportRequestsInput): Page<SupportRequest> {
    const input = listSupportRequestsInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(actor, MANAGE);
    const now = this.d.clock.now();
    const stale = and(eq(supportRequests.status, 'pending'), lte(supportRequests.expiresAt, now));
    const byStatus: SQL | undefined =
      input.status === 'all'
        ? undefined
        : input.status === 'pending'
          ? and(eq(supportRequests.status, 'pending'), gt(supportRequests.expiresAt, now))
          : input.status === 'expired'
            ? or(eq(supportRequests.status, 'expired'), stale)
            : eq(supportRequests.status, input.status);
    const where = and(eq(supportRequests.accountId, accountId), byStatus);
    const total = this.d.db.select({ n: count() }).from(supportRequests).where(where).get()?.n ?? 0;
    const rows = this.d.db
      .select()
      .from(supportRequests)
      .where(where)
      .orderBy(desc(supportRequests.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    const emails = engineerEmails(
      this.d.db,
      rows.map((r) => r.engineerUserId),
    );
    return { items: rows.map((r) => toRequest(r, now, emails)), total };
  }

  private decide(
    actor: Actor,
    raw: DecideSupportRequestInput,
    decision: 'approved' | 'denied',
  ): SupportDecision {
    const input = decideSupportRequestInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(actor, MANAGE);
    this.requestRow(accountId, input.id);
    const now = this.d.clock.now();
    // Its own transaction: the expiry stays on record even when the decision below is refused.
    this.d.db.transaction(() => recordExpiries(this.d.db, this.d.audit, accountId, now));
    return this.d.db.transaction(() => {
      const req = this.requestRow(accountId, input.id);
      if (req.status !== 'pending') {
        throw conflict(
          `Request ${req.id} is already ${req.status}; only a pending request can be approved or denied`,
        );
      }
      let grant: GrantRow | null = null;
      if (decision === 'approved') {
        // SUP-4: access is counted from approval, for the duration the engineer asked for.
        grant = this.d.db
          .insert(supportGrants)
          .values({
            accountId,
            kind: 'request',
            engineerUserId: req.engineerUserId,
            grantedByUserId: actor.userId,
            reason: req.reason,
            startsAt: now,
            expiresAt: now + req.durationHours * HOUR_MS,
          })
          .returning()
          .get();
      }
      const updated = this.d.db
        .update(supportRequests)
        .set({
          status: decision,
          decidedAt: now,
          decidedByUserId: actor.userId,
          decisionReason: input.reason,
          grantId: grant?.id ?? null,
        })
        .where(eq(supportRequests.id, req.id))
        .returning()
        .get()!;
      this.d.audit.record(actor, {
        accountId,
        action: `support_access.${decision}`,
        targetType: 'support_request',
        targetId: req.id,
        details: {
          engineer_user_id: req.engineerUserId,
          duration_hours: req.durationHours,
          grant_id: grant?.id ?? null,
          expires_at: grant ? iso(grant.expiresAt) : null,
          reason: input.reason,
        },
      });
      const emails = engineerEmails(this.d.db, [req.engineerUserId]);
      return {
        request: toRequest(updated, now, emails),
        grant: grant ? toGrant(grant, now, emails) : null,
      };
    });
  }

  approve(actor: Actor, raw: DecideSupportRequestInput): SupportDecision {
    return this.decide(actor, raw, 'approved');
  }

  deny(actor: Actor, raw: DecideSupportRequestInput): SupportDecision {
    return this.decide(actor, raw, 'denied');
  }

  /** A support engineer's own accounts and requests; for anyone else, empty. */
  myAccess(actor: Actor): MyAccess {
    if (!actor.isSupportEngineer) return { is_support_engineer: false, accounts: [], requests: [] };
    const now = this.d.clock.now();
    const active = this.d.db
      .select({ grant: supportGrants, accountName: accounts.name })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          isNull(supportGrants.revokedAt),
          lte(supportGrants.startsAt, now),
          gt(supportGrants.expiresAt, now),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, actor.userId)),
        ),
      )
      .all();
    const byAccount = new Map<
      number,
      { name: string; until: number; kinds: Set<SupportGrantKind> }
    >();
    for (const { grant, accountName } of active) {
      const seen = byAccount.get(grant.accountId) ?? {
        name: accountName,
        until: 0,
        kinds: new Set(),
      };
      seen.until = Math.max(seen.until, grant.expiresAt);
      seen.kinds.add(grant.kind);
      byAccount.set(grant.accountId, seen);
    }
    const requests = this.d.db
      .select()
      .from(supportRequests)
      .where(eq(supportRequests.engineerUserId, actor.userId))
      .orderBy(desc(supportRequests.id))
      .limit(200)
      .all();
    const emails = new Map([[actor.userId, actor.label]]);
    return {
      is_support_engineer: true,
      accounts: [...byAccount.entries()]
        .sort(([a], [b]) => a - b)
        .map(([accountId, a]) => ({
          account_id: accountId,
          account_name: a.name,
          expires_at: iso(a.until),
          kinds: [...a.kinds].sort(),
        })),
      requests: requests.map((r) => toRequest(r, now, emails)),
    };
  }

  /**
   * The scheduled job (the server runs it periodically; tests call it with a moved clock): marks
   * undecided requests older than 7 days expired and records every grant that ran out.
   */
  expireStale(now: number = this.d.clock.now()): ExpiryResult {
    const out: ExpiryResult = { expired_request_ids: [], expired_grant_ids: [] };
    for (const accountId of accountsWithExpiries(this.d.db, now)) {
      const r = this.d.db.transaction(() =>
        recordExpiries(this.d.db, this.d.audit, accountId, now),
      );
      out.expired_request_ids.push(...r.expired_request_ids);
      out.expired_grant_ids.push(...r.expired_grant_ids);
    }
    return out;
  }
}
