// The benchmark dataset in PostgreSQL (issue 15 item 5): a throwaway cluster started as the tests
// start theirs (tests/fixtures/pg-cluster.ts) but with PostgreSQL's durability defaults, the PG
// migrations, and every table of the SQLite dataset copied into it with its ids. The copy is a
// copy, not a replay: triggers are off while it runs (session_replication_role = replica), so the
// kept host counts and location revisions arrive as SQLite has them instead of being counted a
// second time, and the checks after it prove they are what PostgreSQL's own triggers would keep.
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type pg from 'pg';
import { createPgClient, createPgPool } from '../main/db/pg/database';
import { migratePg } from '../main/db/pg/migrate';
import {
  findPgBin,
  PG_MISSING_REASON,
  startPgCluster,
  withDatabase,
  type PgCluster,
} from '../tests/fixtures/pg-cluster';
import { postmasterPid } from './proc-cpu';

/** Rows per INSERT … SELECT FROM unnest(…): one statement, one array parameter per column. */
const BATCH = 5_000;
const DATABASE = 'orgdesk_bench';

export interface PgDataset {
  url: string;
  pool: pg.Pool;
  /** The server's durability and memory settings, as the figures must state them. */
  settings: Record<string, string>;
  /** The cluster's postmaster, whose processes' CPU the heartbeat rows read from /proc. */
  postmasterPid: number;
  copySeconds: number;
  vacuumSeconds: number;
  /** Rows per copied table (equal to SQLite's: checked). */
  tables: Record<string, number>;
  close(): Promise<void>;
}

interface PgColumn {
  name: string;
  /** The element type of its unnest array: int8, int4, text, bool, bytea. */
  udt: string;
}

async function pgColumns(client: pg.Client): Promise<Map<string, PgColumn[]>> {
  const { rows } = await client.query<{
    table_name: string;
    column_name: string;
    udt_name: string;
  }>(
    `SELECT table_name, column_name, udt_name FROM information_schema.columns
     WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
  );
  const out = new Map<string, PgColumn[]>();
  for (const r of rows) {
    const list = out.get(r.table_name) ?? [];
    list.push({ name: r.column_name, udt: r.udt_name });
    out.set(r.table_name, list);
  }
  return out;
}

/** SQLite's value as PostgreSQL's column wants it: booleans are 0/1 there. */
function converter(udt: string): (v: unknown) => unknown {
  if (udt === 'bool') return (v) => (v === null ? null : v !== 0);
  return (v) => v;
}

async function copyTable(
  sqlite: Database.Database,
  client: pg.Client,
  table: string,
  columns: PgColumn[],
): Promise<number> {
  const sqliteCols = new Set(
    (sqlite.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name),
  );
  const missing = columns.filter((c) => !sqliteCols.has(c.name));
  if (missing.length > 0) {
    // tests/pg/schema-parity.test.ts keeps the two schemas one; a difference here is drift.
    throw new Error(
      `bench: ${table}.${missing.map((c) => c.name).join(', ')} exists only on PostgreSQL; ` +
        'the schemas drifted (see tests/pg/schema-parity.test.ts)',
    );
  }
  const quoted = columns.map((c) => `"${c.name}"`).join(', ');
  const insert = `INSERT INTO "${table}" (${quoted}) SELECT * FROM unnest(${columns
    .map((c, i) => `$${i + 1}::${c.udt}[]`)
    .join(', ')})`;
  const convert = columns.map((c) => converter(c.udt));
  const read = sqlite.prepare(`SELECT ${quoted} FROM "${table}"`).raw(true);
  let arrays: unknown[][] = columns.map(() => []);
  let pending = 0;
  let copied = 0;
  const flush = async () => {
    if (pending === 0) return;
    await client.query(insert, arrays);
    copied += pending;
    arrays = columns.map(() => []);
    pending = 0;
  };
  await client.query('BEGIN');
  for (const row of read.iterate() as Iterable<unknown[]>) {
    for (let i = 0; i < row.length; i++) arrays[i]!.push(convert[i]!(row[i]));
    if (++pending === BATCH) await flush();
  }
  await flush();
  await client.query('COMMIT');
  return copied;
}

/** Every org's kept counts against a re-count of its hosts at the counts' own as_of. */
const COUNTS_CHECK = `
  SELECT
    (SELECT count(*) FROM organizations o
      WHERE NOT EXISTS (SELECT 1 FROM organization_host_counts c WHERE c.organization_id = o.id))
      AS orgs_without_counts,
    (SELECT count(*) FROM organization_host_counts c JOIN organizations o ON o.id = c.organization_id
      LEFT JOIN LATERAL (
        SELECT count(*) AS n,
          count(*) FILTER (WHERE orgdesk_host_status(h.last_seen_at, h.registered_at, c.as_of) = 0) AS online,
          count(*) FILTER (WHERE orgdesk_host_status(h.last_seen_at, h.registered_at, c.as_of) = 1) AS offline,
          count(*) FILTER (WHERE orgdesk_host_status(h.last_seen_at, h.registered_at, c.as_of) = 2) AS stale
        FROM hosts h WHERE h.organization_id = c.organization_id) x ON true
      WHERE c.hosts <> x.n OR c.online <> x.online OR c.offline <> x.offline OR c.stale <> x.stale
        OR c.account_id IS DISTINCT FROM o.account_id OR c.is_active IS DISTINCT FROM o.is_active
        OR c.name_key IS DISTINCT FROM o.name_key OR c.region IS DISTINCT FROM o.region)
      AS counts_wrong`;

async function check(sqlite: Database.Database, client: pg.Client, tables: Record<string, number>) {
  for (const [table, n] of Object.entries(tables)) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM "${table}"`);
    if (rows[0]!.n !== n)
      throw new Error(`bench: ${table} has ${rows[0]!.n} rows on PG, ${n} copied`);
  }
  const counts = (
    await client.query<{ orgs_without_counts: number; counts_wrong: number }>(COUNTS_CHECK)
  ).rows[0]!;
  if (counts.orgs_without_counts !== 0 || counts.counts_wrong !== 0) {
    throw new Error(
      `bench: PG host counts are not what its triggers keep: ${JSON.stringify(counts)}`,
    );
  }
  // The search: the trigram-indexed LIKE finds what SQLite's FTS5 phrase finds.
  for (const term of ['globex', 'globex-00001', 'acme managed']) {
    const lite = (
      sqlite
        .prepare(
          'SELECT count(*) AS n FROM organizations_search WHERE organizations_search MATCH ?',
        )
        .get(`"${term}"`) as { n: number }
    ).n;
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*) AS n FROM organizations WHERE search_text LIKE '%' || $1 || '%'",
      [term],
    );
    if (rows[0]!.n !== lite) {
      throw new Error(`bench: search "${term}" finds ${rows[0]!.n} orgs on PG, ${lite} on SQLite`);
    }
  }
}

