import type { Actor } from './actor';
import type { AuditEvent } from './audit';

/**
 * The audit trail as a unit of work writes it (AUD-1, AUD-3). `record` appends inside the
 * caller's transaction, so the change and its entry land together or not at all. Issue 14 item 3
 * turns it into a buffered append chained at commit under a locked per-account head (explicit
 * `seq`); callers do not change.
 */
export interface AuditRepo {
  record(actor: Actor, event: AuditEvent): Promise<void>;
  /**
   * `record` for `uow.agentBatch` jobs, which are synchronous (agents' registrations and
   * heartbeats): appended inside the job's savepoint, so a job that throws afterwards takes its
   * entry with it. A throw here is the job's own failure (a promise could not fail the job).
   */
  recordSync(actor: Actor, event: AuditEvent): void;
  /** GDPR-1: relabels every entry the user made, keeping each verifiable; how many. */
  relabelActor(userId: number, label: string): Promise<number>;
}
