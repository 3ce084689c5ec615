import { and, asc, count, eq, gt, isNull, lt } from 'drizzle-orm';
import type { PasskeyRow, WebauthnChallengeRow } from '../../../domain/rows';
import type {
  NewPasskey,
  NewWebauthnChallenge,
  PasskeysRepo,
} from '../../../features/passkeys/passkeys.repo';
import type { Db } from '../../database';
import { passkeys, webauthnChallenges } from '../../schema';

/** Passkeys on SQLite: each use is one conditional UPDATE (`changes` decides). */
export class SqlitePasskeysRepo implements PasskeysRepo {
  constructor(private readonly db: Db) {}

  async passkeysOf(userId: number): Promise<PasskeyRow[]> {
    return this.db
      .select()
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .orderBy(asc(passkeys.id))
      .all();
  }

  async countOf(userId: number): Promise<number> {
    const row = this.db
      .select({ n: count() })
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .get();
    return row?.n ?? 0;
  }

  async byCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
    return this.db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).get();
  }

  async insert(values: NewPasskey): Promise<PasskeyRow | undefined> {
    return this.db
      .insert(passkeys)
      .values(values)
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning()
      .get();
  }

  async rename(id: number, userId: number, name: string): Promise<PasskeyRow | undefined> {
    return this.db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning()
      .get();
  }

  async remove(id: number, userId: number): Promise<PasskeyRow | undefined> {
    return this.db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning()
      .get();
  }

  async claimCounter(id: number, counter: number, now: number): Promise<boolean> {
    const res = this.db
      .update(passkeys)
      .set({ counter, lastUsedAt: now })
      .where(
        and(
          eq(passkeys.id, id),
          counter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, counter),
        ),
      )
      .run();
    return res.changes === 1;
  }

  async insertChallenge(values: NewWebauthnChallenge): Promise<void> {
    this.db.insert(webauthnChallenges).values(values).run();
  }

  async challengeByDigest(digest: string): Promise<WebauthnChallengeRow | undefined> {
    return this.db
      .select()
      .from(webauthnChallenges)
      .where(eq(webauthnChallenges.challengeDigest, digest))
      .get();
  }

  async consumeChallenge(id: number, now: number): Promise<boolean> {
    const res = this.db
      .update(webauthnChallenges)
      .set({ usedAt: now })
      .where(
        and(
          eq(webauthnChallenges.id, id),
          isNull(webauthnChallenges.usedAt),
          gt(webauthnChallenges.expiresAt, now),
        ),
      )
      .run();
    return res.changes === 1;
  }
}
