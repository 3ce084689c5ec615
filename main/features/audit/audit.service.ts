import { and, asc, count, desc, eq, gt, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { AccessService } from '../../core/access';
import type { Actor } from '../../core/actor';
import { GENESIS_HASH, type AuditChain } from '../../core/audit';
import { iso, type Clock } from '../../core/clock';
import { notFound } from '../../core/errors';
import type { Db } from '../../db/database';
import { auditEntries } from '../../db/schema';
import type { Page } from '../../../shared/schemas/common.schema';
import {
  MAX_AUDIT_EXPORT,
  exportAuditInput,
  instantMs,
  listAuditInput,
  verifyAuditInput,
  type AuditChainProblem,
  type AuditEntry,
  type AuditExport,
  type AuditVerifyResult,
  type ExportAuditInput,
  type ListAuditInput,
  type VerifyAuditInput,
} from '../../../shared/schemas/audit.schema';
import { toCsv } from './audit.csv';

export interface AuditServiceDeps {
  db: Db;
  clock: Clock;
  access: AccessService;
  chain: AuditChain;
}

type Row = typeof auditEntries.$inferSelect;
/** The parsed AUD-2 filters (list and export share them). */
interface Filter {
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

const VERIFY_BATCH = 2000;

function toEntry(r: Row): AuditEntry {
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
    hash: r.hash,
  };
}

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

/** AUD-2 queries and export, AUD-3 verification. Reads only: none of these writes anything. */
export class AuditService {
  constructor(private readonly d: AuditServiceDeps) {}

  /**
   * Org admins read their org's entries (audit.view on it); account admins, and support engineers
   * with an active grant, read the whole account. Either way one index serves the query:
   * audit_org_at_idx (organization_id, at, id) or audit_account_at_idx (account_id, at, id).
   */
  private scope(actor: Actor, f: Filter): { where: SQL; label: string } {
    if (f.organization_id) {
      const org = this.d.access.requireOrg(actor, f.organization_id, 'audit.view');
      if (f.account_id && f.account_id !== org.accountId) {
        throw notFound('Organization', f.organization_id);
      }
      return { where: eq(auditEntries.organizationId, org.id), label: `org-${org.id}` };
    }
    const accountId = this.d.access.requireVisibleAccount(
      actor,
      'audit.view',
      f.account_id ?? actor.accountId,
    );
    return { where: eq(auditEntries.accountId, accountId), label: `account-${accountId}` };
  }

  /** The query behind list and export, exposed so a test can check its plan uses an index. */
  query(actor: Actor, raw?: ListAuditInput) {
    const input = listAuditInput.parse(raw);
    const { where } = this.scope(actor, input);
    const filter = and(where, ...auditConditions(input));
    return {
      input,
      filter,
      rows: this.d.db
        .select()
        .from(auditEntries)
        .where(filter)
        // By time, then id (the order written): not id alone, which is time order only while
        // the clock never steps back. audit_account_at_idx or audit_org_at_idx serves either
        // direction, and the from/to range too.
        .orderBy(
          ...(input.order === 'asc'
            ? [asc(auditEntries.at), asc(auditEntries.id)]
            : [desc(auditEntries.at), desc(auditEntries.id)]),
        )
        .limit(input.limit)
        .offset(input.skip),
    };
  }

  /** AUD-2: newest first unless `order` is asc, with the total for the pager. */
  list(actor: Actor, raw?: ListAuditInput): Page<AuditEntry> {
    const { filter, rows } = this.query(actor, raw);
    const total = this.d.db.select({ n: count() }).from(auditEntries).where(filter).get()?.n ?? 0;
    return { items: rows.all().map(toEntry), total };
  }

  /** AUD-2 export: oldest first (the order of the chain), at most MAX_AUDIT_EXPORT entries. */
  export(actor: Actor, raw: ExportAuditInput): AuditExport {
    const input = exportAuditInput.parse(raw);
    const { where, label } = this.scope(actor, input);
    const rows = this.d.db
      .select()
      .from(auditEntries)
      .where(and(where, ...auditConditions(input)))
      .orderBy(asc(auditEntries.id))
      .limit(MAX_AUDIT_EXPORT + 1)
      .all();
    const truncated = rows.length > MAX_AUDIT_EXPORT;
    const entries = rows.slice(0, MAX_AUDIT_EXPORT).map(toEntry);
    const day = iso(this.d.clock.now()).slice(0, 10);
    const base = `orgdesk-audit-${label}-${day}`;
    return input.format === 'csv'
      ? {
          format: 'csv',
          filename: `${base}.csv`,
          content_type: 'text/csv; charset=utf-8',
          content: toCsv(entries),
          count: entries.length,
          truncated,
        }
      : {
          format: 'json',
          filename: `${base}.json`,
          content_type: 'application/json; charset=utf-8',
          content: JSON.stringify(entries, null, 2),
          count: entries.length,
          truncated,
        };
  }

  private *chainOf(accountId: number): Generator<Row> {
    let after = 0;
    for (;;) {
      const batch = this.d.db
        .select()
        .from(auditEntries)
        .where(and(eq(auditEntries.accountId, accountId), gt(auditEntries.id, after)))
        .orderBy(asc(auditEntries.id))
        .limit(VERIFY_BATCH)
        .all();
      yield* batch;
      if (batch.length < VERIFY_BATCH) return;
      after = batch[batch.length - 1]!.id;
    }
  }

  private recomputes(r: Row): boolean {
    return (
      this.d.chain.hash({
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
      }) === r.hash
    );
  }

  /**
   * AUD-3: walks the account's chain in id order and names the first entry that breaks it.
   * - altered: its hash does not recompute from its content (and the chain still runs through it);
   * - inserted: it does not verify (or duplicates another entry), and the next entry links to the
   *   entry before it, i.e. the chain was written without it;
   * - removed: it verifies but its prev_hash is not the previous entry's hash: something between
   *   was deleted. Deleting the newest entries leaves no gap; compare head_id/head_hash instead.
   */
  verify(actor: Actor, raw?: VerifyAuditInput): AuditVerifyResult {
    const input = verifyAuditInput.parse(raw);
    const accountId = this.d.access.requireVisibleAccount(
      actor,
      'audit.view',
      input.account_id ?? actor.accountId,
    );
    const head = this.d.db
      .select({ id: auditEntries.id, hash: auditEntries.hash })
      .from(auditEntries)
      .where(eq(auditEntries.accountId, accountId))
      .orderBy(desc(auditEntries.id))
      .limit(1)
      .get();
    const heads = { head_id: head?.id ?? null, head_hash: head?.hash ?? null };
    const rows = this.chainOf(accountId);
    let prevHash = GENESIS_HASH;
    let prevId: number | null = null;
    let checked = 0;
    let step = rows.next();
    while (!step.done) {
      const e = step.value;
      const after = rows.next();
      checked++;
      const hashOk = this.recomputes(e);
      const linkOk = e.prevHash === prevHash;
      if (!hashOk || !linkOk) {
        const next = after.done ? null : after.value;
        const skipped = next !== null && next.prevHash === prevHash && e.hash !== prevHash;
        const problem: AuditChainProblem = skipped
          ? 'inserted'
          : !hashOk
            ? next === null && !linkOk
              ? 'inserted'
              : 'altered'
            : 'removed';
        const before = prevId === null ? 'the start of the trail' : `entry ${prevId}`;
        const message = {
          altered: `Entry ${e.id} was changed after it was written: its hash does not match its content`,
          inserted: `Entry ${e.id} was inserted: it does not belong to the chain written after ${before}`,
          removed: `An entry was removed between ${before} and entry ${e.id}: entry ${e.id} does not link to ${before}`,
        }[problem];
        return { ok: false, checked, first_bad_entry_id: e.id, problem, message, ...heads };
      }
      prevHash = e.hash;
      prevId = e.id;
      step = after;
    }
    return {
      ok: true,
      checked,
      message: `All ${checked} entries verify and link in order`,
      ...heads,
    };
  }
}
