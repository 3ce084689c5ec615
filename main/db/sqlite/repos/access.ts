import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { AccessRepo, OrgRef, RoleGrant, UserAccessState } from '../../../core/access.repo';
import type { AccessReadsNow } from '../../../core/access';
import type { Db } from '../../database';
import { accounts, organizations, roleAssignments, supportGrants, users } from '../../schema';

/**
 * AccessService's reads (every call runs them: prepared once per connection). `now` is the same
 * reads, synchronous, for the temporary SyncAccess facade.
 */
export class SqliteAccessRepo implements AccessRepo {
  readonly now: AccessReadsNow;

  constructor(db: Db) {
    const p = (name: string) => sql.placeholder(name);
    const userState = db
      .select({
        userActive: users.isActive,
        accountActive: accounts.isActive,
        platformOperator: users.isPlatformOperator,
      })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(eq(users.id, p('userId')))
      .prepare();
    // A deactivated account is closed to support grants too: nobody reads inside it.
    const supportAccounts = db
      .selectDistinct({ accountId: supportGrants.accountId })
      .from(supportGrants)
      .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
      .where(
        and(
          eq(accounts.isActive, true),
          lte(supportGrants.startsAt, p('now')),
          gt(supportGrants.expiresAt, p('now')),
          isNull(supportGrants.revokedAt),
          or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, p('userId'))),
        ),
      )
      .prepare();
    const roles = db
      .select({ role: roleAssignments.role, organizationId: roleAssignments.organizationId })
      .from(roleAssignments)
      .where(
        and(eq(roleAssignments.userId, p('userId')), eq(roleAssignments.accountId, p('accountId'))),
      )
      .prepare();
    const org = db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        isActive: organizations.isActive,
      })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
    this.now = {
      userState: (userId) => userState.get({ userId }),
      supportAccountIds: (userId, now) =>
        supportAccounts.all({ now, userId }).map((r) => r.accountId),
      roles: (userId, accountId) => roles.all({ userId, accountId }),
      orgRef: (orgId) => org.get({ orgId }),
    };
  }

  async userState(userId: number): Promise<UserAccessState | undefined> {
    return this.now.userState(userId);
  }

  async supportAccountIds(userId: number, now: number): Promise<number[]> {
    return this.now.supportAccountIds(userId, now);
  }

  async roles(userId: number, accountId: number): Promise<RoleGrant[]> {
    return this.now.roles(userId, accountId);
  }

  async orgRef(orgId: number): Promise<OrgRef | undefined> {
    return this.now.orgRef(orgId);
  }
}
