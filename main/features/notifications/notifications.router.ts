import { authedProcedure, router } from '../../trpc/trpc';
import {
  listNotificationsInput,
  markedReadOutput,
  markReadInput,
  notificationPageOutput,
  unreadCountOutput,
} from '../../../shared/schemas/notifications.schema';

// INT-3: the caller's own notifications (the console's bell).
export const notificationsRouter = router({
  list: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/notifications',
        list: true,
        summary: 'Your notifications, newest first (support access, failing forwarding)',
      },
      output: notificationPageOutput,
    })
    .input(listNotificationsInput)
    .query(({ ctx, input }) => ctx.services.notifications.list(ctx.actor, input)),
  unreadCount: authedProcedure
    .meta({
      rest: {
        method: 'GET',
        path: '/notifications/unread-count',
        summary: 'How many of your notifications are unread (the bell in the title bar)',
      },
      output: unreadCountOutput,
    })
    .query(({ ctx }) => ctx.services.notifications.unreadCount(ctx.actor)),
  markRead: authedProcedure
    .meta({
      rest: {
        method: 'POST',
        path: '/notifications/read',
        summary: 'Mark one notification read, or every one (id null)',
      },
      output: markedReadOutput,
    })
    .input(markReadInput)
    .mutation(({ ctx, input }) => ctx.services.notifications.markRead(ctx.actor, input)),
});
