import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { RoleAssignmentRow, UserRow } from '../../../domain/rows';
import type { NewRole, NewUser, UserChanges, UsersRepo } from '../../../features/users/users.repo';
import { apiTokens, organizations, roleAssignments, users } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

/** TEN-6 on PostgreSQL: the SQLite adapter's statements. */
export class PgUsersRepo implements UsersRepo {
  constructor(private readonly tx: PgTx) {}

  async ofAccount(accountId: number): Promise<UserRow[]> {
    return this.tx.db
      .select()
      .from(users)
      .where(eq(users.accountId, accountId))
      .orderBy(asc(users.emailKey));
  }

  async byId(id: number): Promise<UserRow | undefined> {
    const [row] = await this.tx.db.select().from(users).where(eq(users.id, id));
    return row;
  }

  async inAccount(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined> {
    const q = this.tx.db
      .select()
      .from(users)
      .where(and(eq(users.id, id), eq(users.accountId, accountId)));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async rolesOf(userIds: number[]): Promise<RoleAssignmentRow[]> {
    if (userIds.length === 0) return [];
    return this.tx.db
      .select()
      .from(roleAssignments)
      .where(inArray(roleAssignments.userId, userIds))
      .orderBy(asc(roleAssignments.id)) as Promise<RoleAssignmentRow[]>;
  }

  async insert(values: NewUser): Promise<UserRow> {
    const [row] = await this.tx.db.insert(users).values(values).returning();
    return row!;
  }

  async update(id: number, changes: UserChanges): Promise<UserRow | undefined> {
    const [row] = await this.tx.db.update(users).set(changes).where(eq(users.id, id)).returning();
    return row;
  }

  async revokeTokens(userId: number, now: number, opts: { sessionsOnly: boolean }): Promise<void> {
    await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(
        and(
          eq(apiTokens.userId, userId),
          isNull(apiTokens.revokedAt),
          ...(opts.sessionsOnly ? [eq(apiTokens.kind, 'session')] : []),
        ),
      );
  }

  // Ordered by id, the order SQLite's primary-key lookups answer in.
  async orgIdsIn(accountId: number, orgIds: number[]): Promise<number[]> {
    if (orgIds.length === 0) return [];
    const rows = await this.tx.db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(inArray(organizations.id, orgIds), eq(organizations.accountId, accountId)))
      .orderBy(asc(organizations.id));
    return rows.map((o) => o.id);
  }

  async activeAdminIds(accountId: number): Promise<number[]> {
    const rows = await this.tx.db
      .select({ userId: roleAssignments.userId })
      .from(roleAssignments)
      .innerJoin(users, eq(users.id, roleAssignments.userId))
      .where(
        and(
          eq(roleAssignments.accountId, accountId),
          eq(roleAssignments.role, 'account_admin'),
          eq(users.isActive, true),
        ),
      )
      .orderBy(asc(roleAssignments.id));
    return rows.map((a) => a.userId);
  }

  async replaceRoles(userId: number, accountId: number, roles: NewRole[]): Promise<void> {
    await this.tx.db.delete(roleAssignments).where(eq(roleAssignments.userId, userId));
    if (roles.length > 0) {
      await this.tx.db
        .insert(roleAssignments)
        .values(
          roles.map((r) => ({ userId, accountId, role: r.role, organizationId: r.organizationId })),
        );
    }
  }
}
