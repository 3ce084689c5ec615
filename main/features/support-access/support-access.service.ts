import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict, forbidden, notFound, type DomainError } from '../../core/errors';
import type { Repos, Uow } from '../../repos';
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
import {
  GRANT_EXPIRY_LOOKBACK_MS,
  recordExpiries,
  type ExpiryResult,
} from './support-access.expiry';
import {
  HOUR_MS,
  engineerIds,
  isGrantActive,
  statusOf,
  toGrant,
  toRequest,
  type GrantRow,
  type RequestRow,
} from './support-access.mapper';

export interface SupportAccessDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

const MANAGE = 'support_access.manage';

/**
 * SUP-1..6. Customers open their account to the support team for a while, or answer one
 * engineer's request; either way it is a grant row that AccessService reads on every call. Each
 * use case is one unit of work (issue 14): its access check, the expiries it records first, its
 * change and its audit entries land together or not at all.
 */
export class SupportAccessService {
  constructor(private readonly d: SupportAccessDeps) {}

  private async requestRow(r: Repos, accountId: number, id: number): Promise<RequestRow> {
    const row = await r.supportAccess.requestOf(accountId, id, { forUpdate: true });
    if (!row) throw notFound('Support request', id);
    return row;
  }

  private async statusOf(
    r: Repos,
    accountId: number,
    grants: GrantRow[],
    now: number,
  ): Promise<SupportStatus> {
    return statusOf(accountId, grants, now, (ids) => r.supportAccess.emails(ids));
  }

  /** The account's status after a change, from its live grants. */
  private async currentStatus(r: Repos, accountId: number, now: number): Promise<SupportStatus> {
    return this.statusOf(
      r,
      accountId,
      await r.supportAccess.liveGrants(accountId, now, { kind: 'all' }),
      now,
    );
  }

  /**
   * SUP-2. Account admins see every grant of their account. A support engineer sees an account
   * while their access to it is active or their request for it is pending, and then only the
   * grants that apply to them (the customer's, and their own approved request).
   */
  async status(actor: Actor, raw?: SupportStatusInput): Promise<SupportStatus> {
    const input = supportStatusInput.parse(raw);
    const now = this.d.clock.now();
    if (actor.isSupportEngineer && !input.account_id) {
      throw badRequest('account_id is required: name the customer account', 'account_id');
    }
    return this.d.uow.read(async (r) => {
      if (!actor.isSupportEngineer) {
        const accountId = await this.d.access.requireVisibleAccount(
          r,
          actor,
          MANAGE,
          input.account_id ?? actor.accountId,
        );
        return this.currentStatus(r, accountId, now);
      }
      const accountId = input.account_id!;
      const mine = await r.supportAccess.liveGrants(accountId, now, {
        kind: 'customer-or-engineer',
        engineerUserId: actor.userId,
      });
      const visible =
        (await this.d.access.supportAccountIds(r, actor)).includes(accountId) ||
        (await r.supportAccess.pendingRequestOf(accountId, actor.userId, now)) !== undefined;
      if (!visible) throw notFound('Account', accountId);
      return this.statusOf(r, accountId, mine, now);
    });
  }

