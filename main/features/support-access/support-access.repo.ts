// Port (issue 14): what SupportAccessService and its expiry bookkeeping read and write (SUP-1..6),
// domain-shaped so each engine writes its best SQL behind it. SQLite:
// main/db/sqlite/repos/support-access.ts. Issue 14 item 3 turns decisions and expiry records into
// conditional updates (decided once, recorded once) and extends an active grant under a row lock.
import type { SupportGrantRow, SupportRequestRow } from '../../domain/rows';
import type { SupportRequestStatus } from '../../../shared/schemas/support-access.schema';

/** Which of an account's live grants a reader asks for. */
export type GrantFilter =
  | { kind: 'all' }
  | { kind: 'customer' }
  /** A support engineer's view: the customer's grants and their own approved requests. */
  | { kind: 'customer-or-engineer'; engineerUserId: number };

export type NewSupportGrant = Pick<
  SupportGrantRow,
  'accountId' | 'kind' | 'grantedByUserId' | 'reason' | 'startsAt' | 'expiresAt'
> &
  Partial<Pick<SupportGrantRow, 'engineerUserId'>>;

export type NewSupportRequest = Omit<
  SupportRequestRow,
  'id' | 'decidedAt' | 'decidedByUserId' | 'decisionReason' | 'grantId'
>;

export interface RequestDecision {
  status: 'approved' | 'denied';
  decidedAt: number;
  decidedByUserId: number;
  decisionReason: string | null;
  grantId: number | null;
}

export interface SupportAccessRepo {
  /** Grants that are (or will be) in force at `now`: not revoked, not yet ended; by id. */
  liveGrants(accountId: number, now: number, filter: GrantFilter): Promise<SupportGrantRow[]>;
  /**
   * SUP-1: serialises the account's grant changes (enable, extend) until the transaction ends,
   * so two concurrent enables cannot both find no grant and both insert one. SQLite: a no-op
   * (BEGIN IMMEDIATE already excludes every other writer); PostgreSQL: the account row FOR UPDATE.
   */
  lockAccountGrants(accountId: number): Promise<void>;
  /** Active grants (started, not ended, not revoked) a support engineer holds, with the account's name. */
  activeGrantsOfEngineer(
    engineerUserId: number,
    now: number,
  ): Promise<{ grant: SupportGrantRow; accountName: string }[]>;
  insertGrant(values: NewSupportGrant): Promise<SupportGrantRow>;
  /** SUP-1: moves an active customer grant's end, never earlier; the row after the change. */
  extendGrant(id: number, expiresAt: number): Promise<SupportGrantRow | undefined>;
  /** Revokes a grant not yet revoked (conditional); false when another writer already did. */
  revokeGrant(
    id: number,
    revokedAt: number,
    byUserId: number,
    reason: string | null,
  ): Promise<boolean>;

  accountExists(accountId: number): Promise<boolean>;
  /** Engineers' emails by user id, so customer admins see who holds or asks for access. */
  emails(userIds: number[]): Promise<Map<number, string>>;

  /** The request if it belongs to the account. `forUpdate`: it is about to be decided. */
  requestOf(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<SupportRequestRow | undefined>;
  /** The engineer's undecided, unexpired request for the account (SUP-4 allows one). */
  pendingRequestOf(
    accountId: number,
    engineerUserId: number,
    now: number,
  ): Promise<SupportRequestRow | undefined>;
  insertRequest(values: NewSupportRequest): Promise<SupportRequestRow>;
  /** SUP-4: the account's requests under a status filter, newest first. */
  requestsPage(
    accountId: number,
    status: SupportRequestStatus | 'all',
    now: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: SupportRequestRow[] }>;
  /** A support engineer's own requests, newest first. */
  requestsOfEngineer(engineerUserId: number, limit: number): Promise<SupportRequestRow[]>;
  /**
   * SUP-4: decides a request once: a conditional update of a request still pending. The row
   * after the decision, or undefined when it was no longer pending (another decision won).
   */
  decideRequest(id: number, decision: RequestDecision): Promise<SupportRequestRow | undefined>;
  /** SUP-3: cancels every pending request of the account; the cancelled rows. */
  cancelPendingRequests(
    accountId: number,
    now: number,
    byUserId: number,
    reason: string,
  ): Promise<SupportRequestRow[]>;

  /** The expiry job's worklist: accounts with a stale request or an ended grant in the lookback. */
  accountsWithExpiries(now: number, lookbackMs: number): Promise<number[]>;
  /** Marks the account's undecided requests past their time expired; the rows marked. */
  expireStaleRequests(accountId: number, now: number): Promise<SupportRequestRow[]>;
  /**
   * SUP-6: claims the expiry of every unrevoked grant that ended within the lookback and whose
   * expiry is not on record yet (sets expiry_recorded_at in one conditional update): each ended
   * grant is handed to exactly one caller, however many notice it at once. The rows claimed.
   */
  claimEndedGrants(accountId: number, now: number, lookbackMs: number): Promise<SupportGrantRow[]>;
}
