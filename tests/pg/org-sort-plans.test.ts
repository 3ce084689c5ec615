// ORG-2 sort on PostgreSQL (issue 15 item 5): every sorted page that is not a search is walked
// from an index, as on SQLite, instead of sorting the account's orgs. The region is nullable, and
// the repository places its NULLs where SQLite does (first ascending, last descending), which a
// plain index does not serve (PostgreSQL puts NULLs last ascending): the region indexes carry
// the same NULLS placement (migration 0006). With enable_sort off the planner still sorts when no
// index gives the order, so a Sort node here means "no index serves this order", whatever the
// table's size or statistics.
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../main/db/pg/database';
import { orgSortPlan } from '../../main/db/pg/repos/organizations-sql';
import type { OrgSortKey, SortOrder } from '../../shared/schemas/organizations.schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe.skipIf(!pgAvailable)('ORG-2 sorted pages on PostgreSQL walk an index', () => {
  let env: PgTestEnv;
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    db = await createTestDatabase(env.url);
    pool = createPgPool(db.url, { max: 1 });
    await pool.query("INSERT INTO accounts (id, name, created_at) VALUES (1, 'A', 0)");
    // Some orgs without a region: the NULLs whose placement is the point.
    await pool.query(
      `INSERT INTO organizations (account_id, name, name_key, search_text, region,
         secret_ciphertext, secret_digest, created_at, updated_at)
       SELECT 1, 'org ' || i, 'org ' || i, 'org ' || i,
         (ARRAY['eu-west', 'us-east', 'apac', NULL])[1 + i % 4], '\\x00', 'd' || i, 0, 0
       FROM generate_series(1, 2000) AS i`,
    );
    await pool.query('ANALYZE');
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (env?.available) await env.release();
  });

  /** The plan of the repository's page statement (PgOrganizationsRepo.pageIds) for one sort. */
  const plan = async (sort: OrgSortKey, order: SortOrder, reversed: boolean) => {
    const p = orgSortPlan(sort, order, reversed);
    const client = await pool.connect();
    try {
      await client.query('SET enable_sort = off');
      const { rows } = await drizzle(client).execute<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        sql`EXPLAIN (FORMAT JSON) SELECT ${p.id} AS id FROM ${p.from}
          WHERE ${p.accountId} IN (1) AND ${p.isActive} = true
          ORDER BY ${sql.join(p.orderBy, sql`, `)} LIMIT 100 OFFSET 0`,
      );
      return nodes(rows[0]!['QUERY PLAN'][0].Plan);
    } finally {
      await client.query('RESET enable_sort');
      client.release();
    }
  };

  const sorts: [OrgSortKey, SortOrder][] = [
    ['name', 'asc'],
    ['name', 'desc'],
    ['region', 'asc'],
    ['region', 'desc'],
    ['online', 'asc'],
    ['offline', 'desc'],
    ['stale', 'desc'],
    ['total', 'desc'],
  ];

  it.each(sorts)(
    'sort=%s %s, from the start and from the end, reads an index in order (no Sort)',
    async (sort, order) => {
      for (const reversed of [false, true]) {
        const found = await plan(sort, order, reversed);
        const types = found.map((n) => n['Node Type']);
        expect(types, `${sort} ${order}${reversed ? ' reversed' : ''}`).not.toContain('Sort');
        expect(found.some((n) => n['Index Name'])).toBe(true);
      }
    },
  );
});
