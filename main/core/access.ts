import {
  PERMISSION_LABELS,
  READ_ONLY_PERMISSIONS,
  SUPPORT_PERMISSIONS,
  permissionsOf,
  type Permission,
  type Role,
} from '../../shared/permissions';
import type {
  AccessRepo,
  ActorFactRows,
  ActorFactsQuery,
  OrgRef,
  RoleGrant,
  UserAccessState,
} from './access.repo';
import type { Actor } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';

export type { OrgRef } from './access.repo';

/** What an actor may see, read fresh from the database on every call (never cached: SUP-5). */
export interface AccessScope {
  /** Accounts whose every org is visible (account admin of it, or an active support grant). */
  accountIds: number[];
  /** Individual orgs visible through org-scoped roles. */
  orgIds: number[];
}

/** What AccessService needs of a unit of work's `r`: its reads, in the caller's transaction. */
export interface AccessReader {
  access: AccessRepo;
}

function missing(permission: Permission): DomainError {
  return new DomainError(
    'FORBIDDEN',
    `You need the ${permission} permission (${PERMISSION_LABELS[permission]}) for this; ask an account admin.`,
  );
}

/**
 * Everything an access decision reads about the actor, loaded once per check: their standing,
 * their roles in their own account (not for support engineers) and the accounts an active
 * support grant opens to them (support engineers only). The decisions below are pure functions
 * of these facts.
 */
interface ActorFacts {
  active: boolean;
  platformOperator: boolean;
  roles: RoleGrant[];
  supportAccountIds: number[];
}

const SYSTEM_FACTS: ActorFacts = {
  active: true,
  platformOperator: false,
  roles: [],
  supportAccountIds: [],
};

function factsOf(
  actor: Actor,
  state: UserAccessState | undefined,
  roles: RoleGrant[],
  supportAccountIds: number[],
): ActorFacts {
  return {
    // PLAT-1: a user of a deactivated account is as inactive as a deactivated user.
    active: state?.userActive === true && state.accountActive === true,
    platformOperator: state?.platformOperator === true,
    roles: actor.isSupportEngineer ? [] : roles,
    supportAccountIds: actor.isSupportEngineer ? supportAccountIds : [],
  };
}

function narrow(actor: Actor, perms: Set<Permission>): Set<Permission> {
  if (!actor.readOnly) return perms;
  return new Set([...perms].filter((p) => READ_ONLY_PERMISSIONS.includes(p)));
}

function rolesByScope(f: ActorFacts): { accountWide: Role[]; byOrg: Map<number, Role[]> } {
  const accountWide: Role[] = [];
  const byOrg = new Map<number, Role[]>();
  for (const r of f.roles) {
    if (r.organizationId === null) accountWide.push(r.role);
    else byOrg.set(r.organizationId, [...(byOrg.get(r.organizationId) ?? []), r.role]);
  }
  return { accountWide, byOrg };
}

function accountPermissionsOf(actor: Actor, f: ActorFacts, accountId: number): Set<Permission> {
  if (actor.via === 'system') return permissionsOf(['account_admin']);
  if (!f.active) return new Set();
  if (actor.isSupportEngineer) {
    return f.supportAccountIds.includes(accountId)
      ? narrow(actor, new Set(SUPPORT_PERMISSIONS))
      : new Set();
  }
  if (accountId !== actor.accountId) return new Set();
  return narrow(actor, permissionsOf(rolesByScope(f).accountWide));
}

function orgPermissionsOf(
  actor: Actor,
  f: ActorFacts,
  org: Pick<OrgRef, 'id' | 'accountId'>,
): Set<Permission> {
  if (actor.via === 'system') return permissionsOf(['account_admin']);
  if (!f.active) return new Set();
  if (actor.isSupportEngineer) return accountPermissionsOf(actor, f, org.accountId);
  if (org.accountId !== actor.accountId) return new Set();
  const { accountWide, byOrg } = rolesByScope(f);
  return narrow(actor, permissionsOf([...accountWide, ...(byOrg.get(org.id) ?? [])]));
}

function scopeOf(actor: Actor, f: ActorFacts): AccessScope {
  if (!f.active) return { accountIds: [], orgIds: [] };
  if (actor.isSupportEngineer) return { accountIds: f.supportAccountIds, orgIds: [] };
  const { accountWide, byOrg } = rolesByScope(f);
  return {
    accountIds: accountWide.length > 0 ? [actor.accountId] : [],
    orgIds: [...byOrg.keys()],
  };
}

/** An org the actor cannot see at all is `gone()`, exactly like an id that does not exist. */
function checkOrg(
  actor: Actor,
  f: ActorFacts,
  org: OrgRef | undefined,
  permissions: Permission[],
  gone: () => DomainError,
): OrgRef {
  if (!org) throw gone();
  const perms = orgPermissionsOf(actor, f, org);
  if (!perms.has('organizations.read')) throw gone();
  for (const p of permissions) if (!perms.has(p)) throw missing(p);
  return org;
}

function checkPlatformOperator(actor: Actor, f: ActorFacts, access: 'read' | 'write'): number {
  if (actor.via === 'system' || !f.platformOperator || !f.active) {
    throw forbidden(
      'Only a platform operator can do this: accounts and support engineers are managed by the platform, not by an account (PLAT-1)',
    );
  }
  if (access === 'write' && actor.readOnly) {
    throw forbidden('A read-only token changes nothing; use a full token of the platform operator');
  }
  return actor.userId;
}

function checkAccount(
  actor: Actor,
  f: ActorFacts,
  permission: Permission,
  accountId: number,
): number {
  if (!accountPermissionsOf(actor, f, accountId).has(permission)) throw missing(permission);
  return accountId;
}

