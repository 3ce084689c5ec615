import { and } from 'drizzle-orm';
import type {
  AuditTargetScope,
  AuditTrailRepo,
  AuditTrailScope,
} from '../../../features/audit/audit.repo';
// The trail's SQL stays beside the feature: the read workers run the same queries on their own
// connections (main/workers/), so one copy serves both.
import {
  auditConditions,
  auditOrder,
  auditPage,
  scopeCondition,
} from '../../../features/audit/audit-jobs';
import { nameTargets } from '../../../features/audit/audit-targets';
import type {
  AuditEntry,
  AuditFilter,
  AuditListEntry,
} from '../../../../shared/schemas/audit.schema';
import type { Page } from '../../../../shared/schemas/common.schema';
import type { Db } from '../../database';
import { auditEntries } from '../../schema';

/** AUD-2 reads on SQLite, in the caller's transaction. */
export class SqliteAuditTrailRepo implements AuditTrailRepo {
  constructor(private readonly db: Db) {}

  async page(scope: AuditTrailScope, filter: AuditFilter): Promise<Page<AuditEntry>> {
    return auditPage(this.db, scope, filter);
  }

  async nameTargets(scope: AuditTargetScope, entries: AuditEntry[]): Promise<AuditListEntry[]> {
    return nameTargets(this.db, scope, entries);
  }

  /** The page query itself, unrun (tests/audit.test.ts checks that an index serves its plan). */
  pageQuery(scope: AuditTrailScope, filter: AuditFilter) {
    return this.db
      .select()
      .from(auditEntries)
      .where(and(scopeCondition(scope), ...auditConditions(filter)))
      .orderBy(...auditOrder(filter.order))
      .limit(filter.limit)
      .offset(filter.skip);
  }
}
