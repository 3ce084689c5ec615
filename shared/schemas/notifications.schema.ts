import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT } from '../constants';
import { countValue, id, idValue, isoTime, pageInput, pageOutput } from './common.schema';

// INT-3: the caller's own notifications (an account admin's notices of support access and
// failing forwarding).
export const listNotificationsInput = z
  .strictObject({
    status: z
      .enum(['all', 'unread'], { error: 'status must be all or unread' })
      .default('all')
      .describe('unread: only the notifications not marked read yet'),
    ...pageInput,
  })
  .default({ status: 'all', skip: 0, limit: DEFAULT_PAGE_LIMIT });
export type ListNotificationsInput = z.input<typeof listNotificationsInput>;

export const markReadInput = z.strictObject({
  id: id('id')
    .nullable()
    .describe('The notification to mark read; null marks every unread notification read'),
});
export type MarkReadInput = z.input<typeof markReadInput>;

export const notificationOutput = z.strictObject({
  id: idValue,
  kind: z.string().describe('The audit action it tells of, e.g. support_access.requested'),
  title: z.string(),
  body: z.string(),
  audit_entry_id: idValue
    .nullable()
    .describe('The audit entry it tells of; null for a destination failing, which has none'),
  created_at: isoTime,
  read_at: isoTime.nullable(),
});
export type Notification = z.infer<typeof notificationOutput>;

export const notificationPageOutput = pageOutput(notificationOutput);

export const unreadCountOutput = z.strictObject({ unread: countValue });
export type UnreadCount = z.infer<typeof unreadCountOutput>;

export const markedReadOutput = z.strictObject({
  marked: countValue.describe('How many notifications were unread and are read now'),
  unread: countValue,
});
export type MarkedRead = z.infer<typeof markedReadOutput>;
