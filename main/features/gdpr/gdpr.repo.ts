// Draft port (issue 14 step 0): GDPR-1 erasure. Exports run on the read workers (outside the
// unit of work). Not yet implemented on SQLite.
import type { RoleAssignmentRow, UserRow } from '../../domain/rows';

export interface GdprRepo {
  user(userId: number): Promise<UserRow | undefined>;
  rolesOf(userId: number): Promise<RoleAssignmentRow[]>;
  /** Is anyone else an account admin of this account (the last one cannot be erased). */
  otherAccountAdmins(accountId: number, userId: number): Promise<number>;
  /** Erases the person: anonymised row, roles gone, tokens revoked. */
  erase(userId: number, anonymised: Partial<UserRow>, now: number): Promise<void>;
}
