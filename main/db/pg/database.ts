// The PostgreSQL connection pool (issue 15, scale-out.md §4.2). Nothing here is wired into the
// server yet: the server selecting PostgreSQL by ORGDESK_DATABASE_URL is a later step.
import pg from 'pg';

const INT8_OID = 20;

/**
 * int8 (bigint: ids, epoch ms, count(*)) arrives from the driver as a string by default; the
 * repositories and the services work with numbers, as on SQLite. Every value the schema stores
 * there is below 2^53 (main/db/pg/schema.ts); one that is not is refused rather than rounded.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new RangeError(`int8 value ${text} is outside JavaScript's exact integers (2^53)`);
  }
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/**
 * A pool on `connectionString` that reads int8 as a number; the caller ends it. An idle
 * connection the server drops (a restart, a failover, an administrator's terminate) is reported
 * to `onIdleError` and replaced at the next checkout: pg emits it on the pool, where without a
 * listener it is an uncaught exception that would end the whole replica.
 */
export function createPgPool(
  connectionString: string,
  config: pg.PoolConfig = {},
  onIdleError: (err: Error) => void = (err) =>
    process.stderr.write(`Orgdesk: a PostgreSQL connection was dropped: ${err.message}\n`),
): pg.Pool {
  const pool = new pg.Pool({ connectionString, ...config, types });
  pool.on('error', onIdleError);
  return pool;
}

/** One connection outside any pool (the migration lock is held by one session). */
export function createPgClient(connectionString: string): pg.Client {
  return new pg.Client({ connectionString, types });
}
