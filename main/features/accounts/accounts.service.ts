import { count, eq } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { hashPassword } from '../../core/crypto';
import type { Db } from '../../db/database';
import { accounts, roleAssignments, users } from '../../db/schema';
import { emailKey } from '../users/users.service';

export interface NewAccount {
  accountName: string;
  adminEmail: string;
  adminName: string;
  adminPassword?: string;
  /**
   * PLAT-1: the admin is also a platform operator. Only the first start sets it (the server's
   * bootstrap admin, the desktop's local operator): an account made by an operator's API call
   * gets a tenant admin and nothing more.
   */
  platformOperator?: boolean;
}

/**
 * Accounts are provisioned by the installation (first start, tests), never by a tenant's own
 * API call: there is no procedure that creates one.
 */
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  isEmpty(): boolean {
    return (this.db.select({ n: count() }).from(accounts).get()?.n ?? 0) === 0;
  }

  async provision(input: NewAccount): Promise<{ accountId: number; adminUserId: number }> {
    const passwordHash = input.adminPassword ? await hashPassword(input.adminPassword) : null;
    const now = this.clock.now();
    return this.db.transaction(() => {
      const account = this.db
        .insert(accounts)
        .values({ name: input.accountName, createdAt: now })
        .returning({ id: accounts.id })
        .get();
      const admin = this.db
        .insert(users)
        .values({
          accountId: account.id,
          email: input.adminEmail,
          emailKey: emailKey(input.adminEmail),
          name: input.adminName,
          passwordHash,
          isPlatformOperator: input.platformOperator ?? false,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: users.id })
        .get();
      this.db
        .insert(roleAssignments)
        .values({
          userId: admin.id,
          accountId: account.id,
          organizationId: null,
          role: 'account_admin',
        })
        .run();
      return { accountId: account.id, adminUserId: admin.id };
    });
  }

  defaultRetentionDays(accountId: number): number {
    return (
      this.db.select().from(accounts).where(eq(accounts.id, accountId)).get()
        ?.defaultRetentionDays ?? 90
    );
  }
}
