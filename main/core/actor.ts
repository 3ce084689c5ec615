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
  /**
   * IDN-1/IDN-3: what the second-factor gate (main/trpc/second-factor.ts) decides on, read with
   * the token on every request. Absent for the local desktop and the system, which no gate asks.
   */
  secondFactor?: ActorSecondFactor;
}

export interface ActorSecondFactor {
  /** The account requires a second factor of every user. */
  required: boolean;
  /** The user has a confirmed second factor. */
  enrolled: boolean;
  /** When this token's holder last proved it (null: not in this session). */
  verifiedAt: number | null;
  /** The services' clock when the token was read: the gate's "now". */
  at: number;
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
