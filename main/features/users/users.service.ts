import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { hashPassword } from '../../core/crypto';
import { badRequest, conflict, notFound } from '../../core/errors';
import { isUniqueViolation } from '../../core/names';
import type { Db } from '../../db/database';
import { apiTokens, organizations, roleAssignments, users } from '../../db/schema';
import {
  createUserInput,
  setRolesInput,
  updateUserInput,
  type RoleGrant,
  type User,
} from '../../../shared/schemas/users.schema';

export interface UsersDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
}

type UserRow = typeof users.$inferSelect;

export const emailKey = (email: string): string => email.trim().toLowerCase();

/**
 * TEN-6: users and their roles, inside the caller's own account only. PLAT-2: support engineers
 * belong to the platform: making one, unmaking one and any change to one is a platform
 * operator's (AccessService.requirePlatformOperator), never an account admin's.
 */
export class UsersService {
  constructor(private readonly d: UsersDeps) {}

  private requireOperatorForSupport(actor: Actor): void {
    this.d.access.requirePlatformOperator(actor, 'write');
  }

  private rolesFor(userIds: number[]): Map<number, RoleGrant[]> {
    const out = new Map<number, RoleGrant[]>();
    if (userIds.length === 0) return out;
    for (const r of this.d.db
      .select()
      .from(roleAssignments)
      .where(inArray(roleAssignments.userId, userIds))
      .orderBy(asc(roleAssignments.id))
      .all()) {
      const grant: RoleGrant =
        r.organizationId === null
          ? { role: r.role }
          : { role: r.role, organization_id: r.organizationId };
      out.set(r.userId, [...(out.get(r.userId) ?? []), grant]);
    }
    return out;
  }

