// The server's storage engine from its configuration (issue 15): SQLite in the data directory,
// or PostgreSQL at ORGDESK_DATABASE_URL, one of N replicas. Everything engine-specific the
// server entry needs is here: the storage for createServices, the /readyz check, the lock that
// makes the first start's bootstrap happen once across replicas, and how to close.
import { join } from 'node:path';
import { FileKeyStore, StaticKeyStore, type KeyStore } from '../core/key-store';
import { openDatabase } from '../db/database';
import { createPgPool } from '../db/pg/database';
import { assertSchemaCurrent, SchemaMismatchError } from '../db/pg/migrate';
import { pgStorage } from '../db/pg/storage';
import { sqliteStorage } from '../db/sqlite/storage';
import { WalCheckpointer } from '../db/sqlite/wal-checkpointer';
import type { StorageFactory } from '../storage';
import { ConfigError, type ServerConfig } from './config';
import { prepareDataDir } from './data-dir';
import { pgReadiness, type ReadinessCheck } from './readiness';

export interface ServerStorage {
  storage: StorageFactory;
  keys: KeyStore;
  /** GET /readyz; undefined: the SQLite storage's own (createServer's default). */
  readiness?: ReadinessCheck;
  /** Runs `fn` while no other replica runs its own (the first start's bootstrap). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Lines to print at start (upgrade notices, a data dir warning). */
  notices: string[];
  /** Where the data is, for the start line (never a connection string: it may hold a password). */
  where: string;
  close(): Promise<void>;
}

/** PostgreSQL session lock of the first start's bootstrap (beside migrate's own lock). */
const BOOTSTRAP_LOCK_KEY = 'orgdesk:bootstrap';

export async function openServerStorage(config: ServerConfig): Promise<ServerStorage> {
  if (config.database.engine === 'sqlite') {
    const notices: string[] = [];
    const dirWarning = prepareDataDir(config.dataDir);
    if (dirWarning) notices.push(dirWarning);
    const opened = openDatabase({ file: config.database.file });
    notices.push(...opened.notices);
    // The WAL copied back off the event loop (wal-checkpointer.ts): the server's writes are
    // agents' by the thousand a second. The desktop's are a console's: it checkpoints inline.
    const checkpoints = new WalCheckpointer(config.database.file, {
      onFailure: (message) =>
        process.stderr.write(`Orgdesk: WAL checkpoints back on the main thread: ${message}\n`),
    });
    return {
      storage: sqliteStorage(opened.db),
      keys: config.masterKey
        ? new StaticKeyStore(config.masterKey, 'ORGDESK_MASTER_KEY')
        : new FileKeyStore(join(config.dataDir, 'master.key')),
      // One process owns the file: nothing to exclude.
      exclusive: (fn) => fn(),
      notices,
      where: `data in ${config.dataDir}`,
      close: async () => {
        await checkpoints.close();
        opened.close();
      },
    };
  }
  const url = config.database.url;
  // loadConfig refuses PostgreSQL mode without it: replicas must share the key.
  if (!config.masterKey)
    throw new ConfigError('ORGDESK_MASTER_KEY must be set with ORGDESK_DATABASE_URL');
  const pool = createPgPool(url, { max: 10 });
  try {
    // SCALE-2: a replica serves only the schema it was built for; `npm run migrate` applies it.
    await assertSchemaCurrent(pool);
  } catch (err) {
    await pool.end();
    if (err instanceof SchemaMismatchError) throw new ConfigError(err.message);
    throw new ConfigError(
      `ORGDESK_DATABASE_URL: the database does not answer (${(err as Error).message.slice(0, 200)})`,
    );
  }
  return {
    storage: pgStorage({ pool, connectionString: url }),
    keys: new StaticKeyStore(config.masterKey, 'ORGDESK_MASTER_KEY'),
    readiness: pgReadiness(pool, assertSchemaCurrent),
    exclusive: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock(hashtext($1))', [BOOTSTRAP_LOCK_KEY]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock(hashtext($1))', [BOOTSTRAP_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    notices: [],
    where: 'data in PostgreSQL (ORGDESK_DATABASE_URL)',
    close: () => pool.end(),
  };
}
