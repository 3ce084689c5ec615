import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict, notFound } from '../../core/errors';
import type { FileAnswer } from '../../core/file-answer';
import type { Offload } from '../../core/offload';
import type { UserRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
import {
  EXPORT_DAYS,
  EXPORT_SECTION_CAP,
  eraseUserInput,
  exportUserInput,
  type DataExport,
  type ErasedUser,
  type EraseUserInput,
  type ExportSection,
} from '../../../shared/schemas/gdpr.schema';
import { EXPORT_FILE_HEADERS } from '../../../shared/constants';
import { emailKey } from '../users/users.service';
import { dataExportDocument, type GdprExportBytes } from './gdpr-export';

export interface GdprDeps {
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /** Records per export section; the product's cap is 10,000 (GDPR-2). */
  exportCap?: number;
  /** The sections are read off the event loop (gdpr.sections in main/workers/read-jobs.ts). */
  offload: Offload;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The placeholders an erased user keeps: unique, never deliverable (.invalid, RFC 2606). */
export const erasedEmail = (id: number): string => `erased-user-${id}@erased.invalid`;
export const erasedName = (id: number): string => `Erased user ${id}`;

/**
 * GDPR-1 erasure and GDPR-2 export, account admins (gdpr.manage) within their own account.
 * Erasure is one write, its checks inside; an export checks access in a read, reads on a worker
 * outside any transaction, then records its audit entry in a write (issue 14).
 */
export class GdprService {
  private readonly cap: number;
  constructor(private readonly d: GdprDeps) {
    this.cap = d.exportCap ?? EXPORT_SECTION_CAP;
  }

  private async ownUser(
    r: Repos,
    accountId: number,
    id: number,
    forUpdate = false,
  ): Promise<UserRow> {
    const row = await r.gdpr.userOfAccount(accountId, id, { forUpdate });
    if (!row) throw notFound('User', id);
    return row;
  }

  /** An export's access check, in one read before the worker runs: the caller's account. */
  private async exportAccountOf(actor: Actor): Promise<number> {
    return this.d.uow.read((r) => this.d.access.requireAccount(r, actor, 'gdpr.manage'));
  }

  /** The same for one user's export: the user must be of the caller's account. */
  private async exportUserOf(
    actor: Actor,
    userId: number,
  ): Promise<{ accountId: number; userId: number }> {
    return this.d.uow.read(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'gdpr.manage');
      return { accountId, userId: (await this.ownUser(r, accountId, userId)).id };
    });
  }

  /**
   * Anonymises email and name, clears the password hash, revokes every session and token,
   * removes the roles and deactivates the user. Irreversible: nothing of the old identity is
   * kept anywhere to restore it from, the labels of the user's earlier audit entries become the
   * placeholder email, and the audit entry names the user by id only.
   */
  async erase(actor: Actor, raw: EraseUserInput): Promise<ErasedUser> {
    const input = eraseUserInput.parse(raw);
    const now = this.d.clock.now();
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'gdpr.manage');
      const target = await this.ownUser(r, accountId, input.user_id, true);
      if (target.erasedAt !== null) throw conflict(`User ${target.id} was already erased`);
      if (target.id === actor.userId)
        throw badRequest('You cannot erase yourself; ask another account admin', 'user_id');
      if (emailKey(input.confirm) !== target.emailKey) {
        throw badRequest(
          `confirm must repeat the current email of user ${target.id} exactly: erasure is irreversible`,
          'confirm',
        );
      }
      // The account's active admins are the users' query (users.setRoles guards the same rule).
      const admins = await r.users.activeAdminIds(accountId);
      if ((await r.gdpr.isAccountAdmin(target.id)) && !admins.some((id) => id !== target.id))
        throw conflict(
          'This is the last active account admin; make someone else account admin first',
          'user_id',
        );
      const revoked = await r.gdpr.revokeTokens(target.id, now);
      const rolesRemoved = await r.gdpr.removeRoles(target.id);
      const email = erasedEmail(target.id);
      const row = await r.gdpr.anonymise(
        target.id,
        { email, emailKey: email, name: erasedName(target.id) },
        now,
      );
      // GDPR-1: the email leaves the actor label of every earlier entry too; the chain still
      // verifies (core/audit.ts: labels are not hashed, older entries are sealed).
      await r.audit.relabelActor(target.id, email);
      const sessions = revoked.filter((t) => t.kind === 'session').length;
      const tokens = revoked.length - sessions;
      await r.audit.record(actor, {
        accountId,
        action: 'user.erased',
        targetType: 'user',
        targetId: target.id,
        // Key names avoid the audit redaction patterns (e.g. "token"): these are counts only.
        details: { revoked: { sessions, personal: tokens }, roles_removed: rolesRemoved },
      });
      return {
        id: row.id,
        email: row.email,
        name: row.name,
        is_active: false as const,
        erased_at: iso(now),
        sessions_revoked: sessions,
        tokens_revoked: tokens,
      };
    });
  }

  private build(
    kind: 'user' | 'account',
    subject: DataExport['subject'],
    sections: Record<string, ExportSection>,
    now: number,
    from: number,
  ): DataExport {
    return dataExportDocument(kind, subject, sections, now, from, this.cap);
  }

  private async recordExport(
    actor: Actor,
    accountId: number,
    summary: { counts: Record<string, number>; capped_sections: string[] },
    userId?: number,
  ): Promise<void> {
    await this.d.uow.write(async (r) => {
      await r.audit.record(actor, {
        accountId,
        action: userId === undefined ? 'gdpr.account_exported' : 'gdpr.user_exported',
        targetType: userId === undefined ? 'account' : 'user',
        targetId: userId ?? accountId,
        details: { counts: summary.counts, capped_sections: summary.capped_sections },
      });
    });
  }

  private static summary(data: DataExport) {
    return {
      counts: Object.fromEntries(Object.entries(data.sections).map(([k, s]) => [k, s.count])),
      capped_sections: data.capped_sections,
    };
  }

  /**
   * GDPR-2 as the file itself (REST): read, built and encoded on a worker; the access check
   * before, the audit entry after the read and before the first byte is sent.
   */
  private async exportFile(actor: Actor, accountId: number, userId?: number): Promise<FileAnswer> {
    const now = this.d.clock.now();
    const from = now - EXPORT_DAYS * DAY_MS;
    const out = await this.d.offload.run<GdprExportBytes>({
      kind: 'gdpr.file',
      subject: userId === undefined ? { accountId } : { accountId, userId },
      now,
      from,
      cap: this.cap,
    });
    await this.recordExport(actor, accountId, out, userId);
    const who = userId === undefined ? `account-${accountId}` : `user-${userId}`;
    return {
      kind: 'file',
      filename: `orgdesk-gdpr-${who}-${iso(now).slice(0, 10)}.json`,
      contentType: 'application/json; charset=utf-8',
      bytes: out.bytes,
      headers: {
        [EXPORT_FILE_HEADERS.cappedSections]: out.capped_sections.join(','),
        [EXPORT_FILE_HEADERS.cap]: String(this.cap),
      },
    };
  }

  /** GDPR-2 for one user of the caller's account, as the file (REST). */
  async exportUserFile(actor: Actor, raw: z.input<typeof exportUserInput>): Promise<FileAnswer> {
    const input = exportUserInput.parse(raw);
    const { accountId, userId } = await this.exportUserOf(actor, input.user_id);
    return this.exportFile(actor, accountId, userId);
  }

  /** GDPR-2 for the caller's whole account, as the file (REST). */
  async exportAccountFile(actor: Actor): Promise<FileAnswer> {
    const accountId = await this.exportAccountOf(actor);
    return this.exportFile(actor, accountId);
  }

  /** GDPR-2 for one user of the caller's account. */
  async exportUser(actor: Actor, raw: z.input<typeof exportUserInput>): Promise<DataExport> {
    const input = exportUserInput.parse(raw);
    const { accountId, userId } = await this.exportUserOf(actor, input.user_id);
    const target = { id: userId };
    const now = this.d.clock.now();
    const from = now - EXPORT_DAYS * DAY_MS;
    const sections = await this.d.offload.run<Record<string, ExportSection>>({
      kind: 'gdpr.sections',
      subject: { accountId, userId: target.id },
      from,
      cap: this.cap,
    });
    const data = this.build(
      'user',
      { account_id: accountId, user_id: target.id },
      sections,
      now,
      from,
    );
    await this.recordExport(actor, accountId, GdprService.summary(data), target.id);
    return data;
  }

  /** GDPR-2 for the caller's whole account. */
  async exportAccount(actor: Actor): Promise<DataExport> {
    const accountId = await this.exportAccountOf(actor);
    const now = this.d.clock.now();
    const from = now - EXPORT_DAYS * DAY_MS;
    const sections = await this.d.offload.run<Record<string, ExportSection>>({
      kind: 'gdpr.sections',
      subject: { accountId },
      from,
      cap: this.cap,
    });
    const data = this.build('account', { account_id: accountId }, sections, now, from);
    await this.recordExport(actor, accountId, GdprService.summary(data));
    return data;
  }
}
