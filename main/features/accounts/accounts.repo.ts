// Port (issue 14): what AccountsService reads and writes (PLAT-1), domain-shaped so each engine
// writes its best SQL behind it. SQLite: main/db/sqlite/repos/accounts.ts.
import type { AccountRow, UserRow } from '../../domain/rows';

/** An account as the operator sees it: a name and three counts, never the tenant's content. */
export interface AccountWithCounts extends Pick<
  AccountRow,
  'id' | 'name' | 'isActive' | 'requireMfa' | 'createdAt'
> {
  organizations: number;
  users: number;
  hosts: number;
}

export type NewAccountAdmin = Pick<
  UserRow,
  'email' | 'emailKey' | 'name' | 'passwordHash' | 'isPlatformOperator'
>;

/**
 * The admin's email clashing with an existing user's surfaces as the engine's unique violation;
 * the service maps it with isUniqueViolation (main/core/names.ts).
 */
export interface AccountsRepo {
  /** First start: provisioning runs only on an empty installation. */
  isEmpty(): Promise<boolean>;
  /** The account, its first user and that user's account_admin role; their ids. */
  insertWithAdmin(
    name: string,
    admin: NewAccountAdmin,
    now: number,
  ): Promise<{ accountId: number; adminUserId: number }>;
  /** `forUpdate`: the row is about to be changed from what was read. */
  byId(id: number, opts?: { forUpdate?: boolean }): Promise<AccountRow | undefined>;
  withCounts(id: number): Promise<AccountWithCounts | undefined>;
  /** By folded name, then id. */
  page(skip: number, limit: number): Promise<{ total: number; rows: AccountWithCounts[] }>;
  /** PLAT-1 fields; the row after. */
  update(
    id: number,
    set: Partial<Pick<AccountRow, 'name' | 'isActive' | 'requireMfa'>>,
  ): Promise<AccountRow | undefined>;
}
