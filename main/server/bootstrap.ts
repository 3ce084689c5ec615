import { systemActor } from '../core/actor';
import { PERSONAL_TOKEN_PREFIX } from '../core/crypto';
import type { Services } from '../services';

export interface BootstrapOptions {
  services: Services;
  /** ORGDESK_ADMIN_TOKEN: the admin's API token; a random one is made (and printed) when unset. */
  adminToken?: string | null;
  adminEmail?: string;
  accountName?: string;
  /** Where the one-time token line goes (stdout for `npm run server`). */
  print(line: string): void;
}

export type BootstrapResult =
  | { provisioned: false }
  | { provisioned: true; accountId: number; adminUserId: number; token: string };

/**
 * First start with an empty database: the account and its admin, who is also the platform
 * operator (PLAT-1: a single-tenant install needs nothing more) and gets a personal API token.
 * A given token is used as is and never printed; a random one is printed exactly once, here.
 * Any later start finds the account and does nothing.
 */
export async function bootstrap(o: BootstrapOptions): Promise<BootstrapResult> {
  const { services } = o;
  if (!(await services.accounts.isEmpty())) return { provisioned: false };
  if (o.adminToken && !o.adminToken.startsWith(PERSONAL_TOKEN_PREFIX)) {
    throw new Error(`The bootstrap admin token must start with ${PERSONAL_TOKEN_PREFIX}`);
  }
  const adminEmail = o.adminEmail ?? 'admin@orgdesk.local';
  const { accountId, adminUserId } = await services.accounts.provision({
    accountName: o.accountName ?? 'Orgdesk',
    adminEmail,
    adminName: 'Administrator',
    platformOperator: true,
  });
  // The token and its audit entry in one unit of work: both land, or neither.
  const token = await services.infra.uow.write(async (r) => {
    const issued = await services.auth.issueTokenIn(
      r,
      adminUserId,
      'personal',
      'bootstrap admin token',
      o.adminToken ?? undefined,
    );
    await r.audit.record(systemActor(accountId), {
      accountId,
      action: 'account.bootstrapped',
      targetType: 'user',
      targetId: adminUserId,
      details: {
        admin_email: adminEmail,
        platform_operator: true,
        token_from_environment: Boolean(o.adminToken),
      },
    });
    return issued;
  });
  if (o.adminToken) {
    o.print(
      `Orgdesk: created account admin and platform operator ${adminEmail}; its API token is ORGDESK_ADMIN_TOKEN.`,
    );
  } else {
    o.print(
      `Orgdesk: created account admin and platform operator ${adminEmail} with this API token (shown only now):`,
    );
    o.print(`ORGDESK_ADMIN_TOKEN=${token}`);
  }
  return { provisioned: true, accountId, adminUserId, token };
}
