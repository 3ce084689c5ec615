import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  inArray,
  isNull,
  lte,
  or,
  sql,
  type SQL,
} from 'drizzle-orm';
import type { SupportGrantRow, SupportRequestRow } from '../../../domain/rows';
import type {
  GrantFilter,
  NewSupportGrant,
  NewSupportRequest,
  RequestDecision,
  SupportAccessRepo,
} from '../../../features/support-access/support-access.repo';
import type { SupportRequestStatus } from '../../../../shared/schemas/support-access.schema';
import { accounts, supportGrants, supportRequests, users } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

const byId = <T extends { id: number }>(rows: T[]) => rows.sort((a, b) => a.id - b.id);

/**
 * SUP-1..6 on PostgreSQL: the SQLite adapter's statements, with the row locks SQLite's one
 * writer made unnecessary: `lockAccountGrants` takes the account row FOR UPDATE (what serializes
 * two enables of one account's grant), `requestOf({ forUpdate })` the request row. Decisions,
 * cancellations, expiries and expiry claims stay conditional updates with RETURNING, so a
 * second transaction racing one finds nothing left to change.
 */
export class PgSupportAccessRepo implements SupportAccessRepo {
  constructor(private readonly tx: PgTx) {}

  async liveGrants(
    accountId: number,
    now: number,
    filter: GrantFilter,
  ): Promise<SupportGrantRow[]> {
    const which: SQL | undefined =
      filter.kind === 'all'
        ? undefined
        : filter.kind === 'customer'
          ? eq(supportGrants.kind, 'customer')
          : or(
              eq(supportGrants.kind, 'customer'),
              eq(supportGrants.engineerUserId, filter.engineerUserId),
            );
    return this.tx.db
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
      .orderBy(asc(supportGrants.id));
  }

