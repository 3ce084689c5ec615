// Port (issue 14): what UsersService reads and writes (TEN-6, PLAT-2), domain-shaped so each
// engine writes its best SQL behind it. SQLite: main/db/sqlite/repos/users.ts.
import type { RoleAssignmentRow, UserRow } from '../../domain/rows';

export type NewUser = Pick<
  UserRow,
  | 'accountId'
  | 'email'
  | 'emailKey'
  | 'name'
  | 'passwordHash'
  | 'isSupportEngineer'
  | 'createdAt'
  | 'updatedAt'
>;

export type UserChanges = Partial<
  Pick<UserRow, 'name' | 'isActive' | 'isSupportEngineer' | 'passwordHash'>
> &
  Pick<UserRow, 'updatedAt'>;

export type NewRole = Pick<RoleAssignmentRow, 'role' | 'organizationId'>;

/**
 * Email clashes (one email per installation, ignoring case) surface as the engine's unique
 * violation; the service maps it with isUniqueViolation (main/core/names.ts).
 */
export interface UsersRepo {
  /** The account's users, by folded email. */
  ofAccount(accountId: number): Promise<UserRow[]>;
  byId(id: number): Promise<UserRow | undefined>;
  /** The user if it belongs to the account. `forUpdate`: it is about to be changed. */
  inAccount(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined>;
  /** The users' role assignments, in the order they were given. */
  rolesOf(userIds: number[]): Promise<RoleAssignmentRow[]>;
  insert(values: NewUser): Promise<UserRow>;
  /** The row after the change. */
  update(id: number, changes: UserChanges): Promise<UserRow | undefined>;
  /** Ends the user's tokens: every one, or (`sessionsOnly`) the sessions. */
  revokeTokens(userId: number, now: number, opts: { sessionsOnly: boolean }): Promise<void>;
  /** Which of these org ids exist in the account (a role may only name its own orgs). */
  orgIdsIn(accountId: number, orgIds: number[]): Promise<number[]>;
  /** Users holding account_admin in the account while active (the account keeps one). */
  activeAdminIds(accountId: number): Promise<number[]>;
  /** Replaces every role the user holds with these, in the account. */
  replaceRoles(userId: number, accountId: number, roles: NewRole[]): Promise<void>;
}
