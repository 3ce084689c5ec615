// The SQLite storage (issue 15, main/storage.ts): the unit of work over every repository on one
// connection, the audit append on it, and the read workers over the database file. What
// createServices built inline before; a composition root passes `sqliteStorage(db, …)` and
// createServices builds it with the services' clock, chain and e-mail setting.
import type { AuditChain } from '../../core/audit';
import type { Offload } from '../../core/offload';
import type { WorkerEntry } from '../../core/worker-entry';
import type { Repos } from '../../repos';
import type { Storage, StorageContext, StorageFactory } from '../../storage';
import { InlineOffload, ReadPool } from '../../workers/read-pool';
import type { Db } from '../database';
import { AuditLog } from './audit-log';
import { createSqliteRepos } from './repos';
import { SqliteUnitOfWork } from './uow';

export interface SqliteStorageOptions {
  /**
   * Tests (tests/fixtures turn it on): fail any unit of work that awaits real I/O inside its
   * transaction (./uow.ts).
   */
  guardTransactions?: boolean;
  /** Where heavy reads run; worker threads over the database file unless given. */
  offload?: Offload;
  /** The read workers' script (the packaged app's unpacked read-worker.mjs); found beside us otherwise. */
  readWorkerEntry?: WorkerEntry;
}

/** SQLite's storage, with what only SQLite callers reach (the desktop's export and restore, tests). */
export interface SqliteStorage extends Storage {
  readonly engine: 'sqlite';
  /** The connection, for SQLite-only callers (the desktop's export and restore, raw test SQL). */
  readonly db: Db;
  /** The synchronous audit append on the connection (the desktop's export and restore). */
  readonly audit: AuditLog;
}

/**
 * Heavy reads (audit verification and exports, GDPR exports) run on worker threads with their
 * own read-only connections to the database file; an in-memory database has no file to share,
 * so there they run inline.
 */
function defaultOffload(db: Db, chain: AuditChain, entry?: WorkerEntry): Offload {
  const file = db.$client.name;
  if (db.$client.memory || !file || file === ':memory:') return new InlineOffload({ db, chain });
  return new ReadPool({ dbFile: file, chainKey: chain.derivedKey() }, { entry });
}

/** The SQLite storage over `db`, for createServices to build (its `storage`). */
export function sqliteStorage(db: Db, o: SqliteStorageOptions = {}): StorageFactory<SqliteStorage> {
  return (ctx) => createSqliteStorage(db, ctx, o);
}

export function createSqliteStorage(
  db: Db,
  { clock, chain, email }: StorageContext,
  o: SqliteStorageOptions = {},
): SqliteStorage {
  const audit = new AuditLog(db, clock, chain, { email });
  const repos = createSqliteRepos(db, audit);
  // The one way services reach storage (issue 14); the agents' batch replaces the group commit.
  const uow = new SqliteUnitOfWork<Repos>(db.$client, repos, {
    guardIo: o.guardTransactions ?? false,
  });
  const offload = o.offload ?? defaultOffload(db, chain, o.readWorkerEntry);
  return {
    engine: 'sqlite',
    uow,
    offload,
    db,
    audit,
    close: () => offload.close(),
  };
}
