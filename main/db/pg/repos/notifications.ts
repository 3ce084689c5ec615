import { and, asc, count, desc, eq, isNull, lt, lte, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { Notice } from '../../../core/notification-policy';
import type {
  NotificationRecord,
  NotificationsRepo,
  QueuedEmail,
} from '../../../features/notifications/notifications.repo';
import { emailOutbox, notifications as n, roleAssignments, users } from '../schema';
import type { PgTx } from '../uow';

/**
 * INT-3's fan-out on PostgreSQL (AuditLog.tell on SQLite): one notification per active account
 * admin, by user id, and with SMTP configured one queued email each, in the caller's
 * transaction. Both ways in use it: `tellAdmins` below and the audit append at commit
 * (main/db/pg/repos/audit.ts). How many admins were told.
 */
export async function tellAccountAdmins(
  db: NodePgDatabase,
  email: boolean,
  accountId: number,
  kind: string,
  notice: Notice,
  auditEntryId: number | null,
  at: number,
): Promise<number> {
  const admins = await db
    .selectDistinct({ userId: users.id, email: users.email })
    .from(roleAssignments)
    .innerJoin(users, eq(users.id, roleAssignments.userId))
    .where(
      and(
        eq(roleAssignments.accountId, accountId),
        eq(roleAssignments.role, 'account_admin'),
        eq(users.isActive, true),
      ),
    )
    .orderBy(asc(users.id));
  if (admins.length === 0) return 0;
  const told = await db
    .insert(n)
    .values(
      admins.map((admin) => ({
        accountId,
        userId: admin.userId,
        auditEntryId,
        kind,
        title: notice.title,
        body: notice.body,
        createdAt: at,
      })),
    )
    .returning({ id: n.id, userId: n.userId });
  if (!email) return admins.length;
  const to = new Map(admins.map((a) => [a.userId, a.email]));
  // RETURNING of a multi-row INSERT is not promised in VALUES order: ids are, so sort by id.
  told.sort((a, b) => a.id - b.id);
  await db.insert(emailOutbox).values(
    told.map((t) => ({
      notificationId: t.id,
      accountId,
      toAddress: to.get(t.userId)!,
      subject: `[Orgdesk] ${notice.title}`,
      body: notice.body,
      createdAt: at,
    })),
  );
  return admins.length;
}

/** INT-3 on PostgreSQL: the SQLite adapter's statements. */
export class PgNotificationsRepo implements NotificationsRepo {
  constructor(
    private readonly tx: PgTx,
    /** ORGDESK_SMTP_URL is set: each notification is queued for email too. */
    private readonly email: boolean,
  ) {}

  async tellAdmins(accountId: number, kind: string, notice: Notice, now: number): Promise<number> {
    return tellAccountAdmins(this.tx.db, this.email, accountId, kind, notice, null, now);
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
    const items = await this.tx.db
      .select()
      .from(n)
      .where(where)
      .orderBy(desc(n.id))
      .limit(o.limit)
      .offset(o.skip);
    const [t] = await this.tx.db.select({ c: count() }).from(n).where(where);
    return { items, total: t!.c };
  }

  async unread(accountId: number, userId: number): Promise<number> {
    const [t] = await this.tx.db
      .select({ c: count() })
      .from(n)
      .where(this.mine(accountId, userId, true));
    return t!.c;
  }

  async markRead(
    accountId: number,
    userId: number,
    id: number | null,
    now: number,
  ): Promise<number> {
    const rows = await this.tx.db
      .update(n)
      .set({ readAt: now })
      .where(and(this.mine(accountId, userId, true), id === null ? undefined : eq(n.id, id)))
      .returning({ id: n.id });
    return rows.length;
  }

  async has(accountId: number, userId: number, id: number): Promise<boolean> {
    const rows = await this.tx.db
      .select({ id: n.id })
      .from(n)
      .where(and(this.mine(accountId, userId), eq(n.id, id)));
    return rows.length > 0;
  }

  async dueEmails(now: number, limit: number): Promise<QueuedEmail[]> {
    return this.tx.db
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
      .limit(limit);
  }

  async expireEmails(cutoff: number, now: number): Promise<number> {
    const rows = await this.tx.db
      .update(emailOutbox)
      .set({
        status: 'dead',
        lastError: sql`coalesce(${emailOutbox.lastError}, 'not sent') || ' (gave up after 24 h)'`,
        nextAttemptAt: now,
      })
      .where(and(eq(emailOutbox.status, 'pending'), lt(emailOutbox.createdAt, cutoff)))
      .returning({ id: emailOutbox.id });
    return rows.length;
  }

  async emailSent(id: number, now: number): Promise<void> {
    await this.tx.db
      .update(emailOutbox)
      .set({ status: 'sent', sentAt: now, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(eq(emailOutbox.id, id));
  }

  async emailFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.tx.db
      .update(emailOutbox)
      .set({ lastError: error, nextAttemptAt, attempts: sql`${emailOutbox.attempts} + 1` })
      .where(eq(emailOutbox.id, id));
  }
}
