// A replica must outlive PostgreSQL dropping one of its idle connections (a restart, a failover,
// pg_terminate_backend): pg emits that on the pool, and unheard it is an uncaught exception that
// ends the process (seen in CI: 57P01 "terminating connection due to administrator command").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgPool } from '../../main/db/pg/database';
import { createTestDatabase, pgAvailable, pgTestEnv, type PgTestEnv } from '../fixtures/pg-cluster';

describe.skipIf(!pgAvailable)('the pool when the server drops an idle connection', () => {
  let env: PgTestEnv;
  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
  });
  afterAll(async () => {
    if (env?.available) await env.release();
  });

  it('reports it, and the next query gets a fresh connection', async () => {
    const db = await createTestDatabase(env.available ? env.url : '');
    const seen: string[] = [];
    const pool = createPgPool(db.url, { max: 1 }, (err) => seen.push(err.message));
    const killer = createPgPool(db.url, { max: 1 });
    try {
      const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await expect.poll(() => seen.length).toBe(1);
      expect(seen[0]).toMatch(/terminating connection/);
      const again = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(again.rows[0]!.pid).not.toBe(rows[0]!.pid);
    } finally {
      await pool.end();
      await killer.end();
      await db.drop();
    }
  });
});