  private toUser(row: UserRow, roles: RoleGrant[]): User {
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

  private own(actor: Actor, id: number): UserRow {
    const row = this.d.db
      .select()
      .from(users)
      .where(and(eq(users.id, id), eq(users.accountId, actor.accountId)))
      .get();
    if (!row) throw notFound('User', id);
    return row;
  }

  list(actor: Actor): User[] {
    const accountId = this.d.access.requireAccount(actor, 'users.manage');
    const rows = this.d.db
      .select()
      .from(users)
      .where(eq(users.accountId, accountId))
      .orderBy(asc(users.emailKey))
      .all();
    const roles = this.rolesFor(rows.map((r) => r.id));
    return rows.map((r) => this.toUser(r, roles.get(r.id) ?? []));
  }

  /** The caller's own record: every signed-in user may read it. */
  me(actor: Actor): User {
    const row = this.d.db.select().from(users).where(eq(users.id, actor.userId)).get();
    if (!row) throw notFound('User', actor.userId);
    return this.toUser(row, this.rolesFor([row.id]).get(row.id) ?? []);
  }

  async create(actor: Actor, raw: z.input<typeof createUserInput>): Promise<User> {
    const input = createUserInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'users.manage');
    if (input.is_support_engineer) this.requireOperatorForSupport(actor);
    // Hash before the transaction: a better-sqlite3 transaction must not await.
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    const now = this.d.clock.now();
    try {
      return this.d.db.transaction(() => {
        const row = this.d.db
          .insert(users)
          .values({
            accountId,
            email: input.email,
            emailKey: emailKey(input.email),
            name: input.name,
            passwordHash,
            isSupportEngineer: input.is_support_engineer,
            createdAt: now,
            updatedAt: now,
          })
          .returning()
          .get();
        this.d.audit.record(actor, {
          accountId,
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          details: { is_support_engineer: row.isSupportEngineer },
        });
        return this.toUser(row, []);
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict(`A user with email ${input.email} already exists`, 'email');
      throw err;
    }
  }

  async update(actor: Actor, raw: z.input<typeof updateUserInput>): Promise<User> {
    const { id, patch } = updateUserInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'users.manage');
    const before = this.own(actor, id);
    if (before.isSupportEngineer || patch.is_support_engineer !== undefined) {
      this.requireOperatorForSupport(actor);
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
    if (marking && this.rolesFor([id]).has(id)) {
      throw conflict(
        `User ${id} holds tenant roles, and support engineers hold none: remove their roles first (PUT /users/${id}/roles with no roles)`,
        'is_support_engineer',
      );
    }
    if (patch.is_active === false && id === actor.userId) {
      throw badRequest('You cannot deactivate yourself; ask another account admin', 'is_active');
    }
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const row = this.d.db
        .update(users)
        .set({
          updatedAt: now,
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
          ...(patch.is_support_engineer !== undefined
            ? { isSupportEngineer: patch.is_support_engineer }
            : {}),
          ...(passwordHash ? { passwordHash } : {}),
        })
        .where(eq(users.id, id))
        .returning()
        .get()!;
      if (patch.is_active === false || passwordHash) {
        // Deactivation or a new password ends every session; personal tokens end with deactivation.
        this.d.db
          .update(apiTokens)
          .set({ revokedAt: now })
          .where(
            and(
              eq(apiTokens.userId, id),
              isNull(apiTokens.revokedAt),
              ...(patch.is_active === false ? [] : [eq(apiTokens.kind, 'session')]),
            ),
          )
          .run();
      }
      this.d.audit.record(actor, {
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
      return this.toUser(row, this.rolesFor([id]).get(id) ?? []);
    });
  }

  /** Replaces a user's roles. Support engineers hold none; the account keeps an admin. */
  setRoles(actor: Actor, raw: z.input<typeof setRolesInput>): User {
    const input = setRolesInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'users.manage');
    const target = this.own(actor, input.id);
    if (target.isSupportEngineer) this.requireOperatorForSupport(actor);
    if (target.isSupportEngineer && input.roles.length > 0) {
      throw badRequest(
        'Support engineers hold no tenant role: they read an account only through a support grant',
        'roles',
      );
    }
    const orgIds = [
      ...new Set(input.roles.flatMap((r) => ('organization_id' in r ? [r.organization_id] : []))),
    ];
    if (orgIds.length > 0) {
      const found = new Set(
        this.d.db
          .select({ id: organizations.id })
          .from(organizations)
          .where(and(inArray(organizations.id, orgIds), eq(organizations.accountId, accountId)))
          .all()
          .map((o) => o.id),
      );
      const missing = orgIds.find((o) => !found.has(o));
      if (missing !== undefined) throw notFound('Organization', missing);
    }
    const keepsAdmin = input.roles.some((r) => r.role === 'account_admin');
    return this.d.db.transaction(() => {
      if (!keepsAdmin) {
        const admins = this.d.db
          .select({ userId: roleAssignments.userId })
          .from(roleAssignments)
          .innerJoin(users, eq(users.id, roleAssignments.userId))
          .where(
            and(
              eq(roleAssignments.accountId, accountId),
              eq(roleAssignments.role, 'account_admin'),
              eq(users.isActive, true),
            ),
          )
          .all();
        if (admins.length > 0 && admins.every((a) => a.userId === input.id)) {
          throw conflict(
            'This is the last active account admin; make someone else account admin first',
            'roles',
          );
        }
      }
      this.d.db.delete(roleAssignments).where(eq(roleAssignments.userId, input.id)).run();
      const unique = new Map(
        input.roles.map((r) => [`${r.role}:${'organization_id' in r ? r.organization_id : ''}`, r]),
      );
      if (unique.size > 0) {
        this.d.db
          .insert(roleAssignments)
          .values(
            [...unique.values()].map((r) => ({
              userId: input.id,
              accountId,
              role: r.role,
              organizationId: 'organization_id' in r ? r.organization_id : null,
            })),
          )
          .run();
      }
      this.d.audit.record(actor, {
        accountId,
        action: 'user.roles_set',
        targetType: 'user',
        targetId: input.id,
        details: { roles: [...unique.values()] },
      });
      return this.toUser(target, this.rolesFor([input.id]).get(input.id) ?? []);
    });
  }
}
