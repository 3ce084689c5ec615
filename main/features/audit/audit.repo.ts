// Port (issue 14): reading the audit trail (AUD-2) inside a unit of work. Appending is core's
// AuditRepo (main/core/audit.repo.ts). Verification, exports and filtered pages run on the read
// workers with their own connection (main/workers/, audit-jobs.ts), outside any unit of work.
// SQLite: main/db/sqlite/repos/audit-trail.ts.
import type { AuditEntry, AuditFilter, AuditListEntry } from '../../../shared/schemas/audit.schema';
import type { Page } from '../../../shared/schemas/common.schema';

/** Whose entries: one org's or one account's (each served by its own index). */
export type AuditTrailScope = { organizationId: number } | { accountId: number };

/** Whose names a trail may show: its account, and for an org's trail that org alone. */
export interface AuditTargetScope {
  accountId: number;
  organizationId?: number;
}

export interface AuditTrailRepo {
  /** AUD-2: one page of the scope's index, with the total (the unfiltered page, inline). */
  page(scope: AuditTrailScope, filter: AuditFilter): Promise<Page<AuditEntry>>;
  /**
   * The entries with the current names of their targets (orgs, hosts, users…) that still exist
   * within the scope: a page's worth, read now (a name is not part of the chain).
   */
  nameTargets(scope: AuditTargetScope, entries: AuditEntry[]): Promise<AuditListEntry[]>;
}
