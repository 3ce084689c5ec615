import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type {
  AccessRepo,
  ActorFactRows,
  ActorFactsQuery,
  OrgRef,
  RoleGrant,
  UserAccessState,
} from '../../../core/access.repo';
import type { Db } from '../../database';
import { accounts, organizations, roleAssignments, supportGrants, users } from '../../schema';

/** AccessService's reads (every call runs them: prepared once per connection). */
export class SqliteAccessRepo implements AccessRepo {
  private readonly userStateStmt;
  private readonly supportAccountsStmt;
  private readonly rolesStmt;
  private readonly orgStmt;

  constructor(db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.userStateStmt = db
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
    this.supportAccountsStmt = db
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
    this.rolesStmt = db
      .select({ role: roleAssignments.role, organizationId: roleAssignments.organizationId })
      .from(roleAssignments)
      .where(
        and(eq(roleAssignments.userId, p('userId')), eq(roleAssignments.accountId, p('accountId'))),
      )
      .prepare();
    this.orgStmt = db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        isActive: organizations.isActive,
      })
      .from(organizations)
      .where(eq(organizations.id, p('orgId')))
      .prepare();
  }

  async userState(userId: number): Promise<UserAccessState | undefined> {
    return this.userStateStmt.get({ userId });
  }

  async supportAccountIds(userId: number, now: number): Promise<number[]> {
    return this.supportAccountsStmt.all({ now, userId }).map((r) => r.accountId);
  }

  async roles(userId: number, accountId: number): Promise<RoleGrant[]> {
    return this.rolesStmt.all({ userId, accountId });
  }

  async orgRef(orgId: number): Promise<OrgRef | undefined> {
    return this.orgStmt.get({ orgId });
  }

  // No round trips to save in-process: the three statements above, in the caller's snapshot.
  async facts(q: ActorFactsQuery): Promise<ActorFactRows> {
    const state = this.userStateStmt.get({ userId: q.userId });
    return q.supportEngineer
      ? {
          state,
          roles: [],
          supportAccountIds: this.supportAccountsStmt
            .all({ now: q.now, userId: q.userId })
            .map((r) => r.accountId),
        }
      : {
          state,
          roles: this.rolesStmt.all({ userId: q.userId, accountId: q.accountId }),
          supportAccountIds: [],
        };
  }
}