  /** SUP-1: enabling while a customer grant is active moves its end later, never earlier. */
  async enable(actor: Actor, raw?: EnableSupportInput): Promise<EnableSupportResult> {
    const input = enableSupportInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireVisibleAccount(r, actor, MANAGE);
      const now = this.d.clock.now();
      const until = now + input.duration_hours * HOUR_MS;
      await r.supportAccess.lockAccountGrants(accountId);
      await recordExpiries(r, accountId, now);
      const current = (await r.supportAccess.liveGrants(accountId, now, { kind: 'customer' }))
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
        grant = (await r.supportAccess.extendGrant(current.id, until))!;
        message = `Support access was already active until ${iso(current.expiresAt)}; extended to ${iso(until)}.`;
        await r.audit.record(actor, {
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
        grant = await r.supportAccess.insertGrant({
          accountId,
          kind: 'customer',
          grantedByUserId: actor.userId,
          reason: input.reason,
          startsAt: now,
          expiresAt: until,
        });
        message = `Support access enabled until ${iso(until)}.`;
        await r.audit.record(actor, {
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
        ...(await this.currentStatus(r, accountId, now)),
        grant: toGrant(grant, now, new Map()),
        extended,
        previous_expires_at: current ? iso(current.expiresAt) : null,
        message,
      };
    });
  }

  /** SUP-3: ends the customer-enabled grant; approved engineer requests keep running. */
  async disable(actor: Actor, raw?: DisableSupportInput): Promise<DisableSupportResult> {
    const input = disableSupportInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireVisibleAccount(r, actor, MANAGE);
      const now = this.d.clock.now();
      await recordExpiries(r, accountId, now);
      const ended = await this.revoke(
        r,
        actor,
        await r.supportAccess.liveGrants(accountId, now, { kind: 'customer' }),
        input.reason,
        now,
        'support_access.disabled',
      );
      const status = await this.currentStatus(r, accountId, now);
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

  private async revoke(
    r: Repos,
    actor: Actor,
    grants: GrantRow[],
    reason: string | null,
    now: number,
    action: string,
  ): Promise<number[]> {
    const ended: number[] = [];
    for (const g of grants) {
      // Revoked once: a grant another writer revoked meanwhile gets no second entry.
      if (!(await r.supportAccess.revokeGrant(g.id, now, actor.userId, reason))) continue;
      ended.push(g.id);
      await r.audit.record(actor, {
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
    return ended;
  }

  /** SUP-3: every grant of the account ends and every pending request is cancelled, at once. */
  async emergencyDisable(
    actor: Actor,
    raw: EmergencyDisableInput,
  ): Promise<EmergencyDisableResult> {
    const input = emergencyDisableInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireVisibleAccount(r, actor, MANAGE);
      const now = this.d.clock.now();
      await recordExpiries(r, accountId, now);
      const revoked = await this.revoke(
        r,
        actor,
        await r.supportAccess.liveGrants(accountId, now, { kind: 'all' }),
        input.reason,
        now,
        'support_access.grant_revoked',
      );
      const cancelled = await r.supportAccess.cancelPendingRequests(
        accountId,
        now,
        actor.userId,
        input.reason,
      );
      for (const req of cancelled) {
        await r.audit.record(actor, {
          accountId,
          action: 'support_access.request_cancelled',
          targetType: 'support_request',
          targetId: req.id,
          details: { engineer_user_id: req.engineerUserId, reason: input.reason },
        });
      }
      const cancelledIds = cancelled.map((req) => req.id);
      await r.audit.record(actor, {
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
        ...(await this.currentStatus(r, accountId, now)),
        revoked_grant_ids: revoked,
        cancelled_request_ids: cancelledIds,
        message: `Emergency disable: ${revoked.length} grant${revoked.length === 1 ? '' : 's'} ended and ${cancelledIds.length} pending request${cancelledIds.length === 1 ? '' : 's'} cancelled.`,
      };
    });
  }

  /** SUP-4: a support engineer asks a customer account for access. */
  async request(actor: Actor, raw: RequestSupportInput): Promise<SupportRequest> {
    if (!actor.isSupportEngineer) {
      throw forbidden(
        'Only platform support engineers request support access; account admins enable it instead',
      );
    }
    if (actor.readOnly) throw forbidden('A read-only token cannot request support access');
    const input = requestSupportInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = input.account_id;
      if (!(await r.supportAccess.accountExists(accountId))) throw notFound('Account', accountId);
      const now = this.d.clock.now();
      await recordExpiries(r, accountId, now);
      const pending = await r.supportAccess.pendingRequestOf(accountId, actor.userId, now);
      if (pending) {
        throw conflict(
          `You already have pending request ${pending.id} for account ${accountId}; wait for a decision`,
          'account_id',
        );
      }
      const row = await r.supportAccess.insertRequest({
        accountId,
        engineerUserId: actor.userId,
        reason: input.reason,
        durationHours: input.duration_hours,
        status: 'pending',
        createdAt: now,
        expiresAt: now + REQUEST_TTL_HOURS * HOUR_MS,
      });
      await r.audit.record(actor, {
        accountId,
        action: 'support_access.requested',
        targetType: 'support_request',
        targetId: row.id,
        details: { reason: input.reason, duration_hours: input.duration_hours },
      });
      return toRequest(row, now, new Map([[actor.userId, actor.label]]));
    });
  }

  /** SUP-4: the account's requests, pending ones by default, newest first. */
  async requests(actor: Actor, raw?: ListSupportRequestsInput): Promise<Page<SupportRequest>> {
    const input = listSupportRequestsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireVisibleAccount(r, actor, MANAGE);
      const now = this.d.clock.now();
      const { total, rows } = await r.supportAccess.requestsPage(
        accountId,
        input.status,
        now,
        input.skip,
        input.limit,
      );
      const emails = await r.supportAccess.emails(engineerIds(rows));
      return { items: rows.map((row) => toRequest(row, now, emails)), total };
    });
  }

