// UI-13: bulk actions. One list of ids per call, at most MAX_BULK_IDS, no duplicates.
import { z } from 'zod';
import { MAX_BULK_IDS } from '../constants';
import { countValue, id, idValue } from './common.schema';

export const bulkIds = (field: string) =>
  z
    .array(id(field), { error: `${field} must be a list of ids` })
    .min(1, `${field} must name at least one id`)
    .max(
      MAX_BULK_IDS,
      `${field} must name at most ${MAX_BULK_IDS} ids: send the rest in another call`,
    )
    .refine((ids) => new Set(ids).size === ids.length, `${field} must not name an id twice`);

export const bulkResultOutput = z.strictObject({
  ids: z.array(idValue).describe('Every id named, each done: a bulk call is all or nothing'),
  count: countValue,
});
export type BulkResult = z.infer<typeof bulkResultOutput>;
