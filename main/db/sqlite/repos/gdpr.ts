import { and, eq, isNull, sql } from 'drizzle-orm';
import type { UserRow } from '../../../domain/rows';
import type { AnonymisedUser, GdprRepo } from '../../../features/gdpr/gdpr.repo';
import type { Db } from '../../database';
import { apiTokens, roleAssignments, users } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** GDPR-1 on SQLite: the service's queries, moved unchanged; the reads prepared once. */
export class SqliteGdprRepo implements GdprRepo {
  private readonly userStmt;
  private readonly adminStmt;

  constructor(private readonly db: Db) {
    this.userStmt = db
      .select()
      .from(users)
      .where(and(eq(users.id, p('userId')), eq(users.accountId, p('accountId'))))
      .prepare();
    this.adminStmt = db
      .select({ id: roleAssignments.id })
      .from(roleAssignments)
      .where(
        and(eq(roleAssignments.userId, p('userId')), eq(roleAssignments.role, 'account_admin')),
      )
      .prepare();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async userOfAccount(
    accountId: number,
    userId: number,
    _opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined> {
    return this.userStmt.get({ accountId, userId });
  }

  async isAccountAdmin(userId: number): Promise<boolean> {
    return this.adminStmt.get({ userId }) !== undefined;
  }

  async revokeTokens(userId: number, now: number): Promise<{ kind: string }[]> {
    const revoked = this.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning({ kind: apiTokens.kind })
      .all();
    // Token names are free text the user chose: they may name the person too.
    this.db.update(apiTokens).set({ name: 'erased' }).where(eq(apiTokens.userId, userId)).run();
    return revoked;
  }

  async removeRoles(userId: number): Promise<number> {
    return this.db
      .delete(roleAssignments)
      .where(eq(roleAssignments.userId, userId))
      .returning({ id: roleAssignments.id })
      .all().length;
  }

  async anonymise(userId: number, values: AnonymisedUser, now: number): Promise<UserRow> {
    return this.db
      .update(users)
      .set({
        ...values,
        passwordHash: null,
        isActive: false,
        erasedAt: now,
        updatedAt: now,
      })
      .where(eq(users.id, userId))
      .returning()
      .get()!;
  }
}
