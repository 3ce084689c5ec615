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

/** Whose facts one access decision reads (AccessService.factsQuery): never the system actor. */
export interface ActorFactsQuery {
  userId: number;
  accountId: number;
  /** A support engineer's facts are their grants; anyone else's, their roles in their account. */
  supportEngineer: boolean;
  /** Support grants active at this time. */
  now: number;
}

/** Everything one access decision reads about an actor, in one snapshot. */
export interface ActorFactRows {
  state: UserAccessState | undefined;
  /** Empty for a support engineer (their roles count nowhere: factsOf). */
  roles: RoleGrant[];
  /** Empty for anyone but a support engineer. */
  supportAccountIds: number[];
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
  /**
   * The actor's state with their roles or their grants, as `userState` and `roles` or
   * `supportAccountIds` answer them: one statement where round trips cost (PostgreSQL).
   */
  facts(q: ActorFactsQuery): Promise<ActorFactRows>;
}
