import { asc, inArray, lte } from 'drizzle-orm';
import type { SignInThrottleRow } from '../../../domain/rows';
import type { ThrottleRepo } from '../../../features/auth/throttle.repo';
import { signInThrottle as t } from '../schema';
import type { PgTx } from '../uow';

/**
 * SCALE-2 on PostgreSQL. A key without a row cannot be locked, so `lockKeys` first makes every
 * row exist (an empty one, ON CONFLICT DO NOTHING), then locks them `FOR UPDATE` in key order (two
 * attempts lock their keys in one order: no deadlock). Two attempts on one key in two replicas
 * therefore take turns; under SERIALIZABLE the second is retried and reads the first's count.
 * The empty rows a refused or concluded attempt leaves are deleted by `saveKeys`' `forget`.
 */
export class PgThrottleRepo implements ThrottleRepo {
  constructor(private readonly tx: PgTx) {}

  async lockKeys(keys: readonly string[]): Promise<SignInThrottleRow[]> {
    if (keys.length === 0) return [];
    const sorted = [...new Set(keys)].sort();
    await this.tx.db
      .insert(t)
      .values(sorted.map((key) => ({ key, expiresAt: 0 })))
      .onConflictDoNothing({ target: t.key });
    const rows = await this.tx.db
      .select()
      .from(t)
      .where(inArray(t.key, sorted))
      .orderBy(asc(t.key))
      .for('update');
    // The rows made just now hold nothing yet: answered as absent, like SQLite's missing rows.
    return rows.filter((r) => !isEmpty(r));
  }

  async saveKeys(rows: readonly SignInThrottleRow[], forget: readonly string[]): Promise<void> {
    for (const row of rows) {
      await this.tx.db
        .insert(t)
        .values(row)
        .onConflictDoUpdate({
          target: t.key,
          set: {
            failed: row.failed,
            inFlight: row.inFlight,
            inFlightUntil: row.inFlightUntil,
            lastFailAt: row.lastFailAt,
            lockedUntil: row.lockedUntil,
            expiresAt: row.expiresAt,
          },
        });
    }
    // `forget` holds every key left without state, the placeholders lockKeys made among them.
    if (forget.length > 0) await this.tx.db.delete(t).where(inArray(t.key, [...forget]));
  }

  async purgeExpired(now: number, limit: number): Promise<number> {
    const r = await this.tx.db
      .delete(t)
      .where(
        inArray(
          t.key,
          this.tx.db
            .select({ key: t.key })
            .from(t)
            .where(lte(t.expiresAt, now))
            .orderBy(asc(t.expiresAt))
            .limit(limit)
            .for('update', { skipLocked: true }),
        ),
      );
    return r.rowCount ?? 0;
  }
}

const isEmpty = (r: SignInThrottleRow) =>
  r.expiresAt === 0 && r.failed === 0 && r.inFlight === 0 && r.lockedUntil === 0;
