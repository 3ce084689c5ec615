// The PostgreSQL storage (issue 15, main/storage.ts): the unit of work over every PostgreSQL
// repository (main/db/pg/repos), on a pool the composition root owns, and the heavy reads on
// worker threads with pools of their own. What `sqliteStorage` is for one file, this is for N
// replicas on one database: nothing here keeps state between units of work.
import type pg from 'pg';
import type { Offload } from '../../core/offload';
import type { Repos } from '../../repos';
import type { Storage, StorageContext, StorageFactory } from '../../storage';
import { PgReadPool } from '../../workers/pg-read-pool';
import { PgSignedHeartbeats, type PgHeartbeatOptions } from './heartbeat-batcher';
import { createPgRepos } from './repos';
import { PgUnitOfWork, type PgUowOptions } from './uow';

export interface PgStorageOptions {
  /** The replica's pool (createPgPool); the composition root ends it after close(). */
  pool: pg.Pool;
  /** ORGDESK_DATABASE_URL: the read workers open their own one-connection pools on it. */
  connectionString: string;
  /** Retries and isolation of the unit of work (main/db/pg/uow.ts). */
  uow?: PgUowOptions;
  /** Where heavy reads run; PgReadPool over the connection string unless given. */
  offload?: Offload;
  /** The coalesced signed heartbeats' batch sizes (heartbeat-batcher.ts). */
  heartbeats?: PgHeartbeatOptions;
}

export interface PgStorage extends Storage {
  readonly engine: 'postgres';
  readonly pool: pg.Pool;
}

/**
 * Serializable console writes retry on serialization failures and deadlocks. Five attempts,
 * the adapter's default, is enough for the audit head (a retry locks the heads first:
 * PgTx.lockOnRetry) but not for a burst on one sign-in throttle key (tests/pg/throttle.test.ts
 * needed tens): a retry costs milliseconds, a refused write costs the user a do-over.
 */
export const SERVER_PG_MAX_ATTEMPTS = 50;

export function pgStorage(o: PgStorageOptions): StorageFactory<PgStorage> {
  return (ctx) => createPgStorage(o, ctx);
}

export function createPgStorage(
  o: PgStorageOptions,
  { clock, chain, email }: StorageContext,
): PgStorage {
  const uow = new PgUnitOfWork<Repos>(o.pool, (tx) => createPgRepos(tx, { chain, clock, email }), {
    maxAttempts: SERVER_PG_MAX_ATTEMPTS,
    ...o.uow,
  });
  const offload =
    o.offload ??
    new PgReadPool({ connectionString: o.connectionString, chainKey: chain.derivedKey() });
  return {
    engine: 'postgres',
    uow,
    offload,
    pool: o.pool,
    signedHeartbeats: new PgSignedHeartbeats(o.pool, o.heartbeats),
    close: () => offload.close(),
  };
}
