// SUP-4/SUP-6 expiry. Access itself never waits for this code: AccessService compares expires_at
// with the clock on every call. What happens here is bookkeeping: undecided requests are marked
// expired and every end of access by time gets its audit entry, written by the scheduled job
// (expireStale) and, lazily, at the start of every support-access write of the account, so the
// account's trail reads in order (an expiry is recorded before the next enable or approval).
import { and, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import { systemActor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso } from '../../core/clock';
import type { Db } from '../../db/database';
import { auditEntries, supportGrants, supportRequests } from '../../db/schema';
import { HOUR_MS } from './support-access.mapper';

/**
 * Grants that ended more than this long ago without their expiry on record are not looked at
 * again: the job runs far more often, and the lookback bounds the audit lookup below.
 */
export const GRANT_EXPIRY_LOOKBACK_MS = 30 * 24 * HOUR_MS;

export const REQUEST_EXPIRED = 'support_access.request_expired';
export const GRANT_EXPIRED = 'support_access.grant_expired';

export interface ExpiryResult {
  expired_request_ids: number[];
  expired_grant_ids: number[];
}

/** Accounts with something to record at `now`: the job's worklist. */
export function accountsWithExpiries(db: Db, now: number): number[] {
  const fromRequests = db
    .selectDistinct({ accountId: supportRequests.accountId })
    .from(supportRequests)
    .where(and(eq(supportRequests.status, 'pending'), lte(supportRequests.expiresAt, now)))
    .all();
  const fromGrants = db
    .selectDistinct({ accountId: supportGrants.accountId })
    .from(supportGrants)
    .where(
      and(
        isNull(supportGrants.revokedAt),
        lte(supportGrants.expiresAt, now),
        gt(supportGrants.expiresAt, now - GRANT_EXPIRY_LOOKBACK_MS),
      ),
    )
    .all();
  return [...new Set([...fromRequests, ...fromGrants].map((r) => r.accountId))].sort(
    (a, b) => a - b,
  );
}

/** Records every expiry of one account due at `now`. Call inside a transaction. */
export function recordExpiries(
  db: Db,
  audit: AuditLog,
  accountId: number,
  now: number,
): ExpiryResult {
  const system = systemActor(accountId);
  const stale = db
    .update(supportRequests)
    .set({ status: 'expired' })
    .where(
      and(
        eq(supportRequests.accountId, accountId),
        eq(supportRequests.status, 'pending'),
        lte(supportRequests.expiresAt, now),
      ),
    )
    .returning()
    .all()
    .sort((a, b) => a.id - b.id);
  for (const r of stale) {
    audit.record(system, {
      accountId,
      action: REQUEST_EXPIRED,
      targetType: 'support_request',
      targetId: r.id,
      details: {
        engineer_user_id: r.engineerUserId,
        expired_at: iso(r.expiresAt),
        reason: 'nobody approved or denied the request within 7 days',
      },
    });
  }

  const ended = db
    .select()
    .from(supportGrants)
    .where(
      and(
        eq(supportGrants.accountId, accountId),
        isNull(supportGrants.revokedAt),
        lte(supportGrants.expiresAt, now),
        gt(supportGrants.expiresAt, now - GRANT_EXPIRY_LOOKBACK_MS),
      ),
    )
    .all();
  const expiredGrantIds: number[] = [];
  if (ended.length > 0) {
    // support_grants has no "expiry recorded" column; the audit trail itself is the record.
    const recorded = new Set(
      db
        .select({ targetId: auditEntries.targetId })
        .from(auditEntries)
        .where(
          and(
            eq(auditEntries.accountId, accountId),
            eq(auditEntries.action, GRANT_EXPIRED),
            inArray(
              auditEntries.targetId,
              ended.map((g) => String(g.id)),
            ),
          ),
        )
        .all()
        .map((r) => r.targetId),
    );
    for (const g of ended.sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id)) {
      if (recorded.has(String(g.id))) continue;
      audit.record(system, {
        accountId,
        action: GRANT_EXPIRED,
        targetType: 'support_grant',
        targetId: g.id,
        details: {
          kind: g.kind,
          engineer_user_id: g.engineerUserId,
          expired_at: iso(g.expiresAt),
          reason: 'the grant reached the end of its duration',
        },
      });
      expiredGrantIds.push(g.id);
    }
  }
  return { expired_request_ids: stale.map((r) => r.id), expired_grant_ids: expiredGrantIds };
}
