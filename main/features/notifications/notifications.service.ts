// INT-3: the caller's own notifications. They are written by the audit append (main/db/sqlite/audit-log.ts,
// noticeFor decides which entries make one) in the event's transaction; this service only reads
// them and marks them read. The mailbox is the caller's own: every query is bound to the actor's
// account and user, so another user's notification id reads as absent.
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { forbidden, notFound } from '../../core/errors';
import type { Uow } from '../../repos';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  listNotificationsInput,
  markReadInput,
  type ListNotificationsInput,
  type MarkedRead,
  type MarkReadInput,
  type Notification,
  type UnreadCount,
} from '../../../shared/schemas/notifications.schema';
import type { NotificationRecord } from './notifications.repo';

export interface NotificationsDeps {
  uow: Uow;
  clock: Clock;
}

const toNotification = (n: NotificationRecord): Notification => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  audit_entry_id: n.auditEntryId,
  created_at: iso(n.createdAt),
  read_at: n.readAt === null ? null : iso(n.readAt),
});

export class NotificationsService {
  constructor(private readonly d: NotificationsDeps) {}

  async list(actor: Actor, raw?: ListNotificationsInput): Promise<Page<Notification>> {
    const input = listNotificationsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const page = await r.notifications.page(actor.accountId, actor.userId, {
        unreadOnly: input.status === 'unread',
        skip: input.skip,
        limit: input.limit,
      });
      return { items: page.items.map(toNotification), total: page.total };
    });
  }

  async unreadCount(actor: Actor): Promise<UnreadCount> {
    return this.d.uow.read(async (r) => ({
      unread: await r.notifications.unread(actor.accountId, actor.userId),
    }));
  }

  async markRead(actor: Actor, raw: MarkReadInput): Promise<MarkedRead> {
    const input = markReadInput.parse(raw);
    if (actor.readOnly) {
      throw forbidden('A read-only token cannot mark notifications read; use a session');
    }
    return this.d.uow.write(async (r) => {
      if (
        input.id !== null &&
        !(await r.notifications.has(actor.accountId, actor.userId, input.id))
      ) {
        throw notFound('Notification', input.id);
      }
      const marked = await r.notifications.markRead(
        actor.accountId,
        actor.userId,
        input.id,
        this.d.clock.now(),
      );
      return { marked, unread: await r.notifications.unread(actor.accountId, actor.userId) };
    });
  }
}
