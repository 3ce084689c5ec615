import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { changesOf } from '../../core/audit-diff';
import { iso, type Clock } from '../../core/clock';
import { hashPassword } from '../../core/crypto';
import { requireAcceptablePassword } from '../../core/password-policy';
import { badRequest, conflict, notFound } from '../../core/errors';
import { isUniqueViolation } from '../../core/names';
import type { Repos, Uow } from '../../repos';
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
import type { AccountWithCounts } from './accounts.repo';

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
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /**
   * A personal API token for a user, without a password check, inside the caller's unit of work
   * (AuthService.issueTokenIn).
   */
  issueToken(r: Repos, userId: number, kind: 'personal', name: string): Promise<string>;
}

function toAccount(row: AccountWithCounts): Account {
  return {
    id: row.id,
    name: row.name,
    is_active: row.isActive,
    require_mfa: row.requireMfa,
    created_at: iso(row.createdAt),
    counts: {
      organizations: Number(row.organizations),
      users: Number(row.users),
      hosts: Number(row.hosts),
    },
  };
}

/**
 * The accounts of the server (PLAT-1). The installation provisions the first one (`provision`:
 * first start, tests); after that only a platform operator lists, creates, renames and
 * deactivates them, and sees each as a name and three counts, never the tenant's content. Each
 * use case is one unit of work (issue 14) with the operator check inside it.
 */
export class AccountsService {
  constructor(private readonly d: AccountsDeps) {}

  async isEmpty(): Promise<boolean> {
    return this.d.uow.read((r) => r.accounts.isEmpty());
  }

  async provision(input: NewAccount): Promise<{ accountId: number; adminUserId: number }> {
    // IDN-5: the first admin's password meets the same rule as every other.
    if (input.adminPassword) requireAcceptablePassword(input.adminPassword);
    // scrypt is real I/O: hashed before the unit of work.
    const passwordHash = input.adminPassword ? await hashPassword(input.adminPassword) : null;
    const now = this.d.clock.now();
    return this.d.uow.write((r) =>
      r.accounts.insertWithAdmin(
        input.accountName,
        {
          email: input.adminEmail,
          emailKey: emailKey(input.adminEmail),
          name: input.adminName,
          passwordHash,
          isPlatformOperator: input.platformOperator ?? false,
        },
        now,
      ),
    );
  }

  async defaultRetentionDays(accountId: number): Promise<number> {
    return this.d.uow.read(
      async (r) => (await r.accounts.byId(accountId))?.defaultRetentionDays ?? 90,
    );
  }

  private async account(r: Repos, id: number): Promise<Account> {
    const row = await r.accounts.withCounts(id);
    if (!row) throw notFound('Account', id);
    return toAccount(row);
  }

  /**
   * An audited change of an account: the entry goes to that account's own trail (its admins see
   * who changed it), and a copy naming only the account id and the fields to the operator's own
   * account, so the platform keeps a trail of what its operators did without tenant content.
   */
  private async record(
    r: Repos,
    actor: Actor,
    accountId: number,
    action: string,
    details: Record<string, unknown>,
    summary: Record<string, unknown>,
  ): Promise<void> {
    const event = { action, targetType: 'account', targetId: accountId };
    await r.audit.record(actor, { ...event, accountId, details });
    if (actor.accountId !== accountId) {
      await r.audit.record(actor, { ...event, accountId: actor.accountId, details: summary });
    }
  }

  async list(actor: Actor, raw?: z.input<typeof listAccountsInput>): Promise<Page<Account>> {
    const input = listAccountsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      await this.d.access.requirePlatformOperator(r, actor, 'read');
      const { total, rows } = await r.accounts.page(input.skip, input.limit);
      return { items: rows.map(toAccount), total };
    });
  }

  async get(actor: Actor, raw: z.input<typeof accountIdInput>): Promise<Account> {
    const { id } = accountIdInput.parse(raw);
    return this.d.uow.read(async (r) => {
      await this.d.access.requirePlatformOperator(r, actor, 'read');
      return this.account(r, id);
    });
  }

  /** The account and its first account admin, whose personal API token is answered this once. */
  async create(actor: Actor, raw: z.input<typeof createAccountInput>): Promise<CreatedAccount> {
    const input = createAccountInput.parse(raw);
    const now = this.d.clock.now();
    try {
      return await this.d.uow.write(async (r) => {
        await this.d.access.requirePlatformOperator(r, actor, 'write');
        const { accountId, adminUserId } = await r.accounts.insertWithAdmin(
          input.name,
          {
            email: input.admin_email,
            emailKey: emailKey(input.admin_email),
            name: input.admin_name,
            passwordHash: null,
            isPlatformOperator: false,
          },
          now,
        );
        const token = await this.d.issueToken(r, adminUserId, 'personal', 'first admin token');
        // The admin's email is personal data (GDPR-1 erases it): the entry names the user by id.
        await this.record(
          r,
          actor,
          accountId,
          'account.created',
          { name: input.name, admin_user_id: adminUserId },
          { fields: ['name', 'admin'] },
        );
        return {
          account: await this.account(r, accountId),
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
   * request reads the flag), and work again on reactivation. The "before" row is read inside
   * the write, so the audited diff is the one this change made.
   */
  async update(actor: Actor, raw: z.input<typeof updateAccountInput>): Promise<Account> {
    const { id, patch } = updateAccountInput.parse(raw);
    return this.d.uow.write(async (r) => {
      await this.d.access.requirePlatformOperator(r, actor, 'write');
      const before = await r.accounts.byId(id, { forUpdate: true });
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
        ...(patch.require_mfa !== undefined ? { requireMfa: patch.require_mfa } : {}),
      };
      if (Object.keys(set).length === 0) return this.account(r, id);
      const after = (await r.accounts.update(id, set))!;
      const changes = changesOf(
        { name: before.name, is_active: before.isActive, require_mfa: before.requireMfa },
        { name: after.name, is_active: after.isActive, require_mfa: after.requireMfa },
      );
      const fields = Object.keys(changes);
      if (fields.length > 0) {
        await this.record(
          r,
          actor,
          id,
          'account.updated',
          { changes },
          { fields, ...(changes.is_active ? { is_active: after.isActive } : {}) },
        );
      }
      return this.account(r, id);
    });
  }
}
