import { and, asc, eq, sql } from 'drizzle-orm';
import { eventMatches } from '../../../../shared/integrations';
import type { Actor } from '../../../core/actor';
import {
  chainFields,
  entryFields,
  GENESIS_HASH,
  linkHash,
  NOTIFIED_PREFIXES,
  type AuditChain,
  type AuditEvent,
  type ChainFields,
} from '../../../core/audit';
import type { AuditRepo } from '../../../core/audit.repo';
import type { Clock } from '../../../core/clock';
import { noticeFor } from '../../../core/notification-policy';
import { auditEntries, auditHeads, integrationDestinations, outbox, users } from '../schema';
import type { PgTx } from '../uow';
import { tellAccountAdmins } from './notifications';

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
 *
 * What AuditLog.record does besides chaining, it does here with the chained entries, in the same
 * transaction: an outbox row per matching enabled destination (INT-1/INT-2) and the admins told
 * of the entries noticeFor names (INT-3), so a change that rolls back forwards and tells nothing.
 * The destinations are read at commit rather than at each record (a destination changed later
 * in the same transaction than the entry is seen changed: no use case does that).
 */
export class PgAuditRepo implements AuditRepo {
  private buffer: Omit<ChainFields, 'prevHash'>[] = [];

  constructor(
    private readonly tx: PgTx,
    private readonly chain: AuditChain,
    private readonly clock: Clock,
    /** INT-3: notices are queued for email too (ORGDESK_SMTP_URL is set). */
    private readonly email = false,
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
    // In chunks: one statement may carry 65,535 parameters (some 5,000 entries), and a unit of
    // work may append more than that (20,000 in one failed with a RangeError building the SQL).
    const ids: { id: number; seq: number }[] = [];
    for (const chunk of chunks(rows)) {
      ids.push(
        ...(await this.tx.db
          .insert(auditEntries)
          .values(chunk)
          .returning({ id: auditEntries.id, seq: auditEntries.seq })),
      );
    }
    await this.tx.db
      .update(auditHeads)
      .set({ seq, hash: prev })
      .where(eq(auditHeads.accountId, accountId));
    // RETURNING's order is not promised: each entry's id by its seq, unique in the account.
    const idOf = new Map(ids.map((r) => [r.seq, r.id]));
    const chained = rows.map((r) => ({ ...r, id: idOf.get(r.seq)! }));
    await this.enqueue(accountId, chained);
    for (const e of chained) await this.tellAdmins(e);
  }

  /** INT-1/INT-2: the outbox rows of these entries, in entry order, as AuditLog.record writes. */
  private async enqueue(
    accountId: number,
    entries: { id: number; action: string; at: number }[],
  ): Promise<void> {
    // Nothing cached: a destination created by another replica takes effect at once (SCALE-2).
    const destinations = await this.tx.db
      .select({ id: integrationDestinations.id, events: integrationDestinations.events })
      .from(integrationDestinations)
      .where(
        and(
          eq(integrationDestinations.accountId, accountId),
          eq(integrationDestinations.enabled, true),
        ),
      )
      .orderBy(asc(integrationDestinations.id));
    if (destinations.length === 0) return;
    const patterns = destinations.map((d) => ({
      id: d.id,
      events: d.events === null ? null : (JSON.parse(d.events) as string[]),
    }));
    const queued = entries.flatMap((e) =>
      patterns
        .filter((d) => eventMatches(d.events, e.action))
        .map((d) => ({ destinationId: d.id, accountId, auditEntryId: e.id, createdAt: e.at })),
    );
    for (const chunk of chunks(queued)) await this.tx.db.insert(outbox).values(chunk);
  }

  /** INT-3: AuditLog's tellAdmins, for one chained entry. */
  private async tellAdmins(e: Omit<ChainFields, 'prevHash'> & { id: number }): Promise<void> {
    if (!NOTIFIED_PREFIXES.some((p) => e.action.startsWith(p))) return;
    const details = JSON.parse(e.details) as Record<string, unknown>;
    const engineerId = details.engineer_user_id;
    let engineerLabel: string | null = null;
    if (typeof engineerId === 'number') {
      const [u] = await this.tx.db
        .select({ email: users.email })
        .from(users)
        .where(eq(users.id, engineerId));
      engineerLabel = u?.email ?? null;
    }
    const notice = noticeFor({
      action: e.action,
      actorLabel: e.actorLabel,
      details,
      targetId: e.targetId,
      engineerLabel,
    });
    if (notice) {
      await tellAccountAdmins(this.tx.db, this.email, e.accountId, e.action, notice, e.id, e.at);
    }
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

/** Rows for multi-row INSERTs of at most 500 (far under PostgreSQL's 65,535 parameters). */
function chunks<T>(rows: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
