// Port (issue 14): GDPR-1 erasure, as GdprService writes it. The GDPR-2 exports run on the read
// workers with their own connection (gdpr-sections.ts, main/workers/), outside the unit of work;
// their audit entries go through r.audit. SQLite: main/db/sqlite/repos/gdpr.ts.
import type { UserRow } from '../../domain/rows';

/** What erasure writes over the person's row. */
export type AnonymisedUser = Pick<UserRow, 'email' | 'emailKey' | 'name'>;

export interface GdprRepo {
  /** A user of the account; undefined otherwise. `forUpdate`: about to be erased (PG: FOR UPDATE). */
  userOfAccount(
    accountId: number,
    userId: number,
    opts?: { forUpdate?: boolean },
  ): Promise<UserRow | undefined>;
  /** Whether the user holds account_admin. */
  isAccountAdmin(userId: number): Promise<boolean>;
  /** Revokes the user's live tokens and sessions (their kinds), and blanks every token's name. */
  revokeTokens(userId: number, now: number): Promise<{ kind: string }[]>;
  /** Removes every role of the user; how many. */
  removeRoles(userId: number): Promise<number>;
  /** The anonymised, deactivated, erased row. */
  anonymise(userId: number, values: AnonymisedUser, now: number): Promise<UserRow>;
}
