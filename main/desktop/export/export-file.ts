// The export file's manifest, its checksum and signature, and opening an export read-only.
//
// Format 2 (docs/export-format.md is the reference, precise enough to verify a file with the
// stock sqlite3 tool and openssl, as tests/export-signature.test.ts does):
// - content_sha256 is SHA-256 over a canonical text of the database: its schema (every
//   sqlite_schema row but the manifest's) and every content table, row by row in rowid order,
//   each value written as `typeof:hex`. SQLite itself writes each row's line (typeof(), hex()),
//   in Node and in the sqlite3 tool alike, so both produce the very same bytes.
// - The manifest is a key/value table; its rows but `signature`, as `key=value` lines in key
//   order after a header line, are signed with the installation's Ed25519 export key. The
//   manifest holds content_sha256, so the signature covers the whole file.
// Opening verifies both: a changed row fails the checksum, a recomputed checksum (or any other
// manifest change) fails the signature. Whether the signer is trusted is decided apart
// (signer-trust.ts): a valid signature only says which key signed.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';
import {
  SIGNATURE_ALGORITHM,
  fingerprintOf,
  rawPublicKey,
  verifySignature,
  type ExportSigner,
} from '../../core/export-key';
import { DomainError } from '../../core/errors';
import type { ExportManifest } from '../../../shared/schemas/desktop.schema';

export const EXPORT_FORMAT = 'orgdesk-export';
export const EXPORT_FORMAT_VERSION = 2;
export const MANIFEST_TABLE = 'manifest';
/** The first line of the canonical content text (the checksum's input). */
export const CONTENT_HEADER = `${EXPORT_FORMAT}-content/${EXPORT_FORMAT_VERSION}`;
/** The first line of the signed manifest text. */
export const MANIFEST_HEADER = `${EXPORT_FORMAT}-manifest/${EXPORT_FORMAT_VERSION}`;
const SIGNATURE_KEY = 'signature';

/** Names the canonical text can hold unambiguously (every name of the app's schema is one). */
const PLAIN_NAME = /^[A-Za-z0-9_]+$/;

const isVirtual = `upper(substr(sql, 1, 20)) = 'CREATE VIRTUAL TABLE'`;

/**
 * Every table whose rows the checksum covers and an export copies: all tables but the manifest,
 * SQLite's own (sqlite_*), virtual tables and their shadow tables (named `<virtual>_<suffix>`).
 * A full-text index is derived data, rebuilt by the schema's triggers as rows are copied; its
 * tables' definitions are still covered (they are part of the schema). The same query as in
 * docs/export-format.md, so the sqlite3 tool picks the same tables.
 */
export function contentTables(sqlite: Database.Database, schema = 'main'): string[] {
  const s = `${q(schema)}.sqlite_schema`;
  return (
    sqlite
      .prepare(
        `SELECT name FROM ${s} AS t WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_' AND name <> ?
           AND NOT (${isVirtual})
           AND NOT EXISTS (SELECT 1 FROM ${s} AS v WHERE v.type = 'table' AND ${isVirtual.replace('sql', 'v.sql')}
                             AND substr(t.name, 1, length(v.name) + 1) = v.name || '_')
         ORDER BY name`,
      )
      .all(MANIFEST_TABLE) as { name: string }[]
  ).map((r) => r.name);
}

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export function columnsOf(sqlite: Database.Database, table: string, schema = 'main'): string[] {
  return (
    sqlite.prepare(`PRAGMA ${q(schema)}.table_info(${q(table)})`).all() as { name: string }[]
  ).map((c) => c.name);
}

const notAnExport = (file: string, why: string): DomainError =>
  new DomainError('BAD_REQUEST', `${file} is not an Orgdesk export (${why})`, 'file');

/**
 * The canonical text, line by line (each ends in \n): the header; `schema <type> <name>
 * <tbl_name> <hex of sql>` per sqlite_schema row (manifest excluded) by type, name; then per
 * content table `table <name>`, `columns <c1>,<c2>,…` (table_info order) and one line per row
 * in rowid order: `typeof(c):hex(c)` per column, comma-separated. ASCII only, whatever the data.
 */
