// GDPR-2: every table, and every column of an exported table, is decided in gdpr-sections.ts.
// A table added to the schema (or by a migration) fails here until it is exported or excluded.
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../main/db/database';
import * as schema from '../main/db/schema';
import { GDPR_TABLES, isExcluded, type ExportedTable } from '../main/features/gdpr/gdpr-sections';

const schemaTables = (Object.values(schema) as unknown[])
  .filter((v): v is SQLiteTable => is(v, SQLiteTable))
  .map((t) => [getTableName(t), t] as const);

const exportedTables = Object.entries(GDPR_TABLES).filter(
  (e): e is [string, ExportedTable] => !isExcluded(e[1]),
);

/** Tables and virtual tables of a freshly migrated database (not SQLite's, nor FTS shadows). */
function databaseTables(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'orgdesk-gdpr-'));
  const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
  try {
    return (
      opened.sqlite
        .prepare(
          "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((r) => r.name);
  } finally {
    opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('GDPR-2 sections registry', () => {
  it('decides every table of the drizzle schema (a new table is a decision)', () => {
    expect(schemaTables.length).toBeGreaterThan(15);
    expect(schemaTables.map(([name]) => name).filter((t) => !(t in GDPR_TABLES))).toEqual([]);
  });

  it('decides every table of a migrated database, and names no table that does not exist', () => {
    const tables = databaseTables();
    expect(tables).toContain('organizations_search');
    expect(tables.filter((t) => !(t in GDPR_TABLES))).toEqual([]);
    expect(Object.keys(GDPR_TABLES).filter((t) => !tables.includes(t))).toEqual([]);
  });

  it('gives every exclusion and every withheld column a reason', () => {
    for (const [name, entry] of Object.entries(GDPR_TABLES)) {
      if (isExcluded(entry)) expect(entry.excluded.length, name).toBeGreaterThan(10);
      else for (const why of Object.values(entry.withheld)) expect(why.length).toBeGreaterThan(10);
    }
  });

  it('decides every column of an exported table: exported or withheld, never both', () => {
    for (const [name, entry] of exportedTables) {
      expect(getTableName(entry.table), name).toBe(name);
      const exported = Object.keys(entry.columns);
      const withheld = Object.keys(entry.withheld);
      expect(
        exported.filter((c) => withheld.includes(c)),
        name,
      ).toEqual([]);
      expect([...exported, ...withheld].sort(), name).toEqual(
        Object.keys(getTableColumns(entry.table)).sort(),
      );
      for (const c of exported) expect(entry.columns[c], `${name}.${c}`).toBeDefined();
    }
  });

  it('never exports a password, secret, digest, hash, ciphertext or key', () => {
    const sensitive = /password|digest|hash|ciphertext|private|public_key|^secret$|_secret$/;
    const leaks = exportedTables.flatMap(([name, entry]) =>
      Object.values(entry.columns)
        .map((c) => c.name)
        .filter((c) => sensitive.test(c))
        .map((c) => `${name}.${c}`),
    );
    expect(leaks).toEqual([]);
    // The check bites: these are the columns it exists for, all withheld.
    const withheld = exportedTables.flatMap(([name, entry]) =>
      Object.keys(entry.withheld).map((c) => `${name}.${getTableColumns(entry.table)[c]!.name}`),
    );
    expect(withheld).toEqual(
      expect.arrayContaining([
        'users.password_hash',
        'api_tokens.token_digest',
        'organizations.secret_ciphertext',
        'organizations.secret_digest',
        'organizations.previous_secret_digest',
        'audit_entries.prev_hash',
        'audit_entries.hash',
      ]),
    );
  });

  it('feeds each section name once per kind of export, and every exported table feeds one', () => {
    for (const kind of ['user', 'account'] as const) {
      const names = exportedTables.flatMap(([, e]) => (e[kind] ? [e[kind].section] : []));
      expect(new Set(names).size, kind).toBe(names.length);
    }
    for (const [name, entry] of exportedTables) {
      expect(entry.user ?? entry.account, name).toBeDefined();
    }
  });
});
