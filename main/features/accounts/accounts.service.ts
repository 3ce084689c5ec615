import { asc, count, eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { hashPassword } from '../../core/crypto';
import { badRequest, conflict, notFound } from '../../core/errors';
import { isUniqueViolation } from '../../core/names';
import type { Db } from '../../db/database';
import { accounts, roleAssignments, users } from '../../db/schema';
import {
  accountIdInput,
  createAccountInput,
  listAccountsInput,
  updateAccountInput,
  type Account,
  type CreatedAccount,
} from '../../../shared/schemas/accounts.schema';
import type { Page } from '../../../shared/schemas/common.schema';
import { emailKey } from '../users/users.service';

export interface NewAccount {
  accountName: string;
  adminEmail: string;
  adminName: string;
  adminPassword?: string;
  /**
   * PLAT-1: the admin is also a platform operator. Only the first start sets it (the server's
   * bootstrap admin, the desktop's local operator): an account made by an operator's API call
   * gets a tenant admin and nothing more.
   */
  platformOperator?: boolean;
}

export interface AccountsDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
  /** A personal API token for a user, without a password check (AuthService.issueToken). */
  issueToken(userId: number, kind: 'personal', name: string): string;
}

type AccountRow = typeof accounts.$inferSelect;

/**
 * The accounts of the server (PLAT-1). The installation provisions the first one (`provision`:
 * first start, tests); after that only a platform operator lists, creates, renames and
 * deactivates them, and sees each as a name and three counts, never the tenant's content.
 */
export class AccountsService {
  private readonly counted;

  constructor(private readonly d: AccountsDeps) {
    // Counted from indexes (organizations and users by account, the per-org host counts that
    // migration 0004's triggers keep), so a list page never walks a tenant's hosts. Written out
    // with aliases: drizzle leaves the columns of a one-table query unqualified, and the outer
    // `accounts.id` must not resolve inside the subquery.
    const outer = sql`${sql.identifier('accounts')}.${sql.identifier('id')}`;
    this.counted = {
      id: accounts.id,
      name: accounts.name,
      isActive: accounts.isActive,
      createdAt: accounts.createdAt,
      organizations: sql<number>`(SELECT count(*) FROM organizations o WHERE o.account_id = ${outer})`,
      users: sql<number>`(SELECT count(*) FROM users u WHERE u.account_id = ${outer})`,
      hosts: sql<number>`(SELECT coalesce(sum(c.hosts), 0) FROM organization_host_counts c
        JOIN organizations o ON o.id = c.organization_id WHERE o.account_id = ${outer})`,
    };
  }

  isEmpty(): boolean {
    return (this.d.db.select({ n: count() }).from(accounts).get()?.n ?? 0) === 0;
  }

  async provision(input: NewAccount): Promise<{ accountId: number; adminUserId: number }> {
    const passwordHash = input.adminPassword ? await hashPassword(input.adminPassword) : null;
    return this.d.db.transaction(() =>
      this.insertAccount(input.accountName, {
        email: input.adminEmail,
        name: input.adminName,
        passwordHash,
        platformOperator: input.platformOperator ?? false,
      }),
    );
  }

  private insertAccount(
    name: string,
    admin: { email: string; name: string; passwordHash: string | null; platformOperator: boolean },
  ): { accountId: number; adminUserId: number } {
    const now = this.d.clock.now();
    const account = this.d.db
      .insert(accounts)
      .values({ name, createdAt: now })
      .returning({ id: accounts.id })
      .get();
    const user = this.d.db
      .insert(users)
      .values({
        accountId: account.id,
        email: admin.email,
        emailKey: emailKey(admin.email),
        name: admin.name,
        passwordHash: admin.passwordHash,
        isPlatformOperator: admin.platformOperator,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: users.id })
      .get();
    this.d.db
      .insert(roleAssignments)
      .values({
        userId: user.id,
        accountId: account.id,
        organizationId: null,
        role: 'account_admin',
      })
      .run();
    return { accountId: account.id, adminUserId: user.id };
  }

  defaultRetentionDays(accountId: number): number {
    return (
      this.d.db.select().from(accounts).where(eq(accounts.id, accountId)).get()
        ?.defaultRetentionDays ?? 90
    );
  }

  private toAccount(row: {
    id: number;
    name: string;
    isActive: boolean;
    createdAt: number;
    organizations: number;
    users: number;
    hosts: number;
  }): Account {
    return {
      id: row.id,
      name: row.name,
      is_active: row.isActive,
      created_at: iso(row.createdAt),
      counts: {
        organizations: Number(row.organizations),
        users: Number(row.users),
        hosts: Number(row.hosts),
      },
    };
  }

