// What a storage engine gives the composition root (issue 15): the one place where SQLite and
// PostgreSQL differ for createServices (main/services.ts), which builds every service from this
// and never sees a connection. The SQLite storage is main/db/sqlite/storage.ts; a PostgreSQL one
// implements the same interface over PgUnitOfWork and createPgRepos.
import type { AuditChain } from './core/audit';
import type { Clock } from './core/clock';
import type { Offload } from './core/offload';
import type { SignedHeartbeats } from './features/agents/agents.repo';
import type { Uow } from './repos';

export type StorageEngine = 'sqlite' | 'postgres';

export interface Storage {
  readonly engine: StorageEngine;
  /** The unit of work over the engine's repositories: how every service reaches storage. */
  readonly uow: Uow;
  /** Where heavy reads run (audit verification and exports, GDPR exports). */
  readonly offload: Offload;
  /** PostgreSQL: signed heartbeats coalesced per batch (agents.repo.ts); SQLite has none. */
  readonly signedHeartbeats?: SignedHeartbeats;
  /** Stops what the storage started (the read workers); the caller closes the database after. */
  close(): Promise<void>;
}

/**
 * What createServices hands the engine as it builds it: the same clock, audit chain and e-mail
 * setting as the services get, so the storage's audit append and the services never disagree
 * (an append that queued no email under a configured SMTP drainer would lose every email).
 */
export interface StorageContext {
  clock: Clock;
  /** AUD-3: the audit chain (its key derived from the master key). */
  chain: AuditChain;
  /** INT-3: the audit append queues an email for each notification (SMTP is configured). */
  email: boolean;
}

/** A storage engine to be built by createServices: `sqliteStorage(db, …)`, later PostgreSQL's. */
export type StorageFactory<S extends Storage = Storage> = (ctx: StorageContext) => S;
