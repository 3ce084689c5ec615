import { asc, count, eq, sql } from 'drizzle-orm';
import type { AccountRow } from '../../../domain/rows';
import type {
  AccountsRepo,
  AccountWithCounts,
  NewAccountAdmin,
} from '../../../features/accounts/accounts.repo';
import { accounts, roleAssignments, users } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

// Written out as in the SQLite adapter: the outer `accounts.id` must not resolve inside the
// subqueries. count(*) is int8 on PostgreSQL, read as a number by the pool's int8 parser; sum()
// of int8 is numeric (a string), hence the cast back.
const outer = sql`${sql.identifier('accounts')}.${sql.identifier('id')}`;
const counted = {
  id: accounts.id,
  name: accounts.name,
  isActive: accounts.isActive,
  requireMfa: accounts.requireMfa,
  createdAt: accounts.createdAt,
  organizations:
    sql<number>`(SELECT count(*) FROM organizations o WHERE o.account_id = ${outer})`.mapWith(
      Number,
    ),
  users: sql<number>`(SELECT count(*) FROM users u WHERE u.account_id = ${outer})`.mapWith(Number),
  hosts: sql<number>`(SELECT coalesce(sum(c.hosts), 0) FROM organization_host_counts c
    JOIN organizations o ON o.id = c.organization_id WHERE o.account_id = ${outer})`.mapWith(
    Number,
  ),
};

/** PLAT-1 on PostgreSQL: the SQLite adapter's statements. */
export class PgAccountsRepo implements AccountsRepo {
  constructor(private readonly tx: PgTx) {}

  async isEmpty(): Promise<boolean> {
    const [row] = await this.tx.db.select({ n: count() }).from(accounts);
    return (row?.n ?? 0) === 0;
  }

  async insertWithAdmin(
    name: string,
    admin: NewAccountAdmin,
    now: number,
  ): Promise<{ accountId: number; adminUserId: number }> {
    const [account] = await this.tx.db
      .insert(accounts)
      .values({ name, createdAt: now })
      .returning({ id: accounts.id });
    const [user] = await this.tx.db
      .insert(users)
      .values({ ...admin, accountId: account!.id, createdAt: now, updatedAt: now })
      .returning({ id: users.id });
    await this.tx.db.insert(roleAssignments).values({
      userId: user!.id,
      accountId: account!.id,
      organizationId: null,
      role: 'account_admin',
    });
    return { accountId: account!.id, adminUserId: user!.id };
  }

  async byId(id: number, opts?: { forUpdate?: boolean }): Promise<AccountRow | undefined> {
    const q = this.tx.db.select().from(accounts).where(eq(accounts.id, id));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async withCounts(id: number): Promise<AccountWithCounts | undefined> {
    const [row] = await this.tx.db.select(counted).from(accounts).where(eq(accounts.id, id));
    return row;
  }

  async page(skip: number, limit: number): Promise<{ total: number; rows: AccountWithCounts[] }> {
    const [t] = await this.tx.db.select({ n: count() }).from(accounts);
    const rows = await this.tx.db
      .select(counted)
      .from(accounts)
      // lower() under COLLATE "C" folds ASCII only, as SQLite's lower() does.
      .orderBy(sql`lower(${accounts.name})`, asc(accounts.id))
      .limit(limit)
      .offset(skip);
    return { total: t?.n ?? 0, rows };
  }

  async update(
    id: number,
    set: Partial<Pick<AccountRow, 'name' | 'isActive' | 'requireMfa'>>,
  ): Promise<AccountRow | undefined> {
    const [row] = await this.tx.db.update(accounts).set(set).where(eq(accounts.id, id)).returning();
    return row;
  }
}
