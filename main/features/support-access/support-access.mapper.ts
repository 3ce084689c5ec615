import { iso, isoOrNull } from '../../core/clock';
import type { SupportGrantRow, SupportRequestRow } from '../../domain/rows';
import type {
  SupportGrant,
  SupportRequest,
  SupportStatus,
} from '../../../shared/schemas/support-access.schema';

export type GrantRow = SupportGrantRow;
export type RequestRow = SupportRequestRow;

export const HOUR_MS = 60 * 60 * 1000;

/** Active means: started, not yet ended, not revoked, judged at `now` and never cached (SUP-5). */
export const isGrantActive = (g: GrantRow, now: number): boolean =>
  g.revokedAt === null && g.startsAt <= now && g.expiresAt > now;

/** An undecided request past its 7 days reads as expired even before the job marks it. */
export const effectiveStatus = (r: RequestRow, now: number): SupportRequest['status'] =>
  r.status === 'pending' && r.expiresAt <= now ? 'expired' : r.status;

/** The engineers named by these grants or requests, whose emails customer admins see. */
export const engineerIds = (rows: { engineerUserId: number | null }[]): number[] =>
  rows.map((r) => r.engineerUserId).filter((i): i is number => i !== null);

export function toGrant(g: GrantRow, now: number, emails: Map<number, string>): SupportGrant {
  return {
    id: g.id,
    account_id: g.accountId,
    kind: g.kind,
    engineer_user_id: g.engineerUserId,
    engineer_email: g.engineerUserId === null ? null : (emails.get(g.engineerUserId) ?? null),
    granted_by_user_id: g.grantedByUserId,
    reason: g.reason,
    starts_at: iso(g.startsAt),
    expires_at: iso(g.expiresAt),
    revoked_at: isoOrNull(g.revokedAt),
    revoked_by_user_id: g.revokedByUserId,
    revoke_reason: g.revokeReason,
    active: isGrantActive(g, now),
  };
}

export function toRequest(r: RequestRow, now: number, emails: Map<number, string>): SupportRequest {
  return {
    id: r.id,
    account_id: r.accountId,
    engineer_user_id: r.engineerUserId,
    engineer_email: emails.get(r.engineerUserId) ?? null,
    reason: r.reason,
    duration_hours: r.durationHours,
    status: effectiveStatus(r, now),
    created_at: iso(r.createdAt),
    expires_at: iso(r.expiresAt),
    decided_at: isoOrNull(r.decidedAt),
    decided_by_user_id: r.decidedByUserId,
    decision_reason: r.decisionReason,
    grant_id: r.grantId,
  };
}

/** SUP-2 from the reader's grants and the emails of their engineers. */
export function buildStatus(
  accountId: number,
  grants: GrantRow[],
  now: number,
  emails: Map<number, string>,
): SupportStatus {
  const active = grants.filter((g) => isGrantActive(g, now));
  const until = active.reduce<number | null>(
    (m, g) => (m === null || g.expiresAt > m ? g.expiresAt : m),
    null,
  );
  return {
    account_id: accountId,
    active: active.length > 0,
    expires_at: isoOrNull(until),
    grants: active.map((g) => toGrant(g, now, emails)),
  };
}

/**
 * SUP-2 from a set of grants already filtered to the ones that matter to the reader. `emailsOf`
 * reads the active grants' engineers' emails (in the caller's transaction).
 */
export async function statusOf(
  accountId: number,
  grants: GrantRow[],
  now: number,
  emailsOf: (userIds: number[]) => Promise<Map<number, string>>,
): Promise<SupportStatus> {
  const active = grants.filter((g) => isGrantActive(g, now));
  return buildStatus(accountId, grants, now, await emailsOf(engineerIds(active)));
}
