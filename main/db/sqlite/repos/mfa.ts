import { and, count, eq, gt, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { MfaChallengeRow, UserTotpRow } from '../../../domain/rows';
import type { MfaRepo, NewChallenge } from '../../../features/mfa/mfa.repo';
import type { Db } from '../../database';
import { accounts, apiTokens, mfaChallenges, mfaRecoveryCodes, userTotp } from '../../schema';

/** The second factor on SQLite: each acceptance is one conditional UPDATE (`changes` decides). */
export class SqliteMfaRepo implements MfaRepo {
  constructor(private readonly db: Db) {}

  async totpOf(userId: number): Promise<UserTotpRow | undefined> {
    return this.db.select().from(userTotp).where(eq(userTotp.userId, userId)).get();
  }

  async putPendingTotp(userId: number, ciphertext: Buffer, now: number): Promise<boolean> {
    const res = this.db
      .insert(userTotp)
      .values({ userId, secretCiphertext: ciphertext, createdAt: now })
      .onConflictDoUpdate({
        target: userTotp.userId,
        set: { secretCiphertext: ciphertext, createdAt: now, lastStep: null },
        setWhere: isNull(userTotp.confirmedAt),
      })
      .run();
    return res.changes === 1;
  }

  async claimTotpStep(userId: number, step: number, confirmed: boolean): Promise<boolean> {
    const res = this.db
      .update(userTotp)
      .set({ lastStep: step })
      .where(
        and(
          eq(userTotp.userId, userId),
          confirmed ? isNotNull(userTotp.confirmedAt) : isNull(userTotp.confirmedAt),
          or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step)),
        ),
      )
      .run();
    return res.changes === 1;
  }

  async confirmTotp(userId: number, now: number): Promise<boolean> {
    const res = this.db
      .update(userTotp)
      .set({ confirmedAt: now })
      .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)))
      .run();
    return res.changes === 1;
  }

  async deleteTotp(userId: number): Promise<void> {
    this.db.delete(userTotp).where(eq(userTotp.userId, userId)).run();
    this.db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)).run();
  }

  async replaceRecoveryCodes(userId: number, digests: string[], now: number): Promise<void> {
    this.db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)).run();
    if (digests.length === 0) return;
    this.db
      .insert(mfaRecoveryCodes)
      .values(digests.map((codeDigest) => ({ userId, codeDigest, createdAt: now })))
      .run();
  }

  async useRecoveryCode(userId: number, digest: string, now: number): Promise<boolean> {
    const res = this.db
      .update(mfaRecoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(mfaRecoveryCodes.userId, userId),
          eq(mfaRecoveryCodes.codeDigest, digest),
          isNull(mfaRecoveryCodes.usedAt),
        ),
      )
      .run();
    return res.changes === 1;
  }

  async recoveryCodesLeft(userId: number): Promise<number> {
    const row = this.db
      .select({ n: count() })
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)))
      .get();
    return row?.n ?? 0;
  }

  async insertChallenge(values: NewChallenge): Promise<void> {
    this.db.insert(mfaChallenges).values(values).run();
  }

  async challengeByDigest(digest: string): Promise<MfaChallengeRow | undefined> {
    return this.db.select().from(mfaChallenges).where(eq(mfaChallenges.tokenDigest, digest)).get();
  }

  async consumeChallenge(id: number, now: number, maxFailures: number): Promise<boolean> {
    const res = this.db
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
      .run();
    return res.changes === 1;
  }

  async failChallenge(id: number): Promise<void> {
    this.db
      .update(mfaChallenges)
      .set({ failures: sql`${mfaChallenges.failures} + 1` })
      .where(eq(mfaChallenges.id, id))
      .run();
  }

  async stampSecondFactor(tokenDigest: string, userId: number, now: number): Promise<void> {
    this.db
      .update(apiTokens)
      .set({ secondFactorAt: now })
      .where(and(eq(apiTokens.tokenDigest, tokenDigest), eq(apiTokens.userId, userId)))
      .run();
  }

  async secondFactorAtOf(tokenDigest: string): Promise<number | null> {
    const row = this.db
      .select({ at: apiTokens.secondFactorAt })
      .from(apiTokens)
      .where(eq(apiTokens.tokenDigest, tokenDigest))
      .get();
    return row?.at ?? null;
  }

  async requireMfaOf(accountId: number): Promise<boolean> {
    const row = this.db
      .select({ required: accounts.requireMfa })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .get();
    return row?.required ?? false;
  }

  async setRequireMfa(accountId: number, required: boolean): Promise<void> {
    this.db.update(accounts).set({ requireMfa: required }).where(eq(accounts.id, accountId)).run();
  }
}
