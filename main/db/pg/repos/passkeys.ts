import { and, asc, count, eq, gt, isNull, lt } from 'drizzle-orm';
import type { PasskeyRow, WebauthnChallengeRow } from '../../../domain/rows';
import type {
  NewPasskey,
  NewWebauthnChallenge,
  PasskeysRepo,
} from '../../../features/passkeys/passkeys.repo';
import { passkeys, webauthnChallenges } from '../schema';
import type { PgTx } from '../uow';

/**
 * Passkeys on PostgreSQL: the SQLite adapter's statements; each use one conditional UPDATE
 * whose RETURNING decides, so a challenge used by two transactions at once passes once.
 */
export class PgPasskeysRepo implements PasskeysRepo {
  constructor(private readonly tx: PgTx) {}

  async passkeysOf(userId: number): Promise<PasskeyRow[]> {
    return this.tx.db
      .select()
      .from(passkeys)
      .where(eq(passkeys.userId, userId))
      .orderBy(asc(passkeys.id));
  }

  async countOf(userId: number): Promise<number> {
    const [row] = await this.tx.db
      .select({ n: count() })
      .from(passkeys)
      .where(eq(passkeys.userId, userId));
    return row?.n ?? 0;
  }

  async byCredentialId(credentialId: string): Promise<PasskeyRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(passkeys)
      .where(eq(passkeys.credentialId, credentialId));
    return row;
  }

  // ON CONFLICT DO NOTHING: a credential registered by another transaction meanwhile answers
  // undefined here, not a unique violation (which would abort the whole transaction on PG).
  async insert(values: NewPasskey): Promise<PasskeyRow | undefined> {
    const [row] = await this.tx.db
      .insert(passkeys)
      .values(values)
      .onConflictDoNothing({ target: passkeys.credentialId })
      .returning();
    return row;
  }

  async rename(id: number, userId: number, name: string): Promise<PasskeyRow | undefined> {
    const [row] = await this.tx.db
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning();
    return row;
  }

  async remove(id: number, userId: number): Promise<PasskeyRow | undefined> {
    const [row] = await this.tx.db
      .delete(passkeys)
      .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
      .returning();
    return row;
  }

  async claimCounter(id: number, counter: number, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(passkeys)
      .set({ counter, lastUsedAt: now })
      .where(
        and(
          eq(passkeys.id, id),
          counter === 0 ? eq(passkeys.counter, 0) : lt(passkeys.counter, counter),
        ),
      )
      .returning({ id: passkeys.id });
    return rows.length === 1;
  }

  async insertChallenge(values: NewWebauthnChallenge): Promise<void> {
    await this.tx.db.insert(webauthnChallenges).values(values);
  }

  async challengeByDigest(digest: string): Promise<WebauthnChallengeRow | undefined> {
    const [row] = await this.tx.db
      .select()
      .from(webauthnChallenges)
      .where(eq(webauthnChallenges.challengeDigest, digest));
    return row;
  }

  async consumeChallenge(id: number, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(webauthnChallenges)
      .set({ usedAt: now })
      .where(
        and(
          eq(webauthnChallenges.id, id),
          isNull(webauthnChallenges.usedAt),
          gt(webauthnChallenges.expiresAt, now),
        ),
      )
      .returning({ id: webauthnChallenges.id });
    return rows.length === 1;
  }
}
