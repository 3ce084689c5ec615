// The export file's manifest and checksum, and opening an export read-only.
//
// The manifest is a plain key/value table (`SELECT * FROM manifest` in the sqlite3 tool reads
// it). content_sha256 is a SHA-256 over every other table, in a canonical form: tables by name,
// columns in schema order, rows in rowid order, values JSON-encoded with blobs as hex; then the
// other manifest fields. Opening recomputes it, so an altered file is refused.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DomainError } from '../../core/errors';
import type { ExportManifest } from '../../../shared/schemas/desktop.schema';

export const EXPORT_FORMAT = 'orgdesk-export';
export const EXPORT_FORMAT_VERSION = 1;
export const MANIFEST_TABLE = 'manifest';

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Every table whose rows the checksum covers: all plain tables but the manifest and SQLite's own.
 * Full-text indexes (virtual tables and their shadow tables) are derived data, rebuilt by the
 * schema's triggers as rows are copied, so they are neither copied nor checksummed.
 */
export function contentTables(sqlite: Database.Database, schema = 'main'): string[] {
  return (
    sqlite
      .prepare(
        `SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name`,
      )
      .all(schema, MANIFEST_TABLE) as { name: string }[]
  ).map((r) => r.name);
}

export function columnsOf(sqlite: Database.Database, table: string, schema = 'main'): string[] {
  return (
    sqlite.prepare(`PRAGMA ${q(schema)}.table_info(${q(table)})`).all() as { name: string }[]
  ).map((c) => c.name);
}

const encode = (v: unknown): unknown => {
  if (v instanceof Uint8Array) return { blob: Buffer.from(v).toString('hex') };
  if (typeof v === 'bigint') return { int: v.toString() };
  return v;
};

type ManifestFields = Omit<ExportManifest, 'content_sha256'>;

/** Deterministic: the same content and manifest always give the same hex digest. */
export function computeChecksum(sqlite: Database.Database, manifest: ManifestFields): string {
  const hash = createHash('sha256');
  hash.update(`${EXPORT_FORMAT}/${EXPORT_FORMAT_VERSION}\n`);
  for (const table of contentTables(sqlite)) {
    hash.update(JSON.stringify({ table, columns: columnsOf(sqlite, table) }) + '\n');
    const rows = sqlite.prepare(`SELECT * FROM ${q(table)} ORDER BY rowid`).raw(true);
    for (const row of rows.iterate() as Iterable<unknown[]>) {
      hash.update(JSON.stringify(row.map(encode)) + '\n');
    }
  }
  const fields = Object.entries(manifest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  hash.update(JSON.stringify(fields));
  return hash.digest('hex');
}

export function writeManifest(sqlite: Database.Database, manifest: ExportManifest): void {
  sqlite.exec(
    `CREATE TABLE ${MANIFEST_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID`,
  );
  const insert = sqlite.prepare(`INSERT INTO ${MANIFEST_TABLE} (key, value) VALUES (?, ?)`);
  for (const [key, value] of Object.entries(manifest)) {
    insert.run(key, typeof value === 'string' ? value : JSON.stringify(value));
  }
}

const manifestSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  format_version: z.number().int(),
  source: z.string(),
  exported_at: z.string(),
  exported_by: z.string(),
  exported_by_user_id: z.number().int(),
  scope: z.enum(['organization', 'account']),
  account_id: z.number().int(),
  account_name: z.string(),
  organizations: z.array(z.object({ id: z.number().int(), name: z.string() })),
  counts: z.record(z.string(), z.number().int()),
  excluded: z.array(z.string()),
  content_sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const JSON_FIELDS = new Set([
  'format_version',
  'exported_by_user_id',
  'account_id',
  'organizations',
  'counts',
  'excluded',
]);

const notAnExport = (file: string, why: string): DomainError =>
  new DomainError('BAD_REQUEST', `${file} is not an Orgdesk export (${why})`, 'file');

export function readManifest(sqlite: Database.Database, file: string): ExportManifest {
  const table = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(MANIFEST_TABLE);
  if (!table) throw notAnExport(file, 'it has no manifest table');
  const rows = sqlite.prepare(`SELECT key, value FROM ${MANIFEST_TABLE}`).all() as {
    key: string;
    value: string;
  }[];
  const raw: Record<string, unknown> = {};
  try {
    for (const r of rows) raw[r.key] = JSON_FIELDS.has(r.key) ? JSON.parse(r.value) : r.value;
  } catch {
    throw notAnExport(file, 'its manifest is unreadable');
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw notAnExport(file, 'its manifest is incomplete');
  if (parsed.data.format_version > EXPORT_FORMAT_VERSION) {
    throw new DomainError(
      'BAD_REQUEST',
      `${file} was written by a newer Orgdesk (export format ${parsed.data.format_version}); update Orgdesk to open it`,
      'file',
    );
  }
  return parsed.data;
}

export interface OpenedExport {
  sqlite: Database.Database;
  manifest: ExportManifest;
}

/**
 * Opens an export read-only (the file handle and the connection: `readonly` and `query_only`)
 * and verifies its checksum. Anything else is refused with the reason. `verifiedSha256`: the
 * checksum was just verified on a worker thread (it reads every row); then only the manifest is
 * compared with it, so the main thread does not redo that work.
 */
export function openExportFile(
  file: string,
  options: { verifiedSha256?: string } = {},
): OpenedExport {
  if (!existsSync(file)) throw new DomainError('NOT_FOUND', `${file} does not exist`, 'file');
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
    sqlite.pragma('query_only = ON');
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch {
    throw notAnExport(file, 'it is not an SQLite database');
  }
  try {
    const manifest = readManifest(sqlite, file);
    const { content_sha256: expected, ...fields } = manifest;
    const actual = options.verifiedSha256 ?? computeChecksum(sqlite, fields);
    if (actual !== expected) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} was changed after it was exported (its checksum does not match the manifest); it cannot be trusted for review or restore`,
        'file',
      );
    }
    return { sqlite, manifest };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
