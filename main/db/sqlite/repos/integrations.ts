import { and, asc, count, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import type { IntegrationDestinationRow } from '../../../domain/rows';
import type {
  DeliveryRow,
  DestinationCounts,
  DestinationOutcome,
  DestinationPatch,
  IntegrationsRepo,
  NewDestination,
  OutboundEntry,
} from '../../../features/integrations/integrations.repo';
import type { Db } from '../../database';
import { auditEntries, integrationDestinations as dest, outbox } from '../../schema';

const p = (name: string) => sql.placeholder(name);

/** INT-1/INT-2 on SQLite. */
export class SqliteIntegrationsRepo implements IntegrationsRepo {
  private readonly byAccount;
  private readonly one;
  // The drain's statements run on every pass, under registration load several times a second:
  // prepared once, like the audit append's (building and compiling them was a third of a pass).
  private readonly dueStmt;
  private readonly claimStmt;
  private readonly deliveredStmt;
  private readonly failedStmt;
  private readonly expireStmt;

  constructor(private readonly db: Db) {
    this.byAccount = db
      .select()
      .from(dest)
      .where(eq(dest.accountId, p('accountId')))
      .orderBy(asc(dest.id))
      .prepare();
    this.one = db
      .select()
      .from(dest)
      .where(and(eq(dest.accountId, p('accountId')), eq(dest.id, p('id'))))
      .prepare();
    this.dueStmt = db
      .select()
      .from(dest)
      .where(
        and(
          eq(dest.enabled, true),
          lte(dest.nextAttemptAt, p('now')),
          sql`exists (select 1 from ${outbox} where ${outbox.destinationId} = ${dest.id} and ${outbox.status} = 'pending')`,
        ),
      )
      .orderBy(asc(dest.nextAttemptAt), asc(dest.id))
      .limit(p('limit'))
      .prepare();
    this.claimStmt = db
      .select({
        outboxId: outbox.id,
        auditEntryId: auditEntries.id,
        accountId: auditEntries.accountId,
        organizationId: auditEntries.organizationId,
        at: auditEntries.at,
        actorUserId: auditEntries.actorUserId,
        actorLabel: auditEntries.actorLabel,
        action: auditEntries.action,
        targetType: auditEntries.targetType,
        targetId: auditEntries.targetId,
        seq: auditEntries.seq,
        hash: auditEntries.hash,
      })
      .from(outbox)
      .innerJoin(auditEntries, eq(auditEntries.id, outbox.auditEntryId))
      .where(and(eq(outbox.destinationId, p('destinationId')), eq(outbox.status, 'pending')))
      // Sequence order without sorting the backlog: a destination is one account's, and the
      // append inserts its rows under the single writer in the same transaction as the entry
      // it links, so id order is seq order (a redelivered row keeps its id, and its place).
      // Ordering by seq across the join read and sorted every pending row on each claim, so a
      // backlog made each claim dearer; this walks (destination, status, id) and stops at limit.
      .orderBy(asc(outbox.id))
      .limit(p('limit'))
      .prepare();
    this.deliveredStmt = db
      .update(outbox)
      .set({
        status: 'delivered',
        deliveredAt: sql`${p('now')}`,
        lastAttemptAt: sql`${p('now')}`,
        attempts: sql`${outbox.attempts} + 1`,
        lastError: null,
        responseStatus: sql`${p('responseStatus')}`,
      })
      .where(
        and(
          sql`${outbox.id} in (select value from json_each(${p('ids')}))`,
          eq(outbox.status, 'pending'),
        ),
      )
      .prepare();
    this.failedStmt = db
      .update(outbox)
      .set({
        lastError: sql`${p('error')}`,
        responseStatus: sql`${p('responseStatus')}`,
        lastAttemptAt: sql`${p('now')}`,
        attempts: sql`${outbox.attempts} + 1`,
      })
      .where(eq(outbox.id, p('id')))
      .prepare();
    this.expireStmt = db
      .update(outbox)
      .set({
        status: 'dead',
        lastError: sql`coalesce(${outbox.lastError}, 'not delivered') || ' (gave up after 24 h)'`,
        lastAttemptAt: sql`coalesce(${outbox.lastAttemptAt}, ${p('now')})`,
      })
      .where(and(eq(outbox.status, 'pending'), lt(outbox.createdAt, p('cutoff'))))
      .prepare();
  }

  async ofAccount(accountId: number): Promise<IntegrationDestinationRow[]> {
    return this.byAccount.all({ accountId });
  }

  async get(accountId: number, id: number): Promise<IntegrationDestinationRow | undefined> {
    return this.one.get({ accountId, id });
  }

  async counts(ids: number[]): Promise<Map<number, DestinationCounts>> {
    const out = new Map<number, DestinationCounts>(ids.map((id) => [id, { backlog: 0, dead: 0 }]));
    if (ids.length === 0) return out;
    const rows = this.db
      .select({ id: outbox.destinationId, status: outbox.status, n: count() })
      .from(outbox)
      .where(and(inArray(outbox.destinationId, ids), inArray(outbox.status, ['pending', 'dead'])))
      .groupBy(outbox.destinationId, outbox.status)
      .all();
    for (const r of rows) {
      const c = out.get(r.id)!;
      if (r.status === 'pending') c.backlog = r.n;
      else c.dead = r.n;
    }
    return out;
  }

  async insert(d: NewDestination): Promise<IntegrationDestinationRow> {
    return this.db
      .insert(dest)
      .values({
        accountId: d.accountId,
        kind: d.kind,
        name: d.name,
        url: d.url,
        events: d.events,
        caPem: d.caPem,
        secretCiphertext: d.secretCiphertext,
        createdAt: d.now,
        updatedAt: d.now,
      })
      .returning()
      .get();
  }

  async update(
    id: number,
    patch: DestinationPatch,
    now: number,
  ): Promise<IntegrationDestinationRow> {
    return this.db
      .update(dest)
      .set({ ...patch, updatedAt: now })
      .where(eq(dest.id, id))
      .returning()
      .get()!;
  }

  async remove(id: number): Promise<void> {
    this.db.delete(dest).where(eq(dest.id, id)).run();
  }

  async deliveries(
    destinationId: number,
    status: string | undefined,
    skip: number,
    limit: number,
  ): Promise<{ items: DeliveryRow[]; total: number }> {
    const where = and(
      eq(outbox.destinationId, destinationId),
      status === undefined ? undefined : eq(outbox.status, status),
    );
    const items = this.db
      .select({
        id: outbox.id,
        destinationId: outbox.destinationId,
        accountId: outbox.accountId,
        auditEntryId: outbox.auditEntryId,
        status: outbox.status,
        attempts: outbox.attempts,
        createdAt: outbox.createdAt,
        lastAttemptAt: outbox.lastAttemptAt,
        deliveredAt: outbox.deliveredAt,
        lastError: outbox.lastError,
        responseStatus: outbox.responseStatus,
        action: auditEntries.action,
        seq: auditEntries.seq,
      })
      .from(outbox)
      .innerJoin(auditEntries, eq(auditEntries.id, outbox.auditEntryId))
      .where(where)
      .orderBy(sql`${outbox.id} desc`)
      .limit(limit)
      .offset(skip)
      .all();
    const total = this.db.select({ n: count() }).from(outbox).where(where).get()!.n;
    return { items, total };
  }

  async redeliver(destinationId: number, deliveryId: number, now: number): Promise<boolean> {
    const r = this.db
      .update(outbox)
      .set({ status: 'pending', createdAt: now, deliveredAt: null })
      .where(and(eq(outbox.id, deliveryId), eq(outbox.destinationId, destinationId)))
      .run();
    return r.changes > 0;
  }

  async expire(cutoff: number, now: number): Promise<number> {
    return this.expireStmt.run({ cutoff, now }).changes;
  }

  async due(now: number, limit: number): Promise<IntegrationDestinationRow[]> {
    return this.dueStmt.all({ now, limit });
  }

  async claim(destinationId: number, limit: number): Promise<OutboundEntry[]> {
    return this.claimStmt.all({ destinationId, limit });
  }

  async delivered(ids: number[], now: number, responseStatus: number | null): Promise<void> {
    if (ids.length === 0) return;
    this.deliveredStmt.run({ ids: JSON.stringify(ids), now, responseStatus });
  }

  async failed(
    id: number,
    error: string,
    responseStatus: number | null,
    now: number,
  ): Promise<void> {
    this.failedStmt.run({ id, error, responseStatus, now });
  }

  async outcome(destinationId: number, o: DestinationOutcome): Promise<void> {
    this.db.update(dest).set(o).where(eq(dest.id, destinationId)).run();
  }
}
