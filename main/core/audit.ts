import { createHmac, hkdfSync } from 'node:crypto';
import type { AuditEntryRow } from '../domain/rows';
import type { Actor } from './actor';
import type { KeyStore } from './key-store';

export interface AuditEvent {
  accountId: number;
  organizationId?: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/**
 * The actions noticeFor may answer for: every other entry skips it at once. One list for both
 * engines' audit appends (main/db/sqlite/audit-log.ts, main/db/pg/repos/audit.ts).
 */
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
export function chainFields(r: AuditEntryRow): ChainFields {
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
