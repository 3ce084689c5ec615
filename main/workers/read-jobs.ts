// Every job an Offload runs (main/core/offload.ts): plain data in, plain data out, over a
// connection of its own. The same functions run inline (InlineOffload) where no worker can be
// started (an in-memory database), so a job's result never depends on where it ran.
import type { KeyObject } from 'node:crypto';
import type { AuditChain } from '../core/audit';
import type { OffloadJob, OffloadProgress } from '../core/offload';
import type { Db } from '../db/database';
import {
  auditExportBytes,
  auditPage,
  verifyChain,
  type AuditScope,
  type Filter,
} from '../features/audit/audit-jobs';
import {
  accountSections,
  gdprExportBytes,
  userSections,
  type GdprExportSubject,
} from '../features/gdpr/gdpr-export';
import { readOrgPage, type OrgPageRequest } from '../features/organizations/organizations-page';
import { SqliteHostsRepo } from '../db/sqlite/repos/hosts';
import { SqliteOrganizationsRepo } from '../db/sqlite/repos/organizations';
import type { HostPageQuery } from '../features/hosts/hosts.repo';
import type { AuditFilter } from '../../shared/schemas/audit.schema';

export type ReadJob =
  | { kind: 'audit.verify'; accountId: number }
  | { kind: 'audit.page'; scope: AuditScope; filter: AuditFilter }
  | {
      kind: 'audit.export';
      scope: AuditScope;
      filter: Filter;
      format: 'csv' | 'json';
      /** The export key's private half (ExportSigner.signingKey): the file is signed here. */
      signingKey: KeyObject;
    }
  | {
      kind: 'gdpr.sections';
      subject: { accountId: number; userId?: number };
      from: number;
      cap: number;
    }
  | { kind: 'gdpr.file'; subject: GdprExportSubject; now: number; from: number; cap: number }
  | { kind: 'orgs.page'; request: OrgPageRequest }
  | { kind: 'hosts.page'; query: HostPageQuery };

export interface ReadContext {
  db: Db;
  chain: AuditChain;
}

// Its statements are prepared once per connection, like the event loop's (repos/index.ts).
const orgsRepos = new WeakMap<Db, SqliteOrganizationsRepo>();
function orgsRepo(db: Db): SqliteOrganizationsRepo {
  let repo = orgsRepos.get(db);
  if (!repo) orgsRepos.set(db, (repo = new SqliteOrganizationsRepo(db)));
  return repo;
}
const hostsRepos = new WeakMap<Db, SqliteHostsRepo>();
function hostsRepo(db: Db): SqliteHostsRepo {
  let repo = hostsRepos.get(db);
  if (!repo) hostsRepos.set(db, (repo = new SqliteHostsRepo(db)));
  return repo;
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
      return auditExportBytes(ctx.db, j.scope, j.filter, j.format, j.signingKey);
    case 'gdpr.sections':
      return j.subject.userId === undefined
        ? accountSections(ctx.db, j.subject.accountId, j.from, j.cap)
        : userSections(ctx.db, j.subject.userId, j.subject.accountId, j.from, j.cap);
    case 'gdpr.file':
      return gdprExportBytes(ctx.db, j.subject, j.now, j.from, j.cap);
    case 'orgs.page':
      // The repository's promises are already settled (synchronous statements inside): the
      // worker awaits them before it answers.
      return readOrgPage(orgsRepo(ctx.db), j.request);
    case 'hosts.page':
      // Rows as the repository reads them; the service makes them the API's hosts.
      return hostsRepo(ctx.db).page(j.query);
    default:
      throw new Error(`Unknown read job ${(job as OffloadJob).kind}`);
  }
}

/**
 * A job as a read worker runs it: in one read transaction on the worker's own connection, so
 * every statement of the job reads one snapshot of the file. Without it each statement saw the
 * latest commit, and an audited write committed during a verification was walked past the head
 * read at the start: an intact chain reported as "entries removed from the end"
 * (tests/read-jobs-snapshot.test.ts). The PostgreSQL jobs read in one REPEATABLE READ
 * transaction for the same reason (main/db/pg/read-jobs.ts). The snapshot holds back WAL
 * checkpoints for the job's duration (seconds for a million-entry chain). Not for InlineOffload:
 * its connection is the event loop's, whose units of work hold the transactions.
 */
export async function runReadJobInSnapshot(
  ctx: ReadContext,
  job: OffloadJob,
  onProgress: (p: OffloadProgress) => void,
): Promise<unknown> {
  const connection = ctx.db.$client;
  // Deferred: the snapshot is taken at the job's first read.
  connection.exec('BEGIN');
  try {
    return await runReadJob(ctx, job, onProgress);
  } finally {
    connection.exec('COMMIT');
  }
}
