import type { Actor } from '../../../core/actor';
import type { AuditEvent, AuditLog } from '../../../core/audit';
import type { AuditRepo } from '../../../core/audit.repo';

/**
 * The audit append inside the unit of work's transaction. For now it is AuditLog's own
 * synchronous append on the same connection (AuditLog is not converted yet); issue 14 item 3
 * makes it a buffered, chained-at-commit append here, without touching callers.
 */
export class SqliteAuditRepo implements AuditRepo {
  constructor(private readonly log: AuditLog) {}

  async record(actor: Actor, event: AuditEvent): Promise<void> {
    this.log.record(actor, event);
  }

  recordSync(actor: Actor, event: AuditEvent): void {
    this.log.record(actor, event);
  }

  async relabelActor(userId: number, label: string): Promise<number> {
    return this.log.relabelActor(userId, label);
  }
}
