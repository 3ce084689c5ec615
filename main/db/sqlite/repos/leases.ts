import { and, eq, sql } from 'drizzle-orm';
import type { LeaseRepo, LeaseState } from '../../../core/lease.repo';
import type { Db } from '../../database';
import { workerLeases } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/**
 * SCALE-2 on SQLite: one conditional upsert takes, renews or takes over a lease. Prepared once
 * per connection: the outbox drain renews its lease in each of its passes (issue 18's cost).
 */
export class SqliteLeaseRepo implements LeaseRepo {
  private readonly take;
  private readonly give;
  private readonly read;

  constructor(db: Db) {
    this.take = db
      .insert(workerLeases)
      .values({ name: p('name'), holder: p('holder'), expiresAt: p('until') })
      .onConflictDoUpdate({
        target: workerLeases.name,
        set: { holder: sql`excluded.holder`, expiresAt: sql`excluded.expires_at` },
        setWhere: sql`${workerLeases.holder} = excluded.holder or ${workerLeases.expiresAt} <= ${p('now')}`,
      })
      .prepare();
    this.give = db
      .update(workerLeases)
      .set({ expiresAt: 0 })
      .where(and(eq(workerLeases.name, p('name')), eq(workerLeases.holder, p('holder'))))
      .prepare();
    this.read = db
      .select({ holder: workerLeases.holder, expiresAt: workerLeases.expiresAt })
      .from(workerLeases)
      .where(eq(workerLeases.name, p('name')))
      .prepare();
  }

  async acquire(name: string, holder: string, now: number, until: number): Promise<boolean> {
    return this.take.run({ name, holder, until, now }).changes > 0;
  }

  /**
   * The upsert, and when it wrote nothing the row that refused it: a second statement, but in
   * the same write transaction of the one writer, so nothing changes the row between the two.
   */
  async attempt(name: string, holder: string, now: number, until: number): Promise<LeaseState> {
    if (this.take.run({ name, holder, until, now }).changes > 0) {
      return { taken: true, expiresAt: until };
    }
    const row = this.read.get({ name });
    return { taken: false, holder: row?.holder ?? null, expiresAt: row?.expiresAt ?? null };
  }

  async release(name: string, holder: string): Promise<void> {
    this.give.run({ name, holder });
  }
}
