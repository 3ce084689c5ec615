// SUP-4/SUP-6 expiry. Access itself never waits for this code: AccessService compares expires_at
// with the clock on every call. What happens here is bookkeeping: undecided requests are marked
// expired and every end of access by time gets its audit entry, written by the scheduled job
// (expireStale) and, lazily, at the start of every support-access write of the account, so the
// account's trail reads in order (an expiry is recorded before the next enable or approval).
import { systemActor } from '../../core/actor';
import { iso } from '../../core/clock';
import type { Repos } from '../../repos';
import { HOUR_MS } from './support-access.mapper';

/**
 * Grants that ended more than this long ago without their expiry on record are not looked at
 * again: the job runs far more often, and the lookback bounds the audit lookup below.
 */
export const GRANT_EXPIRY_LOOKBACK_MS = 30 * 24 * HOUR_MS;

/**
 * The scheduled expiry pass (main/server/index.ts): every 5 minutes by default, under this lease
 * (SCALE-2). ORGDESK_SUPPORT_EXPIRY_INTERVAL_MS changes the interval within these bounds: it only
 * decides how soon an ended grant or a lapsed request shows in the trail, never access itself.
 */
export const SUPPORT_EXPIRY_LEASE = 'support-expiry';
export const SUPPORT_EXPIRY_INTERVAL_MS = 5 * 60_000;
export const MIN_SUPPORT_EXPIRY_INTERVAL_MS = 1000;
export const MAX_SUPPORT_EXPIRY_INTERVAL_MS = 60 * 60_000;

export const REQUEST_EXPIRED = 'support_access.request_expired';
export const GRANT_EXPIRED = 'support_access.grant_expired';

export interface ExpiryResult {
  expired_request_ids: number[];
  expired_grant_ids: number[];
}

/** Records every expiry of one account due at `now`, inside the caller's unit of work. */
export async function recordExpiries(
  r: Pick<Repos, 'supportAccess' | 'audit'>,
  accountId: number,
  now: number,
): Promise<ExpiryResult> {
  const system = systemActor(accountId);
  const stale = await r.supportAccess.expireStaleRequests(accountId, now);
  for (const req of stale) {
    await r.audit.record(system, {
      accountId,
      action: REQUEST_EXPIRED,
      targetType: 'support_request',
      targetId: req.id,
      details: {
        engineer_user_id: req.engineerUserId,
        expired_at: iso(req.expiresAt),
        reason: 'nobody approved or denied the request within 7 days',
      },
    });
  }

  // Claimed in one conditional update (expiry_recorded_at), so an expiry is recorded once even
  // when the job and a request of the account notice it at the same moment.
  const ended = await r.supportAccess.claimEndedGrants(accountId, now, GRANT_EXPIRY_LOOKBACK_MS);
  const expiredGrantIds: number[] = [];
  for (const g of ended.sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id)) {
    await r.audit.record(system, {
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
  return { expired_request_ids: stale.map((x) => x.id), expired_grant_ids: expiredGrantIds };
}
