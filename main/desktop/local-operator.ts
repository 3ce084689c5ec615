// Local database mode: the desktop's operator is a local user of the local database, provisioned
// on first start (an account, and its account admin without a password: nobody signs in to the
// local database, the OS account is the boundary). Like the server's bootstrap admin it is also
// the platform operator of its database (PLAT-1). Its id is kept in a small JSON file.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../core/actor';
import { roleAssignments, users } from '../db/schema';
import type { Services } from '../services';
import type { SqliteStorage } from '../db/sqlite/storage';

/** `.invalid` is reserved (RFC 2606): this address can never reach anyone. */
export const LOCAL_OPERATOR_EMAIL = 'operator@local.orgdesk.invalid';

const stateSchema = z.object({ operator_user_id: z.number().int().positive() });

function readState(file: string): number | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.operator_user_id : null;
  } catch {
    return null;
  }
}

function writeState(file: string, userId: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ operator_user_id: userId }, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** The first active account admin: an existing database whose state file was lost. */
function firstAccountAdmin(services: Services<SqliteStorage>): number | null {
  const row = services.infra.storage.db
    .select({ id: users.id })
    .from(users)
    .innerJoin(roleAssignments, eq(roleAssignments.userId, users.id))
    .where(
      and(
        eq(roleAssignments.role, 'account_admin'),
        isNull(roleAssignments.organizationId),
        eq(users.isActive, true),
      ),
    )
    .orderBy(asc(users.id))
    .limit(1)
    .get();
  return row?.id ?? null;
}

/**
 * The operator's actor: from the state file; else the first account admin of an existing
 * database; else (an empty database) a new account and operator, provisioned now.
 */
export async function ensureLocalOperator(
  services: Services<SqliteStorage>,
  stateFile: string,
  opts: { displayName: string; accountName?: string },
): Promise<Actor> {
  const known = readState(stateFile);
  const existing = known === null ? null : await services.auth.actorForUser(known);
  if (existing) return existing;
  let userId = firstAccountAdmin(services);
  if (userId === null) {
    if (!(await services.accounts.isEmpty())) {
      throw new Error(
        'The local database has accounts but no active account admin to act as; restore a backup or reactivate one',
      );
    }
    const created = await services.accounts.provision({
      accountName: opts.accountName ?? 'My organizations',
      adminEmail: LOCAL_OPERATOR_EMAIL,
      adminName: opts.displayName,
      platformOperator: true,
    });
    userId = created.adminUserId;
  }
  writeState(stateFile, userId);
  const actor = await services.auth.actorForUser(userId);
  if (!actor) throw new Error(`The local operator (user ${userId}) could not be loaded`);
  return actor;
}
