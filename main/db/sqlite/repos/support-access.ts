import { and, count, desc, eq, gt, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import type { SupportGrantRow, SupportRequestRow } from '../../../domain/rows';
import type {
  GrantFilter,
  NewSupportGrant,
  NewSupportRequest,
  RequestDecision,
  SupportAccessRepo,
} from '../../../features/support-access/support-access.repo';
import type { SupportRequestStatus } from '../../../../shared/schemas/support-access.schema';
import type { Db } from '../../database';
import { accounts, supportGrants, supportRequests, users } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/**
 * SUP-1..6 on SQLite: the SQL SupportAccessService and support-access.expiry ran before issue 14,
 * unchanged. The fixed statements are prepared once; the ones whose shape depends on the call
 * (a status filter, a list of ids) are built per call, as they were.
 */
export class SqliteSupportAccessRepo implements SupportAccessRepo {
  private readonly accountStmt;
  private readonly requestStmt;
  private readonly pendingStmt;
  private readonly engineerRequestsStmt;
  private readonly engineerGrantsStmt;

  constructor(private readonly db: Db) {
    this.accountStmt = db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, p('accountId')))
      .prepare();
    this.requestStmt = db
      .select()
      .from(supportRequests)
      .where(and(eq(supportRequests.id, p('id')), eq(supportRequests.accountId, p('accountId'))))
      .prepare();
    this.pendingStmt = db
      .select()
      .from(supportRequests)
      .where(
        and(
          eq(supportRequests.accountId, p('accountId')),
          eq(supportRequests.engineerUserId, p('userId')),
          eq(supportRequests.status, 'pending'),
          gt(supportRequests.expiresAt, p('now')),
        ),
      )
      .prepare();
    this.engineerRequestsStmt = db
      .select()
      .from(supportRequests)
      .where(eq(supportRequests.engineerUserId, p('userId')))
      .orderBy(desc(supportRequests.id))
      .limit(p('limit'))
      .prepare();
    this.engineerGrantsStmt = db
      .select({ grant: supportGrants, accountName: accounts.name })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          isNull(supportGrants.revokedAt),
          lte(supportGrants.startsAt, p('now')),
          gt(supportGrants.expiresAt, p('now')),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, p('userId'))),
        ),
      )
      .prepare();
  }

  async liveGrants(
    accountId: number,
    now: number,
    filter: GrantFilter,
  ): Promise<SupportGrantRow[]> {
    return this.liveGrantsNow(accountId, now, filter);
  }

  private liveGrantsNow(accountId: number, now: number, filter: GrantFilter): SupportGrantRow[] {
    const which: SQL | undefined =
      filter.kind === 'all'
        ? undefined
        : filter.kind === 'customer'
          ? eq(supportGrants.kind, 'customer')
          : or(
              eq(supportGrants.kind, 'customer'),
              eq(supportGrants.engineerUserId, filter.engineerUserId),
            );
    return this.db
      .select()
      .from(supportGrants)
      .where(
        and(
          eq(supportGrants.accountId, accountId),
          isNull(supportGrants.revokedAt),
          gt(supportGrants.expiresAt, now),
          which,
        ),
      )
      .orderBy(supportGrants.id)
      .all();
  }

  async activeGrantsOfEngineer(
    engineerUserId: number,
    now: number,
  ): Promise<{ grant: SupportGrantRow; accountName: string }[]> {
    return this.engineerGrantsStmt.all({ userId: engineerUserId, now });
  }

  async insertGrant(values: NewSupportGrant): Promise<SupportGrantRow> {
    return this.db.insert(supportGrants).values(values).returning().get();
  }

  // BEGIN IMMEDIATE already holds the database's one write lock for the whole transaction.
  async lockAccountGrants(_accountId: number): Promise<void> {}

  async extendGrant(id: number, expiresAt: number): Promise<SupportGrantRow | undefined> {
    return this.db
      .update(supportGrants)
      .set({ expiresAt: sql`max(${supportGrants.expiresAt}, ${expiresAt})` })
      .where(and(eq(supportGrants.id, id), isNull(supportGrants.revokedAt)))
      .returning()
      .get();
  }

  async revokeGrant(
    id: number,
    revokedAt: number,
    byUserId: number,
    reason: string | null,
  ): Promise<boolean> {
    return (
      this.db
        .update(supportGrants)
        .set({ revokedAt, revokedByUserId: byUserId, revokeReason: reason })
        .where(and(eq(supportGrants.id, id), isNull(supportGrants.revokedAt)))
        .run().changes > 0
    );
  }

  async accountExists(accountId: number): Promise<boolean> {
    return this.accountStmt.get({ accountId }) !== undefined;
  }

  async emails(userIds: number[]): Promise<Map<number, string>> {
    return this.emailsNow(userIds);
  }

  private emailsNow(userIds: number[]): Map<number, string> {
    const wanted = [...new Set(userIds)];
    if (wanted.length === 0) return new Map();
    const rows = this.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.id, wanted))
      .all();
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async requestOf(
    accountId: number,
    id: number,
    _opts?: { forUpdate?: boolean },
  ): Promise<SupportRequestRow | undefined> {
    return this.requestStmt.get({ id, accountId });
  }

  async pendingRequestOf(
    accountId: number,
    engineerUserId: number,
    now: number,
  ): Promise<SupportRequestRow | undefined> {
    return this.pendingStmt.get({ accountId, userId: engineerUserId, now });
  }

  async insertRequest(values: NewSupportRequest): Promise<SupportRequestRow> {
    return this.db.insert(supportRequests).values(values).returning().get();
  }

  async requestsPage(
    accountId: number,
    status: SupportRequestStatus | 'all',
    now: number,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: SupportRequestRow[] }> {
    const stale = and(eq(supportRequests.status, 'pending'), lte(supportRequests.expiresAt, now));
    const byStatus: SQL | undefined =
      status === 'all'
        ? undefined
        : status === 'pending'
          ? and(eq(supportRequests.status, 'pending'), gt(supportRequests.expiresAt, now))
          : status === 'expired'
            ? or(eq(supportRequests.status, 'expired'), stale)
            : eq(supportRequests.status, status);
    const where = and(eq(supportRequests.accountId, accountId), byStatus);
    const total = this.db.select({ n: count() }).from(supportRequests).where(where).get()?.n ?? 0;
    const rows = this.db
      .select()
      .from(supportRequests)
      .where(where)
      .orderBy(desc(supportRequests.id))
      .limit(limit)
      .offset(skip)
      .all();
    return { total, rows };
  }

  async requestsOfEngineer(engineerUserId: number, limit: number): Promise<SupportRequestRow[]> {
    return this.engineerRequestsStmt.all({ userId: engineerUserId, limit });
  }

  async decideRequest(
    id: number,
    decision: RequestDecision,
  ): Promise<SupportRequestRow | undefined> {
    return this.db
      .update(supportRequests)
      .set(decision)
      .where(and(eq(supportRequests.id, id), eq(supportRequests.status, 'pending')))
      .returning()
      .get();
  }

  async cancelPendingRequests(
    accountId: number,
    now: number,
    byUserId: number,
    reason: string,
  ): Promise<SupportRequestRow[]> {
    return this.db
      .update(supportRequests)
      .set({
        status: 'cancelled',
        decidedAt: now,
        decidedByUserId: byUserId,
        decisionReason: reason,
      })
      .where(and(eq(supportRequests.accountId, accountId), eq(supportRequests.status, 'pending')))
      .returning()
      .all()
      .sort((a, b) => a.id - b.id);
  }

  async accountsWithExpiries(now: number, lookbackMs: number): Promise<number[]> {
    const fromRequests = this.db
      .selectDistinct({ accountId: supportRequests.accountId })
      .from(supportRequests)
      .where(and(eq(supportRequests.status, 'pending'), lte(supportRequests.expiresAt, now)))
      .all();
    const fromGrants = this.db
      .selectDistinct({ accountId: supportGrants.accountId })
      .from(supportGrants)
      .where(
        and(
          isNull(supportGrants.revokedAt),
          lte(supportGrants.expiresAt, now),
          gt(supportGrants.expiresAt, now - lookbackMs),
        ),
      )
      .all();
    return [...new Set([...fromRequests, ...fromGrants].map((r) => r.accountId))].sort(
      (a, b) => a - b,
    );
  }

  async expireStaleRequests(accountId: number, now: number): Promise<SupportRequestRow[]> {
    return this.db
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
  }

  async claimEndedGrants(
    accountId: number,
    now: number,
    lookbackMs: number,
  ): Promise<SupportGrantRow[]> {
    return this.db
      .update(supportGrants)
      .set({ expiryRecordedAt: now })
      .where(
        and(
          eq(supportGrants.accountId, accountId),
          isNull(supportGrants.revokedAt),
          isNull(supportGrants.expiryRecordedAt),
          lte(supportGrants.expiresAt, now),
          gt(supportGrants.expiresAt, now - lookbackMs),
        ),
      )
      .returning()
      .all();
  }
}
