// SCALE-2: what GET /readyz answers. Ready means this process can serve: the database answers
// and holds exactly the schema this build expects. A load balancer stops routing to a replica
// that is not (a database gone, a schema migrated by a newer release, a drain under way), while
// /healthz, the liveness probe, stays 200 as long as the process runs. Each engine plugs its own
// check: SQLite's reads its migration journal, PostgreSQL's is migrate.ts's assertSchemaCurrent.
import type Database from 'better-sqlite3';
import { DEFAULT_MIGRATIONS_FOLDER } from '../db/database';
import { schemaCheck } from '../db/migrate';

export type Readiness = { ready: true } | { ready: false; reason: string };
export type ReadinessCheck = () => Promise<Readiness>;

/** One line, bounded: a driver's message, never a connection string (no engine puts one there). */
const why = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 200);

/** SQLite: the connection answers, and its applied migrations are exactly the folder's. */
export function sqliteReadiness(
  sqlite: Database.Database,
  migrationsFolder = DEFAULT_MIGRATIONS_FOLDER,
): ReadinessCheck {
  const mismatch = schemaCheck(migrationsFolder);
  return async () => {
    try {
      sqlite.prepare('SELECT 1').get();
      const reason = mismatch(sqlite);
      return reason ? { ready: false, reason } : { ready: true };
    } catch (err) {
      return { ready: false, reason: `the database does not answer: ${why(err)}` };
    }
  };
}

/**
 * PostgreSQL: a round trip on the pool, then the schema check a replica makes at start
 * (`assertSchemaCurrent` of main/db/pg/migrate.ts, passed in so this file loads no driver).
 */
export function pgReadiness(
  pool: { query(text: string): Promise<unknown> },
  assertSchemaCurrent: (db: { query(text: string): Promise<{ rows: unknown[] }> }) => Promise<void>,
): ReadinessCheck {
  return async () => {
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      return { ready: false, reason: `the database does not answer: ${why(err)}` };
    }
    try {
      await assertSchemaCurrent(pool as { query(text: string): Promise<{ rows: unknown[] }> });
      return { ready: true };
    } catch (err) {
      return { ready: false, reason: `the database schema is not this build's: ${why(err)}` };
    }
  };
}
