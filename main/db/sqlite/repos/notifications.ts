import { and, asc, count, desc, eq, isNull, lt, lte, sql } from 'drizzle-orm';
import type { AuditLog } from '../audit-log';
import type { Notice } from '../../../core/notification-policy';
import type {
  NotificationRecord,
  NotificationsRepo,
  QueuedEmail,
} from '../../../features/notifications/notifications.repo';
import type { Db } from '../../database';
import { emailOutbox, notifications as n } from '../../schema';

/** INT-3 on SQLite. */
export class SqliteNotificationsRepo implements NotificationsRepo {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
  ) {}

  // The audit append's own fan-out (one statement set for both ways in).
  async tellAdmins(accountId: number, kind: string, notice: Notice, now: number): Promise<number> {
    return this.audit.tell(accountId, kind, notice, null, now);
  }

  private mine(accountId: number, userId: number, unreadOnly = false) {
    return and(
      eq(n.accountId, accountId),
      eq(n.userId, userId),
      unreadOnly ? isNull(n.readAt) : undefined,
    );
  }

  async page(
    accountId: number,
    userId: number,
    o: { unreadOnly: boolean; skip: number; limit: number },
  ): Promise<{ items: NotificationRecord[]; total: number }> {
    const where = this.mine(accountId, userId, o.unreadOnly);
    const items = this.db
      .select()
      .from(n)
      .where(where)
      .orderBy(desc(n.id))
      .limit(o.limit)
      .offset(o.skip)
      .all();
    const total = this.db.select({ c: count() }).from(n).where(where).get()!.c;
    return { items, total };
  }

  async unread(accountId: number, userId: number): Promise<number> {
    return this.db
      .select({ c: count() })
      .from(n)
      .where(this.mine(accountId, userId, true))
      .get()!.c;
  }

  async markRead(
    accountId: number,
    userId: number,
    id: number | null,
    now: number,
  ): Promise<number> {
    return this.db
      .update(n)
      .set({ readAt: now })
      .where(and(this.mine(accountId, userId, true), id === null ? undefined : eq(n.id, id)))
      .run().changes;
  }

  async has(accountId: number, userId: number, id: number): Promise<boolean> {
    return !!this.db
      .select({ id: n.id })
      .from(n)
      .where(and(this.mine(accountId, userId), eq(n.id, id)))
      .get();
  }

  async dueEmails(now: number, limit: number): Promise<QueuedEmail[]> {
    return this.db
      .select({
        id: emailOutbox.id,
        toAddress: emailOutbox.toAddress,
        subject: emailOutbox.subject,
        body: emailOutbox.body,
        attempts: emailOutbox.attempts,
        createdAt: emailOutbox.createdAt,
      })
      .from(emailOutbox)
      .where(and(eq(emailOutbox.status, 'pending'), lte(emailOutbox.nextAttemptAt, now)))
      .orderBy(asc(emailOutbox.id))
      .limit(limit)
      .all();
  }

  async expireEmails(cutoff: number, now: number): Promise<number> {
    return this.db
      .update(emailOutbox)
      .set({
        status: 'dead',
        lastError: sql`coalesce(${emailOutbox.lastError}, 'not sent') || ' (gave up after 24 h)'`,
        nextAttemptAt: now,
      })
      .where(and(eq(emailOutbox.status, 'pending'), lt(emailOutbox.createdAt, cutoff)))
      .run().changes;
  }

  async emailSent(id: number, now: number): Promise<void> {
    this.db
      .update(emailOutbox)
      .set({ status: 'sent', sentAt: now, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(eq(emailOutbox.id, id))
      .run();
  }

  async emailFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    this.db
      .update(emailOutbox)
      .set({ lastError: error, nextAttemptAt, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(eq(emailOutbox.id, id))
      .run();
  }
}
