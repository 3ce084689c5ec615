import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { RoleAssignmentRow, UserRow } from '../../../domain/rows';
import type { NewRole, NewUser, UserChanges, UsersRepo } from '../../../features/users/users.repo';
import type { Db } from '../../database';
import { apiTokens, organizations, roleAssignments, users } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** TEN-6 on SQLite: the SQL UsersService ran before issue 14, unchanged. */
export class SqliteUsersRepo implements UsersRepo {
  private readonly ofAccountStmt;
  private readonly byIdStmt;
  private readonly inAccountStmt;
  private readonly adminsStmt;

  constructor(private readonly db: Db) {
    this.ofAccountStmt = db
      .select()
      .from(users)
      .where(eq(users.accountId, p('accountId')))
      .orderBy(asc(users.emailKey))
      .prepare();
    this.byIdStmt = db
      .select()
      .from(users)
      .where(eq(users.id, p('id')))
      .prepare();
    this.inAccountStmt = db
      .select()
      .from(users)
      .where(and(eq(users.id, p('id')), eq(users.accountId, p('accountId'))))
      .prepare();
    this.adminsStmt = db
      .select({ userId: roleAssignments.userId })
      .from(roleAssignments)
      .innerJoin(users, eq(users.id, roleAssignments.userId))
      .where(
        and(
          eq(roleAssignments.accountId, p('accountId')),
          eq(roleAssignments.role, 'account_admin'),
          eq(users.isActive, true),
        ),
      )
      .prepare();
  }

  async ofAccount(accountId: number): Promise<UserRow[]> {
    return this.ofAccountStmt.all({ accountId });
  }

  async byId(id: number): Promise<UserRow | undefined> {
    return this.byIdStmt.get({ id });
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async inAccount(
    accountId: number,
    id: number,
    _opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined> {
    return this.inAccountStmt.get({ id, accountId });
  }

  async rolesOf(userIds: number[]): Promise<RoleAssignmentRow[]> {
    if (userIds.length === 0) return [];
    return this.db
      .select()
      .from(roleAssignments)
      .where(inArray(roleAssignments.userId, userIds))
      .orderBy(asc(roleAssignments.id))
      .all();
  }

  async insert(values: NewUser): Promise<UserRow> {
    return this.db.insert(users).values(values).returning().get();
  }

  async update(id: number, changes: UserChanges): Promise<UserRow | undefined> {
    return this.db.update(users).set(changes).where(eq(users.id, id)).returning().get();
  }

  async revokeTokens(userId: number, now: number, opts: { sessionsOnly: boolean }): Promise<void> {
    this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiTokens.userId, userId),
          isNull(apiTokens.revokedAt),
          ...(opts.sessionsOnly ? [eq(apiTokens.kind, 'session')] : []),
        ),
      )
      .run();
  }

  async orgIdsIn(accountId: number, orgIds: number[]): Promise<number[]> {
    if (orgIds.length === 0) return [];
    return this.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(inArray(organizations.id, orgIds), eq(organizations.accountId, accountId)))
      .all()
      .map((o) => o.id);
  }

  async activeAdminIds(accountId: number): Promise<number[]> {
    return this.adminsStmt.all({ accountId }).map((a) => a.userId);
  }

  async replaceRoles(userId: number, accountId: number, roles: NewRole[]): Promise<void> {
    this.db.delete(roleAssignments).where(eq(roleAssignments.userId, userId)).run();
    if (roles.length > 0) {
      this.db
        .insert(roleAssignments)
        .values(
          roles.map((r) => ({ userId, accountId, role: r.role, organizationId: r.organizationId })),
        )
        .run();
    }
  }
}