  private read(id: number): Account {
    const row = this.d.db.select(this.counted).from(accounts).where(eq(accounts.id, id)).get();
    if (!row) throw notFound('Account', id);
    return this.toAccount(row);
  }

  /**
   * An audited change of an account: the entry goes to that account's own trail (its admins see
   * who changed it), and a copy naming only the account id and the fields to the operator's own
   * account, so the platform keeps a trail of what its operators did without tenant content.
   */
  private record(
    actor: Actor,
    accountId: number,
    action: string,
    details: Record<string, unknown>,
    summary: Record<string, unknown>,
  ): void {
    const event = { action, targetType: 'account', targetId: accountId };
    this.d.audit.record(actor, { ...event, accountId, details });
    if (actor.accountId !== accountId) {
      this.d.audit.record(actor, { ...event, accountId: actor.accountId, details: summary });
    }
  }

  list(actor: Actor, raw?: z.input<typeof listAccountsInput>): Page<Account> {
    const input = listAccountsInput.parse(raw);
    this.d.access.requirePlatformOperator(actor, 'read');
    const total = this.d.db.select({ n: count() }).from(accounts).get()?.n ?? 0;
    const rows = this.d.db
      .select(this.counted)
      .from(accounts)
      .orderBy(sql`lower(${accounts.name})`, asc(accounts.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    return { items: rows.map((r) => this.toAccount(r)), total };
  }

  get(actor: Actor, raw: z.input<typeof accountIdInput>): Account {
    const { id } = accountIdInput.parse(raw);
    this.d.access.requirePlatformOperator(actor, 'read');
    return this.read(id);
  }

  /** The account and its first account admin, whose personal API token is answered this once. */
  create(actor: Actor, raw: z.input<typeof createAccountInput>): CreatedAccount {
    const input = createAccountInput.parse(raw);
    this.d.access.requirePlatformOperator(actor, 'write');
    try {
      return this.d.db.transaction(() => {
        const { accountId, adminUserId } = this.insertAccount(input.name, {
          email: input.admin_email,
          name: input.admin_name,
          passwordHash: null,
          platformOperator: false,
        });
        const token = this.d.issueToken(adminUserId, 'personal', 'first admin token');
        // The admin's email is personal data (GDPR-1 erases it): the entry names the user by id.
        this.record(
          actor,
          accountId,
          'account.created',
          { name: input.name, admin_user_id: adminUserId },
          { fields: ['name', 'admin'] },
        );
        return {
          account: this.read(accountId),
          admin: { id: adminUserId, email: input.admin_email },
          admin_token: token,
        };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict(
          `A user with email ${input.admin_email} already exists; choose another address for the first admin`,
          'admin_email',
        );
      }
      throw err;
    }
  }

  /**
   * Rename, deactivate or reactivate. A deactivated account keeps its data; its users' sign-ins,
   * sessions and tokens, its support grants and its agents are refused while it stays so (each
   * request reads the flag), and work again on reactivation.
   */
  update(actor: Actor, raw: z.input<typeof updateAccountInput>): Account {
    const { id, patch } = updateAccountInput.parse(raw);
    this.d.access.requirePlatformOperator(actor, 'write');
    const before: AccountRow | undefined = this.d.db
      .select()
      .from(accounts)
      .where(eq(accounts.id, id))
      .get();
    if (!before) throw notFound('Account', id);
    if (patch.is_active === false && id === actor.accountId) {
      throw badRequest(
        'You cannot deactivate your own account: your own sign-in would stop with it; ask another platform operator',
        'is_active',
      );
    }
    const set = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.is_active !== undefined ? { isActive: patch.is_active } : {}),
    };
    if (Object.keys(set).length === 0) return this.read(id);
    return this.d.db.transaction(() => {
      const after = this.d.db
        .update(accounts)
        .set(set)
        .where(eq(accounts.id, id))
        .returning()
        .get()!;
      const changes = changesOf(
        { name: before.name, is_active: before.isActive },
        { name: after.name, is_active: after.isActive },
      );
      const fields = Object.keys(changes);
      if (fields.length > 0) {
        this.record(
          actor,
          id,
          'account.updated',
          { changes },
          { fields, ...(changes.is_active ? { is_active: after.isActive } : {}) },
        );
      }
      return this.read(id);
    });
  }
}
