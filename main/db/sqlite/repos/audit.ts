import type { Actor } from '../../../core/actor';
import type { AuditEvent } from '../../../core/audit';
import type { AuditLog } from '../audit-log';
import type { AuditRepo } from '../../../core/audit.repo';

/**
 * The audit append inside the unit of work's transaction: AuditLog's synchronous append
 * (../audit-log.ts) on the same connection. SQLite's write lock is the chain head's lock, so
 * nothing is buffered here (the PostgreSQL twin chains its buffer at commit).
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
