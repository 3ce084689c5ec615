import { and, count, eq, gt, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { MfaChallengeRow, UserTotpRow } from '../../../domain/rows';
import type { MfaRepo, NewChallenge } from '../../../features/mfa/mfa.repo';
import { accounts, apiTokens, mfaChallenges, mfaRecoveryCodes, userTotp } from '../schema';
import type { PgTx } from '../uow';

/**
 * The second factor on PostgreSQL: the SQLite adapter's statements, each acceptance one
 * conditional write whose RETURNING decides (SQLite's `changes`). Two transactions using one
 * code at once: the second re-checks its WHERE against the first's committed row (READ
 * COMMITTED) or aborts and is retried into finding it used (SERIALIZABLE); either way false.
 */
export class PgMfaRepo implements MfaRepo {
  constructor(private readonly tx: PgTx) {}

  async totpOf(userId: number): Promise<UserTotpRow | undefined> {
    const [row] = await this.tx.db.select().from(userTotp).where(eq(userTotp.userId, userId));
    return row;
  }

  async putPendingTotp(userId: number, ciphertext: Buffer, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .insert(userTotp)
      .values({ userId, secretCiphertext: ciphertext, createdAt: now })
      .onConflictDoUpdate({
        target: userTotp.userId,
        set: { secretCiphertext: ciphertext, createdAt: now, lastStep: null },
        setWhere: isNull(userTotp.confirmedAt),
      })
      .returning({ userId: userTotp.userId });
    return rows.length === 1;
  }

  async claimTotpStep(userId: number, step: number, confirmed: boolean): Promise<boolean> {
    const rows = await this.tx.db
      .update(userTotp)
      .set({ lastStep: step })
      .where(
        and(
          eq(userTotp.userId, userId),
          confirmed ? isNotNull(userTotp.confirmedAt) : isNull(userTotp.confirmedAt),
          or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step)),
        ),
      )
      .returning({ userId: userTotp.userId });
    return rows.length === 1;
  }

  async confirmTotp(userId: number, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(userTotp)
      .set({ confirmedAt: now })
      .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)))
      .returning({ userId: userTotp.userId });
    return rows.length === 1;
  }

  async deleteTotp(userId: number): Promise<void> {
    await this.tx.db.delete(userTotp).where(eq(userTotp.userId, userId));
    await this.tx.db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  }

  async replaceRecoveryCodes(userId: number, digests: string[], now: number): Promise<void> {
    await this.tx.db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
    if (digests.length === 0) return;
    await this.tx.db
      .insert(mfaRecoveryCodes)
      .values(digests.map((codeDigest) => ({ userId, codeDigest, createdAt: now })));
  }

  async useRecoveryCode(userId: number, digest: string, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(mfaRecoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeDigest, digest),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .returning({ id: mfaRecoveryCodes.id });
    return rows.length === 1;
  }

  async recoveryCodesLeft(userId: number): Promise<number> {
    const [row] = await this.tx.db
      .select({ n: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    return row?.n ?? 0;
  }

  async insertChallenge(values: NewChallenge): Promise<void> {
    await this.tx.db.insert(mfaChallenges).values(values);
  }

  async challengeByDigest(digest: string): Promise<MfaChallengeRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(mfaChallenges)
      .where(eq(mfaChallenges.tokenDigest, digest));
    return row;
  }

  async consumeChallenge(id: number, now: number, maxFailures: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(mfaChallenges)
      .set({ usedAt: now })
      .where(
        and(
          eq(mfaChallenges.id, id),
          isNull(mfaChallenges.usedAt),
          gt(mfaChallenges.expiresAt, now),
          lt(mfaChallenges.failures, maxFailures),
        ),
      )
      .returning({ id: mfaChallenges.id });
    return rows.length === 1;
  }

  async failChallenge(id: number): Promise<void> {
    await this.tx.db
      .update(mfaChallenges)
      .set({ failures: sql`${mfaChallenges.failures} + 1` })
      .where(eq(mfaChallenges.id, id));
  }

  async stampSecondFactor(tokenDigest: string, userId: number, now: number): Promise<void> {
    await this.tx.db
      .update(apiTokens)
      .set({ secondFactorAt: now })
      .where(and(eq(apiTokens.tokenDigest, tokenDigest), eq(apiTokens.userId, userId)));
  }

  async secondFactorAtOf(tokenDigest: string): Promise<number | null> {
    const [row] = await this.tx.db
      .select({ at: apiTokens.secondFactorAt })
      .from(apiTokens)
      .where(eq(apiTokens.tokenDigest, tokenDigest));
    return row?.at ?? null;
  }

  async requireMfaOf(accountId: number): Promise<boolean> {
    const [row] = await this.tx.db
      .select({ required: accounts.requireMfa })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return row?.required ?? false;
  }

  async setRequireMfa(accountId: number, required: boolean): Promise<void> {
    await this.tx.db
      .update(accounts)
      .set({ requireMfa: required })
      .where(eq(accounts.id, accountId));
  }
}
