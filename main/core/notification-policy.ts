// INT-3: which audit entries an account's admins are told of, and in what words. A pure decision
// over the entry (the audit append calls it for every entry, in the entry's own transaction), so
// a new support or forwarding event is told of only when a line here says so. The words name
// what happened, who did it and until when; they are built from the entry's own fields and
// details, which redact() has already stripped of secrets, and they quote no URL (a collector
// address may carry credentials) and no token.

/** What a notice is made from: the audit entry, and the email of the engineer it concerns. */
export interface NoticeSource {
  action: string;
  actorLabel: string;
  /** The entry's details (JSON, already redacted). */
  details: Record<string, unknown>;
  targetId: string | null;
  /** The support engineer the entry concerns (details.engineer_user_id), when there is one. */
  engineerLabel: string | null;
}

export interface Notice {
  title: string;
  body: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const reasonOf = (d: Record<string, unknown>): string =>
  str(d.reason) ? ` Reason given: "${str(d.reason)}".` : '';
const engineer = (s: NoticeSource): string =>
  s.engineerLabel ??
  (s.details.engineer_user_id
    ? `engineer #${String(s.details.engineer_user_id)}`
    : 'the customer-enabled grant');

/** The notice an entry makes, or null: most entries tell no one. */
export function noticeFor(s: NoticeSource): Notice | null {
  const d = s.details;
  switch (s.action) {
    case 'support_access.requested':
      return {
        title: `Support access requested by ${s.actorLabel}`,
        body: `${s.actorLabel} asks for support access to your account for ${String(d.duration_hours)} h (request ${s.targetId}). Approve or deny it under Support access; undecided, it expires in 7 days.${reasonOf(d)}`,
      };
    case 'support_access.enabled':
      return {
        title: 'Support access enabled',
        body: `${s.actorLabel} enabled support access to your account until ${String(d.expires_at)}.${reasonOf(d)}`,
      };
    case 'support_access.extended':
      return {
        title: 'Support access extended',
        body: `${s.actorLabel} extended support access to your account from ${String(d.from)} until ${String(d.to)}.${reasonOf(d)}`,
      };
    case 'support_access.approved':
      return {
        title: `Support access granted to ${engineer(s)}`,
        body: `${s.actorLabel} approved request ${s.targetId}: ${engineer(s)} has support access to your account until ${String(d.expires_at)}.${reasonOf(d)}`,
      };
    case 'support_access.disabled':
    case 'support_access.grant_revoked':
      return {
        title: 'Support access ended',
        body: `${s.actorLabel} ended support access (grant ${s.targetId}, ${engineer(s)}), which would have lasted until ${String(d.was_active_until)}.${reasonOf(d)}`,
      };
    case 'support_access.grant_expired':
      return {
        title: 'Support access expired',
        body: `Support access (grant ${s.targetId}, ${engineer(s)}) ended at ${String(d.expired_at)}: the grant reached the end of its duration.`,
      };
    case 'support_access.emergency_disabled': {
      const revoked = Array.isArray(d.revoked_grant_ids) ? d.revoked_grant_ids.length : 0;
      const cancelled = Array.isArray(d.cancelled_request_ids) ? d.cancelled_request_ids.length : 0;
      return {
        title: 'Emergency disable of support access',
        body: `${s.actorLabel} used emergency disable: ${revoked} grant(s) ended and ${cancelled} pending request(s) cancelled; no support engineer has access to your account now.${reasonOf(d)}`,
      };
    }
    case 'integration.failing':
      return {
        title: `Forwarding to "${String(d.name)}" is failing`,
        body: `Delivery to the ${String(d.kind)} destination "${String(d.name)}" (destination ${s.targetId}) failed: ${String(d.error)}. Entries wait in its backlog and are retried with backoff for 24 h.`,
      };
    case 'integration.auto_disabled':
      return {
        title: `Forwarding to "${String(d.name)}" was disabled`,
        body: `The ${String(d.kind)} destination "${String(d.name)}" (destination ${s.targetId}) was disabled automatically after ${String(d.failures)} failed deliveries in a row (last: ${String(d.error)}). Fix the receiver, then enable it again.`,
      };
    default:
      return null;
  }
}
