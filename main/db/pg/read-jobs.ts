// The read jobs of main/workers/read-jobs.ts on PostgreSQL (issue 15): the same kinds, inputs and
// results, over a pool of the worker's own. Only the reads are spelled here; what a job computes
// from its rows is the SQLite job's own code (toEntry, ChainVerifier, the export and GDPR file
// builders, readOrgPage over a repository), so a result never depends on the engine.
//
// Each job runs in ONE read transaction (REPEATABLE READ READ ONLY, PgUnitOfWork.read): its
// rows, counts and chain head come from one snapshot, so a verification racing appends on other
// replicas judges the chain as it was when it started (never "entries removed from the end"
// because the head moved during the walk), and a page's total agrees with its rows. The
// snapshot is held for the job's duration (seconds for a million-entry chain): it delays vacuum
// for that long, the price of an exact verdict.
import type { KeyObject } from 'node:crypto';
import { and, asc, count, desc, eq, getTableColumns, gt } from 'drizzle-orm';
import type pg from 'pg';
import type { AuditChain } from '../../core/audit';
import type { OffloadJob, OffloadProgress } from '../../core/offload';
import type { TxHooks } from '../../core/uow';
import type { AuditEntryRow } from '../../domain/rows';
import {
  ChainVerifier,
  auditExportFile,
  type AuditExportBytes,
  type AuditScope,
  type Filter,
} from '../../features/audit/audit-jobs';
import { gdprExportFile, type GdprExportBytes } from '../../features/gdpr/gdpr-export';
import { readOrgPage } from '../../features/organizations/organizations-page';
import type { ReadJob } from '../../workers/read-jobs';
import { MAX_AUDIT_EXPORT, type AuditVerifyResult } from '../../../shared/schemas/audit.schema';
import type { ExportSection } from '../../../shared/schemas/gdpr.schema';
import { pgAccountSections, pgUserSections } from './gdpr-export';
import { PgAuditTrailRepo, conditions, scopeCondition } from './repos/audit-trail';
import { PgHostsRepo } from './repos/hosts';
import { PgOrganizationsRepo } from './repos/organizations';
import { int8 } from './repos/sql-helpers';
import { auditEntries, auditHeads } from './schema';
import { PgUnitOfWork, type PgTx } from './uow';

/**
 * Rows per round trip of a long read: a keyset page of the chain walk, a FETCH of the export's
 * cursor. Large enough that a million-entry chain takes 200 round trips, small enough that a
 * page (a few MB) never makes the worker's heap the limit.
 */
export const PG_READ_BATCH = 5000;

export interface PgReadContext {
  /** The worker's own pool (main/workers/pg-read-worker.ts), or the caller's (InlinePgOffload). */
  pool: pg.Pool;
  chain: AuditChain;
}

type JobScope = TxHooks & { tx: PgTx };

const uows = new WeakMap<pg.Pool, PgUnitOfWork<JobScope>>();
function uowOf(pool: pg.Pool): PgUnitOfWork<JobScope> {
  let uow = uows.get(pool);
  if (!uow) uows.set(pool, (uow = new PgUnitOfWork<JobScope>(pool, (tx) => ({ tx }))));
  return uow;
}

/**
 * runReadJob (main/workers/read-jobs.ts) on PostgreSQL: one job, in one read transaction, whose
 * failure leaves it redacted (PgUnitOfWork.run, query-error.ts): the worker's boundary then posts
 * it as it is (tests/pg/read-worker-redaction.test.ts).
 */
export function runPgReadJob(
  ctx: PgReadContext,
  job: OffloadJob,
  onProgress: (p: OffloadProgress) => void,
): Promise<unknown> {
  const j = job as ReadJob;
  return uowOf(ctx.pool).read(async ({ tx }): Promise<unknown> => {
    switch (j.kind) {
      case 'audit.verify':
        return pgVerifyChain(tx, ctx.chain, j.accountId, onProgress);
      case 'audit.page':
        return new PgAuditTrailRepo(tx).page(j.scope, j.filter);
      case 'audit.export':
        return pgAuditExportBytes(tx, j.scope, j.filter, j.format, j.signingKey);
      case 'gdpr.sections':
        return pgSections(tx, j.subject, j.from, j.cap);
      case 'gdpr.file':
        return pgGdprExportBytes(tx, j);
      case 'orgs.page':
        return readOrgPage(new PgOrganizationsRepo(tx.db, false, tx.query), j.request);
      case 'hosts.page':
        return new PgHostsRepo(tx.db, true).page(j.query);
      default:
        throw new Error(`Unknown read job ${(job as OffloadJob).kind}`);
    }
  });
}

/**
 * AUD-3 on PostgreSQL: verifyChain's walk (audit-jobs.ts) in keyset pages by seq over
 * audit_account_seq_uq, the next page fetched while the current one is hashed, and the verdict
 * ChainVerifier's. Progress after each page, as on SQLite.
 */
