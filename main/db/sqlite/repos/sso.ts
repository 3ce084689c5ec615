import { and, eq, gt, isNotNull, isNull, lt, or } from 'drizzle-orm';
import type { OidcSignInRow, SsoConfigRow } from '../../../domain/rows';
import type { NewSignIn, SsoRepo } from '../../../features/sso/sso.repo';
import type { Db } from '../../database';
import { accounts, oidcSignIns, ssoConfigs } from '../../schema';

/** IDN-4 on SQLite. */
export class SqliteSsoRepo implements SsoRepo {
  constructor(private readonly db: Db) {}

  async config(accountId: number): Promise<SsoConfigRow | undefined> {
    return this.db.select().from(ssoConfigs).where(eq(ssoConfigs.accountId, accountId)).get();
  }

  async configForSignIn(
    accountId: number,
  ): Promise<{ config: SsoConfigRow; accountActive: boolean } | undefined> {
    return this.db
      .select({ config: ssoConfigs, accountActive: accounts.isActive })
      .from(ssoConfigs)
      .innerJoin(accounts, eq(accounts.id, ssoConfigs.accountId))
      .where(eq(ssoConfigs.accountId, accountId))
      .get();
  }

  async enabledConfigs(): Promise<SsoConfigRow[]> {
    return this.db.select().from(ssoConfigs).where(eq(ssoConfigs.enabled, true)).all();
  }

  async saveConfig(row: SsoConfigRow): Promise<void> {
    const { accountId, ...rest } = row;
    this.db
      .insert(ssoConfigs)
      .values(row)
      .onConflictDoUpdate({ target: ssoConfigs.accountId, set: rest })
      .run();
    void accountId;
  }

  async insertSignIn(values: NewSignIn): Promise<void> {
    this.db.insert(oidcSignIns).values(values).run();
  }

  async purgeSignIns(before: number): Promise<void> {
    this.db
      .delete(oidcSignIns)
      .where(
        or(
          lt(oidcSignIns.expiresAt, before),
          and(isNotNull(oidcSignIns.exchangedAt), lt(oidcSignIns.exchangedAt, before)),
        ),
      )
      .run();
  }

  async takeCallback(stateDigest: string, now: number): Promise<OidcSignInRow | undefined> {
    return this.db
      .update(oidcSignIns)
      .set({ calledBackAt: now })
      .where(
        and(
          eq(oidcSignIns.stateDigest, stateDigest),
          isNull(oidcSignIns.calledBackAt),
          gt(oidcSignIns.expiresAt, now),
        ),
      )
      .returning()
      .get();
  }

  async setHandoff(
    id: number,
    userId: number,
    handoffDigest: string,
    expiresAt: number,
  ): Promise<void> {
    this.db
      .update(oidcSignIns)
      .set({ userId, handoffDigest, handoffExpiresAt: expiresAt })
      .where(eq(oidcSignIns.id, id))
      .run();
  }

  async takeHandoff(
    handoffDigest: string,
    clientChallenge: string,
    now: number,
  ): Promise<OidcSignInRow | undefined> {
    return this.db
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
      .returning()
      .get();
  }
}
