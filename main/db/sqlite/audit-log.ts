// The audit append on SQLite (AUD-1, AUD-3, INT-1..3): moved here unchanged from core/audit.ts
// (issue 15), which keeps the engine-neutral parts (the chain, redaction, entryFields). Each
// append reads the account's chain head and writes the entry, the head, the outbox rows and the
// admins' notifications on the caller's connection, synchronously, inside the caller's
// transaction; the PostgreSQL twin is main/db/pg/repos/audit.ts.
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import {
  GENESIS_HASH,
  NOTIFIED_PREFIXES,
  chainFields,
  entryFields,
  type AuditChain,
  type AuditEvent,
  type ChainFields,
} from '../../core/audit';
import type { Clock } from '../../core/clock';
import { noticeFor, type Notice } from '../../core/notification-policy';
import { eventMatches } from '../../../shared/integrations';
import type { Db } from '../database';
import {
  auditEntries,
  auditHeads,
  emailOutbox,
  integrationDestinations,
  notifications,
  outbox,
  roleAssignments,
  users,
} from '../schema';

export class AuditLog {
  // Appended on every change: prepared once.
  private readonly head;
  private readonly insert;
  private readonly moveHead;
  private readonly destinations;
  private readonly enqueue;
  private readonly admins;
  private readonly userEmail;
  private readonly notify;
  private readonly queueEmail;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly chain: AuditChain,
    /** INT-3: queue each notification for email too (ORGDESK_SMTP_URL is set). */
    private readonly opts: { email?: boolean } = {},
  ) {
    this.head = db
      .select({ seq: auditHeads.seq, hash: auditHeads.hash })
      .from(auditHeads)
      .where(eq(auditHeads.accountId, sql.placeholder('accountId')))
      .prepare();
    const v = (name: string) => sql.placeholder(name);
    this.insert = db
      .insert(auditEntries)
      .values({
        at: v('at'),
        accountId: v('accountId'),
        organizationId: v('organizationId'),
        actorUserId: v('actorUserId'),
        actorLabel: v('actorLabel'),
        action: v('action'),
        targetType: v('targetType'),
        targetId: v('targetId'),
        details: v('details'),
        prevHash: v('prevHash'),
        hash: v('hash'),
        seq: v('seq'),
      })
      .returning({ id: auditEntries.id })
      .prepare();
    this.moveHead = db
      .insert(auditHeads)
      .values({ accountId: v('accountId'), seq: v('seq'), hash: v('hash') })
      .onConflictDoUpdate({
        target: auditHeads.accountId,
        set: { seq: sql`excluded.seq`, hash: sql`excluded.hash` },
      })
      .prepare();
    // INT-1/INT-2: the account's enabled destinations, read on every append (nothing cached: a
    // destination created by another replica takes effect at once, SCALE-2).
    this.destinations = db
      .select({ id: integrationDestinations.id, events: integrationDestinations.events })
      .from(integrationDestinations)
      .where(
        and(
          eq(integrationDestinations.accountId, v('accountId')),
          eq(integrationDestinations.enabled, true),
        ),
      )
      .prepare();
    this.enqueue = db
      .insert(outbox)
      .values({
        destinationId: v('destinationId'),
        accountId: v('accountId'),
        auditEntryId: v('auditEntryId'),
        createdAt: v('at'),
      })
      .prepare();
    // INT-3: the recipients, read at the event (a new admin is told from then on).
    this.admins = db
      .selectDistinct({ userId: users.id, email: users.email })
      .from(roleAssignments)
      .innerJoin(users, eq(users.id, roleAssignments.userId))
      .where(
        and(
          eq(roleAssignments.accountId, v('accountId')),
          eq(roleAssignments.role, 'account_admin'),
          eq(users.isActive, true),
        ),
      )
      .orderBy(users.id)
      .prepare();
    this.userEmail = db
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, v('id')))
      .prepare();
    this.notify = db
      .insert(notifications)
      .values({
        accountId: v('accountId'),
        userId: v('userId'),
        auditEntryId: v('auditEntryId'),
        kind: v('kind'),
        title: v('title'),
        body: v('body'),
        createdAt: v('at'),
      })
      .returning({ id: notifications.id })
      .prepare();
    this.queueEmail = db
      .insert(emailOutbox)
      .values({
        notificationId: v('notificationId'),
        accountId: v('accountId'),
        toAddress: v('toAddress'),
        subject: v('subject'),
        body: v('body'),
        createdAt: v('at'),
      })
      .prepare();
  }

  /**
   * Appends one entry. Call it inside the use case's transaction so both land or neither. It
   * links to the account's chain head and moves the head in the same transaction; the entry's
   * seq is unique per account, so an append that read a head another writer has moved since
   * fails (UNIQUE) rather than forking the chain (scale-out.md §4.3).
   */
  record(actor: Actor, event: AuditEvent): void {
    const head = this.head.get({ accountId: event.accountId });
    const fields: ChainFields = {
      ...entryFields(actor, event, this.clock.now()),
      prevHash: head ? head.hash : GENESIS_HASH,
    };
    const hash = this.chain.hash(fields);
    const seq = (head?.seq ?? 0) + 1;
    const entry = this.insert.get({ ...fields, hash, seq })!;
    this.moveHead.run({ accountId: event.accountId, seq, hash });
    // The outbox (INT-1/INT-2): one row per matching destination, in this same transaction, so
    // a change that rolls back forwards nothing and one that commits cannot be lost. Fanned out
    // here rather than at drain so each destination keeps its own backlog, retries and log, and
    // a destination created later is not sent the entries from before it.
    for (const d of this.destinations.all({ accountId: event.accountId })) {
      const patterns = d.events === null ? null : (JSON.parse(d.events) as string[]);
      if (!eventMatches(patterns, event.action)) continue;
      this.enqueue.run({
        destinationId: d.id,
        accountId: event.accountId,
        auditEntryId: entry.id,
        at: fields.at,
      });
    }
    this.tellAdmins(fields, entry.id);
  }

  /**
   * INT-3: the account's admins are told of the entries noticeFor names: one notification per
   * admin and, with SMTP configured, one queued email each, in this same transaction (a change
   * that rolls back tells no one; the email drainer sends after the commit).
   */
  private tellAdmins(f: Omit<ChainFields, 'prevHash'>, auditEntryId: number): void {
    if (!NOTIFIED_PREFIXES.some((p) => f.action.startsWith(p))) return;
    const details = JSON.parse(f.details) as Record<string, unknown>;
    const engineerId = details.engineer_user_id;
    const notice = noticeFor({
      action: f.action,
      actorLabel: f.actorLabel,
      details,
      targetId: f.targetId,
      engineerLabel:
        typeof engineerId === 'number'
          ? (this.userEmail.get({ id: engineerId })?.email ?? null)
          : null,
    });
    if (notice) this.tell(f.accountId, f.action, notice, auditEntryId, f.at);
  }

  /**
   * INT-3: one notification per active account admin and, with SMTP configured, one queued
   * email each; in the caller's transaction. How many admins were told.
   */
  tell(
    accountId: number,
    kind: string,
    notice: Notice,
    auditEntryId: number | null,
    at: number,
  ): number {
    const admins = this.admins.all({ accountId });
    for (const admin of admins) {
      const n = this.notify.get({
        accountId,
        userId: admin.userId,
        auditEntryId,
        kind,
        title: notice.title,
        body: notice.body,
        at,
      })!;
      if (!this.opts.email) continue;
      this.queueEmail.run({
        notificationId: n.id,
        accountId,
        toAddress: admin.email,
        subject: `[Orgdesk] ${notice.title}`,
        body: notice.body,
        at,
      });
    }
    return admins.length;
  }

  /**
   * GDPR-1: replaces the actor label of every entry the user made (in any account: a support
   * engineer acts in their customers' trails), keeping each entry verifiable (AuditChain).
   * Call it inside the erasure's transaction. Returns how many entries were relabelled.
   */
  relabelActor(userId: number, label: string): number {
    const rows = this.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.actorUserId, userId))
      .all();
    for (const r of rows) {
      const hash = this.chain.relabelled(chainFields(r), r.hash, label);
      this.db
        .update(auditEntries)
        .set({ actorLabel: label, hash })
        .where(eq(auditEntries.id, r.id))
        .run();
    }
    return rows.length;
  }
}