/**
 * Starts the cluster, migrates a database and copies `sqlite` (the bench dataset, its host counts
 * re-counted) into it. The caller measures, then `close()` stops the cluster and removes it.
 */
export async function loadPgDataset(sqlite: Database.Database): Promise<PgDataset> {
  const bin = findPgBin();
  if (!bin) throw new Error(`bench --engine pg: ${PG_MISSING_REASON}`);
  const cluster: PgCluster = await startPgCluster(bin, { durable: true });
  let pool: pg.Pool | undefined;
  try {
    const admin = createPgClient(cluster.url);
    await admin.connect();
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    await admin.end();
    const url = withDatabase(cluster.url, DATABASE);
    await migratePg(url);
    console.log(`bench: PostgreSQL cluster in ${cluster.dir}, migrated; copying the dataset`);

    const client = createPgClient(url);
    await client.connect();
    const t0 = performance.now();
    const tables: Record<string, number> = {};
    try {
      // Superuser only: no triggers (and no FK triggers) for the copy; checked below instead.
      await client.query('SET session_replication_role = replica');
      const columns = await pgColumns(client);
      const liteTables = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all() as { name: string }[];
      for (const { name } of liteTables) {
        const cols = columns.get(name);
        if (!cols) continue; // FTS5's tables, sqlite_*, drizzle's journal: PG has its own.
        tables[name] = await copyTable(sqlite, client, name, cols);
      }
      await client.query('SET session_replication_role = DEFAULT');
      // The one derived table no copied row carries (PostgreSQL only): counted as the
      // migration counts it, as the triggers would have kept it.
      await client.query('SELECT orgdesk_audit_counts_rebuild()');
      // New rows after the copy get ids past the copied ones, as on SQLite.
      for (const [table, cols] of columns) {
        if (!cols.some((c) => c.name === 'id')) continue;
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM "${table}" HAVING max(id) IS NOT NULL`,
          [table],
        );
      }
      const copySeconds = (performance.now() - t0) / 1000;
      // What autovacuum does after a bulk insert: statistics for the planner and the visibility
      // map for index-only scans (the host-status range counts). Timed apart from the copy.
      const t1 = performance.now();
      await client.query('VACUUM (ANALYZE)');
      const vacuumSeconds = (performance.now() - t1) / 1000;
      await check(sqlite, client, tables);
      const settings: Record<string, string> = {};
      for (const name of [
        'server_version',
        'fsync',
        'synchronous_commit',
        'full_page_writes',
        'shared_buffers',
        'work_mem',
        'jit',
      ]) {
        settings[name] = (
          await client.query<{ v: string }>(`SELECT current_setting($1) AS v`, [name])
        ).rows[0]!.v;
      }
      pool = createPgPool(url, { max: 8 });
      const opened = pool;
      return {
        url,
        pool: opened,
        settings,
        postmasterPid: postmasterPid(join(cluster.dir, 'data')),
        copySeconds,
        vacuumSeconds,
        tables,
        close: async () => {
          await opened.end();
          cluster.stop();
        },
      };
    } finally {
      await client.end();
    }
  } catch (error) {
    await pool?.end();
    cluster.stop();
    throw error;
  }
}
