// Schema parity (issue 15, scale-out.md §4.4 "Drift is a test failure"): a freshly migrated SQLite
// file and a freshly migrated PostgreSQL database have the same tables, columns (name,
// nullability, type class), primary keys, indexes (name, key columns, unique, partial) and
// foreign keys. Two schemas drift unless something fails when they do (Mattermost, Foreman and
// Umami dropped their second engine over it). A difference that is meant is an entry of
// ALLOWED below, with its reason: a new difference is a decision, not an accident. An entry that
// no longer matches any difference fails too, so the list cannot go stale.
import Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/database';
import { createPgPool } from '../../main/db/pg/database';
import * as sqliteSchema from '../../main/db/schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

/** The intended differences, each with why. Keys are the difference lines of compare(). */
const ALLOWED: Record<string, string> = {
  // ORG-2 search: SQLite's FTS5 trigram index is a virtual table (and FTS5's shadow tables);
  // PostgreSQL's is a GIN index over the same column (main/db/pg/schema.ts).
  'table organizations_search: only in sqlite': 'FTS5 trigram table; PG uses a pg_trgm GIN index',
  'table organizations_search_config: only in sqlite': 'FTS5 shadow table',
  'table organizations_search_data: only in sqlite': 'FTS5 shadow table',
  'table organizations_search_docsize: only in sqlite': 'FTS5 shadow table',
  'table organizations_search_idx: only in sqlite': 'FTS5 shadow table',
  'index organizations.organizations_search_trgm_idx: only in pg':
    'the GIN trigram index in place of the FTS5 table',
  // AUD-2: the trail's totals kept by triggers (main/db/pg/schema.ts auditCounts): PostgreSQL's
  // index-only count of an org's entries missed the page's target; SQLite's covering-index count
  // meets it, and its file is also the desktop's and the export's format, with nothing to keep.
  'table audit_counts: only in pg': "AUD-2's kept totals; SQLite counts within its target",
};

interface Column {
  type: string;
  notNull: boolean;
}
interface Index {
  keys: string[];
  unique: boolean;
  partial: boolean;
}
interface Table {
  columns: Map<string, Column>;
  primaryKey: string[];
  indexes: Map<string, Index>;
  foreignKeys: Set<string>;
}
type Schema = Map<string, Table>;

/** A type class both engines can be compared on. */

/** The terms of a SQLite index's column list, as written in its CREATE INDEX (top-level commas). */
function indexTerms(db: Database.Database, name: string): string[] {
  const row = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
    .get(name) as { sql: string | null } | undefined;
  if (!row?.sql) return [];
  const open = row.sql.indexOf('(');
  let depth = 0;
  let term = '';
  const terms: string[] = [];
  for (const ch of row.sql.slice(open + 1)) {
    if (ch === '(') depth++;
    if (ch === ')' && depth-- === 0) break;
    if (ch === ',' && depth === 0) {
      terms.push(term);
      term = '';
    } else term += ch;
  }
  terms.push(term);
  return terms;
}

/**
 * An index expression as the PG side names it: `lower(column)` when it is that (quotes and
 * spaces aside), else `<expr>` (the two engines spell other expressions differently).
 */
