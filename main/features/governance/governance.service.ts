import type { z } from 'zod';
import type { AccessService } from '../../core/access';
import { systemActor, type Actor } from '../../core/actor';
import { iso, isoOrNull, type Clock } from '../../core/clock';
import { DomainError, badRequest, conflict, notFound } from '../../core/errors';
import type { RecordingRow } from '../../domain/rows';
import type { Repos, Uow } from '../../repos';
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
  uow: Uow;
  clock: Clock;
  access: AccessService;
  /** Rows deleted per cleanup transaction: short transactions keep the database responsive. */
  cleanupBatchSize?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_CLEANUP_BATCH = 500;

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

/**
 * GOV-1..3: recording policy, retention, legal hold, and the retention cleanup. Every use case is
 * one unit of work with its access check inside (issue 14); the cleanup is one write per batch.
 */
export class GovernanceService {
  private readonly batchSize: number;
  constructor(private readonly d: GovernanceDeps) {
    this.batchSize = d.cleanupBatchSize ?? DEFAULT_CLEANUP_BATCH;
  }

  private async orgWithAccount(r: Repos, orgId: number) {
    const found = await r.governance.orgGovernance(orgId);
    // Only after an access check that just read the org: gone means deleted concurrently.
    if (!found) throw notFound('Organization', orgId);
    return found;
  }

  async settings(actor: Actor, orgId: number): Promise<GovernanceSettings> {
    return this.d.uow.read(async (r) => {
      const ref = await this.d.access.requireOrg(r, actor, orgId);
      const { org, accountDefault } = await this.orgWithAccount(r, ref.id);
      return {
        organization_id: org.id,
        recording_policy: org.recordingPolicy,
        recording_retention_days: org.recordingRetentionDays,
        effective_retention_days: effectiveRetentionDays(
          org.recordingRetentionDays,
          accountDefault,
        ),
        inherited: org.recordingRetentionDays === null,
        account_default_retention_days: accountDefault,
        legal_hold: org.legalHold,
        legal_hold_reason: org.legalHoldReason,
      };
    });
  }

  /** Recording metadata of an org, newest first; any reader of the org. */
  async recordings(
    actor: Actor,
    raw: z.input<typeof listRecordingsInput>,
  ): Promise<Page<Recording>> {
    const input = listRecordingsInput.parse(raw);
    return this.d.uow.read(async (r) => {
      const org = await this.d.access.requireOrg(r, actor, input.organization_id);
      const { total, rows } = await r.governance.recordingsPage(org.id, input.skip, input.limit);
      return { items: rows.map(toRecording), total };
    });
  }

  /** Session metadata from the recorder (integrations and tests); the org's policy applies. */
  async createRecording(actor: Actor, raw: CreateRecordingInput): Promise<Recording> {
    const input = createRecordingInput.parse(raw);
    const startedAt = toMs(input.started_at);
    const endedAt = input.ended_at == null ? null : toMs(input.ended_at);
    return this.d.uow.write(async (r) => {
      const ref = await this.d.access.requireOrg(
        r,
        actor,
        input.organization_id,
        'governance.manage',
      );
      if (!(await r.governance.hostInOrg(ref.id, input.host_id)))
        throw new DomainError(
          'NOT_FOUND',
          `Host ${input.host_id} not found in this organization`,
          'host_id',
        );
      if (
        input.user_id != null &&
        !(await r.governance.userInAccount(ref.accountId, input.user_id))
      )
        throw new DomainError('NOT_FOUND', `User ${input.user_id} not found`, 'user_id');
      if (endedAt !== null && endedAt < startedAt)
        throw badRequest('ended_at must not be before started_at', 'ended_at');
      const { org } = await this.orgWithAccount(r, ref.id);
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
      const row = await r.governance.insertRecording({
        organizationId: ref.id,
        hostId: input.host_id,
        userId: input.user_id ?? null,
        kind: input.kind,
        capture: input.capture,
        startedAt,
        endedAt,
        sizeBytes: input.size_bytes,
      });
      await r.audit.record(actor, {
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
  async deleteRecording(actor: Actor, id: number): Promise<DeletedRecording> {
    return this.d.uow.write(async (r) => {
      const found = await r.governance.recording(id);
      const { row, org: ref } = await this.d.access.requireInOrg(
        r,
        actor,
        'Recording',
        id,
        found,
        'governance.manage',
      );
      // Read in the same transaction as the delete, so a hold placed a moment ago is honoured.
      const { org } = await this.orgWithAccount(r, ref.id);
      if (org.legalHold) {
        throw conflict(
          `Recording ${id} cannot be deleted: "${org.name}" is under legal hold (reason: ${org.legalHoldReason ?? 'not given'}). Recordings are kept until the hold is lifted.`,
        );
      }
      await r.governance.deleteRecording(id);
      await r.audit.record(actor, {
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
  async setAccountRetention(
    actor: Actor,
    raw: z.input<typeof setAccountRetentionInput>,
  ): Promise<AccountRetention> {
    const input = setAccountRetentionInput.parse(raw);
    return this.d.uow.write(async (r) => {
      const accountId = await this.d.access.requireAccount(r, actor, 'governance.manage');
      const before = await r.governance.accountRetention(accountId);
      await r.governance.setAccountRetention(accountId, input.default_retention_days);
      await r.audit.record(actor, {
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

  /**
   * On demand (GOV-3): the cleanup for the caller's account, recorded as the caller. A cleanup is
   * many short transactions, so the caller's right is checked first and again inside every
   * batch's write (a revocation mid-run stops it at the next batch), like the legal hold.
   */
  async cleanupNow(actor: Actor): Promise<CleanupReport> {
    const accountId = await this.d.uow.read((r) =>
      this.d.access.requireAccount(r, actor, 'governance.manage'),
    );
    return this.runCleanup(this.d.clock.now(), { accountId, actor });
  }

  /**
   * GOV-3: deletes recordings older than each org's effective retention, in transactions of at
   * most `batchSize` rows (each with its audit entry), skipping every org under legal hold. The
   * hold is read inside each batch's transaction, so a hold placed while the cleanup runs stops
   * it at the next batch: other requests run between batches (each is its own unit of work).
   * Without `accountId` it covers every account (the scheduler).
   */
  async runCleanup(
    now: number = this.d.clock.now(),
    opts: { accountId?: number; actor?: Actor } = {},
  ): Promise<CleanupReport> {
    const orgs = await this.d.uow.read((r) =>
      r.governance.cleanupCandidates(opts.accountId ?? null),
    );
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
      for (;;) {
        const n = await this.deleteBatch(opts.actor, org, cutoff, days);
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

  /**
   * One bounded unit of work; null when the org went under legal hold (or away) meanwhile. A
   * caller's own run (no actor: the scheduler, as the system) is re-checked inside it.
   */
  private async deleteBatch(
    caller: Actor | undefined,
    org: { id: number; accountId: number },
    cutoff: number,
    days: number,
  ): Promise<number | null> {
    const actor = caller ?? systemActor(org.accountId);
    return this.d.uow.write(async (r) => {
      if (caller) await this.d.access.requireAccount(r, caller, 'governance.manage', org.accountId);
      const held = await r.governance.legalHoldOf(org.id);
      if (held === undefined || held) return null;
      const ids = await r.governance.expiredRecordings(org.id, cutoff, this.batchSize);
      if (ids.length === 0) return 0;
      await r.governance.deleteRecordings(ids);
      await r.audit.record(actor, {
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
