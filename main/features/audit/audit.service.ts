import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import type { DetachedSignature, ExportSigner } from '../../core/export-key';
import { asBuffer, type FileAnswer } from '../../core/file-answer';
import { notFound } from '../../core/errors';
import type { Offload } from '../../core/offload';
import type { Repos, Uow } from '../../repos';
import { EXPORT_FILE_HEADERS } from '../../../shared/constants';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  exportAuditInput,
  listAuditInput,
  verifyAuditInput,
  type AuditEntry,
  type AuditExport,
  type AuditListEntry,
  type AuditVerifyResult,
  type AuditVerifyStatus,
  type ExportAuditInput,
  type ListAuditInput,
  type VerifyAuditInput,
} from '../../../shared/schemas/audit.schema';
// hasFilter is pure (which filters are set); the jobs' SQL runs on the workers and in the repo.
import { hasFilter, type AuditExportBytes, type Filter } from './audit-jobs';
import type { AuditTargetScope, AuditTrailScope } from './audit.repo';

export interface AuditServiceDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /** The installation's export key: every export is signed with it (detached, AUD-2). */
  signer: ExportSigner;
  /** Where the heavy reads run: a worker thread on the server and the desktop (main/workers/). */
  offload: Offload;
}

/** An audit export as the file it is, with what its JSON form says beside the content. */
export interface AuditExportFile extends FileAnswer {
  format: 'csv' | 'json';
  count: number;
  truncated: boolean;
  signature: DetachedSignature;
}

/** A verification in progress: one per account at a time, joined by whoever asks meanwhile. */
interface Verification {
  startedAt: number;
  checked: number;
  total: number;
  result: Promise<AuditVerifyResult>;
}

/**
 * AUD-2 queries and export, AUD-3 verification. Reads only: none of these writes anything. The
 * access check is a read of the unit of work; what runs on a worker (filtered pages, exports,
 * verification) starts after it, outside any transaction (issue 14).
 */
export class AuditService {
  private readonly running = new Map<number, Verification>();
  /** Verifications started (not joined), for tests and diagnostics. */
  verificationsStarted = 0;

  constructor(private readonly d: AuditServiceDeps) {}

  /**
   * Org admins read their org's entries (audit.view on it); account admins, and support engineers
   * with an active grant, read the whole account. Either way one index serves the query:
   * audit_org_at_idx (organization_id, at, id) or audit_account_at_idx (account_id, at, id).
   */
  private async scope(
    r: Repos,
    actor: Actor,
    f: Filter,
  ): Promise<{ scope: AuditTrailScope; label: string; targets: AuditTargetScope }> {
    if (f.organization_id) {
      const org = await this.d.access.requireOrg(r, actor, f.organization_id, 'audit.view');
      if (f.account_id && f.account_id !== org.accountId) {
        throw notFound('Organization', f.organization_id);
      }
      return {
        scope: { organizationId: org.id },
        label: `org-${org.id}`,
        targets: { accountId: org.accountId, organizationId: org.id },
      };
    }
    const accountId = await this.d.access.requireVisibleAccount(
      r,
      actor,
      'audit.view',
      f.account_id ?? actor.accountId,
    );
    return { scope: { accountId }, label: `account-${accountId}`, targets: { accountId } };
  }

  /**
   * AUD-2: newest first unless `order` is asc, with the total for the pager. A page of the scope's index alone is a
   * few milliseconds; a filter (actor, action, target, time) may scan the whole scope, so such
   * a page is read off the event loop.
   */
  async list(actor: Actor, raw?: ListAuditInput): Promise<Page<AuditListEntry>> {
    const input = listAuditInput.parse(raw);
    if (!hasFilter(input)) {
      // The scope's index alone: the check, the page and its names in one read.
      return this.d.uow.read(async (r) => {
        const { scope, targets } = await this.scope(r, actor, input);
        const page = await r.auditTrail.page(scope, input);
        return { items: await r.auditTrail.nameTargets(targets, page.items), total: page.total };
      });
    }
    const { scope, targets } = await this.d.uow.read((r) => this.scope(r, actor, input));
    const page = await this.d.offload.run<Page<AuditEntry>>({
      kind: 'audit.page',
      scope,
      filter: input,
    });
    // Names are read now, on this connection (a page's worth, one query per target type): the
    // worker's snapshot may be a moment older, and a name is not part of the chain.
    const items = await this.d.uow.read((r) => r.auditTrail.nameTargets(targets, page.items));
    return { items, total: page.total };
  }

