import { z } from 'zod';
import { DEFAULT_PAGE_LIMIT, MAX_AUDIT_EXPORT, SORT_ORDERS } from '../constants';
import {
  countValue,
  filterText,
  id,
  idText,
  idValue,
  isoTime,
  pageInput,
  pageOutput,
} from './common.schema';
import { detachedSignatureOutput } from './export-key.schema';

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
  actor: filterText('actor', 254).nullish(),
  /** An exact action, or a prefix ending in "." or "*" (organization. or support_access.*). */
  action: filterText('action', 120).nullish(),
  target_type: filterText('target_type', 64).nullish(),
  target_id: idText('target_id', 64),
  /** Inclusive start and exclusive end of the time range. */
  from: instant('from').nullish(),
  to: instant('to').nullish(),
};

const rangeOrdered = (v: { from?: string | null; to?: string | null }) =>
  !v.from || !v.to || instantMs(v.from)! < instantMs(v.to)!;
const rangeIssue = { message: 'to must be later than from', path: ['to'] };

export const listAuditInput = z
  .strictObject({
    ...auditFilterFields,
    // UI-11: by time, ties in the order entries were written.
    order: z
      .enum(SORT_ORDERS, { error: 'order must be asc or desc' })
      .default('desc')
      .describe('By time: desc (the default, newest first) or asc (oldest first)'),
    ...pageInput,
  })
  .refine(rangeOrdered, rangeIssue)
  .default({ skip: 0, limit: DEFAULT_PAGE_LIMIT, target_id: null, order: 'desc' });
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

export const auditEntryOutput = z.strictObject({
  id: idValue,
  at: isoTime,
  account_id: idValue,
  organization_id: idValue.nullable().describe('null: an account-wide entry'),
  actor_user_id: idValue.nullable().describe('null: the system itself (scheduled jobs)'),
  actor_label: z
    .string()
    .describe(
      'Who acted, as they were known then (their email); an erased user shows the placeholder (GDPR-1)',
    ),
  action: z.string().describe('What happened, e.g. organization.updated'),
  target_type: z.string(),
  target_id: z.string().nullable(),
  details: z
    .record(z.string(), z.unknown())
    .describe('What changed; values under sensitive keys read [redacted]'),
  prev_hash: z.string().describe("The previous entry's hash: the link of the chain"),
  hash: z
    .string()
    .describe(
      "HMAC-SHA-256 over this entry's fields (a user by id, not label) and prev_hash, in hex: the next entry's prev_hash",
    ),
});
export type AuditEntry = z.infer<typeof auditEntryOutput>;

export const auditPageOutput = pageOutput(auditEntryOutput);

export const auditExportOutput = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS),
  filename: z.string(),
  content_type: z.string(),
  content: z.string().describe('The file: CSV text, or a JSON array of entries, oldest first'),
  count: countValue,
  truncated: z
    .boolean()
    .describe(`true when more than ${MAX_AUDIT_EXPORT} entries matched; the file holds the oldest`),
  signature: detachedSignatureOutput.describe(
    "A detached Ed25519 signature of content's UTF-8 bytes by this installation's export key " +
      '(GET /api/v1/export-key): save it beside the file to verify it later, e.g. with openssl',
  ),
});
export type AuditExport = z.infer<typeof auditExportOutput>;

export const AUDIT_CHAIN_PROBLEMS = ['altered', 'removed', 'inserted'] as const;
export type AuditChainProblem = (typeof AUDIT_CHAIN_PROBLEMS)[number];

export const auditVerifyResultOutput = z.strictObject({
  ok: z.boolean(),
  checked: countValue.describe(
    'Entries examined: all of them when ok, else up to and including the first bad one',
  ),
  first_bad_entry_id: idValue.optional().describe('Only when not ok'),
  problem: z.enum(AUDIT_CHAIN_PROBLEMS).optional().describe('Only when not ok'),
  message: z.string(),
  // Removing entries from the end cannot be seen inside the chain: keep a head you saw earlier
  // and compare it (its id must still be there with the same hash).
  head_id: idValue.nullable().describe('The newest entry; null when the trail is empty'),
  head_hash: z
    .string()
    .nullable()
    .describe("The newest entry's hash; compare with one kept earlier"),
});
export type AuditVerifyResult = z.infer<typeof auditVerifyResultOutput>;

export const auditVerifyStatusOutput = z.strictObject({
  running: z.boolean().describe("Whether the account's chain is being verified right now"),
  checked: countValue.describe('Entries verified so far (0 when not running)'),
  total: countValue.describe('Entries in the chain when the verification started'),
  started_at: isoTime.nullable().describe('When the running verification started'),
});
export type AuditVerifyStatus = z.infer<typeof auditVerifyStatusOutput>;
