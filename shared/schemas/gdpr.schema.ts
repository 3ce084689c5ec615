import { z } from 'zod';
import { countValue, id, idValue, isoTime } from './common.schema';

// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { EXPORT_DAYS, EXPORT_SECTION_CAP } from '../constants';

/**
 * GDPR-1: `confirm` must repeat the user's current email exactly (case and surrounding spaces
 * ignored), so an eraser has to look at whom they erase; a wrong id cannot slip through.
 */
export const eraseUserInput = z.strictObject({
  user_id: id('user_id'),
  confirm: z
    .string({ error: "confirm must be text: type the user's current email to confirm" })
    .trim()
    .min(1, "confirm is required: type the user's current email to confirm the erasure"),
});
export type EraseUserInput = z.input<typeof eraseUserInput>;

export const exportUserInput = z.strictObject({ user_id: id('user_id') });

export const erasedUserOutput = z.strictObject({
  id: idValue,
  email: z.string().describe('The placeholder the user now has: erased-user-<id>@erased.invalid'),
  name: z.string().describe('The placeholder name: Erased user <id>'),
  is_active: z.literal(false),
  erased_at: isoTime,
  sessions_revoked: countValue,
  tokens_revoked: countValue.describe('Personal tokens revoked'),
});
export type ErasedUser = z.infer<typeof erasedUserOutput>;

const exportRecords = z
  .array(z.record(z.string(), z.unknown()))
  .describe('Rows with snake_case keys and ISO times; secrets and password hashes are never in');

/** One export section: its records, and where the cap cut it short, `capped: true` and the cap. */
export const exportSectionOutput = z.discriminatedUnion('capped', [
  z.strictObject({ count: countValue, capped: z.literal(false), records: exportRecords }),
  z.strictObject({
    count: countValue,
    capped: z.literal(true),
    cap: countValue.describe('The per-section cap that cut the records short'),
    records: exportRecords,
  }),
]);
export type ExportSection = z.infer<typeof exportSectionOutput>;

export const dataExportOutput = z.strictObject({
  format: z.literal('orgdesk.gdpr-export/1'),
  kind: z.enum(['user', 'account']),
  generated_at: isoTime,
  period: z
    .strictObject({ from: isoTime, to: isoTime, days: z.number().int() })
    .describe(
      'Time-stamped activity is limited to this window; current records are exported whole',
    ),
  cap_per_section: countValue,
  subject: z.strictObject({
    account_id: idValue,
    user_id: idValue.optional().describe('Present for a user export'),
  }),
  capped_sections: z.array(z.string()).describe('The sections the cap cut short'),
  sections: z.record(z.string(), exportSectionOutput),
});
export type DataExport = z.infer<typeof dataExportOutput>;