function checkVisibleAccount(
  actor: Actor,
  f: ActorFacts,
  permission: Permission,
  accountId: number,
): number {
  const visible =
    actor.via === 'system' ||
    (actor.isSupportEngineer
      ? f.supportAccountIds.includes(accountId)
      : accountId === actor.accountId);
  if (!visible || !f.active) throw notFound('Account', accountId);
  return checkAccount(actor, f, permission, accountId);
}

/**
 * The one place that decides access. Every service call goes through it; deny is the default:
 * no role and no active grant means nothing is visible, and a foreign id reads as not found.
 *
 * Every check takes the unit of work's `r` and reads grants, roles and the org in the caller's
 * transaction (issue 14): a check and the write it guards see one snapshot, so they can no longer
 * straddle a revocation, and SUP-5's "read fresh on every call" holds.
 */
export class AccessService {
  constructor(private readonly clock: Clock) {}

  private async facts(r: AccessReader, actor: Actor): Promise<ActorFacts> {
    const q = this.factsQuery(actor);
    return this.factsFrom(actor, q ? await r.access.facts(q) : null);
  }

  private factsFrom(actor: Actor, rows: ActorFactRows | null): ActorFacts {
    if (actor.via === 'system' || !rows) return SYSTEM_FACTS;
    return factsOf(actor, rows.state, rows.roles, rows.supportAccountIds);
  }

  /**
   * What a decision about `actor` reads (null: nothing, the system actor), for a repository
   * that reads those facts in the same statement as the data they guard (ORG-2 on PostgreSQL);
   * its answer goes to scopeFrom, so the decision is still made here.
   */
  factsQuery(actor: Actor): ActorFactsQuery | null {
    if (actor.via === 'system') return null;
    return {
      userId: actor.userId,
      accountId: actor.accountId,
      supportEngineer: actor.isSupportEngineer,
      now: this.clock.now(),
    };
  }

  /** scope() over facts read elsewhere in the caller's snapshot (factsQuery's answer). */
  scopeFrom(actor: Actor, rows: ActorFactRows | null): AccessScope {
    return scopeOf(actor, this.factsFrom(actor, rows));
  }

  /**
   * PLAT-1: the platform operator's own calls (the accounts.* procedures, making support
   * engineers). A server-level role, so no tenant permission stands in for it, not even an
   * account admin's; read fresh on every call like every other right, from an active user of an
   * active account. A read-only token keeps the reads (`access: 'read'`) and never the writes.
   * Returns the operator's user id.
   */
  async requirePlatformOperator(
    r: AccessReader,
    actor: Actor,
    access: 'read' | 'write',
  ): Promise<number> {
    const state = actor.via === 'system' ? undefined : await r.access.userState(actor.userId);
    return checkPlatformOperator(actor, factsOf(actor, state, [], []), access);
  }

  /** Accounts where this support engineer holds an active grant right now. */
  async supportAccountIds(r: AccessReader, actor: Actor): Promise<number[]> {
    if (!actor.isSupportEngineer) return [];
    return r.access.supportAccountIds(actor.userId, this.clock.now());
  }

  /** Permissions the actor holds account-wide in `accountId`. */
  async accountPermissions(
    r: AccessReader,
    actor: Actor,
    accountId: number,
  ): Promise<Set<Permission>> {
    return accountPermissionsOf(actor, await this.facts(r, actor), accountId);
  }

  /** Permissions the actor holds on one org (account-wide roles included). */
  async orgPermissions(
    r: AccessReader,
    actor: Actor,
    org: Pick<OrgRef, 'id' | 'accountId'>,
  ): Promise<Set<Permission>> {
    return orgPermissionsOf(actor, await this.facts(r, actor), org);
  }

  async scope(r: AccessReader, actor: Actor): Promise<AccessScope> {
    return scopeOf(actor, await this.facts(r, actor));
  }

  /**
   * The org if the actor may see it and holds every listed permission on it. An org the actor
   * cannot see at all is NOT_FOUND, exactly like an id that does not exist.
   */
  async requireOrg(
    r: AccessReader,
    actor: Actor,
    orgId: number,
    ...permissions: Permission[]
  ): Promise<OrgRef> {
    const org = await r.access.orgRef(orgId);
    return checkOrg(actor, await this.facts(r, actor), org, permissions, () =>
      notFound('Organization', orgId),
    );
  }

  /**
   * An object the caller names by its own id (a host, a location, a workflow…), with the org it
   * belongs to. Missing, or in an org the caller cannot see, it is the same NOT_FOUND naming the
   * object, so a foreign id reads exactly like an absent one.
   */
  async requireInOrg<T extends { organizationId: number }>(
    r: AccessReader,
    actor: Actor,
    what: string,
    id: number,
    row: T | undefined,
    ...permissions: Permission[]
  ): Promise<{ row: T; org: OrgRef }> {
    const gone = () => notFound(what, id);
    if (!row) throw gone();
    const org = await r.access.orgRef(row.organizationId);
    return { row, org: checkOrg(actor, await this.facts(r, actor), org, permissions, gone) };
  }

  /**
   * Like requireAccount, for calls that name an account: one the actor cannot see at all (not
   * their own, no active support grant) is NOT_FOUND, like an id that does not exist (TEN-4).
   */
  async requireVisibleAccount(
    r: AccessReader,
    actor: Actor,
    permission: Permission,
    accountId: number = actor.accountId,
  ): Promise<number> {
    return checkVisibleAccount(actor, await this.facts(r, actor), permission, accountId);
  }

  /** Account-level permission in the actor's own account (support: the granted account). */
  async requireAccount(
    r: AccessReader,
    actor: Actor,
    permission: Permission,
    accountId = actor.accountId,
  ): Promise<number> {
    return checkAccount(actor, await this.facts(r, actor), permission, accountId);
  }
}
