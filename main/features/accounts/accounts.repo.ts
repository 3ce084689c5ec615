// Draft port (issue 14 step 0): what AccountsService reads and writes, domain-shaped. Not yet
// implemented on SQLite (main/db/sqlite/repos/index.ts); the engineer converting accounts owns
// its final shape.
import type { AccountRow, RoleAssignmentRow, UserRow } from '../../domain/rows';

export interface AccountWithCounts extends AccountRow {
  organizations: number;
  users: number;
}

export interface AccountsRepo {
  /** First start: provisioning runs only on an empty installation. */
  isEmpty(): Promise<boolean>;
  insertAccount(values: Omit<AccountRow, 'id'>): Promise<AccountRow>;
  insertUser(values: Omit<UserRow, 'id'>): Promise<UserRow>;
  insertRole(values: Omit<RoleAssignmentRow, 'id'>): Promise<void>;
  byId(id: number): Promise<AccountRow | undefined>;
  withCounts(id: number): Promise<AccountWithCounts | undefined>;
  page(skip: number, limit: number): Promise<{ total: number; rows: AccountWithCounts[] }>;
  /** PLAT-1 fields (name, active flag, retention); the row after. */
  update(id: number, set: Partial<Omit<AccountRow, 'id'>>): Promise<AccountRow | undefined>;
}