export function* canonicalContent(sqlite: Database.Database, file = 'the file'): Generator<string> {
  yield `${CONTENT_HEADER}\n`;
  const schemaRows = sqlite
    .prepare(
      `SELECT type, name, tbl_name AS tbl, hex(sql) AS sql FROM sqlite_schema WHERE tbl_name <> ? ORDER BY type, name`,
    )
    .all(MANIFEST_TABLE) as { type: string; name: string; tbl: string; sql: string }[];
  for (const r of schemaRows) {
    if (!PLAIN_NAME.test(r.name) || !PLAIN_NAME.test(r.tbl)) {
      throw notAnExport(file, `it has an object with an unexpected name`);
    }
    yield `schema ${r.type} ${r.name} ${r.tbl} ${r.sql}\n`;
  }
  for (const table of contentTables(sqlite)) {
    const cols = columnsOf(sqlite, table);
    if (cols.length === 0 || !cols.every((c) => PLAIN_NAME.test(c))) {
      throw notAnExport(file, `table ${table} has an unexpected column`);
    }
    yield `table ${table}\ncolumns ${cols.join(',')}\n`;
    const line = cols.map((c) => `typeof(${q(c)}) || ':' || hex(${q(c)})`).join(` || ',' || `);
    const rows = sqlite.prepare(`SELECT ${line} FROM ${q(table)} ORDER BY rowid`).pluck();
    for (const row of rows.iterate() as Iterable<string>) yield `${row}\n`;
  }
}

/** Deterministic: the same content always gives the same hex digest, whatever the page layout. */
export function computeChecksum(sqlite: Database.Database, file?: string): string {
  const hash = createHash('sha256');
  for (const chunk of canonicalContent(sqlite, file)) hash.update(chunk);
  return hash.digest('hex');
}

// ---- the manifest

type ManifestRow = { key: string; value: string };
/** The manifest before it is signed: signer fields are added by writeManifest. */
export type ManifestFields = Omit<
  ExportManifest,
  'signature_algorithm' | 'signer_public_key' | 'signer_label' | 'signature'
>;

/** Free text (names, labels) holds no control character: a manifest line is one line. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, ' ');

/** The bytes the signature covers: the header, then `key=value\n` per row but the signature. */
export function signingInput(rows: ManifestRow[]): Buffer {
  const lines = rows
    .filter((r) => r.key !== SIGNATURE_KEY)
    .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)))
    .map((r) => `${r.key}=${r.value}\n`);
  return Buffer.from(`${MANIFEST_HEADER}\n${lines.join('')}`, 'utf8');
}

/** Writes the manifest table: every field, the signer's public key and label, the signature. */
export function writeManifest(
  sqlite: Database.Database,
  fields: ManifestFields,
  signer: ExportSigner,
): ExportManifest {
  const key = signer.key();
  const unsigned: Omit<ExportManifest, 'signature'> = {
    ...fields,
    signature_algorithm: SIGNATURE_ALGORITHM,
    signer_public_key: key.public_key,
    signer_label: key.label,
  };
  const rows: ManifestRow[] = Object.entries(unsigned).map(([k, v]) => ({
    key: k,
    value: typeof v === 'string' ? oneLine(v) : JSON.stringify(v),
  }));
  const signature = signer.sign(signingInput(rows));
  sqlite.exec(
    `CREATE TABLE ${MANIFEST_TABLE} (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID`,
  );
  const insert = sqlite.prepare(`INSERT INTO ${MANIFEST_TABLE} (key, value) VALUES (?, ?)`);
  for (const r of [...rows, { key: SIGNATURE_KEY, value: signature }]) insert.run(r.key, r.value);
  return readManifestRows(rows.concat({ key: SIGNATURE_KEY, value: signature }), 'the export');
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
  signature_algorithm: z.literal(SIGNATURE_ALGORITHM),
  signer_public_key: z.string(),
  signer_label: z.string(),
  signature: z.string(),
});

const TEXT_FIELDS = new Set([
  'format',
  'source',
  'exported_at',
  'exported_by',
  'scope',
  'account_name',
  'content_sha256',
  'signature_algorithm',
  'signer_public_key',
  'signer_label',
  'signature',
]);

