// Draft port (issue 14 step 0): reading the audit trail (AUD-2). Appending is core's AuditRepo
// (main/core/audit.repo.ts). Verification and exports run on the read workers with their own
// connection (main/workers/), outside the unit of work. Not yet implemented on SQLite.
import type { AuditEntryRow } from '../../domain/rows';

export interface AuditTrailFilter {
  accountId: number;
  organizationId?: number;
  action?: string;
  actorUserId?: number;
  from?: number;
  to?: number;
}

export interface AuditTrailRepo {
  page(
    filter: AuditTrailFilter,
    skip: number,
    limit: number,
  ): Promise<{ total: number; rows: AuditEntryRow[] }>;
  /** Names of the entries' targets (orgs, hosts, users…) that still exist, by type and id. */
  targetNames(refs: { type: string; id: string }[]): Promise<Map<string, string>>;
}
