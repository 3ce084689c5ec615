// The heavy audit reads as plain functions of a database connection: the verification of a
// chain (AUD-3), the export's rows (AUD-2) and a filtered page. The service runs them through
// an Offload (a worker thread with its own read-only connection, main/workers/), so a chain of
// a million entries or a 50,000-entry export never holds the server's event loop.
import { sign, type KeyObject } from 'node:crypto';
import { and, asc, count, desc, eq, gt, gte, lt, sql, type SQL } from 'drizzle-orm';
import { GENESIS_HASH, chainFields, linkHash, type AuditChain } from '../../core/audit';
import { iso } from '../../core/clock';
import type { OffloadProgress } from '../../core/offload';
import type { Db } from '../../db/database';
import type { AuditEntryRow, AuditHeadRow } from '../../domain/rows';
import { auditEntries, auditHeads } from '../../db/schema';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  MAX_AUDIT_EXPORT,
  instantMs,
  type AuditChainProblem,
  type AuditEntry,
  type AuditFilter,
  type AuditVerifyResult,
} from '../../../shared/schemas/audit.schema';
import { toCsv } from './audit.csv';

type Row = AuditEntryRow;

/** The parsed AUD-2 filters (list and export share them). */
export interface Filter {
  organization_id?: number | null;
  account_id?: number | null;
  actor_user_id?: number | null;
  actor?: string | null;
  action?: string | null;
  target_type?: string | null;
  target_id?: string | null;
  from?: string | null;
  to?: string | null;
}

/** Whose entries: one org's (audit_org_at_idx) or one account's (audit_account_at_idx). */
export type AuditScope = { organizationId: number } | { accountId: number };

const VERIFY_BATCH = 2000;

export function toEntry(r: Row): AuditEntry {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(r.details) as Record<string, unknown>;
  } catch {
    details = { unparsable: r.details };
  }
  return {
    id: r.id,
    at: iso(r.at),
    account_id: r.accountId,
    organization_id: r.organizationId,
    actor_user_id: r.actorUserId,
    actor_label: r.actorLabel,
    action: r.action,
    target_type: r.targetType,
    target_id: r.targetId,
    details,
    prev_hash: r.prevHash,
    // The link; an erased v1 entry's seal stays in the database (core/audit.ts).
    hash: linkHash(r.hash),
  };
}

export const scopeCondition = (s: AuditScope): SQL =>
  'organizationId' in s
    ? eq(auditEntries.organizationId, s.organizationId)
    : eq(auditEntries.accountId, s.accountId);

/** The filter conditions of AUD-2, applied after the scope (whose index serves the query). */
export function auditConditions(f: Filter): SQL[] {
  const out: SQL[] = [];
  if (f.actor_user_id) out.push(eq(auditEntries.actorUserId, f.actor_user_id));
  if (f.actor) {
    out.push(sql`instr(lower(${auditEntries.actorLabel}), ${f.actor.toLowerCase()}) > 0`);
  }
  if (f.action) {
    const prefix = f.action.endsWith('*') ? f.action.slice(0, -1) : f.action;
    // substr() compares literally: % and _ in a prefix mean themselves, unlike LIKE.
    if (prefix.endsWith('.') || f.action.endsWith('*')) {
      out.push(sql`substr(${auditEntries.action}, 1, ${prefix.length}) = ${prefix}`);
    } else {
      out.push(eq(auditEntries.action, f.action));
    }
  }
  if (f.target_type) out.push(eq(auditEntries.targetType, f.target_type));
  if (f.target_id) out.push(eq(auditEntries.targetId, f.target_id));
  if (f.from) out.push(gte(auditEntries.at, instantMs(f.from)!));
  if (f.to) out.push(lt(auditEntries.at, instantMs(f.to)!));
  return out;
}

/** Whether a filter goes beyond the scope's index: such a page may scan the whole scope. */
export const hasFilter = (f: Filter): boolean => auditConditions(f).length > 0;

/**
 * AUD-2 page order: by time, then id (the order written): not id alone, which is time order only
 * while the clock never steps back. audit_account_at_idx or audit_org_at_idx serves either
 * direction, and the from/to range too.
 */
export const auditOrder = (order: 'asc' | 'desc'): SQL[] =>
  order === 'asc'
    ? [asc(auditEntries.at), asc(auditEntries.id)]
    : [desc(auditEntries.at), desc(auditEntries.id)];

