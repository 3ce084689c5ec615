import { and, eq, sql } from 'drizzle-orm';
import type { LeaseRepo } from '../../../core/lease.repo';
import type { Db } from '../../database';
import { workerLeases } from '../../schema';

/** SCALE-2 on SQLite: one conditional upsert takes, renews or takes over a lease. */
export class SqliteLeaseRepo implements LeaseRepo {
  constructor(private readonly db: Db) {}

  async acquire(name: string, holder: string, now: number, until: number): Promise<boolean> {
    const r = this.db
      .insert(workerLeases)
      .values({ name, holder, expiresAt: until })
      .onConflictDoUpdate({
        target: workerLeases.name,
        set: { holder, expiresAt: until },
        setWhere: sql`${workerLeases.holder} = ${holder} or ${workerLeases.expiresAt} <= ${now}`,
      })
      .run();
    return r.changes > 0;
  }

  async release(name: string, holder: string): Promise<void> {
    this.db
      .update(workerLeases)
      .set({ expiresAt: 0 })
      .where(and(eq(workerLeases.name, name), eq(workerLeases.holder, holder)))
      .run();
  }
}
