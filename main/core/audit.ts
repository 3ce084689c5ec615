import { createHmac, hkdfSync } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database';
import { auditEntries } from '../db/schema';
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
 */
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
  hash(f: ChainFields): string {
    const canonical = JSON.stringify([
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
    return createHmac('sha256', this.key).update(canonical).digest('hex');
  }
}

export class AuditLog {
  // Appended on every change: prepared once.
  private readonly lastHash;
  private readonly insert;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly chain: AuditChain,
  ) {
    this.lastHash = db
      .select({ hash: auditEntries.hash })
      .from(auditEntries)
      .where(eq(auditEntries.accountId, sql.placeholder('accountId')))
      .orderBy(desc(auditEntries.id))
      .limit(1)
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
      })
      .prepare();
  }

  /** Appends one entry. Call it inside the use case's transaction so both land or neither. */
  record(actor: Actor, event: AuditEvent): void {
    const last = this.lastHash.get({ accountId: event.accountId });
    const fields: ChainFields = {
      at: this.clock.now(),
      accountId: event.accountId,
      organizationId: event.organizationId ?? null,
      actorUserId: actor.via === 'system' ? null : actor.userId,
      actorLabel: actor.label,
      action: event.action,
      targetType: event.targetType,
      targetId:
        event.targetId === undefined || event.targetId === null ? null : String(event.targetId),
      details: JSON.stringify(redact(event.details ?? {})),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    this.insert.run({ ...fields, hash: this.chain.hash(fields) });
  }
}
