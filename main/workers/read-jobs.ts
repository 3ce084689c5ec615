// Every job an Offload runs (main/core/offload.ts): plain data in, plain data out, over a
// connection of its own. The same functions run inline (InlineOffload) where no worker can be
// started (an in-memory database), so a job's result never depends on where it ran.
import type { AuditChain } from '../core/audit';
import type { OffloadJob, OffloadProgress } from '../core/offload';
import type { Db } from '../db/database';
import {
  auditExportContent,
  auditPage,
  verifyChain,
  type AuditScope,
  type Filter,
} from '../features/audit/audit-jobs';
import { accountSections, userSections } from '../features/gdpr/gdpr-export';
import type { AuditFilter } from '../../shared/schemas/audit.schema';

export type ReadJob =
  | { kind: 'audit.verify'; accountId: number }
  | { kind: 'audit.page'; scope: AuditScope; filter: AuditFilter }
  | { kind: 'audit.export'; scope: AuditScope; filter: Filter; format: 'csv' | 'json' }
  | {
      kind: 'gdpr.sections';
      subject: { accountId: number; userId?: number };
      from: number;
      cap: number;
    };

export interface ReadContext {
  db: Db;
  chain: AuditChain;
}

export function runReadJob(
  ctx: ReadContext,
  job: OffloadJob,
  onProgress: (p: OffloadProgress) => void,
): unknown {
  const j = job as ReadJob;
  switch (j.kind) {
    case 'audit.verify':
      return verifyChain(ctx.db, ctx.chain, j.accountId, onProgress);
    case 'audit.page':
      return auditPage(ctx.db, j.scope, j.filter);
    case 'audit.export':
      return auditExportContent(ctx.db, j.scope, j.filter, j.format);
    case 'gdpr.sections':
      return j.subject.userId === undefined
        ? accountSections(ctx.db, j.subject.accountId, j.from, j.cap)
        : userSections(ctx.db, j.subject.userId, j.subject.accountId, j.from, j.cap);
    default:
      throw new Error(`Unknown read job ${(job as OffloadJob).kind}`);
  }
}
