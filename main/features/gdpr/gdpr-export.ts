// GDPR-2 export sections, read as gdpr-sections.ts decides: each table's allow-listed columns
// (never a password hash, token digest, secret ciphertext or digest, nor the audit chain's
// hashes), at most cap + 1 rows, so the export stays bounded however large the account is.
import { eq } from 'drizzle-orm';
import { iso } from '../../core/clock';
import type { Db } from '../../db/database';
import { organizations, users } from '../../db/schema';
import {
  EXPORT_DAYS,
  type DataExport,
  type ExportSection,
} from '../../../shared/schemas/gdpr.schema';
import { GDPR_TABLES, isExcluded, type ExportedTable, type SectionSpec } from './gdpr-sections';

/** Query builders that can still take a LIMIT: the section reads cap + 1 to know if it was cut. */
interface Limitable {
  limit(n: number): { all(): Record<string, unknown>[] };
}

const JSON_COLUMNS = new Set(['details', 'rules', 'affectedHostIds']);

/** snake_case keys (the API's names), ISO times, JSON text columns parsed. */
function toRecord(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const key = k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (k.endsWith('At') && typeof v === 'number') out[key] = iso(v);
    else if (JSON_COLUMNS.has(k) && typeof v === 'string') out[key] = JSON.parse(v) as unknown;
    else out[key] = v;
  }
  return out;
}

export function section(query: Limitable, cap: number): ExportSection {
  return toSection(query.limit(cap + 1).all(), cap);
}

/** A section of up to cap + 1 rows read (one more than the cap tells that it was cut). */
export function toSection(rows: Record<string, unknown>[], cap: number): ExportSection {
  if (rows.length > cap) {
    return { count: cap, capped: true, cap, records: rows.slice(0, cap).map(toRecord) };
  }
  return { count: rows.length, capped: false, records: rows.map(toRecord) };
}

/** The sections one kind of export takes from the registry, in its order. */
function sectionsOf<S>(
  db: Db,
  specOf: (t: ExportedTable) => SectionSpec<S> | undefined,
  subject: S,
  cap: number,
): Record<string, ExportSection> {
  const out: Record<string, ExportSection> = {};
  for (const entry of Object.values(GDPR_TABLES)) {
    if (isExcluded(entry)) continue;
    const spec = specOf(entry);
    if (!spec) continue;
    const query = db
      .select(entry.columns)
      .from(entry.table)
      .where(spec.where(subject, entry.table))
      .orderBy(...(spec.orderBy?.(entry.table) ?? []));
    out[spec.section] = section(query, cap);
  }
  return out;
}

/** A user's own data: their record and roles now, their activity since `from`. */
export function userSections(
  db: Db,
  userId: number,
  accountId: number,
  from: number,
  cap: number,
): Record<string, ExportSection> {
  return sectionsOf(db, (t) => t.user, { userId, accountId, from }, cap);
}

/** An account's data: current records whole, time-stamped activity since `from`. */
export function accountSections(
  db: Db,
  accountId: number,
  from: number,
  cap: number,
): Record<string, ExportSection> {
  const orgIds = db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.accountId, accountId));
  const userIds = db.select({ id: users.id }).from(users).where(eq(users.accountId, accountId));
  return sectionsOf(db, (t) => t.account, { accountId, from, orgIds, userIds }, cap);
}

/** The export document (format orgdesk.gdpr-export/1) around its sections. */
export function dataExportDocument(
  kind: 'user' | 'account',
  subject: DataExport['subject'],
  sections: Record<string, ExportSection>,
  now: number,
  from: number,
  cap: number,
): DataExport {
  return {
    format: 'orgdesk.gdpr-export/1',
    kind,
    generated_at: iso(now),
    period: { from: iso(from), to: iso(now), days: EXPORT_DAYS },
    cap_per_section: cap,
    subject,
    capped_sections: Object.entries(sections)
      .filter(([, s]) => s.capped)
      .map(([name]) => name),
    sections,
  };
}

export interface GdprExportSubject {
  accountId: number;
  userId?: number;
}

/** The export file as saved, and what its audit entry records (counts, not records). */
export interface GdprExportBytes {
  bytes: Uint8Array;
  counts: Record<string, number>;
  capped_sections: string[];
}

/**
 * GDPR-2 as a file, all on the worker: the sections read, the document built and encoded, so
 * neither the records nor their JSON ever cross to the server's main thread (only the bytes,
 * transferred).
 */
export function gdprExportBytes(
  db: Db,
  subject: GdprExportSubject,
  now: number,
  from: number,
  cap: number,
): GdprExportBytes {
  const sections =
    subject.userId === undefined
      ? accountSections(db, subject.accountId, from, cap)
      : userSections(db, subject.userId, subject.accountId, from, cap);
  return gdprExportFile(subject, sections, now, from, cap);
}

/** The export file around its sections, encoded: the same bytes whichever engine read them. */
export function gdprExportFile(
  subject: GdprExportSubject,
  sections: Record<string, ExportSection>,
  now: number,
  from: number,
  cap: number,
): GdprExportBytes {
  const doc = dataExportDocument(
    subject.userId === undefined ? 'account' : 'user',
    subject.userId === undefined
      ? { account_id: subject.accountId }
      : { account_id: subject.accountId, user_id: subject.userId },
    sections,
    now,
    from,
    cap,
  );
  return {
    bytes: Buffer.from(JSON.stringify(doc, null, 2), 'utf8'),
    counts: Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.count])),
    capped_sections: doc.capped_sections,
  };
}
