// More of the e2e world for the UI-6/UI-7 specs, made through our own services on a test's data
// dir after the server started on it: a second connection to the same SQLite database (WAL, busy
// timeout), used for a few writes and closed again.
import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import type { Actor } from '../../main/core/actor';
import { systemClock } from '../../main/core/clock';
import { FileKeyStore } from '../../main/core/key-store';
import { openDatabase } from '../../main/db/database';
import { accounts, auditEntries, users } from '../../main/db/schema';
import { createServices, type Services } from '../../main/services';
import { sqliteStorage, type SqliteStorage } from '../../main/db/sqlite/storage';
import { PASSWORD } from './seed';

/** Runs `fn` with the services on the test's data dir, then closes the connection. */
export async function withServices<T>(
  dataDir: string,
  fn: (services: Services<SqliteStorage>) => T | Promise<T>,
): Promise<T> {
  const opened = openDatabase({ file: join(dataDir, 'orgdesk.db') });
  try {
    return await fn(
      createServices({
        storage: sqliteStorage(opened.db),
        clock: systemClock,
        keys: new FileKeyStore(join(dataDir, 'master.key')),
      }),
    );
  } finally {
    opened.close();
  }
}

const actorByEmail = async (services: Services<SqliteStorage>, email: string): Promise<Actor> => {
  const row = services.infra.storage.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email))
    .get();
  if (!row) throw new Error(`no user ${email}`);
  return (await services.auth.actorForUser(row.id))!;
};

/** Session recordings of an org, as the recorder integration would report them. */
export function seedRecordings(
  dataDir: string,
  adminEmail: string,
  organizationId: number,
  count: number,
): Promise<number[]> {
  return withServices(dataDir, async (services) => {
    const admin = await actorByEmail(services, adminEmail);
    const { items } = await services.hosts.list(admin, { organization_id: organizationId });
    const host = items[0];
    if (!host) throw new Error('seedRecordings needs a host in the org');
    const now = Date.now();
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = now - (i + 1) * 3_600_000;
      const recording = await services.governance.createRecording(admin, {
        organization_id: organizationId,
        host_id: host.id,
        kind: i % 2 === 0 ? 'terminal' : 'remote_desktop',
        capture: 'metadata',
        started_at: started,
        ended_at: started + 25 * 60_000,
        size_bytes: 40_960 * (i + 1),
      });
      ids.push(recording.id);
    }
    return ids;
  });
}

/** Tampers with one audit entry behind the application's back (AUD-3 must notice). */
export function alterAuditEntry(dataDir: string, id: number, details: string): Promise<void> {
  return withServices(dataDir, (services) => {
    services.infra.storage.db
      .update(auditEntries)
      .set({ details })
      .where(eq(auditEntries.id, id))
      .run();
  });
}

export interface SeededEngineer {
  email: string;
  password: string;
  userId: number;
  /** The customer account (Northwind MSP) the engineer asks for. */
  customerAccountId: number;
  customerAccountName: string;
  /** The pending request, when one was made. */
  requestId: number | null;
  reason: string | null;
}

/**
 * A platform account with one support engineer and, unless `request: false`, that engineer's
 * pending request for access to the seeded customer account.
 */
export async function seedSupportEngineer(
  dataDir: string,
  opts: { request?: { reason: string; durationHours: number } | false } = {},
): Promise<SeededEngineer> {
  return withServices(dataDir, async (services) => {
    const customer = services.infra.storage.db
      .select({ id: accounts.id, name: accounts.name })
      .from(accounts)
      .where(eq(accounts.name, 'Northwind MSP'))
      .get();
    if (!customer) throw new Error('seedSupportEngineer needs the seeded Northwind MSP account');
    const platform = await services.accounts.provision({
      accountName: 'Orgdesk Platform',
      adminEmail: 'platform-admin@orgdesk.test',
      adminName: 'Platform Admin',
      adminPassword: PASSWORD,
      // PLAT-2: only a platform operator makes support engineers.
      platformOperator: true,
    });
    const platformAdmin = (await services.auth.actorForUser(platform.adminUserId))!;
    const engineer = await services.users.create(platformAdmin, {
      email: 'sam.support@orgdesk.test',
      name: 'Sam Support',
      password: PASSWORD,
      is_support_engineer: true,
    });
    const wanted =
      opts.request === false
        ? null
        : (opts.request ?? {
            reason: 'Ticket 4711: agents at Acme fail to register',
            durationHours: 8,
          });
    let requestId: number | null = null;
    if (wanted) {
      const actor = (await services.auth.actorForUser(engineer.id))!;
      requestId = (
        await services.supportAccess.request(actor, {
          account_id: customer.id,
          reason: wanted.reason,
          duration_hours: wanted.durationHours,
        })
      ).id;
    }
    return {
      email: engineer.email,
      password: PASSWORD,
      userId: engineer.id,
      customerAccountId: customer.id,
      customerAccountName: customer.name,
      requestId,
      reason: wanted?.reason ?? null,
    };
  });
}
