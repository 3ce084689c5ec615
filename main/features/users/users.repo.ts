// Draft port (issue 14 step 0): TEN-6 users and their roles. Not yet implemented on SQLite.
import type { RoleAssignmentRow, UserRow } from '../../domain/rows';

export interface UsersRepo {
  ofAccount(accountId: number): Promise<UserRow[]>;
  byId(id: number): Promise<UserRow | undefined>;
  rolesOf(userIds: number[]): Promise<RoleAssignmentRow[]>;
  insert(values: Omit<UserRow, 'id'>): Promise<UserRow>;
  update(id: number, set: Partial<Omit<UserRow, 'id'>>): Promise<UserRow | undefined>;
  /** Which of these org ids exist in the account (a role may only name its own orgs). */
  orgIdsIn(accountId: number, orgIds: number[]): Promise<number[]>;
  replaceRoles(userId: number, roles: Omit<RoleAssignmentRow, 'id' | 'userId'>[]): Promise<void>;
  revokeTokensOf(userId: number, now: number): Promise<number>;
}