  /**
   * SUP-4: one unit of work. The account's due expiries are recorded first, so a request that
   * went stale is refused as expired; the refusal still commits that record (it is answered after
   * the COMMIT), while a failure of the decision itself leaves nothing behind.
   */
  private async decide(
    actor: Actor,
    raw: DecideSupportRequestInput,
    decision: 'approved' | 'denied',
  ): Promise<SupportDecision> {
    const input = decideSupportRequestInput.parse(raw);
    const outcome = await this.d.uow.write(
      async (r): Promise<{ refused: DomainError } | { decided: SupportDecision }> => {
        const accountId = await this.d.access.requireVisibleAccount(r, actor, MANAGE);
        await this.requestRow(r, accountId, input.id);
        const now = this.d.clock.now();
        await recordExpiries(r, accountId, now);
        const req = await this.requestRow(r, accountId, input.id);
        if (req.status !== 'pending') {
          return {
            refused: conflict(
              `Request ${req.id} is already ${req.status}; only a pending request can be approved or denied`,
            ),
          };
        }
        let grant: GrantRow | null = null;
        if (decision === 'approved') {
          // SUP-4: access is counted from approval, for the duration the engineer asked for.
          grant = await r.supportAccess.insertGrant({
            accountId,
            kind: 'request',
            engineerUserId: req.engineerUserId,
            grantedByUserId: actor.userId,
            reason: req.reason,
            startsAt: now,
            expiresAt: now + req.durationHours * HOUR_MS,
          });
        }
        // Decided once: the update holds only while the request is still pending, so of two
        // concurrent decisions one lands and the other rolls back whole (its grant with it).
        const updated = await r.supportAccess.decideRequest(req.id, {
          status: decision,
          decidedAt: now,
          decidedByUserId: actor.userId,
          decisionReason: input.reason,
          grantId: grant?.id ?? null,
        });
        if (!updated) {
          throw conflict(
            `Request ${req.id} was just decided by someone else; only a pending request can be approved or denied`,
          );
        }
        await r.audit.record(actor, {
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
        const emails = await r.supportAccess.emails([req.engineerUserId]);
        return {
          decided: {
            request: toRequest(updated, now, emails),
            grant: grant ? toGrant(grant, now, emails) : null,
          },
        };
      },
    );
    if ('refused' in outcome) throw outcome.refused;
    return outcome.decided;
  }

  async approve(actor: Actor, raw: DecideSupportRequestInput): Promise<SupportDecision> {
    return this.decide(actor, raw, 'approved');
  }

  async deny(actor: Actor, raw: DecideSupportRequestInput): Promise<SupportDecision> {
    return this.decide(actor, raw, 'denied');
  }

  /** A support engineer's own accounts and requests; for anyone else, empty. */
  async myAccess(actor: Actor): Promise<MyAccess> {
    if (!actor.isSupportEngineer) return { is_support_engineer: false, accounts: [], requests: [] };
    const now = this.d.clock.now();
    const { active, requests } = await this.d.uow.read(async (r) => ({
      active: await r.supportAccess.activeGrantsOfEngineer(actor.userId, now),
      requests: await r.supportAccess.requestsOfEngineer(actor.userId, 200),
    }));
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
      requests: requests.map((row) => toRequest(row, now, emails)),
    };
  }

  /**
   * The scheduled job (the server runs it periodically; tests call it with a moved clock): marks
   * undecided requests older than 7 days expired and records every grant that ran out. One unit
   * of work per account, as before: one account's failure does not hold back the others' records.
   */
  async expireStale(now: number = this.d.clock.now()): Promise<ExpiryResult> {
    const out: ExpiryResult = { expired_request_ids: [], expired_grant_ids: [] };
    const worklist = await this.d.uow.read((r) =>
      r.supportAccess.accountsWithExpiries(now, GRANT_EXPIRY_LOOKBACK_MS),
    );
    for (const accountId of worklist) {
      const done = await this.d.uow.write((r) => recordExpiries(r, accountId, now));
      out.expired_request_ids.push(...done.expired_request_ids);
      out.expired_grant_ids.push(...done.expired_grant_ids);
    }
    return out;
  }
}
