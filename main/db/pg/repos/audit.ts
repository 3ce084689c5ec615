import { asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../../core/actor';
import {
  chainFields,
  entryFields,
  GENESIS_HASH,
  linkHash,
  type AuditChain,
  type AuditEvent,
  type ChainFields,
} from '../../../core/audit';
import type { AuditRepo } from '../../../core/audit.repo';
import type { Clock } from '../../../core/clock';
import { auditEntries, auditHeads } from '../schema';
import type { PgTx } from '../uow';

/**
 * EXCLUSIVE conflicts with the ROW EXCLUSIVE every head update takes (and with itself), not with
 * plain reads: while a retry holds it no other transaction moves any head, and it waits for those
 * already moving one to commit, which its snapshot, taken after, then sees. Coarser than one
 * account's head, but row locks cannot be taken before the snapshot, and a session advisory lock
 * would not survive a transaction-mode pooler (scale-out.md §4.8).
 */
export const HEADS_RETRY_LOCK = 'LOCK TABLE audit_heads IN EXCLUSIVE MODE';

/**
 * AUD-3 on many writers (scale-out.md §4.3). `record` only buffers: at commit (the unit of
 * work's beforeCommit) each account's head row is locked, the buffered entries are chained in
 * the order they were recorded, inserted in one statement, and the head moved. The lock is held
 * for those three statements and the COMMIT, not for the whole use case; `UNIQUE(account_id,
 * seq)` still refuses a second writer that got past the lock instead of letting it fork.
 */
export class PgAuditRepo implements AuditRepo {
  private buffer: Omit<ChainFields, 'prevHash'>[] = [];

  constructor(
    private readonly tx: PgTx,
    private readonly chain: AuditChain,
    private readonly clock: Clock,
  ) {}

  async record(actor: Actor, event: AuditEvent): Promise<void> {
    this.recordSync(actor, event);
  }

  // Buffering is synchronous on PostgreSQL, so the agents' synchronous jobs append as well.
  recordSync(actor: Actor, event: AuditEvent): void {
    if (this.buffer.length === 0) {
      this.tx.beforeCommit(() => this.flush());
      // A retried audited write lost the head (or something else) to a concurrent writer: it
      // takes the heads' table lock before its snapshot, so it cannot lose the head again. Only
      // retries pay it: a first attempt appends under the head's row lock alone.
      this.tx.lockOnRetry(HEADS_RETRY_LOCK);
    }
    // `at` is when the change was made, as on SQLite; `seq` is the commit order.
    this.buffer.push(entryFields(actor, event, this.clock.now()));
  }

  private async flush(): Promise<void> {
    const pending = this.buffer;
    this.buffer = [];
    const byAccount = new Map<number, Omit<ChainFields, 'prevHash'>[]>();
    for (const e of pending) {
      const list = byAccount.get(e.accountId);
      if (list) list.push(e);
      else byAccount.set(e.accountId, [e]);
    }
    // Heads locked in account order: two transactions touching the same accounts never deadlock.
    for (const accountId of [...byAccount.keys()].sort((a, b) => a - b)) {
      await this.append(accountId, byAccount.get(accountId)!);
    }
  }

  private async append(accountId: number, entries: Omit<ChainFields, 'prevHash'>[]) {
    // One statement that creates a missing head (seq 0, the genesis hash: SQLite's "no head")
    // and locks it either way; the no-op DO UPDATE is what takes the row lock on an existing head
    // and returns its committed values (READ COMMITTED waits for the holder and sees its head).
    const [head] = await this.tx.db
      .insert(auditHeads)
      .values({ accountId, seq: 0, hash: GENESIS_HASH })
      .onConflictDoUpdate({ target: auditHeads.accountId, set: { seq: sql`audit_heads.seq` } })
      .returning({ seq: auditHeads.seq, hash: auditHeads.hash });
    let seq = head!.seq;
    let prev = linkHash(head!.hash);
    const rows = entries.map((e) => {
      const fields: ChainFields = { ...e, prevHash: prev };
      const hash = this.chain.hash(fields);
      prev = hash;
      seq += 1;
      return { ...fields, hash, seq };
    });
    await this.tx.db.insert(auditEntries).values(rows);
    await this.tx.db
      .update(auditHeads)
      .set({ seq, hash: prev })
      .where(eq(auditHeads.accountId, accountId));
  }

  async relabelActor(userId: number, label: string): Promise<number> {
    // Entries this transaction recorded are still in the buffer (on SQLite they are already
    // rows, and relabelled with the rest). A new entry is v2, whose hash leaves a user's label
    // out: replacing the label is all AuditChain.relabelled would do to it.
    let buffered = 0;
    for (const e of this.buffer) {
      if (e.actorUserId !== userId) continue;
      e.actorLabel = label;
      buffered += 1;
    }
    const rows = await this.tx.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.actorUserId, userId))
      .orderBy(asc(auditEntries.id))
      .for('update');
    for (const r of rows) {
      const hash = this.chain.relabelled(chainFields(r), r.hash, label);
      await this.tx.db
        .update(auditEntries)
        .set({ actorLabel: label, hash })
        .where(eq(auditEntries.id, r.id));
    }
    return rows.length + buffered;
  }
}
