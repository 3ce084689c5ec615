import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { hashPassword } from '../../core/crypto';
import { requireAcceptablePassword } from '../../core/password-policy';
import { badRequest, conflict, notFound } from '../../core/errors';
import { isUniqueViolation } from '../../core/names';
import type { RoleAssignmentRow, UserRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import {
  createUserInput,
  setRolesInput,
  updateUserInput,
  type RoleGrant,
  type User,
  type RevokedSessions,
} from '../../../shared/schemas/users.schema';

export interface UsersDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
}

type CreateUser = z.output<typeof createUserInput>;
type UpdateUser = z.output<typeof updateUserInput>;

export const emailKey = (email: string): string => email.trim().toLowerCase();

function rolesByUser(rows: RoleAssignmentRow[]): Map<number, RoleGrant[]> {
  const out = new Map<number, RoleGrant[]>();
  for (const r of rows) {
    const grant: RoleGrant =
      r.organizationId === null
        ? { role: r.role }
        : { role: r.role, organization_id: r.organizationId };
    out.set(r.userId, [...(out.get(r.userId) ?? []), grant]);
  }
  return out;
}

function toUser(row: UserRow, roles: RoleGrant[]): User {
  return {
    id: row.id,
    account_id: row.accountId,
    email: row.email,
    name: row.name,
    is_support_engineer: row.isSupportEngineer,
    is_platform_operator: row.isPlatformOperator,
    is_active: row.isActive,
    roles,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/**
 * TEN-6: users and their roles, inside the caller's own account only. PLAT-2: support engineers
 * belong to the platform: making one, unmaking one and any change to one is a platform
 * operator's (AccessService.requirePlatformOperator), never an account admin's.
 *
 * Each use case is one unit of work (issue 14) whose checks read in the transaction of the
 * change they guard. A password is hashed (scrypt: real I/O) outside it: first the same checks
 * in a read, so a refused call costs no hash, then the hash, then the write deciding again on
 * its own snapshot (what changed during the hash counts).
 */
export class UsersService {
  constructor(private readonly d: UsersDeps) {}

  private async requireOperatorForSupport(r: Repos, actor: Actor): Promise<void> {
    await this.d.access.requirePlatformOperator(r, actor, 'write');
  }

  private async rolesOf(r: Repos, id: number): Promise<RoleGrant[]> {
    return rolesByUser(await r.users.rolesOf([id])).get(id) ?? [];
  }

  private async own(r: Repos, actor: Actor, id: number, forUpdate = false): Promise<UserRow> {
    const row = await r.users.inAccount(actor.accountId, id, { forUpdate });
    if (!row) throw notFound('User', id);
    return row;
  }

  async list(actor: Actor): Promise<User[]> {
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      const rows = await r.users.ofAccount(accountId);
      const roles = rolesByUser(await r.users.rolesOf(rows.map((u) => u.id)));
      return rows.map((u) => toUser(u, roles.get(u.id) ?? []));
    });
  }

  /** The caller's own record: every signed-in user may read it. */
  async me(actor: Actor): Promise<User> {
    return this.d.uow.read(async (r) => {
      const row = await r.users.byId(actor.userId);
      if (!row) throw notFound('User', actor.userId);
      return toUser(row, await this.rolesOf(r, row.id));
    });
  }

  /** Who may create this user; the account it is created in. */
  private async checkCreate(r: Repos, actor: Actor, input: CreateUser): Promise<number> {
    const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
    if (input.is_support_engineer) await this.requireOperatorForSupport(r, actor);
    return accountId;
  }

  async create(actor: Actor, raw: z.input<typeof createUserInput>): Promise<User> {
    const input = createUserInput.parse(raw);
    let passwordHash: string | null = null;
    if (input.password) {
      await this.d.uow.read((r) => this.checkCreate(r, actor, input));
      requireAcceptablePassword(input.password);
      passwordHash = await hashPassword(input.password);
    }
    const now = this.d.clock.now();
    try {
      return await this.d.uow.write(async (r) => {
        const accountId = await this.checkCreate(r, actor, input);
        const row = await r.users.insert({
          accountId,
          email: input.email,
          emailKey: emailKey(input.email),
          name: input.name,
          passwordHash,
          isSupportEngineer: input.is_support_engineer,
          createdAt: now,
          updatedAt: now,
        });
        await r.audit.record(actor, {
          accountId,
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          details: { is_support_engineer: row.isSupportEngineer },
        });
        return toUser(row, []);
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict(`A user with email ${input.email} already exists`, 'email');
      throw err;
    }
  }

  /**
   * Every rule a PATCH must pass, read on `r`; the account and the row before the change.
   * `lock`: `r` is the write that changes the row (locked, FOR UPDATE on PostgreSQL); the early
   * check before hashing runs in a read, which PostgreSQL runs READ ONLY and where a row lock
   * is refused ("cannot execute SELECT FOR UPDATE in a read-only transaction").
   */
  private async checkUpdate(
    r: Repos,
    actor: Actor,
    { id, patch }: UpdateUser,
    lock: boolean,
  ): Promise<{ accountId: number; before: UserRow }> {
    const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
    const before = await this.own(r, actor, id, lock);
    if (before.isSupportEngineer || patch.is_support_engineer !== undefined) {
      await this.requireOperatorForSupport(r, actor);
    }
    if (before.erasedAt !== null) throw conflict('This user was erased and cannot be changed');
    const marking = patch.is_support_engineer === true && !before.isSupportEngineer;
    if (marking && before.isPlatformOperator) {
      // A support engineer changes nothing, so an operator marked so could not undo it.
      throw badRequest(
        'A platform operator cannot also be a support engineer: support engineers make no changes, not even to undo this',
        'is_support_engineer',
      );
    }
    if (marking && (await r.users.rolesOf([id])).length > 0) {
      throw conflict(
        `User ${id} holds tenant roles, and support engineers hold none: remove their roles first (PUT /users/${id}/roles with no roles)`,
        'is_support_engineer',
      );
    }
    if (patch.is_active === false && id === actor.userId) {
      throw badRequest('You cannot deactivate yourself; ask another account admin', 'is_active');
    }
    return { accountId, before };
  }

  /**
   * IDN-5: an admin's "sign out everywhere" for a user of their account: every session of the
   * user's ends at once (each is read on every request); personal tokens stay, as scripts are
   * not sign-ins (deactivating the user ends those). A foreign id answers like an absent one.
   */
  async signOutEverywhere(actor: Actor, id: number): Promise<RevokedSessions> {
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      const target = await this.own(r, actor, id, true);
      const revoked = await r.auth.revokeSessionsExcept(target.id, null, now);
      await r.audit.record(actor, {
        accountId,
        action: 'user.signed_out_everywhere',
        targetType: 'user',
        targetId: id,
        details: { revoked },
      });
      return { revoked };
    });
  }

  async update(actor: Actor, raw: z.input<typeof updateUserInput>): Promise<User> {
    const input = updateUserInput.parse(raw);
    const { id, patch } = input;
    let passwordHash: string | undefined;
    if (patch.password) {
      await this.d.uow.read((r) => this.checkUpdate(r, actor, input, false));
      requireAcceptablePassword(patch.password);
      passwordHash = await hashPassword(patch.password);
    }
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const { accountId } = await this.checkUpdate(r, actor, input, true);
      const row = (await r.users.update(id, {
        updatedAt: now,
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
        ...(patch.is_support_engineer !== undefined
          ? { isSupportEngineer: patch.is_support_engineer }
          : {}),
        ...(passwordHash ? { passwordHash } : {}),
      }))!;
      if (patch.is_active === false || passwordHash) {
        // Deactivation or a new password ends every session; personal tokens end with deactivation.
        await r.users.revokeTokens(id, now, { sessionsOnly: patch.is_active !== false });
      }
      await r.audit.record(actor, {
        accountId,
        action: 'user.updated',
        targetType: 'user',
        targetId: id,
        details: {
          ...(patch.name !== undefined ? { name_changed: true } : {}),
          ...(patch.is_active !== undefined ? { is_active: patch.is_active } : {}),
          ...(patch.is_support_engineer !== undefined
            ? { is_support_engineer: patch.is_support_engineer }
            : {}),
          ...(passwordHash ? { password_changed: true } : {}),
        },
      });
      return toUser(row, await this.rolesOf(r, id));
    });
  }

  /** Replaces a user's roles. Support engineers hold none; the account keeps an admin. */
  async setRoles(actor: Actor, raw: z.input<typeof setRolesInput>): Promise<User> {
    const input = setRolesInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'users.manage');
      const target = await this.own(r, actor, input.id, true);
      if (target.isSupportEngineer) await this.requireOperatorForSupport(r, actor);
      if (target.isSupportEngineer && input.roles.length > 0) {
        throw badRequest(
          'Support engineers hold no tenant role: they read an account only through a support grant',
          'roles',
        );
      }
      const orgIds = [
        ...new Set(
          input.roles.flatMap((role) => ('organization_id' in role ? [role.organization_id] : [])),
        ),
      ];
      if (orgIds.length > 0) {
        const found = new Set(await r.users.orgIdsIn(accountId, orgIds));
        const missing = orgIds.find((o) => !found.has(o));
        if (missing !== undefined) throw notFound('Organization', missing);
      }
      const keepsAdmin = input.roles.some((role) => role.role === 'account_admin');
      if (!keepsAdmin) {
        const admins = await r.users.activeAdminIds(accountId);
        if (admins.length > 0 && admins.every((a) => a === input.id)) {
          throw conflict(
            'This is the last active account admin; make someone else account admin first',
            'roles',
          );
        }
      }
      const unique = new Map(
        input.roles.map((role) => [
          `${role.role}:${'organization_id' in role ? role.organization_id : ''}`,
          role,
        ]),
      );
      await r.users.replaceRoles(
        input.id,
        accountId,
        [...unique.values()].map((role) => ({
          role: role.role,
          organizationId: 'organization_id' in role ? role.organization_id : null,
        })),
      );
      await r.audit.record(actor, {
        accountId,
        action: 'user.roles_set',
        targetType: 'user',
        targetId: input.id,
        details: { roles: [...unique.values()] },
      });
      return toUser(target, await this.rolesOf(r, input.id));
    });
  }
}
