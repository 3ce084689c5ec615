import type { Notice } from '../../core/notification-policy';

// Port (issue 18, INT-3): an admin's notifications and the email queue the audit append fills
// (the audit append writes both: main/db/sqlite/audit-log.ts). SQLite: main/db/sqlite/repos/notifications.ts. The drain's
// lease is the scheduled jobs' one (LeaseRepo), under its own name.

export interface NotificationRecord {
  id: number;
  accountId: number;
  userId: number;
  auditEntryId: number | null;
  kind: string;
  title: string;
  body: string;
  createdAt: number;
  readAt: number | null;
}

export interface QueuedEmail {
  id: number;
  toAddress: string;
  subject: string;
  body: string;
  attempts: number;
  createdAt: number;
}

export interface NotificationsRepo {
  /**
   * Tells every active admin of the account (a notification each, and a queued email each with
   * SMTP configured), in this transaction: for what has no audit entry of its own (a destination
   * failing). The audit append tells of its entries itself. How many admins were told.
   */
  tellAdmins(accountId: number, kind: string, notice: Notice, now: number): Promise<number>;
  /** The user's notifications in the account, newest first. */
  page(
    accountId: number,
    userId: number,
    opts: { unreadOnly: boolean; skip: number; limit: number },
  ): Promise<{ items: NotificationRecord[]; total: number }>;
  unread(accountId: number, userId: number): Promise<number>;
  /** Marks one (or, with id null, every) unread notification of the user read; how many. */
  markRead(accountId: number, userId: number, id: number | null, now: number): Promise<number>;
  /** Whether the user has this notification (a foreign id reads as absent). */
  has(accountId: number, userId: number, id: number): Promise<boolean>;

  // ---- the email drain (EmailDrainer)
  /** Pending emails whose backoff has passed, oldest first. */
  dueEmails(now: number, limit: number): Promise<QueuedEmail[]>;
  /** Pending emails queued before `cutoff` become dead letters; how many. */
  expireEmails(cutoff: number, now: number): Promise<number>;
  emailSent(id: number, now: number): Promise<void>;
  emailFailed(id: number, error: string, nextAttemptAt: number): Promise<void>;
}
