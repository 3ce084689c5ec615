import { createHmac, hkdfSync } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import {
  auditEntries,
  auditHeads,
  emailOutbox,
  integrationDestinations,
  notifications,
  outbox,
  roleAssignments,
  users,
} from '../db/schema';
import { noticeFor, type Notice } from './notification-policy';
import { eventMatches } from '../../shared/integrations';
import type { Actor } from './actor';
import type { Clock } from './clock';
import type { KeyStore } from './key-store';

export interface AuditEvent {
  accountId: number;
  organizationId?: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/** The actions noticeFor may answer for: every other entry skips it at once. */
export const NOTIFIED_PREFIXES = ['support_access.', 'integration.'];

export const GENESIS_HASH = '0'.repeat(64);

// Values under keys like these never reach an audit entry, whatever a caller passes (AUD-1).
const SENSITIVE_KEY = /secret|password|token|hash|ciphertext|private|credential|api_?key/i;

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SENSITIVE_KEY.test(k) ? '[redacted]' : redact(v);
    return out;
  }
  return value;
}

export interface ChainFields {
  at: number;
  accountId: number;
  organizationId: number | null;
  actorUserId: number | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: string;
  prevHash: string;
}

/**
 * AUD-3: each entry's hash is an HMAC over its fields and the previous entry's hash (per account),
 * keyed from the master key, so someone with only the database file cannot forge a valid chain.
 *
 * GDPR-1: an erased user's email must leave the actor labels of their earlier entries, and the
 * chain must still verify. So the hash input is versioned, per entry (told apart by which
 * recomputation matches: each version's input starts differently, so they never collide):
 * - v1 (entries written before this change): the label is hashed with the rest;
 * - v2 (every entry written now): a user's entry binds the actor by id, not by label (the label
 *   is a display copy of their email, replaced on erasure); the system actor's label is hashed;
 * - sealed: a v1 entry whose label erasure replaced. It keeps its v1 hash (the next entry links
 *   to it) and gains a seal, an HMAC over its new fields and that hash, written when erasure
 *   checked the v1 hash; the hash column holds `<v1 hash>:sealed:<seal>`.
 * verify accepts an entry when its version recomputes; the link is always the first 64 hex.
 */
export const SEAL_MARK = ':sealed:';
const V2_TAG = 'orgdesk/audit/2';
const SEAL_TAG = 'orgdesk/audit/1-erased';

/** The hash the next entry links to: the stored hash without a seal. */
export const linkHash = (stored: string): string => {
  const at = stored.indexOf(SEAL_MARK);
  return at === -1 ? stored : stored.slice(0, at);
};

export class AuditChain {
  private readonly key: Buffer;
  constructor(keys: KeyStore) {
    this.key = Buffer.from(
      hkdfSync('sha256', keys.masterKey(), Buffer.alloc(0), 'orgdesk/audit-chain', 32),
    );
  }
  /** The chain of an already derived key: a verification worker gets this, not the master key. */
  static fromKey(key: Uint8Array): AuditChain {
    const chain = Object.create(AuditChain.prototype) as AuditChain;
    (chain as unknown as { key: Buffer }).key = Buffer.from(key);
    return chain;
  }
  /** A copy of the derived key, for this process's own verification worker (never stored). */
  derivedKey(): Buffer {
    return Buffer.from(this.key);
  }

  private mac(input: unknown[]): string {
    return createHmac('sha256', this.key).update(JSON.stringify(input)).digest('hex');
  }

  /** The hash of a new entry (v2). */
  hash(f: ChainFields): string {
    return this.mac([
      V2_TAG,
      f.prevHash,
      f.at,
      f.accountId,
      f.organizationId,
      f.actorUserId,
      // A user is bound by id; only the system actor (no id) is bound by its label.
      f.actorUserId === null ? f.actorLabel : null,
      f.action,
      f.targetType,
      f.targetId,
      f.details,
    ]);
  }

  /** The hash entries had before v2: the label included. Kept to verify them. */
  hashV1(f: ChainFields): string {
    return this.mac([
      f.prevHash,
      f.at,
      f.accountId,
      f.organizationId,
      f.actorUserId,
      f.actorLabel,
      f.action,
      f.targetType,
      f.targetId,
      f.details,
    ]);
  }

  private seal(f: ChainFields, link: string): string {
    return this.mac([
      SEAL_TAG,
      link,
      f.prevHash,
      f.at,
      f.accountId,
      f.organizationId,
      f.actorUserId,
      f.actorLabel,
      f.action,
      f.targetType,
      f.targetId,
      f.details,
    ]);
  }