  /**
   * AUD-2 export as a file: oldest first (the order of the chain), at most MAX_AUDIT_EXPORT
   * entries. The worker reads the rows, encodes and signs the file; its bytes come back
   * transferred, so the event loop never copies, encodes or hashes the 26 MB of a full export.
   * Access is decided before anything is read.
   */
  async exportFile(actor: Actor, raw: ExportAuditInput): Promise<AuditExportFile> {
    const input = exportAuditInput.parse(raw);
    const { scope, label } = await this.d.uow.read((r) => this.scope(r, actor, input));
    const day = iso(this.d.clock.now()).slice(0, 10);
    // Detached: the worker signs exactly the file's bytes, so `openssl pkeyutl -verify -rawin`
    // checks the file as it is (docs/export-format.md).
    const out = await this.d.offload.run<AuditExportBytes>({
      kind: 'audit.export',
      scope,
      filter: input,
      format: input.format,
      signingKey: this.d.signer.signingKey(),
    });
    const { bytes, count, truncated } = out;
    const signature = this.d.signer.withKey(out.signature);
    const csv = input.format === 'csv';
    const contentType = csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    return {
      kind: 'file',
      format: input.format,
      filename: `orgdesk-audit-${label}-${day}.${input.format}`,
      contentType,
      bytes,
      count,
      truncated,
      signature,
      headers: {
        [EXPORT_FILE_HEADERS.signature]: signature.value,
        [EXPORT_FILE_HEADERS.algorithm]: signature.algorithm,
        [EXPORT_FILE_HEADERS.publicKey]: signature.public_key,
        [EXPORT_FILE_HEADERS.fingerprint]: signature.fingerprint,
        [EXPORT_FILE_HEADERS.signerLabel]: encodeURIComponent(signature.signer_label),
        [EXPORT_FILE_HEADERS.count]: String(count),
        [EXPORT_FILE_HEADERS.truncated]: String(truncated),
      },
    };
  }

  /**
   * AUD-2 export in one JSON answer (tRPC callers: the desktop over IPC, scripts): the file's
   * text as `content` beside its signature. Over HTTP, GET /api/v1/audit/export answers the
   * file itself instead (exportFile), which keeps a large export off the event loop.
   */
  async export(actor: Actor, raw: ExportAuditInput): Promise<AuditExport> {
    const f = await this.exportFile(actor, raw);
    const common = {
      filename: f.filename,
      content: asBuffer(f.bytes).toString('utf8'),
      count: f.count,
      truncated: f.truncated,
      signature: f.signature,
    };
    return f.format === 'csv'
      ? { format: 'csv', content_type: 'text/csv; charset=utf-8', ...common }
      : { format: 'json', content_type: 'application/json; charset=utf-8', ...common };
  }

  private async verifiedAccount(actor: Actor, raw?: VerifyAuditInput): Promise<number> {
    const input = verifyAuditInput.parse(raw);
    return this.d.uow.read((r) =>
      this.d.access.requireVisibleAccount(
        r,
        actor,
        'audit.view',
        input.account_id ?? actor.accountId,
      ),
    );
  }

  /**
   * AUD-3: the account's chain, walked in id order on a worker thread (audit-jobs.ts
   * verifyChain), naming the first entry that breaks it. One verification per account at a
   * time: a second request while one runs joins it and gets the same answer.
   */
  async verify(actor: Actor, raw?: VerifyAuditInput): Promise<AuditVerifyResult> {
    const accountId = await this.verifiedAccount(actor, raw);
    // From here to running.set nothing awaits, so two requests never both start one.
    const current = this.running.get(accountId);
    if (current) return current.result;
    this.verificationsStarted++;
    const v: Verification = {
      startedAt: this.d.clock.now(),
      checked: 0,
      total: 0,
      result: Promise.resolve(null as never),
    };
    v.result = this.d.offload
      .run<AuditVerifyResult>({ kind: 'audit.verify', accountId }, (p) => {
        v.checked = p.done;
        v.total = p.total;
      })
      .finally(() => {
        if (this.running.get(accountId) === v) this.running.delete(accountId);
      });
    this.running.set(accountId, v);
    return v.result;
  }

  /** AUD-3 progress: whether the account's chain is being verified now, and how far it got. */
  async verifyStatus(actor: Actor, raw?: VerifyAuditInput): Promise<AuditVerifyStatus> {
    const accountId = await this.verifiedAccount(actor, raw);
    const v = this.running.get(accountId);
    if (!v) return { running: false, checked: 0, total: 0, started_at: null };
    return { running: true, checked: v.checked, total: v.total, started_at: iso(v.startedAt) };
  }
}
