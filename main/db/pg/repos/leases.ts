import { and, eq, or, lte } from 'drizzle-orm';
import type { LeaseRepo } from '../../../core/lease.repo';
import { workerLeases } from '../schema';
import type { PgTx } from '../uow';

/**
 * SCALE-2 on PostgreSQL: the SQLite adapter's conditional upsert. `RETURNING` tells whether the
 * row was written (an `ON CONFLICT … DO UPDATE … WHERE` that does not match writes nothing).
 * A lease table rather than advisory locks: it works the same on every engine (scale-out.md §2).
 * Two replicas racing: the second's ON CONFLICT waits on the first's row and re-checks the WHERE
 * against what it committed (READ COMMITTED), or aborts and is retried into that (SERIALIZABLE);
 * RETURNING no row is "another holds it".
 */
export class PgLeaseRepo implements LeaseRepo {
  constructor(private readonly tx: PgTx) {}

  async acquire(name: string, holder: string, now: number, until: number): Promise<boolean> {
    const rows = await this.tx.db
      .insert(workerLeases)
      .values({ name, holder, expiresAt: until })
      .onConflictDoUpdate({
        target: workerLeases.name,
        set: { holder, expiresAt: until },
        setWhere: or(eq(workerLeases.holder, holder), lte(workerLeases.expiresAt, now)),
      })
      .returning({ name: workerLeases.name });
    return rows.length > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.tx.db
      .update(workerLeases)
      .set({ expiresAt: 0 })
      .where(and(eq(workerLeases.name, name), eq(workerLeases.holder, holder)));
  }
}
