import { and, asc, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { AccessRepo, OrgRef, RoleGrant, UserAccessState } from '../../../core/access.repo';
import { accounts, organizations, roleAssignments, supportGrants, users } from '../schema';
import type { PgTx } from '../uow';

/** AccessService's reads on PostgreSQL. */
export class PgAccessRepo implements AccessRepo {
  constructor(private readonly tx: PgTx) {}

  async userState(userId: number): Promise<UserAccessState | undefined> {
    const [row] = await this.tx.db
      .select({
        userActive: users.isActive,
        accountActive: accounts.isActive,
        platformOperator: users.isPlatformOperator,
      })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.id, userId));
    return row;
  }

  // A deactivated account is closed to support grants too: nobody reads inside it. Ordered by
  // account id (SQLite's DISTINCT answers in that order; PostgreSQL's in none).
  async supportAccountIds(userId: number, now: number): Promise<number[]> {
    const rows = await this.tx.db
      .selectDistinct({ accountId: supportGrants.accountId })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          eq(accounts.isActive, true),
          lte(supportGrants.startsAt, now),
          gt(supportGrants.expiresAt, now),
          isNull(supportGrants.revokedAt),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, userId)),
        ),
      )
      .orderBy(asc(supportGrants.accountId));
    return rows.map((r) => r.accountId);
  }

  async roles(userId: number, accountId: number): Promise<RoleGrant[]> {
    return this.tx.db
      .select({ role: roleAssignments.role, organizationId: roleAssignments.organizationId })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.userId, userId), eq(roleAssignments.accountId, accountId)))
      .orderBy(asc(roleAssignments.id)) as Promise<RoleGrant[]>;
  }

  async orgRef(orgId: number): Promise<OrgRef | undefined> {
    const [row] = await this.tx.db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        isActive: organizations.isActive,
      })
      .from(organizations)
      .where(eq(organizations.id, orgId));
    return row;
  }
}
