import { and, eq, isNull } from 'drizzle-orm';
import type { UserRow } from '../../../domain/rows';
import type { AnonymisedUser, GdprRepo } from '../../../features/gdpr/gdpr.repo';
import { apiTokens, roleAssignments, users } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

/** GDPR-1 on PostgreSQL: the SQLite adapter's statements. */
export class PgGdprRepo implements GdprRepo {
  constructor(private readonly tx: PgTx) {}

  async userOfAccount(
    accountId: number,
    userId: number,
    opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined> {
    const q = this.tx.db
      .select()
      .from(users)
      .where(and(eq(users.id, userId), eq(users.accountId, accountId)));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async isAccountAdmin(userId: number): Promise<boolean> {
    const rows = await this.tx.db
      .select({ id: roleAssignments.id })
      .from(roleAssignments)
      .where(and(eq(roleAssignments.userId, userId), eq(roleAssignments.role, 'account_admin')))
      .limit(1);
    return rows.length > 0;
  }

  async revokeTokens(userId: number, now: number): Promise<{ kind: string }[]> {
    const revoked = await this.tx.db
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
      .returning({ kind: apiTokens.kind });
    // Token names are free text the user chose: they may name the person too.
    await this.tx.db.update(apiTokens).set({ name: 'erased' }).where(eq(apiTokens.userId, userId));
    return revoked;
  }

  async removeRoles(userId: number): Promise<number> {
    const rows = await this.tx.db
      .delete(roleAssignments)
      .where(eq(roleAssignments.userId, userId))
      .returning({ id: roleAssignments.id });
    return rows.length;
  }

  async anonymise(userId: number, values: AnonymisedUser, now: number): Promise<UserRow> {
    const [row] = await this.tx.db
      .update(users)
      .set({ ...values, passwordHash: null, isActive: false, erasedAt: now, updatedAt: now })
      .where(eq(users.id, userId))
      .returning();
    return row!;
  }
}
