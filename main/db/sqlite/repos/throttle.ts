import { inArray, lte, sql } from 'drizzle-orm';
import type { SignInThrottleRow } from '../../../domain/rows';
import type { ThrottleRepo } from '../../../features/auth/throttle.repo';
import type { Db } from '../../database';
import { signInThrottle as t } from '../../schema';

/** SCALE-2 on SQLite: the write lock of the unit of work is the lock of `lockKeys`. */
export class SqliteThrottleRepo implements ThrottleRepo {
  constructor(private readonly db: Db) {}

  async lockKeys(keys: readonly string[]): Promise<SignInThrottleRow[]> {
    if (keys.length === 0) return [];
    return this.db
      .select()
      .from(t)
      .where(inArray(t.key, [...keys]))
      .all();
  }

  async saveKeys(rows: readonly SignInThrottleRow[], forget: readonly string[]): Promise<void> {
    for (const row of rows) {
      this.db
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
        })
        .run();
    }
    if (forget.length > 0)
      this.db
        .delete(t)
        .where(inArray(t.key, [...forget]))
        .run();
  }

  async purgeExpired(now: number, limit: number): Promise<number> {
    // Oldest first along the index; SQLite's DELETE has no LIMIT unless compiled with it.
    return this.db
      .delete(t)
      .where(
        inArray(
          t.key,
          this.db
            .select({ key: t.key })
            .from(t)
            .where(lte(t.expiresAt, now))
            .orderBy(t.expiresAt)
            .limit(limit),
        ),
      )
      .run().changes;
  }
}

/** The count of rows, for tests: the table stays bounded. */
export const throttleRowCount = (db: Db): number =>
  db
    .select({ n: sql<number>`count(*)` })
    .from(t)
    .get()!.n;
