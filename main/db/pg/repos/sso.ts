import { and, asc, eq, gt, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { OidcSignInRow, SsoConfigRow } from '../../../domain/rows';
import type { NewSignIn, SsoRepo } from '../../../features/sso/sso.repo';
import { accounts, oidcSignIns, ssoConfigs } from '../schema';
import type { PgTx } from '../uow';

/**
 * IDN-4 on PostgreSQL: the SQLite adapter's statements. Each step of a sign-in is one
 * conditional UPDATE … RETURNING: of two transactions taking one state (or one handoff), the
 * second re-checks the WHERE after the first commits (or, serializable, aborts and its retry
 * finds it taken) and gets undefined.
 */
export class PgSsoRepo implements SsoRepo {
  constructor(private readonly tx: PgTx) {}

  async config(accountId: number): Promise<SsoConfigRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(ssoConfigs)
      .where(eq(ssoConfigs.accountId, accountId));
    return row;
  }

  async configForSignIn(
    accountId: number,
  ): Promise<{ config: SsoConfigRow; accountActive: boolean } | undefined> {
    const [row] = await this.tx.db
      .select({ config: ssoConfigs, accountActive: accounts.isActive })
      .from(ssoConfigs)
      .innerJoin(accounts, eq(accounts.id, ssoConfigs.accountId))
      .where(eq(ssoConfigs.accountId, accountId));
    return row;
  }

  // By account id: SQLite's scan of the table, whose INTEGER PRIMARY KEY is the rowid.
  async enabledConfigs(): Promise<SsoConfigRow[]> {
    return this.tx.db
      .select()
      .from(ssoConfigs)
      .where(eq(ssoConfigs.enabled, true))
      .orderBy(asc(ssoConfigs.accountId));
  }

  async saveConfig(row: SsoConfigRow): Promise<void> {
    const { accountId: _accountId, ...rest } = row;
    await this.tx.db
      .insert(ssoConfigs)
      .values(row)
      .onConflictDoUpdate({ target: ssoConfigs.accountId, set: rest });
  }

  async insertSignIn(values: NewSignIn): Promise<void> {
    await this.tx.db.insert(oidcSignIns).values(values);
  }

  async purgeSignIns(before: number): Promise<void> {
    await this.tx.db
      .delete(oidcSignIns)
      .where(
        or(
          lt(oidcSignIns.expiresAt, before),
          and(isNotNull(oidcSignIns.exchangedAt), lt(oidcSignIns.exchangedAt, before)),
        ),
      );
  }

  async takeCallback(stateDigest: string, now: number): Promise<OidcSignInRow | undefined> {
    const [row] = await this.tx.db
      .update(oidcSignIns)
      .set({ calledBackAt: now })
      .where(
        and(
          eq(oidcSignIns.stateDigest, stateDigest),
          isNull(oidcSignIns.calledBackAt),
          gt(oidcSignIns.expiresAt, now),
        ),
      )
      .returning();
    return row;
  }

  async setHandoff(
    id: number,
    userId: number,
    handoffDigest: string,
    expiresAt: number,
  ): Promise<void> {
    await this.tx.db
      .update(oidcSignIns)
      .set({ userId, handoffDigest, handoffExpiresAt: expiresAt })
      .where(eq(oidcSignIns.id, id));
  }

  async takeHandoff(
    handoffDigest: string,
    clientChallenge: string,
    now: number,
  ): Promise<OidcSignInRow | undefined> {
    const [row] = await this.tx.db
      .update(oidcSignIns)
      .set({ exchangedAt: now })
      .where(
        and(
          eq(oidcSignIns.handoffDigest, handoffDigest),
          eq(oidcSignIns.clientChallenge, clientChallenge),
          isNull(oidcSignIns.exchangedAt),
          gt(oidcSignIns.handoffExpiresAt, now),
        ),
      )
      .returning();
    return row;
  }
}
