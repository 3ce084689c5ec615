// Draft port (issue 14 step 0): SUP-1..6 grants and requests. Not yet implemented on SQLite.
// Issue 14 item 3: decisions and expiry records are conditional updates (decided once, recorded
// once), and enabling while active extends the grant under a row lock.
import type { SupportGrantRow, SupportRequestRow } from '../../domain/rows';

export interface SupportAccessRepo {
  activeCustomerGrant(accountId: number, now: number): Promise<SupportGrantRow | undefined>;
  grantsOf(accountId: number, now: number): Promise<SupportGrantRow[]>;
  insertGrant(values: Omit<SupportGrantRow, 'id'>): Promise<SupportGrantRow>;
  /** Extends the active customer grant; undefined when none is active any more. */
  extendGrant(id: number, expiresAt: number, now: number): Promise<SupportGrantRow | undefined>;
  revokeGrants(accountId: number, now: number, byUserId: number | null): Promise<SupportGrantRow[]>;
  insertRequest(values: Omit<SupportRequestRow, 'id'>): Promise<SupportRequestRow>;
  request(id: number): Promise<SupportRequestRow | undefined>;
  requestsPage(
    filter: { accountId?: number; engineerUserId?: number; status?: string },
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: SupportRequestRow[] }>;
  /** Decides a pending request: undefined if it was no longer pending (decided once). */
  decide(
    id: number,
    status: 'approved' | 'denied',
    byUserId: number,
    now: number,
  ): Promise<SupportRequestRow | undefined>;
  cancelPending(accountId: number, now: number): Promise<number>;
  /** Grants that expired and whose expiry is not yet recorded; claims them (recorded once). */
  claimExpired(now: number): Promise<SupportGrantRow[]>;
  expireStaleRequests(now: number): Promise<SupportRequestRow[]>;
}
