import { asc, count, eq, sql } from 'drizzle-orm';
import type { AccountRow } from '../../../domain/rows';
import type {
  AccountsRepo,
  AccountWithCounts,
  NewAccountAdmin,
} from '../../../features/accounts/accounts.repo';
import type { Db } from '../../database';
import { accounts, roleAssignments, users } from '../../schema';

/** PLAT-1 on SQLite: the SQL AccountsService ran before issue 14, unchanged. */
export class SqliteAccountsRepo implements AccountsRepo {
  private readonly counted;

  constructor(private readonly db: Db) {
    // Counted from indexes (organizations and users by account, the per-org host counts that
    // migration 0004's triggers keep), so a list page never walks a tenant's hosts. Written out
    // with aliases: drizzle leaves the columns of a one-table query unqualified, and the outer
    // `accounts.id` must not resolve inside the subquery.
    const outer = sql`${sql.identifier('accounts')}.${sql.identifier('id')}`;
    this.counted = {
      id: accounts.id,
      name: accounts.name,
      isActive: accounts.isActive,
      requireMfa: accounts.requireMfa,
      createdAt: accounts.createdAt,
      organizations: sql<number>`(SELECT count(*) FROM organizations o WHERE o.account_id = ${outer})`,
      users: sql<number>`(SELECT count(*) FROM users u WHERE u.account_id = ${outer})`,
      hosts: sql<number>`(SELECT coalesce(sum(c.hosts), 0) FROM organization_host_counts c
        JOIN organizations o ON o.id = c.organization_id WHERE o.account_id = ${outer})`,
    };
  }

  async isEmpty(): Promise<boolean> {
    return (this.db.select({ n: count() }).from(accounts).get()?.n ?? 0) === 0;
  }

  async insertWithAdmin(
    name: string,
    admin: NewAccountAdmin,
    now: number,
  ): Promise<{ accountId: number; adminUserId: number }> {
    const account = this.db
      .insert(accounts)
      .values({ name, createdAt: now })
      .returning({ id: accounts.id })
      .get();
    const user = this.db
      .insert(users)
      .values({ ...admin, accountId: account.id, createdAt: now, updatedAt: now })
      .returning({ id: users.id })
      .get();
    this.db
      .insert(roleAssignments)
      .values({
        userId: user.id,
        accountId: account.id,
        organizationId: null,
        role: 'account_admin',
      })
      .run();
    return { accountId: account.id, adminUserId: user.id };
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async byId(id: number, _opts?: { forUpdate?: boolean }): Promise<AccountRow | undefined> {
    return this.db.select().from(accounts).where(eq(accounts.id, id)).get();
  }

  async withCounts(id: number): Promise<AccountWithCounts | undefined> {
    return this.db.select(this.counted).from(accounts).where(eq(accounts.id, id)).get();
  }

  async page(skip: number, limit: number): Promise<{ total: number; rows: AccountWithCounts[] }> {
    const total = this.db.select({ n: count() }).from(accounts).get()?.n ?? 0;
    const rows = this.db
      .select(this.counted)
      .from(accounts)
      .orderBy(sql`lower(${accounts.name})`, asc(accounts.id))
      .limit(limit)
      .offset(skip)
      .all();
    return { total, rows };
  }

  async update(
    id: number,
    set: Partial<Pick<AccountRow, 'name' | 'isActive' | 'requireMfa'>>,
  ): Promise<AccountRow | undefined> {
    return this.db.update(accounts).set(set).where(eq(accounts.id, id)).returning().get();
  }
}
