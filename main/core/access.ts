import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import {
  PERMISSION_LABELS,
  READ_ONLY_PERMISSIONS,
  SUPPORT_PERMISSIONS,
  permissionsOf,
  type Permission,
  type Role,
} from '../../shared/permissions';
import type { Db } from '../db/database';
import { accounts, organizations, roleAssignments, supportGrants, users } from '../db/schema';
import type { Actor } from './actor';
import type { Clock } from './clock';
import { DomainError, forbidden, notFound } from './errors';

export interface OrgRef {
  id: number;
  accountId: number;
  name: string;
  isActive: boolean;
}

/** What an actor may see, read fresh from the database on every call (never cached: SUP-5). */
export interface AccessScope {
  /** Accounts whose every org is visible (account admin of it, or an active support grant). */
  accountIds: number[];
  /** Individual orgs visible through org-scoped roles. */
  orgIds: number[];
}

function missing(permission: Permission): DomainError {
  return new DomainError(
    'FORBIDDEN',
    `You need the ${permission} permission (${PERMISSION_LABELS[permission]}) for this; ask an account admin.`,
  );
}

/**
 * The one place that decides access. Every service call goes through it; deny is the default:
 * no role and no active grant means nothing is visible, and a foreign id reads as not found.
 */
export class AccessService {
  // Every call runs these, so they are built and prepared once, not per call.
  private readonly q;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    const p = (name: string) => sql.placeholder(name);
    this.q = {
      // PLAT-1: a user of a deactivated account is as inactive as a deactivated user.
      userState: db
        .select({
          userActive: users.isActive,
          accountActive: accounts.isActive,
          platformOperator: users.isPlatformOperator,
        })
        .from(users)
        .innerJoin(accounts, eq(accounts.id, users.accountId))
        .where(eq(users.id, p('userId')))
        .prepare(),
      // A deactivated account is closed to support grants too: nobody reads inside it.
      supportAccounts: db
        .selectDistinct({ accountId: supportGrants.accountId })
        .from(supportGrants)
        .innerJoin(accounts, eq(accounts.id, supportGrants.accountId))
        .where(
          and(
            eq(accounts.isActive, true),
            lte(supportGrants.startsAt, p('now')),
            gt(supportGrants.expiresAt, p('now')),
            isNull(supportGrants.revokedAt),
            or(eq(supportGrants.kind, 'customer'), eq(supportGrants.engineerUserId, p('userId'))),
          ),
        )
        .prepare(),
      roles: db
        .select({ role: roleAssignments.role, organizationId: roleAssignments.organizationId })
        .from(roleAssignments)
        .where(
          and(
            eq(roleAssignments.userId, p('userId')),
            eq(roleAssignments.accountId, p('accountId')),
          ),
        )
        .prepare(),
      org: db
        .select({
          id: organizations.id,
          accountId: organizations.accountId,
          name: organizations.name,
          isActive: organizations.isActive,
        })
        .from(organizations)
        .where(eq(organizations.id, p('orgId')))
        .prepare(),
    };
  }

  private activeUser(actor: Actor): boolean {
    if (actor.via === 'system') return true;
    const state = this.q.userState.get({ userId: actor.userId });
    return state?.userActive === true && state.accountActive === true;
  }

  /**
   * PLAT-1: the platform operator's own calls (the accounts.* procedures, making support
   * engineers). A server-level role, so no tenant permission stands in for it, not even an
   * account admin's; read fresh from the database on every call like every other right, from an
   * active user of an active account. A read-only token keeps the reads (`access: 'read'`) and
   * never the writes. Returns the operator's user id.
   */
  requirePlatformOperator(actor: Actor, access: 'read' | 'write'): number {
    const state =
      actor.via === 'system' ? undefined : this.q.userState.get({ userId: actor.userId });
    if (!state?.platformOperator || !state.userActive || !state.accountActive) {
      throw forbidden(
        'Only a platform operator can do this: accounts and support engineers are managed by the platform, not by an account (PLAT-1)',
      );
    }
    if (access === 'write' && actor.readOnly) {
      throw forbidden(
        'A read-only token changes nothing; use a full token of the platform operator',
      );
    }
    return actor.userId;
  }

  /** Accounts where this support engineer holds an active grant right now. */
  supportAccountIds(actor: Actor): number[] {
    if (!actor.isSupportEngineer) return [];
    const rows = this.q.supportAccounts.all({ now: this.clock.now(), userId: actor.userId });
    return rows.map((r) => r.accountId);
  }

  private rolesOf(actor: Actor): { accountWide: Role[]; byOrg: Map<number, Role[]> } {
    const rows = this.q.roles.all({ userId: actor.userId, accountId: actor.accountId });
    const accountWide: Role[] = [];
    const byOrg = new Map<number, Role[]>();
    for (const r of rows) {
      if (r.organizationId === null) accountWide.push(r.role);
      else byOrg.set(r.organizationId, [...(byOrg.get(r.organizationId) ?? []), r.role]);
    }
    return { accountWide, byOrg };
  }

  private narrow(actor: Actor, perms: Set<Permission>): Set<Permission> {
    if (!actor.readOnly) return perms;
    return new Set([...perms].filter((p) => READ_ONLY_PERMISSIONS.includes(p)));
  }

  /** Permissions the actor holds account-wide in `accountId`. */
  accountPermissions(actor: Actor, accountId: number): Set<Permission> {
    if (actor.via === 'system') return permissionsOf(['account_admin']);
    if (!this.activeUser(actor)) return new Set();
    if (actor.isSupportEngineer) {
      return this.supportAccountIds(actor).includes(accountId)
        ? this.narrow(actor, new Set(SUPPORT_PERMISSIONS))
        : new Set();
    }
    if (accountId !== actor.accountId) return new Set();
    return this.narrow(actor, permissionsOf(this.rolesOf(actor).accountWide));
  }

  /** Permissions the actor holds on one org (account-wide roles included). */
  orgPermissions(actor: Actor, org: Pick<OrgRef, 'id' | 'accountId'>): Set<Permission> {
    if (actor.via === 'system') return permissionsOf(['account_admin']);
    if (!this.activeUser(actor)) return new Set();
    if (actor.isSupportEngineer) return this.accountPermissions(actor, org.accountId);
    if (org.accountId !== actor.accountId) return new Set();
    const { accountWide, byOrg } = this.rolesOf(actor);
    return this.narrow(actor, permissionsOf([...accountWide, ...(byOrg.get(org.id) ?? [])]));
  }

  scope(actor: Actor): AccessScope {
    if (!this.activeUser(actor)) return { accountIds: [], orgIds: [] };
    if (actor.isSupportEngineer) return { accountIds: this.supportAccountIds(actor), orgIds: [] };
    const { accountWide, byOrg } = this.rolesOf(actor);
    return {
      accountIds: accountWide.length > 0 ? [actor.accountId] : [],
      orgIds: [...byOrg.keys()],
    };
  }

  private loadOrg(orgId: number): OrgRef | undefined {
    return this.q.org.get({ orgId });
  }

  /**
   * The org if the actor may see it and holds every listed permission on it. An org the actor
   * cannot see at all is NOT_FOUND, exactly like an id that does not exist.
   */
  requireOrg(actor: Actor, orgId: number, ...permissions: Permission[]): OrgRef {
    return this.checkOrg(actor, orgId, permissions, () => notFound('Organization', orgId));
  }

  /**
   * An object the caller names by its own id (a host, a location, a workflow…), with the org it
   * belongs to. Missing, or in an org the caller cannot see, it is the same NOT_FOUND naming the
   * object, so a foreign id reads exactly like an absent one.
   */
  requireInOrg<T extends { organizationId: number }>(
    actor: Actor,
    what: string,
    id: number,
    row: T | undefined,
    ...permissions: Permission[]
  ): { row: T; org: OrgRef } {
    const gone = () => notFound(what, id);
    if (!row) throw gone();
    return { row, org: this.checkOrg(actor, row.organizationId, permissions, gone) };
  }

  private checkOrg(
    actor: Actor,
    orgId: number,
    permissions: Permission[],
    gone: () => DomainError,
  ): OrgRef {
    const org = this.loadOrg(orgId);
    if (!org) throw gone();
    const perms = this.orgPermissions(actor, org);
    if (!perms.has('organizations.read')) throw gone();
    for (const p of permissions) if (!perms.has(p)) throw missing(p);
    return org;
  }

  /**
   * Like requireAccount, for calls that name an account: one the actor cannot see at all (not
   * their own, no active support grant) is NOT_FOUND, like an id that does not exist (TEN-4).
   */
  requireVisibleAccount(
    actor: Actor,
    permission: Permission,
    accountId: number = actor.accountId,
  ): number {
    const visible =
      actor.via === 'system' ||
      (actor.isSupportEngineer
        ? this.supportAccountIds(actor).includes(accountId)
        : accountId === actor.accountId);
    if (!visible || !this.activeUser(actor)) throw notFound('Account', accountId);
    return this.requireAccount(actor, permission, accountId);
  }

  /** Account-level permission in the actor's own account (support: the granted account). */
  requireAccount(actor: Actor, permission: Permission, accountId = actor.accountId): number {
    const perms = this.accountPermissions(actor, accountId);
    if (!perms.has(permission)) throw missing(permission);
    return accountId;
  }
}
