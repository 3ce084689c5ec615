import { and, eq, isNull, ne } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import type { Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { badRequest, conflict, notFound } from '../../core/errors';
import type { FileAnswer } from '../../core/file-answer';
import type { Offload } from '../../core/offload';
import type { Db } from '../../db/database';
import { apiTokens, roleAssignments, users } from '../../db/schema';
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
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
  /** Records per export section; the product's cap is 10,000 (GDPR-2). */
  exportCap?: number;
  /** The sections are read off the event loop (gdpr.sections in main/workers/read-jobs.ts). */
  offload: Offload;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The placeholders an erased user keeps: unique, never deliverable (.invalid, RFC 2606). */
export const erasedEmail = (id: number): string => `erased-user-${id}@erased.invalid`;
export const erasedName = (id: number): string => `Erased user ${id}`;

/** GDPR-1 erasure and GDPR-2 export, account admins (gdpr.manage) within their own account. */
export class GdprService {
  private readonly cap: number;
  constructor(private readonly d: GdprDeps) {
    this.cap = d.exportCap ?? EXPORT_SECTION_CAP;
  }

  private ownUser(accountId: number, id: number) {
    const row = this.d.db
      .select()
      .from(users)
      .where(and(eq(users.id, id), eq(users.accountId, accountId)))
      .get();
    if (!row) throw notFound('User', id);
    return row;
  }

  /**
   * Anonymises email and name, clears the password hash, revokes every session and token,
   * removes the roles and deactivates the user. Irreversible: nothing of the old identity is
   * kept anywhere to restore it from, the labels of the user's earlier audit entries become the
   * placeholder email, and the audit entry names the user by id only.
   */
  erase(actor: Actor, raw: EraseUserInput): ErasedUser {
    const input = eraseUserInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'gdpr.manage');
    const target = this.ownUser(accountId, input.user_id);
    if (target.erasedAt !== null) throw conflict(`User ${target.id} was already erased`);
    if (target.id === actor.userId)
      throw badRequest('You cannot erase yourself; ask another account admin', 'user_id');
    if (emailKey(input.confirm) !== target.emailKey) {
      throw badRequest(
        `confirm must repeat the current email of user ${target.id} exactly: erasure is irreversible`,
        'confirm',
      );
    }
    const now = this.d.clock.now();
    return this.d.db.transaction(() => {
      const isAdmin = this.d.db
        .select({ id: roleAssignments.id })
        .from(roleAssignments)
        .where(
          and(eq(roleAssignments.userId, target.id), eq(roleAssignments.role, 'account_admin')),
        )
        .get();
      if (isAdmin) {
        const otherAdmin = this.d.db
          .select({ id: users.id })
          .from(roleAssignments)
          .innerJoin(users, eq(users.id, roleAssignments.userId))
          .where(
            and(
              eq(roleAssignments.accountId, accountId),
              eq(roleAssignments.role, 'account_admin'),
              eq(users.isActive, true),
              ne(users.id, target.id),
            ),
          )
          .get();
        if (!otherAdmin)
          throw conflict(
            'This is the last active account admin; make someone else account admin first',
            'user_id',
          );
      }
      const revoked = this.d.db
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.userId, target.id), isNull(apiTokens.revokedAt)))
        .returning({ kind: apiTokens.kind })
        .all();
      // Token names are free text the user chose: they may name the person too.
      this.d.db
        .update(apiTokens)
        .set({ name: 'erased' })
        .where(eq(apiTokens.userId, target.id))
        .run();
      const roles = this.d.db
        .delete(roleAssignments)
        .where(eq(roleAssignments.userId, target.id))
        .returning({ id: roleAssignments.id })
        .all();
      const email = erasedEmail(target.id);
      const row = this.d.db
        .update(users)
        .set({
          email,
          emailKey: email,
          name: erasedName(target.id),
          passwordHash: null,
          isActive: false,
          erasedAt: now,
          updatedAt: now,
        })
        .where(eq(users.id, target.id))
        .returning()
        .get()!;
      // GDPR-1: the email leaves the actor label of every earlier entry too; the chain still
      // verifies (core/audit.ts: labels are not hashed, older entries are sealed).
      this.d.audit.relabelActor(target.id, email);
      const sessions = revoked.filter((t) => t.kind === 'session').length;
      const tokens = revoked.length - sessions;
      this.d.audit.record(actor, {
        accountId,
        action: 'user.erased',
        targetType: 'user',
        targetId: target.id,
        // Key names avoid the audit redaction patterns (e.g. "token"): these are counts only.
        details: { revoked: { sessions, personal: tokens }, roles_removed: roles.length },
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

  private recordExport(
    actor: Actor,
    accountId: number,
    summary: { counts: Record<string, number>; capped_sections: string[] },
    userId?: number,
  ): void {
    this.d.db.transaction(() => {
      this.d.audit.record(actor, {
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
    this.recordExport(actor, accountId, out, userId);
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
    const accountId = this.d.access.requireAccount(actor, 'gdpr.manage');
    const target = this.ownUser(accountId, input.user_id);
    return this.exportFile(actor, accountId, target.id);
  }

  /** GDPR-2 for the caller's whole account, as the file (REST). */
  async exportAccountFile(actor: Actor): Promise<FileAnswer> {
    const accountId = this.d.access.requireAccount(actor, 'gdpr.manage');
    return this.exportFile(actor, accountId);
  }

  /** GDPR-2 for one user of the caller's account. */
  async exportUser(actor: Actor, raw: z.input<typeof exportUserInput>): Promise<DataExport> {
    const input = exportUserInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'gdpr.manage');
    const target = this.ownUser(accountId, input.user_id);
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
    this.recordExport(actor, accountId, GdprService.summary(data), target.id);
    return data;
  }

  /** GDPR-2 for the caller's whole account. */
  async exportAccount(actor: Actor): Promise<DataExport> {
    const accountId = this.d.access.requireAccount(actor, 'gdpr.manage');
    const now = this.d.clock.now();
    const from = now - EXPORT_DAYS * DAY_MS;
    const sections = await this.d.offload.run<Record<string, ExportSection>>({
      kind: 'gdpr.sections',
      subject: { accountId },
      from,
      cap: this.cap,
    });
    const data = this.build('account', { account_id: accountId }, sections, now, from);
    this.recordExport(actor, accountId, GdprService.summary(data));
    return data;
  }
}