function manifestRows(sqlite: Database.Database, file: string): ManifestRow[] {
  const table = sqlite
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?")
    .get(MANIFEST_TABLE);
  if (!table) throw notAnExport(file, 'it has no manifest table');
  try {
    return (sqlite.prepare(`SELECT key, value FROM ${MANIFEST_TABLE}`).all() as ManifestRow[]).map(
      (r) => ({ key: String(r.key), value: String(r.value) }),
    );
  } catch {
    throw notAnExport(file, 'its manifest is unreadable');
  }
}

function readManifestRows(rows: ManifestRow[], file: string): ExportManifest {
  const raw: Record<string, unknown> = {};
  try {
    for (const r of rows) raw[r.key] = TEXT_FIELDS.has(r.key) ? r.value : JSON.parse(r.value);
  } catch {
    throw notAnExport(file, 'its manifest is unreadable');
  }
  const version = raw.format_version;
  if (raw.format === EXPORT_FORMAT && typeof version === 'number') {
    if (version > EXPORT_FORMAT_VERSION) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} was written by a newer Orgdesk (export format ${version}); update Orgdesk to open it`,
        'file',
      );
    }
    if (version < EXPORT_FORMAT_VERSION) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} was written by an older Orgdesk (export format ${version}) and is not signed, so nothing shows who made it or that it is unchanged; export it again from its source`,
        'file',
      );
    }
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw notAnExport(file, 'its manifest is incomplete');
  return parsed.data;
}

export function readManifest(sqlite: Database.Database, file: string): ExportManifest {
  return readManifestRows(manifestRows(sqlite, file), file);
}

/** Who signed a file: the key (what trust is decided on) and the name the file gives it. */
export interface SignerIdentity {
  public_key: string;
  fingerprint: string;
  /** As the file claims it: informative, never a proof. */
  label: string;
}

/** Checks the manifest's signature; throws unless it is a valid signature by the named key. */
export function verifyManifestSignature(
  sqlite: Database.Database,
  file: string,
): { manifest: ExportManifest; signer: SignerIdentity } {
  const rows = manifestRows(sqlite, file);
  const manifest = readManifestRows(rows, file);
  // One row per line: a key or value with a line break could make two manifests sign alike.
  if (rows.some((r) => !/^[a-z0-9_]+$/.test(r.key) || /[\r\n]/.test(r.value))) {
    throw notAnExport(file, 'its manifest has a malformed row');
  }
  const raw = rawPublicKey(manifest.signer_public_key);
  if (
    !raw ||
    !verifySignature(manifest.signer_public_key, signingInput(rows), manifest.signature)
  ) {
    throw new DomainError(
      'BAD_REQUEST',
      `${file}: its signature does not match its manifest, so the file was changed after it was signed (or the signature is forged); it cannot be trusted for review or restore`,
      'file',
    );
  }
  return {
    manifest,
    signer: {
      public_key: manifest.signer_public_key,
      fingerprint: fingerprintOf(raw),
      label: manifest.signer_label,
    },
  };
}

export interface OpenedExport {
  sqlite: Database.Database;
  manifest: ExportManifest;
  signer: SignerIdentity;
}

/**
 * Opens an export read-only (the file handle and the connection: `readonly` and `query_only`),
 * verifies its signature and its checksum. Anything else is refused with the reason.
 * `verifiedSha256`: the checksum was just verified on a worker thread (it reads every row); then
 * only the manifest (signature included) is checked here, so the main thread does not redo it.
 * `checksumLater`: the checksum is being verified on a worker meanwhile, and the caller acts on
 * its outcome (the desktop shell closes a review whose content does not match, EXP-2).
 */
export function openExportFile(
  file: string,
  options: { verifiedSha256?: string; checksumLater?: boolean } = {},
): OpenedExport {
  if (!existsSync(file)) throw new DomainError('NOT_FOUND', `${file} does not exist`, 'file');
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
    sqlite.pragma('query_only = ON');
    sqlite.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch {
    throw notAnExport(file, 'it is not an SQLite database');
  }
  try {
    const { manifest, signer } = verifyManifestSignature(sqlite, file);
    if (options.checksumLater) return { sqlite, manifest, signer };
    const actual = options.verifiedSha256 ?? computeChecksum(sqlite, file);
    if (actual !== manifest.content_sha256) {
      throw new DomainError(
        'BAD_REQUEST',
        `${file} was changed after it was exported (its checksum does not match the manifest); it cannot be trusted for review or restore`,
        'file',
      );
    }
    return { sqlite, manifest, signer };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
