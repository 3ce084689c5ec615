import type { AuditEntry } from '../../../shared/schemas/audit.schema';

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'account_id',
  'organization_id',
  'actor_user_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'details',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): an actor
// label or a detail such as "=HYPERLINK(...)" must stay text, so it gets a leading quote.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header row, CRLF line ends, fields quoted when they hold a quote, comma or newline. */
export function toCsv(entries: AuditEntry[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(AUDIT_CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