  // Ordered by grant id (SQLite's has no ORDER BY and answers in its scan's order).
  async activeGrantsOfEngineer(
    engineerUserId: number,
    now: number,
  ): Promise<{ grant: SupportGrantRow; accountName: string }[]> {
    return this.tx.db
      .select({ grant: supportGrants, accountName: accounts.name })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          isNull(supportGrants.revokedAt),
          lte(supportGrants.startsAt, now),
          gt(supportGrants.expiresAt, now),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, engineerUserId)),
        ),
      )
      .orderBy(asc(supportGrants.id));
  }

  async insertGrant(values: NewSupportGrant): Promise<SupportGrantRow> {
    const [row] = await this.tx.db.insert(supportGrants).values(values).returning();
    return row!;
  }

  // The account row stands for its grants: whoever reads the live grants to extend or insert
  // one holds it until COMMIT, and the next enable of the same account waits (scale-out.md §1.3).
  async lockAccountGrants(accountId: number): Promise<void> {
    await this.tx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for('update');
  }

  async extendGrant(id: number, expiresAt: number): Promise<SupportGrantRow | undefined> {
    const [row] = await this.tx.db
      .update(supportGrants)
      // SQLite's scalar max(a, b) is greatest(a, b) here.
      .set({ expiresAt: sql`greatest(${supportGrants.expiresAt}, ${expiresAt})` })
      .where(and(eq(supportGrants.id, id), isNull(supportGrants.revokedAt)))
      .returning();
    return row;
  }

  async revokeGrant(
    id: number,
    revokedAt: number,
    byUserId: number,
    reason: string | null,
  ): Promise<boolean> {
    const rows = await this.tx.db
      .update(supportGrants)
      .set({ revokedAt, revokedByUserId: byUserId, revokeReason: reason })
      .where(and(eq(supportGrants.id, id), isNull(supportGrants.revokedAt)))
      .returning({ id: supportGrants.id });
    return rows.length > 0;
  }

  async accountExists(accountId: number): Promise<boolean> {
    const rows = await this.tx.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return rows.length > 0;
  }

  async emails(userIds: number[]): Promise<Map<number, string>> {
    const wanted = [...new Set(userIds)];
    if (wanted.length === 0) return new Map();
    const rows = await this.tx.db
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(inArray(users.id, wanted))
      .orderBy(asc(users.id));
    return new Map(rows.map((r) => [r.id, r.email]));
  }

  async requestOf(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<SupportRequestRow | undefined> {
    const q = this.tx.db
      .select()
      .from(supportRequests)
      .where(and(eq(supportRequests.id, id), eq(supportRequests.accountId, accountId)));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row as SupportRequestRow | undefined;
  }

  async pendingRequestOf(
    accountId: number,
    engineerUserId: number,
    now: number,
  ): Promise<SupportRequestRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(supportRequests)
      .where(
        and(
          eq(supportRequests.accountId, accountId),
          eq(supportRequests.engineerUserId, engineerUserId),
          eq(supportRequests.status, 'pending'),
          gt(supportRequests.expiresAt, now),
        ),
      )
      .orderBy(asc(supportRequests.id))
      .limit(1);
    return row as SupportRequestRow | undefined;
  }

  async insertRequest(values: NewSupportRequest): Promise<SupportRequestRow> {
    const [row] = await this.tx.db.insert(supportRequests).values(values).returning();
    return row as SupportRequestRow;
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
    const [t] = await this.tx.db.select({ n: count() }).from(supportRequests).where(where);
    const rows = await this.tx.db
      .select()
      .from(supportRequests)
      .where(where)
      .orderBy(desc(supportRequests.id))
      .limit(limit)
      .offset(skip);
    return { total: t?.n ?? 0, rows: rows as SupportRequestRow[] };
  }

  async requestsOfEngineer(engineerUserId: number, limit: number): Promise<SupportRequestRow[]> {
    return this.tx.db
      .select()
      .from(supportRequests)
      .where(eq(supportRequests.engineerUserId, engineerUserId))
      .orderBy(desc(supportRequests.id))
      .limit(limit) as Promise<SupportRequestRow[]>;
  }

  // Decided once: of two transactions deciding one request, the second matches no pending row
  // (READ COMMITTED re-checks the WHERE after the first commits; SERIALIZABLE aborts and the
  // retry finds it decided) and gets undefined.
  async decideRequest(
    id: number,
    decision: RequestDecision,
  ): Promise<SupportRequestRow | undefined> {
    const [row] = await this.tx.db
      .update(supportRequests)
      .set(decision)
      .where(and(eq(supportRequests.id, id), eq(supportRequests.status, 'pending')))
      .returning();
    return row as SupportRequestRow | undefined;
  }

  async cancelPendingRequests(
    accountId: number,
    now: number,
    byUserId: number,
    reason: string,
  ): Promise<SupportRequestRow[]> {
    const rows = await this.tx.db
      .update(supportRequests)
      .set({
        status: 'cancelled',
        decidedAt: now,
        decidedByUserId: byUserId,
        decisionReason: reason,
      })
      .where(and(eq(supportRequests.accountId, accountId), eq(supportRequests.status, 'pending')))
      .returning();
    return byId(rows as SupportRequestRow[]);
  }

  async accountsWithExpiries(now: number, lookbackMs: number): Promise<number[]> {
    const fromRequests = await this.tx.db
      .selectDistinct({ accountId: supportRequests.accountId })
      .from(supportRequests)
      .where(and(eq(supportRequests.status, 'pending'), lte(supportRequests.expiresAt, now)));
    const fromGrants = await this.tx.db
      .selectDistinct({ accountId: supportGrants.accountId })
      .from(supportGrants)
      .where(
        and(
          isNull(supportGrants.revokedAt),
          lte(supportGrants.expiresAt, now),
          gt(supportGrants.expiresAt, now - lookbackMs),
        ),
      );
    return [...new Set([...fromRequests, ...fromGrants].map((r) => r.accountId))].sort(
      (a, b) => a - b,
    );
  }

  async expireStaleRequests(accountId: number, now: number): Promise<SupportRequestRow[]> {
    const rows = await this.tx.db
      .update(supportRequests)
      .set({ status: 'expired' })
      .where(
        and(
          eq(supportRequests.accountId, accountId),
          eq(supportRequests.status, 'pending'),
          lte(supportRequests.expiresAt, now),
        ),
      )
      .returning();
    return byId(rows as SupportRequestRow[]);
  }

  // Recorded once (SUP-6): the job and the lazy path on two replicas claim each ended grant by
  // this conditional update; whoever comes second finds expiry_recorded_at set. Sorted by id.
  async claimEndedGrants(
    accountId: number,
    now: number,
    lookbackMs: number,
  ): Promise<SupportGrantRow[]> {
    const rows = await this.tx.db
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
      .returning();
    return byId(rows);
  }
}