function normaliseExpr(expr: string): string {
  const bare = expr.replace(/[`"\s]/g, '').toLowerCase();
  return /^lower\([a-z_]+\)$/.test(bare) ? bare : '<expr>';
}

function typeClass(declared: string): string {
  const t = declared.toLowerCase();
  if (['integer', 'bigint', 'smallint', 'int'].includes(t)) return 'integer';
  if (t === 'boolean') return 'boolean';
  if (t === 'text') return 'text';
  if (t === 'blob' || t === 'bytea') return 'blob';
  return `other:${t}`;
}

/** SQLite has no boolean type: the drizzle schema says which integer columns hold one. */
const sqliteBooleans = new Set(
  (Object.values(sqliteSchema) as unknown[])
    .filter((v): v is SQLiteTable => is(v, SQLiteTable))
    .flatMap((t) => {
      const config = getTableConfig(t);
      return config.columns
        .filter((c) => c.columnType === 'SQLiteBoolean')
        .map((c) => `${config.name}.${c.name}`);
    }),
);

const ON_DELETE: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

function readSqlite(db: Database.Database): Schema {
  const schema: Schema = new Map();
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY name`,
    )
    .all() as { name: string }[];
  for (const { name } of tables) {
    const info = db.pragma(`table_info(${name})`) as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    const columns = new Map<string, Column>();
    for (const c of info) {
      const bool = sqliteBooleans.has(`${name}.${c.name}`);
      columns.set(c.name, {
        type: bool ? 'boolean' : typeClass(c.type),
        notNull: c.notnull === 1 || c.pk > 0,
      });
    }
    const primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexes = new Map<string, Index>();
    const list = db.pragma(`index_list(${name})`) as {
      name: string;
      unique: number;
      origin: string;
      partial: number;
    }[];
    for (const ix of list.filter((i) => i.origin !== 'pk')) {
      const xinfo = db.pragma(`index_xinfo(${ix.name})`) as {
        name: string | null;
        cid: number;
        desc: number;
        coll: string;
        key: number;
      }[];
      const exprs = indexTerms(db, ix.name);
      const keys = xinfo
        .filter((k) => k.key === 1)
        .map((k, i) => {
          // NOCASE is ASCII case folding: on PG, lower() of a "C" text (main/db/pg/schema.ts).
          // An expression key is compared by its text, as written in the index.
          let key =
            k.cid === -2
              ? normaliseExpr(exprs[i] ?? '<expr>')
              : k.coll === 'NOCASE'
                ? `lower(${k.name})`
                : k.name!;
          if (k.desc) key += ' desc';
          return key;
        });
      indexes.set(ix.name, { keys, unique: ix.unique === 1, partial: ix.partial === 1 });
    }
    const fks = db.pragma(`foreign_key_list(${name})`) as {
      id: number;
      table: string;
      from: string;
      to: string;
      on_delete: string;
    }[];
    const byId = new Map<number, typeof fks>();
    for (const fk of fks) byId.set(fk.id, [...(byId.get(fk.id) ?? []), fk]);
    const foreignKeys = new Set(
      [...byId.values()].map(
        (parts) =>
          `(${parts.map((p) => p.from).join(',')}) -> ${parts[0]!.table}(${parts
            .map((p) => p.to)
            .join(',')}) on delete ${parts[0]!.on_delete.toLowerCase()}`,
      ),
    );
    schema.set(name, { columns, primaryKey, indexes, foreignKeys });
  }
  return schema;
}

async function readPg(pool: pg.Pool): Promise<Schema> {
  const schema: Schema = new Map();
  const cols = await pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const table = (name: string) => {
    let t = schema.get(name);
    if (!t) {
      t = { columns: new Map(), primaryKey: [], indexes: new Map(), foreignKeys: new Set() };
      schema.set(name, t);
    }
    return t;
  };
  for (const c of cols.rows) {
    table(c.table_name).columns.set(c.column_name, {
      type: typeClass(c.data_type),
      notNull: c.is_nullable === 'NO',
    });
  }
  const ixs = await pool.query<{
    table_name: string;
    index_name: string;
    primary: boolean;
    unique: boolean;
    partial: boolean;
    keys: string[];
    options: number[];
  }>(
    `SELECT t.relname AS table_name, i.relname AS index_name, x.indisprimary AS primary,
       x.indisunique AS unique, x.indpred IS NOT NULL AS partial,
       array(SELECT pg_get_indexdef(x.indexrelid, k, true)
             FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k) AS keys,
       array(SELECT x.indoption[k - 1] FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k)
         AS options
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public'`,
  );
  for (const ix of ixs.rows) {
    const keys = ix.keys.map((k, i) => {
      let key = /^[a-z_][a-z0-9_]*$/.test(k) ? k : /^lower\([a-z_]+\)$/.test(k) ? k : '<expr>';
      // Bit 1 is DESC. Bit 2 (NULLS FIRST) is left out on purpose: SQLite has no NULLS clause
      // (NULL is below every value there), and PG's region indexes carry SQLite's placement
      // (migration 0006) where PG's default differs, so the same index reads alike on both.
      if ((Number(ix.options[i]) & 1) === 1) key += ' desc';
      return key;
    });
    if (ix.primary) table(ix.table_name).primaryKey = keys;
    else {
      table(ix.table_name).indexes.set(ix.index_name, {
        keys,
        unique: ix.unique,
        partial: ix.partial,
      });
    }
  }
  const fks = await pool.query<{
    table_name: string;
    cols: string[];
    ref_table: string;
    ref_cols: string[];
    on_delete: string;
  }>(
    `SELECT t.relname AS table_name, r.relname AS ref_table, c.confdeltype AS on_delete,
       array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o) AS cols,
       array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(n, o)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o)
         AS ref_cols
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_class r ON r.oid = c.confrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const fk of fks.rows) {
    table(fk.table_name).foreignKeys.add(
      `(${fk.cols.join(',')}) -> ${fk.ref_table}(${fk.ref_cols.join(',')}) on delete ${
        ON_DELETE[fk.on_delete]
      }`,
    );
  }
  return schema;
}

const showIndex = (i: Index) =>
  `(${i.keys.join(', ')})${i.unique ? ' unique' : ''}${i.partial ? ' partial' : ''}`;

/** Every difference between the two schemas, one line each. */
function compare(sqlite: Schema, pgSchema: Schema): string[] {
  const out: string[] = [];
  const names = [...new Set([...sqlite.keys(), ...pgSchema.keys()])].sort();
  for (const name of names) {
    const a = sqlite.get(name);
    const b = pgSchema.get(name);
    if (!a || !b) {
      out.push(`table ${name}: only in ${a ? 'sqlite' : 'pg'}`);
      continue;
    }
    for (const col of [...new Set([...a.columns.keys(), ...b.columns.keys()])].sort()) {
      const x = a.columns.get(col);
      const y = b.columns.get(col);
      if (!x || !y) out.push(`column ${name}.${col}: only in ${x ? 'sqlite' : 'pg'}`);
      else {
        if (x.type !== y.type) out.push(`column ${name}.${col}: type ${x.type} vs ${y.type}`);
        if (x.notNull !== y.notNull) {
          out.push(`column ${name}.${col}: ${x.notNull ? 'not null' : 'nullable'} in sqlite only`);
        }
      }
    }
    if (a.primaryKey.join(',') !== b.primaryKey.join(',')) {
      out.push(`primary key ${name}: (${a.primaryKey.join(', ')}) vs (${b.primaryKey.join(', ')})`);
    }
    for (const ix of [...new Set([...a.indexes.keys(), ...b.indexes.keys()])].sort()) {
      const x = a.indexes.get(ix);
      const y = b.indexes.get(ix);
      if (!x || !y) out.push(`index ${name}.${ix}: only in ${x ? 'sqlite' : 'pg'}`);
      else if (showIndex(x) !== showIndex(y)) {
        out.push(`index ${name}.${ix}: ${showIndex(x)} vs ${showIndex(y)}`);
      }
    }
    for (const fk of [...new Set([...a.foreignKeys, ...b.foreignKeys])].sort()) {
      if (!a.foreignKeys.has(fk) || !b.foreignKeys.has(fk)) {
        out.push(`foreign key ${name} ${fk}: only in ${a.foreignKeys.has(fk) ? 'sqlite' : 'pg'}`);
      }
    }
  }
  return out;
}

describe.skipIf(!pgAvailable)('schema parity: migrated SQLite against migrated PostgreSQL', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  let sqlite: Schema;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url);
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-parity-'));
    const opened = openDatabase({ file: join(dir, 'orgdesk.db') });
    try {
      sqlite = readSqlite(opened.sqlite);
    } finally {
      opened.close();
    }
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  it('has the same tables, columns, keys, indexes and foreign keys, but for the allowed ones', async () => {
    const differences = compare(sqlite, await readPg(pool));
    expect(differences.filter((d) => !(d in ALLOWED))).toEqual([]);
    expect(Object.keys(ALLOWED).filter((d) => !differences.includes(d))).toEqual([]);
    // The comparison saw the schema, not two empty lists.
    expect(sqlite.size).toBeGreaterThan(20);
    expect(sqlite.get('hosts')?.columns.size).toBeGreaterThan(10);
  });

  it('compares text as SQLite does: every text column is COLLATE "C", byte order, ASCII-only lower()', async () => {
    const notC = await pool.query<{ column: string; collation: string | null }>(
      `SELECT table_name || '.' || column_name AS column, collation_name AS collation
       FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type = 'text'
         AND collation_name IS DISTINCT FROM 'C'`,
    );
    expect(notC.rows).toEqual([]);
    // What "C" buys: the order and the case folding SQLite's BINARY and lower() give.
    const words = ['b', 'B', 'a', '_x', 'é', 'É', 'e', 'Z', '~', 'ß', '10', '9', 'ａ', 'Σ', 'ς'];
    const mem = new Database(':memory:');
    try {
      const fromSqlite = mem
        .prepare('SELECT value AS v, lower(value) AS l FROM json_each(?) ORDER BY value')
        .all(JSON.stringify(words));
      const fromPg = await pool.query(
        'SELECT v, lower(v) AS l FROM unnest($1::text[] COLLATE "C") AS v ORDER BY v',
        [words],
      );
      expect(fromPg.rows).toEqual(fromSqlite);
    } finally {
      mem.close();
    }
  });

  it('finds a column, an index and a foreign key that only one engine has', async () => {
    // On a second copy, so the first test's database stays as migrated.
    const other = await createTestDatabase(env.available ? env.url : '');
    const otherPool = createPgPool(other.url);
    try {
      await otherPool.query('ALTER TABLE hosts ADD COLUMN extra text');
      await otherPool.query('ALTER TABLE hosts ALTER COLUMN ip DROP NOT NULL');
      await otherPool.query('CREATE INDEX hosts_extra_idx ON hosts (extra)');
      await otherPool.query(
        'ALTER TABLE incidents ADD FOREIGN KEY (reported_by_user_id) REFERENCES users(id)',
      );
      const differences = compare(sqlite, await readPg(otherPool));
      expect(differences.filter((d) => !(d in ALLOWED))).toEqual([
        'column hosts.extra: only in pg',
        'column hosts.ip: not null in sqlite only',
        'index hosts.hosts_extra_idx: only in pg',
        'foreign key incidents (reported_by_user_id) -> users(id) on delete no action: only in pg',
      ]);
    } finally {
      await otherPool.end();
      await other.drop();
    }
  });
});