/** AUD-2: a page, newest first unless `order` is asc, with the total for the pager. */
export function auditPage(db: Db, scope: AuditScope, f: AuditFilter): Page<AuditEntry> {
  const filter = and(scopeCondition(scope), ...auditConditions(f));
  const rows = db
    .select()
    .from(auditEntries)
    .where(filter)
    .orderBy(...auditOrder(f.order))
    .limit(f.limit)
    .offset(f.skip)
    .all();
  const total = db.select({ n: count() }).from(auditEntries).where(filter).get()?.n ?? 0;
  return { items: rows.map(toEntry), total };
}

export interface AuditExportBytes {
  /** The file as saved: the UTF-8 bytes of the CSV or JSON text (encoded here, on the worker). */
  bytes: Uint8Array;
  /** base64 of the Ed25519 signature of exactly these bytes (signed here, on the worker). */
  signature: string;
  count: number;
  truncated: boolean;
}

/** AUD-2 export: oldest first (the order of the chain), at most MAX_AUDIT_EXPORT entries. */
export function auditExportBytes(
  db: Db,
  scope: AuditScope,
  f: Filter,
  format: 'csv' | 'json',
  signingKey: KeyObject,
): AuditExportBytes {
  const rows = db
    .select()
    .from(auditEntries)
    .where(and(scopeCondition(scope), ...auditConditions(f)))
    .orderBy(asc(auditEntries.id))
    .limit(MAX_AUDIT_EXPORT + 1)
    .all();
  return auditExportFile(rows, format, signingKey);
}

/**
 * The export file of up to MAX_AUDIT_EXPORT + 1 rows read oldest first (one more than the cap
 * tells that it was cut): encoded and signed, the same bytes whichever engine read the rows.
 */
export function auditExportFile(
  rows: readonly AuditEntryRow[],
  format: 'csv' | 'json',
  signingKey: KeyObject,
): AuditExportBytes {
  const truncated = rows.length > MAX_AUDIT_EXPORT;
  const entries = rows.slice(0, MAX_AUDIT_EXPORT).map(toEntry);
  const content = format === 'csv' ? toCsv(entries) : JSON.stringify(entries, null, 2);
  const bytes = Buffer.from(content, 'utf8');
  const signature = sign(null, bytes, signingKey).toString('base64');
  return { bytes, signature, count: entries.length, truncated };
}

function* chainOf(db: Db, accountId: number): Generator<Row[]> {
  let after = 0;
  for (;;) {
    const batch = db
      .select()
      .from(auditEntries)
      .where(and(eq(auditEntries.accountId, accountId), gt(auditEntries.seq, after)))
      .orderBy(asc(auditEntries.seq))
      .limit(VERIFY_BATCH)
      .all();
    if (batch.length > 0) yield batch;
    if (batch.length < VERIFY_BATCH) return;
    after = batch[batch.length - 1]!.seq;
  }
}

/** The newest entry of a chain (by seq) and the head the appends recorded: a walk's two ends. */
export interface ChainEnds {
  head: Pick<AuditEntryRow, 'id' | 'hash' | 'seq'> | undefined;
  kept: Pick<AuditHeadRow, 'seq' | 'hash'> | undefined;
}

/**
 * AUD-3's verdict over an account's entries fed in seq order (its append order on every engine),
 * in batches of any size: the pure part of a verification, shared by the SQLite job below and
 * the PostgreSQL one (main/db/pg/read-jobs.ts), so both name the same first broken entry with
 * the same problem and message. It names the first entry that breaks the chain:
 * - altered: its hash does not recompute from its content (and the chain still runs through it);
 * - inserted: it does not verify (or duplicates another entry), and the next entry links to the
 *   entry before it, i.e. the chain was written without it;
 * - removed: it verifies but its prev_hash is not the previous entry's hash: something between
 *   was deleted. Deleting the newest entries leaves no gap, but the chain then ends before the
 *   head the appends recorded (audit_heads): removed too, named by the last entry left.
 * An entry is judged once its successor is known (one entry of look-ahead, across batches).
 */
export class ChainVerifier {
  /** Entries judged so far (the progress a job reports). */
  checked = 0;
  private prevHash = GENESIS_HASH;
  private prevId: number | null = null;
  private pending: AuditEntryRow | null = null;
  private verdict: AuditVerifyResult | null = null;

