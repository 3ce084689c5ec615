import { and, asc, count, desc, eq, inArray, lt } from 'drizzle-orm';
import type { z } from 'zod';
import type { SyncAccess } from '../../core/access';
import { systemActor, type Actor } from '../../core/actor';
import type { AuditLog } from '../../core/audit';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { DomainError, badRequest, conflict } from '../../core/errors';
import type { Db } from '../../db/database';
import { accounts, hosts, organizations, recordings, users } from '../../db/schema';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  DEFAULT_ACCOUNT_RETENTION_DAYS,
  createRecordingInput,
  listRecordingsInput,
  setAccountRetentionInput,
  type AccountRetention,
  type CleanupOrgReport,
  type CleanupReport,
  type CreateRecordingInput,
  type DeletedRecording,
  type GovernanceSettings,
  type Recording,
} from '../../../shared/schemas/governance.schema';

export interface GovernanceDeps {
  db: Db;
  clock: Clock;
  access: SyncAccess;
  audit: AuditLog;
  /** Rows deleted per cleanup transaction: short transactions keep the database responsive. */
  cleanupBatchSize?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_CLEANUP_BATCH = 500;

type RecordingRow = typeof recordings.$inferSelect;

const toRecording = (r: RecordingRow): Recording => ({
  id: r.id,
  organization_id: r.organizationId,
  host_id: r.hostId,
  user_id: r.userId,
  kind: r.kind,
  capture: r.capture,
  started_at: iso(r.startedAt),
  ended_at: isoOrNull(r.endedAt),
  size_bytes: r.sizeBytes,
});

const toMs = (t: number | string): number => (typeof t === 'number' ? t : Date.parse(t));

/** GOV-2: the org's own days, or the account default (90 unless changed). */
export const effectiveRetentionDays = (
  orgDays: number | null,
  accountDefault: number | null | undefined,
): number => orgDays ?? accountDefault ?? DEFAULT_ACCOUNT_RETENTION_DAYS;

/** GOV-1..3: recording policy, retention, legal hold, and the retention cleanup. */
export class GovernanceService {
  private readonly batchSize: number;
  constructor(private readonly d: GovernanceDeps) {
    this.batchSize = d.cleanupBatchSize ?? DEFAULT_CLEANUP_BATCH;
  }

  private orgWithAccount(orgId: number) {
    return this.d.db
      .select({ org: organizations, accountDefault: accounts.defaultRetentionDays })
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(eq(organizations.id, orgId))
      .get();
  }

  settings(actor: Actor, orgId: number): GovernanceSettings {
    const ref = this.d.access.requireOrg(actor, orgId);
    const { org, accountDefault } = this.orgWithAccount(ref.id)!;
    return {
      organization_id: org.id,
      recording_policy: org.recordingPolicy,
      recording_retention_days: org.recordingRetentionDays,
      effective_retention_days: effectiveRetentionDays(org.recordingRetentionDays, accountDefault),
      inherited: org.recordingRetentionDays === null,
      account_default_retention_days: accountDefault,
      legal_hold: org.legalHold,
      legal_hold_reason: org.legalHoldReason,
    };
  }

  /** Recording metadata of an org, newest first; any reader of the org. */
  recordings(actor: Actor, raw: z.input<typeof listRecordingsInput>): Page<Recording> {
    const input = listRecordingsInput.parse(raw);
    const org = this.d.access.requireOrg(actor, input.organization_id);
    const filter = eq(recordings.organizationId, org.id);
    const total = this.d.db.select({ n: count() }).from(recordings).where(filter).get()?.n ?? 0;
    const rows = this.d.db
      .select()
      .from(recordings)
      .where(filter)
      .orderBy(desc(recordings.startedAt), desc(recordings.id))
      .limit(input.limit)
      .offset(input.skip)
      .all();
    return { items: rows.map(toRecording), total };
  }