  /** Whether a stored entry verifies, by its version. */
  verifies(f: ChainFields, stored: string): boolean {
    const at = stored.indexOf(SEAL_MARK);
    if (at !== -1) {
      return this.seal(f, stored.slice(0, at)) === stored.slice(at + SEAL_MARK.length);
    }
    return this.hash(f) === stored || this.hashV1(f) === stored;
  }

  /**
   * The stored hash an entry gets when its actor label is replaced by `label` (GDPR-1): a v2
   * entry keeps its hash (the label is not in it); a v1 entry that verifies is sealed. An entry
   * that does not verify stays as it is: it was altered before, and verify keeps saying so.
   */
  relabelled(f: ChainFields, stored: string, label: string): string {
    if (stored.includes(SEAL_MARK) || this.hashV1(f) !== stored) return stored;
    return `${stored}${SEAL_MARK}${this.seal({ ...f, actorLabel: label }, stored)}`;
  }
}

export class AuditLog {
  // Appended on every change: prepared once.
  private readonly head;
  private readonly insert;
  private readonly moveHead;
  private readonly destinations;
  private readonly enqueue;
  private readonly admins;
  private readonly userEmail;
  private readonly notify;
  private readonly queueEmail;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly chain: AuditChain,
    /** INT-3: queue each notification for email too (ORGDESK_SMTP_URL is set). */
    private readonly opts: { email?: boolean } = {},
  ) {
    this.head = db
      .select({ seq: auditHeads.seq, hash: auditHeads.hash })
      .from(auditHeads)
      .where(eq(auditHeads.accountId, sql.placeholder('accountId')))
      .prepare();
    const v = (name: string) => sql.placeholder(name);
    this.insert = db
      .insert(auditEntries)
      .values({
        at: v('at'),
        accountId: v('accountId'),
        organizationId: v('organizationId'),
        actorUserId: v('actorUserId'),
        actorLabel: v('actorLabel'),
        action: v('action'),
        targetType: v('targetType'),
        targetId: v('targetId'),
        details: v('details'),
        prevHash: v('prevHash'),
        hash: v('hash'),
        seq: v('seq'),
      })
      .returning({ id: auditEntries.id })
      .prepare();
    this.moveHead = db
      .insert(auditHeads)
      .values({ accountId: v('accountId'), seq: v('seq'), hash: v('hash') })
      .onConflictDoUpdate({
        target: auditHeads.accountId,
        set: { seq: sql`excluded.seq`, hash: sql`excluded.hash` },
      })
      .prepare();
    // INT-1/INT-2: the account's enabled destinations, read on every append (nothing cached: a
    // destination created by another replica takes effect at once, SCALE-2).
    this.destinations = db
      .select({ id: integrationDestinations.id, events: integrationDestinations.events })
      .from(integrationDestinations)
      .where(
        and(
          eq(integrationDestinations.accountId, v('accountId')),
          eq(integrationDestinations.enabled, true),
        ),
      )
      .prepare();
    this.enqueue = db
      .insert(outbox)
      .values({
        destinationId: v('destinationId'),
        accountId: v('accountId'),
        auditEntryId: v('auditEntryId'),
        createdAt: v('at'),
      })
      .prepare();
    // INT-3: the recipients, read at the event (a new admin is told from then on).
    this.admins = db
      .selectDistinct({ userId: users.id, email: users.email })
      .from(roleAssignments)
      .innerJoin(users, eq(users.id, roleAssignments.userId))
      .where(
        and(
          eq(roleAssignments.accountId, v('accountId')),
          eq(roleAssignments.role, 'account_admin'),
          eq(users.isActive, true),
        ),
      )
      .orderBy(users.id)
      .prepare();
    this.userEmail = db
      .select({ email: users.email })
      .from(users)
      .where(eq(users.id, v('id')))
      .prepare();
    this.notify = db
      .insert(notifications)
      .values({
        accountId: v('accountId'),
        userId: v('userId'),
        auditEntryId: v('auditEntryId'),
        kind: v('kind'),
        title: v('title'),
        body: v('body'),
        createdAt: v('at'),
      })
      .returning({ id: notifications.id })
      .prepare();
    this.queueEmail = db
      .insert(emailOutbox)
      .values({
        notificationId: v('notificationId'),
        accountId: v('accountId'),
        toAddress: v('toAddress'),
        subject: v('subject'),
        body: v('body'),
        createdAt: v('at'),
      })
      .prepare();
  }

  /**
   * Appends one entry. Call it inside the use case's transaction so both land or neither. It
   * links to the account's chain head and moves the head in the same transaction; the entry's
   * seq is unique per account, so an append that read a head another writer has moved since
   * fails (UNIQUE) rather than forking the chain (scale-out.md §4.3).
   */
  record(actor: Actor, event: AuditEvent): void {
    const head = this.head.get({ accountId: event.accountId });
    const fields: ChainFields = {
      ...entryFields(actor, event, this.clock.now()),
      prevHash: head ? head.hash : GENESIS_HASH,
    };
    const hash = this.chain.hash(fields);
    const seq = (head?.seq ?? 0) + 1;
    const entry = this.insert.get({ ...fields, hash, seq })!;
    this.moveHead.run({ accountId: event.accountId, seq, hash });
    // The outbox (INT-1/INT-2): one row per matching destination, in this same transaction, so
    // a change that rolls back forwards nothing and one that commits cannot be lost. Fanned out
    // here rather than at drain so each destination keeps its own backlog, retries and log, and
    // a destination created later is not sent the entries from before it.
    for (const d of this.destinations.all({ accountId: event.accountId })) {
      const patterns = d.events === null ? null : (JSON.parse(d.events) as string[]);
      if (!eventMatches(patterns, event.action)) continue;
      this.enqueue.run({
        destinationId: d.id,
        accountId: event.accountId,
        auditEntryId: entry.id,
        at: fields.at,
      });
    }
    this.tellAdmins(fields, entry.id);
  }

  /**
   * INT-3: the account's admins are told of the entries noticeFor names: one notification per
   * admin and, with SMTP configured, one queued email each, in this same transaction (a change
   * that rolls back tells no one; the email drainer sends after the commit).
   */
  private tellAdmins(f: Omit<ChainFields, 'prevHash'>, auditEntryId: number): void {
    if (!NOTIFIED_PREFIXES.some((p) => f.action.startsWith(p))) return;
    const details = JSON.parse(f.details) as Record<string, unknown>;
    const engineerId = details.engineer_user_id;
    const notice = noticeFor({
      action: f.action,
      actorLabel: f.actorLabel,
      details,
      targetId: f.targetId,
      engineerLabel:
        typeof engineerId === 'number'
          ? (this.userEmail.get({ id: engineerId })?.email ?? null)
          : null,
    });
    if (notice) this.tell(f.accountId, f.action, notice, auditEntryId, f.at);
  }

  /**
   * INT-3: one notification per active account admin and, with SMTP configured, one queued
   * email each; in the caller's transaction. How many admins were told.
   */
  tell(
    accountId: number,
    kind: string,
    notice: Notice,
    auditEntryId: number | null,
    at: number,
  ): number {
    const admins = this.admins.all({ accountId });
    for (const admin of admins) {
      const n = this.notify.get({
        accountId,
        userId: admin.userId,
        auditEntryId,
        kind,
        title: notice.title,
        body: notice.body,
        at,
      })!;
      if (!this.opts.email) continue;
      this.queueEmail.run({
        notificationId: n.id,
        accountId,
        toAddress: admin.email,
        subject: `[Orgdesk] ${notice.title}`,
        body: notice.body,
        at,
      });
    }
    return admins.length;
  }

  /**
   * GDPR-1: replaces the actor label of every entry the user made (in any account: a support
   * engineer acts in their customers' trails), keeping each entry verifiable (AuditChain).
   * Call it inside the erasure's transaction. Returns how many entries were relabelled.
   */
  relabelActor(userId: number, label: string): number {
    const rows = this.db
      .select()
      .from(auditEntries)
      .where(eq(auditEntries.actorUserId, userId))
      .all();
    for (const r of rows) {
      const hash = this.chain.relabelled(chainFields(r), r.hash, label);
      this.db
        .update(auditEntries)
        .set({ actorLabel: label, hash })
        .where(eq(auditEntries.id, r.id))
        .run();
    }
    return rows.length;
  }
}

/**
 * What an entry records of an actor and an event, before it is linked: the one derivation both
 * engines' appends use (the PG repository chains these at commit, main/db/pg/repos/audit.ts).
 */
export function entryFields(
  actor: Actor,
  event: AuditEvent,
  at: number,
): Omit<ChainFields, 'prevHash'> {
  return {
    at,
    accountId: event.accountId,
    organizationId: event.organizationId ?? null,
    actorUserId: actor.via === 'system' ? null : actor.userId,
    actorLabel: actor.label,
    action: event.action,
    targetType: event.targetType,
    targetId:
      event.targetId === undefined || event.targetId === null ? null : String(event.targetId),
    details: JSON.stringify(redact(event.details ?? {})),
  };
}

/** The chained fields of a stored entry. */
export function chainFields(r: typeof auditEntries.$inferSelect): ChainFields {
  return {
    at: r.at,
    accountId: r.accountId,
    organizationId: r.organizationId,
    actorUserId: r.actorUserId,
    actorLabel: r.actorLabel,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    details: r.details,
    prevHash: r.prevHash,
  };
}
