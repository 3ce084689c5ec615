// The read workers' errors carry no statement values (main/db/pg/query-error.ts says why): a job
// whose statement fails answers the caller with the statement's text and the database's reason,
// never the parameters it was given (a filter's text here; a token digest elsewhere). Each
// statement is made to fail for real, in the worker's own connection: a column the test renamed,
// a view whose row raises. On PostgreSQL the redaction is the read unit of work's (every job runs
// in one, PgUnitOfWork.run applies withoutParameters), and only the top error's name, message
// and stack cross the thread (job-protocol.ts), so neither drizzle's parameter list nor
// PostgreSQL's `detail` reaches the caller. On SQLite, better-sqlite3's messages carry no values,
// at prepare or while a statement runs, and drizzle's synchronous session does not wrap them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditChain } from '../../main/core/audit';
import { openDatabase } from '../../main/db/database';
import { createPgClient } from '../../main/db/pg/database';
import { PG_READ_BATCH } from '../../main/db/pg/read-jobs';
import { PgReadPool } from '../../main/workers/pg-read-pool';
import { ReadPool } from '../../main/workers/read-pool';
import { listAuditInput } from '../../shared/schemas/audit.schema';
import {
  createTestDatabase,
  pgAvailable,
  pgTestEnv,
  type PgTestEnv,
  type TestDatabase,
} from '../fixtures/pg-cluster';

/** What a filter could carry that must not reach a log line: lower case, as the actor filter sends it. */
const SECRET = 'odt_5f3c9e0a7b1d4c2e8f6a0b9c';
const chain = AuditChain.fromKey(Buffer.alloc(32, 7));
const job = {
  kind: 'audit.page',
  scope: { accountId: 1 },
  filter: listAuditInput.parse({ actor: SECRET }),
} as const;

async function failure(run: Promise<unknown>): Promise<Error> {
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe.skipIf(!pgAvailable)('the PostgreSQL read worker', () => {
  let env: PgTestEnv;
  let url: string;
  const dbs: TestDatabase[] = [];
  const pools: PgReadPool[] = [];

  /** A database of its own, `ddl` run on it (`:db` its name), and a read pool over it. */
  async function workerOver(...ddl: string[]): Promise<PgReadPool> {
    const db = await createTestDatabase(url);
    dbs.push(db);
    const c = createPgClient(db.url);
    await c.connect();
    try {
      for (const statement of ddl) await c.query(statement.replace(':db', db.name));
    } finally {
      await c.end();
    }
    const pool = new PgReadPool({ connectionString: db.url, chainKey: chain.derivedKey() });
    pools.push(pool);
    return pool;
  }

  beforeAll(async () => {
    env = await pgTestEnv();
    if (!env.available) throw new Error(env.reason);
    url = env.url;
  }, 120_000);

  afterAll(async () => {
    for (const pool of pools) await pool.close();
    for (const db of dbs) await db.drop();
    if (env?.available) await env.release();
  });

  it('a failed statement reaches the caller with its text and reason, not its parameters', async () => {
    const pool = await workerOver(
      'ALTER TABLE audit_entries RENAME COLUMN actor_label TO actor_label_gone',
    );
    const err = await failure(pool.run(job));
    expect(err.message).toContain('audit_entries');
    expect(err.message).toContain('(parameters not shown)');
    expect(`${err.message}\n${err.stack}`).not.toContain(SECRET);
  });

  it('so does a failure the job swallowed: the verification’s prefetched page, after its verdict', async () => {
    // The chain walk fetches page 2 while it judges page 1; a verdict in page 1 drops page 2's
    // outcome, and PostgreSQL has aborted the transaction by then (AbortedTransactionError).
    // Page 2 fails for real: the view's hash divides by zero at its first seq (not at the head's,
    // which the walk reads before it starts).
    const rows = PG_READ_BATCH + 2;
    const pool = await workerOver(
      "INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)",
      `INSERT INTO audit_entries (at, account_id, actor_label, action, target_type, prev_hash, hash, seq)
       SELECT s, 1, 'x', 'x.y', 'x', 'bad', 'bad', s FROM generate_series(1, ${rows}) s`,
      'ALTER TABLE audit_entries RENAME TO audit_entries_base',
      `CREATE VIEW audit_entries AS SELECT id, at, account_id, organization_id, actor_user_id,
         actor_label, action, target_type, target_id, details, prev_hash,
         CASE WHEN seq = ${PG_READ_BATCH + 1} THEN (1 / (seq - seq))::text ELSE hash END AS hash, seq
       FROM audit_entries_base`,
      // Walked by the (account_id, seq) index, so page 1 stops before the failing row (a sort
      // would compute every row's hash first); the worker's connections take these settings.
      'ALTER DATABASE :db SET enable_sort = off',
      'ALTER DATABASE :db SET enable_seqscan = off',
    );
    const err = await failure(pool.run({ kind: 'audit.verify', accountId: 1 }));
    // The first failure is recorded as the driver raised it: PostgreSQL's reason, which names
    // no parameter (drizzle's wrapper, the one that lists them, is not what is kept).
    expect(err.message).toContain('AbortedTransactionError');
    expect(err.message).toContain('(first error: division by zero)');
    expect(`${err.message}\n${err.stack}`).not.toMatch(/params:/);
  }, 60_000);
});

describe('the SQLite read worker', () => {
  let dir: string;
  const pools: ReadPool[] = [];

  /** A migrated file of its own, `ddl` run on it, and a read pool over it. */
  function workerOver(...ddl: string[]): ReadPool {
    const file = join(dir, `orgdesk-${pools.length}.db`);
    const opened = openDatabase({ file });
    for (const statement of ddl) opened.sqlite.exec(statement);
    opened.close();
    const pool = new ReadPool({ dbFile: file, chainKey: chain.derivedKey() });
    pools.push(pool);
    return pool;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'orgdesk-read-redaction-'));
  });

  afterAll(async () => {
    for (const pool of pools) await pool.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("a statement refused when prepared: better-sqlite3's message names no value", async () => {
    const pool = workerOver(
      'ALTER TABLE audit_entries RENAME COLUMN actor_label TO actor_label_gone',
    );
    const err = await failure(pool.run(job));
    expect(err.message).toMatch(/no such column: "?actor_label/);
    expect(`${err.message}\n${err.stack}`).not.toContain(SECRET);
  });

  it('a statement that fails while it runs: SQLite’s reason, unwrapped, names no value', async () => {
    // abs() of the smallest integer overflows when the row is read, not when it is prepared.
    const pool = workerOver(
      `INSERT INTO accounts (id, name, created_at) VALUES (1, 'Acme', 0)`,
      `INSERT INTO audit_entries (at, account_id, actor_label, action, target_type, prev_hash, hash, seq)
       VALUES (1, 1, 'x', 'x.y', 'x', 'p', 'h', 1)`,
      'ALTER TABLE audit_entries RENAME TO audit_entries_base',
      `CREATE VIEW audit_entries AS SELECT id, at, account_id, organization_id, actor_user_id,
         CASE WHEN seq = 1 THEN abs(-9223372036854775807 - 1) ELSE actor_label END AS actor_label,
         action, target_type, target_id, details, prev_hash, hash, seq
       FROM audit_entries_base`,
    );
    const err = await failure(pool.run(job));
    // Not drizzle's DrizzleQueryError ("Failed query: … params: …"): its synchronous SQLite
    // session runs the statement itself, unwrapped, where the async one would wrap it.
    expect(err.message).toBe('read job failed: SqliteError: integer overflow');
    expect(`${err.message}\n${err.stack}`).not.toContain(SECRET);
  });
});
