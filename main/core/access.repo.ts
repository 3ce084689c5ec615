import type { Role } from '../../shared/permissions';

/** The org fields every access decision needs. */
export interface OrgRef {
  id: number;
  accountId: number;
  name: string;
  isActive: boolean;
}

/** A user's standing, read with their account's (PLAT-1: a deactivated account deactivates its users). */
export interface UserAccessState {
  userActive: boolean;
  accountActive: boolean;
  platformOperator: boolean;
}

export interface RoleGrant {
  role: Role;
  /** null: account-wide. */
  organizationId: number | null;
}

/**
 * What AccessService reads, fresh on every call (SUP-5: never cached). Read through the caller's
 * `r`, so a check and the write it guards see the same snapshot.
 */
export interface AccessRepo {
  userState(userId: number): Promise<UserAccessState | undefined>;
  /** Accounts (active ones) where a support engineer holds a grant active at `now`. */
  supportAccountIds(userId: number, now: number): Promise<number[]>;
  roles(userId: number, accountId: number): Promise<RoleGrant[]>;
  orgRef(orgId: number): Promise<OrgRef | undefined>;
}