  constructor(
    private readonly chain: AuditChain,
    private readonly ends: ChainEnds,
  ) {}

  private get heads(): Pick<AuditVerifyResult, 'head_id' | 'head_hash'> {
    const head = this.ends.head;
    return { head_id: head?.id ?? null, head_hash: head ? linkHash(head.hash) : null };
  }

  /** Takes the next entries; answers the verdict once an entry broke the chain (then stop). */
  feed(batch: readonly AuditEntryRow[]): AuditVerifyResult | null {
    for (const next of batch) {
      if (this.verdict) return this.verdict;
      if (this.pending) this.judge(this.pending, next);
      this.pending = next;
    }
    return this.verdict;
  }

  /** The verdict once every entry was fed. */
  finish(): AuditVerifyResult {
    if (!this.verdict && this.pending) this.judge(this.pending, null);
    this.pending = null;
    if (this.verdict) return this.verdict;
    const { head, kept } = this.ends;
    if (kept && (head === undefined || head.seq !== kept.seq || this.prevHash !== kept.hash)) {
      const end = this.prevId === null ? 'the start of the trail' : `entry ${this.prevId}`;
      return {
        ok: false,
        checked: this.checked,
        ...(this.prevId === null ? {} : { first_bad_entry_id: this.prevId }),
        problem: 'removed',
        message: `Entries were removed from the end of the trail: it ends at ${end}, but the chain head records ${kept.seq} entries`,
        ...this.heads,
      };
    }
    return {
      ok: true,
      checked: this.checked,
      message: `All ${this.checked} entries verify and link in order`,
      ...this.heads,
    };
  }

  private judge(e: AuditEntryRow, next: AuditEntryRow | null): void {
    this.checked++;
    const prevHash = this.prevHash;
    const hashOk = this.chain.verifies(chainFields(e), e.hash);
    const linkOk = e.prevHash === prevHash;
    if (hashOk && linkOk) {
      this.prevHash = linkHash(e.hash);
      this.prevId = e.id;
      return;
    }
    const skipped = next !== null && next.prevHash === prevHash && linkHash(e.hash) !== prevHash;
    const problem: AuditChainProblem = skipped
      ? 'inserted'
      : !hashOk
        ? next === null && !linkOk
          ? 'inserted'
          : 'altered'
        : 'removed';
    const before = this.prevId === null ? 'the start of the trail' : `entry ${this.prevId}`;
    const message = {
      altered: `Entry ${e.id} was changed after it was written: its hash does not match its content`,
      inserted: `Entry ${e.id} was inserted: it does not belong to the chain written after ${before}`,
      removed: `An entry was removed between ${before} and entry ${e.id}: entry ${e.id} does not link to ${before}`,
    }[problem];
    this.verdict = {
      ok: false,
      checked: this.checked,
      first_bad_entry_id: e.id,
      problem,
      message,
      ...this.heads,
    };
  }
}

/**
 * AUD-3 on SQLite: walks the account's chain in seq order in batches (progress after each)
 * through ChainVerifier, which names the first entry that breaks it.
 */
export function verifyChain(
  db: Db,
  chain: AuditChain,
  accountId: number,
  onProgress: (p: OffloadProgress) => void = () => {},
): AuditVerifyResult {
  const head = db
    .select({ id: auditEntries.id, hash: auditEntries.hash, seq: auditEntries.seq })
    .from(auditEntries)
    .where(eq(auditEntries.accountId, accountId))
    .orderBy(desc(auditEntries.seq))
    .limit(1)
    .get();
  // What the appends recorded as the chain's end (main/db/sqlite/audit-log.ts, main/db/pg/repos/audit.ts): entries cut from the end
  // leave a chain that links, but no longer reaches it.
  const kept = db
    .select({ seq: auditHeads.seq, hash: auditHeads.hash })
    .from(auditHeads)
    .where(eq(auditHeads.accountId, accountId))
    .get();
  const total =
    db.select({ n: count() }).from(auditEntries).where(eq(auditEntries.accountId, accountId)).get()
      ?.n ?? 0;
  onProgress({ done: 0, total });
  const verifier = new ChainVerifier(chain, { head, kept });
  for (const batch of chainOf(db, accountId)) {
    const verdict = verifier.feed(batch);
    if (verdict) return verdict;
    onProgress({ done: verifier.checked, total: Math.max(total, verifier.checked) });
  }
  return verifier.finish();
}