export async function pgVerifyChain(
  tx: PgTx,
  chain: AuditChain,
  accountId: number,
  onProgress: (p: OffloadProgress) => void = () => {},
): Promise<AuditVerifyResult> {
  const ofAccount = eq(auditEntries.accountId, accountId);
  const [head] = await tx.db
    .select({ id: auditEntries.id, hash: auditEntries.hash, seq: auditEntries.seq })
    .from(auditEntries)
    .where(ofAccount)
    .orderBy(desc(auditEntries.seq))
    .limit(1);
  const [kept] = await tx.db
    .select({ seq: auditHeads.seq, hash: auditHeads.hash })
    .from(auditHeads)
    .where(eq(auditHeads.accountId, accountId));
  const [counted] = await tx.db.select({ n: count() }).from(auditEntries).where(ofAccount);
  const total = counted?.n ?? 0;
  onProgress({ done: 0, total });
  const verifier = new ChainVerifier(chain, { head, kept });
  const page = (after: number): Promise<AuditEntryRow[]> =>
    tx.db
      .select()
      .from(auditEntries)
      .where(and(ofAccount, gt(auditEntries.seq, after)))
      .orderBy(asc(auditEntries.seq))
      .limit(PG_READ_BATCH);
  let next: Promise<AuditEntryRow[]> | null = page(0);
  while (next) {
    const batch: AuditEntryRow[] = await next;
    // The database reads the next page while this thread hashes this one.
    next = batch.length < PG_READ_BATCH ? null : page(batch[batch.length - 1]!.seq);
    const verdict = verifier.feed(batch);
    if (verdict) {
      // Drained, not left pending: the transaction ends after the job, not before its query.
      await next?.catch(() => undefined);
      return verdict;
    }
    onProgress({ done: verifier.checked, total: Math.max(total, verifier.checked) });
  }
  return verifier.finish();
}

const AUDIT_COLUMNS = Object.entries(getTableColumns(auditEntries));
const INT8_COLUMNS = new Set(['id', 'at', 'accountId', 'organizationId', 'actorUserId', 'seq']);

/** A row of the export's cursor (raw: SQL names) as the builder's row (drizzle names). */
function auditRowOf(raw: Record<string, unknown>): AuditEntryRow {
  const out: Record<string, unknown> = {};
  for (const [key, column] of AUDIT_COLUMNS) {
    const v = raw[column.name];
    out[key] = INT8_COLUMNS.has(key) && v !== null && v !== undefined ? int8(v) : v;
  }
  return out as unknown as AuditEntryRow;
}

/**
 * AUD-2 export on PostgreSQL: the SQLite job's rows (scope, filters, oldest first, at most
 * MAX_AUDIT_EXPORT + 1) through a server-side cursor fetched PG_READ_BATCH rows at a time: one
 * scan whatever index serves the scope (an org's entries have no (organization_id, id) index,
 * so keyset pages by id would sort the org's entries once per page), and the driver never
 * holds the whole result as one message. The file is auditExportFile's.
 */
export async function pgAuditExportBytes(
  tx: PgTx,
  scope: AuditScope,
  f: Filter,
  format: 'csv' | 'json',
  signingKey: KeyObject,
): Promise<AuditExportBytes> {
  const query = tx.db
    .select()
    .from(auditEntries)
    .where(and(scopeCondition(scope), ...conditions(f)))
    .orderBy(asc(auditEntries.id))
    .limit(MAX_AUDIT_EXPORT + 1)
    .toSQL();
  await tx.query(`DECLARE orgdesk_audit_export NO SCROLL CURSOR FOR ${query.sql}`, query.params);
  const rows: AuditEntryRow[] = [];
  for (;;) {
    const batch = await tx.query<Record<string, unknown>>(
      `FETCH FORWARD ${PG_READ_BATCH} FROM orgdesk_audit_export`,
    );
    for (const raw of batch.rows) rows.push(auditRowOf(raw));
    if (batch.rows.length < PG_READ_BATCH) break;
  }
  await tx.query('CLOSE orgdesk_audit_export');
  return auditExportFile(rows, format, signingKey);
}

function pgSections(
  tx: PgTx,
  subject: { accountId: number; userId?: number },
  from: number,
  cap: number,
): Promise<Record<string, ExportSection>> {
  return subject.userId === undefined
    ? pgAccountSections(tx.db, subject.accountId, from, cap)
    : pgUserSections(tx.db, subject.userId, subject.accountId, from, cap);
}

/** GDPR-2 as a file on PostgreSQL: the sections read here, the file gdprExportFile's. */
async function pgGdprExportBytes(
  tx: PgTx,
  j: Extract<ReadJob, { kind: 'gdpr.file' }>,
): Promise<GdprExportBytes> {
  const sections = await pgSections(tx, j.subject, j.from, j.cap);
  return gdprExportFile(j.subject, sections, j.now, j.from, j.cap);
}
