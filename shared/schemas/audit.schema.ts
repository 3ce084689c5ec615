import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT } from '../constants';
import { id, pageInput } from './common.schema';

/** An ISO 8601 time (2026-01-31T12:00:00Z, with any offset) or a date (2026-01-31, as UTC). */
const instant = (field: string) =>
  z
    .string({ error: `${field} must be an ISO 8601 time such as 2026-01-31T12:00:00Z` })
    .trim()
    .refine(
      (s) => instantMs(s) !== null,
      `${field} must be an ISO 8601 time such as 2026-01-31T12:00:00Z`,
    );

/** Milliseconds of an ISO 8601 time or date (dates are UTC midnight); null when not one. */
export function instantMs(s: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s)) return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  return isNaN(ms) ? null : ms;
}

/** AUD-2 filters, shared by the listing and the export. */
export const auditFilterFields = {
  /** Entries of one organization (org admins); absent: the whole account (account admins). */
  organization_id: id('organization_id').nullish(),
  /** A support engineer names the customer account; everyone else reads their own. */
  account_id: id('account_id').nullish(),
  actor_user_id: id('actor_user_id').nullish(),
  /** A part of the actor's label (their email at the time), ignoring ASCII case. */
  actor: z.string({ error: 'actor must be text' }).trim().max(254, 'actor is too long').nullish(),
  /** An exact action, or a prefix ending in "." or "*" (organization. or support_access.*). */
  action: z
    .string({ error: 'action must be text' })
    .trim()
    .max(120, 'action is too long')
    .nullish(),
  target_type: z
    .string({ error: 'target_type must be text' })
    .trim()
    .max(64, 'target_type is too long')
    .nullish(),
  target_id: z
    .union([z.string().trim().max(64), z.number().int()], {
      error: 'target_id must be an id (text or a number)',
    })
    .nullish()
    .transform((v) => (v === null || v === undefined || v === '' ? null : String(v))),
  /** Inclusive start and exclusive end of the time range. */
  from: instant('from').nullish(),
  to: instant('to').nullish(),
};

const rangeOrdered = (v: { from?: string | null; to?: string | null }) =>
  !v.from || !v.to || instantMs(v.from)! < instantMs(v.to)!;
const rangeIssue = { message: 'to must be later than from', path: ['to'] };

export const listAuditInput = z
  .strictObject({ ...auditFilterFields, ...pageInput })
  .refine(rangeOrdered, rangeIssue)
  .default({ skip: 0, limit: DEFAULT_PAGE_LIMIT, target_id: null });
export type ListAuditInput = z.input<typeof listAuditInput>;
export type AuditFilter = z.output<typeof listAuditInput>;

export const AUDIT_EXPORT_FORMATS = ['csv', 'json'] as const;
// Defined zod-free in shared/constants.ts (the console imports them there); re-exported here.
export { MAX_AUDIT_EXPORT } from '../constants';

export const exportAuditInput = z
  .strictObject({
    ...auditFilterFields,
    format: z.enum(AUDIT_EXPORT_FORMATS, { error: 'format must be csv or json' }).default('csv'),
  })
  .refine(rangeOrdered, rangeIssue);
export type ExportAuditInput = z.input<typeof exportAuditInput>;

export const verifyAuditInput = z
  .strictObject({ account_id: id('account_id').nullish() })
  .default({ account_id: null });
export type VerifyAuditInput = z.input<typeof verifyAuditInput>;

export interface AuditEntry {
  id: number;
  at: string;
  account_id: number;
  organization_id: number | null;
  actor_user_id: number | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export interface AuditExport {
  format: 'csv' | 'json';
  filename: string;
  content_type: string;
  content: string;
  count: number;
  /** true when more entries matched than MAX_AUDIT_EXPORT; the file holds the oldest ones. */
  truncated: boolean;
}

export type AuditChainProblem = 'altered' | 'removed' | 'inserted';

export interface AuditVerifyResult {
  ok: boolean;
  /** Entries examined: all of them when ok, else up to and including the first bad one. */
  checked: number;
  first_bad_entry_id?: number;
  problem?: AuditChainProblem;
  message: string;
  /**
   * The newest entry and its hash. Removing entries from the end cannot be seen inside the chain:
   * keep a head you saw earlier and compare it (its id must still be there with the same hash).
   */
  head_id: number | null;
  head_hash: string | null;
}
