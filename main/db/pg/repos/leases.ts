import { and, eq, or, lte, sql } from 'drizzle-orm';
import type { LeaseRepo, LeaseState } from '../../../core/lease.repo';
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

  /**
   * The same upsert in one statement that also answers the refusing row: the CTE's RETURNING is
   * the row written (taken), else the outer SELECT reads the row as the statement's snapshot saw
   * it (another holder's, in force). Under READ COMMITTED a row inserted concurrently by another
   * holder is not in that snapshot: no row, expiry unknown (the caller waits for its next tick).
   */
  async attempt(name: string, holder: string, now: number, until: number): Promise<LeaseState> {
    const { rows } = await this.tx.db.execute<{
      taken: boolean;
      holder: string;
      expires_at: string;
    }>(sql`
      WITH up AS (
        INSERT INTO worker_leases (name, holder, expires_at) VALUES (${name}, ${holder}, ${until})
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
        WHERE worker_leases.holder = excluded.holder OR worker_leases.expires_at <= ${now}
        RETURNING holder, expires_at
      )
      SELECT true AS taken, holder, expires_at FROM up
      UNION ALL
      SELECT false, holder, expires_at FROM worker_leases
      WHERE name = ${name} AND NOT EXISTS (SELECT 1 FROM up)`);
    const row = rows[0];
    if (row?.taken) return { taken: true, expiresAt: Number(row.expires_at) };
    return {
      taken: false,
      holder: row?.holder ?? null,
      expiresAt: row ? Number(row.expires_at) : null,
    };
  }

  async release(name: string, holder: string): Promise<void> {
    await this.tx.db
      .update(workerLeases)
      .set({ expiresAt: 0 })
      .where(and(eq(workerLeases.name, name), eq(workerLeases.holder, holder)));
  }
}
