import { and, asc, count, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm';
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
import { auditEntries, integrationDestinations as dest, outbox } from '../schema';
import type { PgTx } from '../uow';
import { lockRow } from './sql-helpers';

/**
 * INT-1/INT-2 on PostgreSQL: the SQLite adapter's statements. What makes one drainer across
 * replicas is the lease: one conditional upsert (below) that two replicas racing for it cannot
 * both win; the claim is a plain read under it, as on SQLite, and `delivered` marks only rows
 * still pending, so a row is never counted delivered twice.
 */
export class PgIntegrationsRepo implements IntegrationsRepo {
  constructor(private readonly tx: PgTx) {}

  async ofAccount(accountId: number): Promise<IntegrationDestinationRow[]> {
    return this.tx.db
      .select()
      .from(dest)
      .where(eq(dest.accountId, accountId))
      .orderBy(asc(dest.id));
  }

  // { forUpdate }: the row is about to change (the drainer's outcome reads the failures in a row,
  // then writes them; the service's writes). Inside a read it takes no lock (lockRow).
  async get(
    accountId: number,
    id: number,
    opts?: { forUpdate?: boolean },
  ): Promise<IntegrationDestinationRow | undefined> {
    const q = this.tx.db
      .select()
      .from(dest)
      .where(and(eq(dest.accountId, accountId), eq(dest.id, id)));
    const [row] = await (lockRow(this.tx.readOnly, opts) ? q.for('update') : q);
    return row;
  }

  async counts(ids: number[]): Promise<Map<number, DestinationCounts>> {
    const out = new Map<number, DestinationCounts>(ids.map((id) => [id, { backlog: 0, dead: 0 }]));
    if (ids.length === 0) return out;
    const rows = await this.tx.db
      .select({ id: outbox.destinationId, status: outbox.status, n: count() })
      .from(outbox)
      .where(and(inArray(outbox.destinationId, ids), inArray(outbox.status, ['pending', 'dead'])))
      .groupBy(outbox.destinationId, outbox.status);
    for (const r of rows) {
      const c = out.get(r.id)!;
      if (r.status === 'pending') c.backlog = r.n;
      else c.dead = r.n;
    }
    return out;
  }

  async insert(d: NewDestination): Promise<IntegrationDestinationRow> {
    const [row] = await this.tx.db
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
      .returning();
    return row!;
  }

  async update(
    id: number,
    patch: DestinationPatch,
    now: number,
  ): Promise<IntegrationDestinationRow> {
    const [row] = await this.tx.db
      .update(dest)
      .set({ ...patch, updatedAt: now })
      .where(eq(dest.id, id))
      .returning();
    return row!;
  }

  async remove(id: number): Promise<void> {
    await this.tx.db.delete(dest).where(eq(dest.id, id));
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
    const items = await this.tx.db
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
      .orderBy(desc(outbox.id))
      .limit(limit)
      .offset(skip);
    const [t] = await this.tx.db.select({ n: count() }).from(outbox).where(where);
    return { items, total: t!.n };
  }

  async redeliver(destinationId: number, deliveryId: number, now: number): Promise<boolean> {
    const rows = await this.tx.db
      .update(outbox)
      .set({ status: 'pending', createdAt: now, deliveredAt: null })
      .where(and(eq(outbox.id, deliveryId), eq(outbox.destinationId, destinationId)))
      .returning({ id: outbox.id });
    return rows.length > 0;
  }

  async expire(cutoff: number, now: number): Promise<number> {
    const rows = await this.tx.db
      .update(outbox)
      .set({
        status: 'dead',
        lastError: sql`coalesce(${outbox.lastError}, 'not delivered') || ' (gave up after 24 h)'`,
        lastAttemptAt: sql`coalesce(${outbox.lastAttemptAt}, ${now}::int8)`,
      })
      .where(and(eq(outbox.status, 'pending'), lt(outbox.createdAt, cutoff)))
      .returning({ id: outbox.id });
    return rows.length;
  }

  async due(now: number, limit: number): Promise<IntegrationDestinationRow[]> {
    return this.tx.db
      .select()
      .from(dest)
      .where(
        and(
          eq(dest.enabled, true),
          lte(dest.nextAttemptAt, now),
          sql`exists (select 1 from ${outbox} where ${outbox.destinationId} = ${dest.id} and ${outbox.status} = 'pending')`,
        ),
      )
      .orderBy(asc(dest.nextAttemptAt), asc(dest.id))
      .limit(limit);
  }

  async claim(destinationId: number, limit: number): Promise<OutboundEntry[]> {
    return this.tx.db
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
      .where(and(eq(outbox.destinationId, destinationId), eq(outbox.status, 'pending')))
      .orderBy(asc(auditEntries.seq), asc(outbox.id))
      .limit(limit);
  }

  async delivered(ids: number[], now: number, responseStatus: number | null): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.db
      .update(outbox)
      .set({
        status: 'delivered',
        deliveredAt: now,
        lastAttemptAt: now,
        attempts: sql`${outbox.attempts} + 1`,
        lastError: null,
        responseStatus,
      })
      .where(and(inArray(outbox.id, ids), eq(outbox.status, 'pending')));
  }

  async failed(
    id: number,
    error: string,
    responseStatus: number | null,
    now: number,
  ): Promise<void> {
    await this.tx.db
      .update(outbox)
      .set({
        lastError: error,
        responseStatus,
        lastAttemptAt: now,
        attempts: sql`${outbox.attempts} + 1`,
      })
      .where(eq(outbox.id, id));
  }

  async outcome(destinationId: number, o: DestinationOutcome): Promise<void> {
    await this.tx.db.update(dest).set(o).where(eq(dest.id, destinationId));
  }
}
