import { z } from 'zod';
import { id } from './common.schema';

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

export interface ErasedUser {
  id: number;
  email: string;
  name: string;
  is_active: false;
  erased_at: string;
  sessions_revoked: number;
  tokens_revoked: number;
}

/** One export section: its records, and where the cap cut it short, `capped: true` and the cap. */
export type ExportSection<T = Record<string, unknown>> =
  | { count: number; capped: false; records: T[] }
  | { count: number; capped: true; cap: number; records: T[] };

export interface DataExport {
  format: 'orgdesk.gdpr-export/1';
  kind: 'user' | 'account';
  generated_at: string;
  /** Time-stamped activity is limited to this window; current records are exported whole. */
  period: { from: string; to: string; days: number };
  cap_per_section: number;
  subject: { account_id: number; user_id?: number };
  capped_sections: string[];
  sections: Record<string, ExportSection>;
}
