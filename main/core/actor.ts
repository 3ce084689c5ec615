/** Who is calling. Built per request by the transport from a session, token or IPC sender. */
export interface Actor {
  userId: number;
  /** The account the user belongs to (support engineers: their own, never a customer's). */
  accountId: number;
  /** For the audit trail: the email at the time of the call. */
  label: string;
  isSupportEngineer: boolean;
  /**
   * PLAT-1: a server-level role beside the tenant roles: lists, creates, renames and deactivates
   * accounts, and reads nothing inside one without a tenant role or a support grant. As the
   * user's record said when the actor was built; AccessService.requirePlatformOperator reads it
   * fresh before every platform call.
   */
  isPlatformOperator: boolean;
  /** A read-only personal token: the owner's read permissions, nothing more. */
  readOnly: boolean;
  via: 'session' | 'token' | 'local' | 'system';
}

/** The actor used by scheduled jobs (retention cleanup, request expiry). */
export const systemActor = (accountId: number): Actor => ({
  userId: 0,
  accountId,
  label: 'system',
  isSupportEngineer: false,
  isPlatformOperator: false,
  readOnly: false,
  via: 'system',
});