  /** Session metadata from the recorder (integrations and tests); the org's policy applies. */
  createRecording(actor: Actor, raw: CreateRecordingInput): Recording {
    const input = createRecordingInput.parse(raw);
    const ref = this.d.access.requireOrg(actor, input.organization_id, 'governance.manage');
    const host = this.d.db
      .select({ id: hosts.id })
      .from(hosts)
      .where(and(eq(hosts.id, input.host_id), eq(hosts.organizationId, ref.id)))
      .get();
    if (!host)
      throw new DomainError(
        'NOT_FOUND',
        `Host ${input.host_id} not found in this organization`,
        'host_id',
      );
    if (input.user_id != null) {
      const user = this.d.db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, input.user_id), eq(users.accountId, ref.accountId)))
        .get();
      if (!user) throw new DomainError('NOT_FOUND', `User ${input.user_id} not found`, 'user_id');
    }
    const startedAt = toMs(input.started_at);
    const endedAt = input.ended_at == null ? null : toMs(input.ended_at);
    if (endedAt !== null && endedAt < startedAt)
      throw badRequest('ended_at must not be before started_at', 'ended_at');
    return this.d.db.transaction(() => {
      const { org } = this.orgWithAccount(ref.id)!;
      if (org.recordingPolicy === 'off') {
        throw conflict(
          `Recording is off for "${org.name}" (recording_policy off): change the policy to record sessions`,
          'organization_id',
        );
      }
      if (org.recordingPolicy === 'metadata' && input.capture === 'full') {
        throw badRequest(
          `capture full is not allowed: "${org.name}" records metadata only (recording_policy metadata)`,
          'capture',
        );
      }
      const row = this.d.db
        .insert(recordings)
        .values({
          organizationId: ref.id,
          hostId: input.host_id,
          userId: input.user_id ?? null,
          kind: input.kind,
          capture: input.capture,
          startedAt,
          endedAt,
          sizeBytes: input.size_bytes,
        })
        .returning()
        .get();
      this.d.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: ref.id,
        action: 'recording.created',
        targetType: 'recording',
        targetId: row.id,
        details: { host_id: row.hostId, kind: row.kind, capture: row.capture },
      });
      return toRecording(row);
    });
  }

  /** GOV-3: a user deletes a recording, never while the org is under legal hold. */
  deleteRecording(actor: Actor, id: number): DeletedRecording {
    const found = this.d.db.select().from(recordings).where(eq(recordings.id, id)).get();
    const { row, org: ref } = this.d.access.requireInOrg(
      actor,
      'Recording',
      id,
      found,
      'governance.manage',
    );
    return this.d.db.transaction(() => {
      // Checked inside the transaction, so a hold placed a moment ago is honoured.
      const { org } = this.orgWithAccount(ref.id)!;
      if (org.legalHold) {
        throw conflict(
          `Recording ${id} cannot be deleted: "${org.name}" is under legal hold (reason: ${org.legalHoldReason ?? 'not given'}). Recordings are kept until the hold is lifted.`,
        );
      }
      this.d.db.delete(recordings).where(eq(recordings.id, id)).run();
      this.d.audit.record(actor, {
        accountId: ref.accountId,
        organizationId: ref.id,
        action: 'recording.deleted',
        targetType: 'recording',
        targetId: id,
        details: { started_at: iso(row.startedAt), kind: row.kind },
      });
      return { id, deleted: true as const };
    });
  }

  /** GOV-2: the account default that orgs with null retention inherit (account admins). */
  setAccountRetention(
    actor: Actor,
    raw: z.input<typeof setAccountRetentionInput>,
  ): AccountRetention {
    const input = setAccountRetentionInput.parse(raw);
    const accountId = this.d.access.requireAccount(actor, 'governance.manage');
    return this.d.db.transaction(() => {
      const before = this.d.db
        .select({ days: accounts.defaultRetentionDays })
        .from(accounts)
        .where(eq(accounts.id, accountId))
        .get();
      this.d.db
        .update(accounts)
        .set({ defaultRetentionDays: input.default_retention_days })
        .where(eq(accounts.id, accountId))
        .run();
      this.d.audit.record(actor, {
        accountId,
        action: 'account.retention_updated',
        targetType: 'account',
        targetId: accountId,
        details: {
          default_retention_days: { from: before?.days ?? null, to: input.default_retention_days },
        },
      });
      return { account_id: accountId, default_retention_days: input.default_retention_days };
    });
  }

  /** On demand (GOV-3): the cleanup for the caller's account, recorded as the caller. */
  cleanupNow(actor: Actor): CleanupReport {
    const accountId = this.d.access.requireAccount(actor, 'governance.manage');
    return this.runCleanup(this.d.clock.now(), { accountId, actor });
  }

  /**
   * GOV-3: deletes recordings older than each org's effective retention, in transactions of at
   * most `batchSize` rows (each with its audit entry), skipping every org under legal hold. The
   * hold is read inside each batch's transaction, so a hold placed while the cleanup runs stops
   * it at once.
   * Without `accountId` it covers every account (the scheduler).
   */
  runCleanup(
    now: number = this.d.clock.now(),
    opts: { accountId?: number; actor?: Actor } = {},
  ): CleanupReport {
    const orgs = this.d.db
      .select({
        id: organizations.id,
        accountId: organizations.accountId,
        name: organizations.name,
        days: organizations.recordingRetentionDays,
        accountDefault: accounts.defaultRetentionDays,
      })
      .from(organizations)
      .innerJoin(accounts, eq(accounts.id, organizations.accountId))
      .where(opts.accountId === undefined ? undefined : eq(organizations.accountId, opts.accountId))
      .orderBy(asc(organizations.id))
      .all();
    const reports: CleanupOrgReport[] = [];
    for (const org of orgs) {
      const days = effectiveRetentionDays(org.days, org.accountDefault);
      const cutoff = now - days * DAY_MS;
      const report: CleanupOrgReport = {
        organization_id: org.id,
        account_id: org.accountId,
        name: org.name,
        effective_retention_days: days,
        cutoff: iso(cutoff),
        deleted: 0,
        batches: 0,
        skipped: null,
      };
      reports.push(report);
      const actor = opts.actor ?? systemActor(org.accountId);
      for (;;) {
        const n = this.deleteBatch(actor, org, cutoff, days);
        if (n === null) {
          report.skipped = 'legal_hold';
          break;
        }
        if (n > 0) {
          report.deleted += n;
          report.batches += 1;
        }
        if (n < this.batchSize) break;
      }
    }
    return {
      ran_at: iso(now),
      batch_size: this.batchSize,
      total_deleted: reports.reduce((s, r) => s + r.deleted, 0),
      organizations: reports,
    };
  }

  /** One bounded transaction; null when the org went under legal hold meanwhile. */
  private deleteBatch(
    actor: Actor,
    org: { id: number; accountId: number },
    cutoff: number,
    days: number,
  ): number | null {
    return this.d.db.transaction(() => {
      const held = this.d.db
        .select({ legalHold: organizations.legalHold })
        .from(organizations)
        .where(eq(organizations.id, org.id))
        .get();
      if (!held || held.legalHold) return null;
      const ids = this.d.db
        .select({ id: recordings.id })
        .from(recordings)
        .where(and(eq(recordings.organizationId, org.id), lt(recordings.startedAt, cutoff)))
        .orderBy(asc(recordings.startedAt), asc(recordings.id))
        .limit(this.batchSize)
        .all()
        .map((r) => r.id);
      if (ids.length === 0) return 0;
      this.d.db.delete(recordings).where(inArray(recordings.id, ids)).run();
      this.d.audit.record(actor, {
        accountId: org.accountId,
        organizationId: org.id,
        action: 'recordings.retention_deleted',
        targetType: 'organization',
        targetId: org.id,
        details: { deleted: ids.length, retention_days: days, older_than: iso(cutoff) },
      });
      return ids.length;
    });
  }
}
