import { and, asc, count, eq, lte, max, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { HostPageQuery, HostsRepo } from '../../../features/hosts/hosts.repo';
import type { HostRow } from '../../../domain/rows';
import { hosts, locations } from '../schema';
import { statusFilter } from './host-stats';
import { hostSortSegments } from './hosts-sql';
import { idArray, lockRow } from './sql-helpers';

/** AGT-4 / UI-11 / UI-13 on PostgreSQL: the SQLite repository's statements in PostgreSQL's forms. */
export class PgHostsRepo implements HostsRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
  ) {}

  async byId(id: number, opts?: { forUpdate?: boolean }): Promise<HostRow | undefined> {
    const q = this.db.select().from(hosts).where(eq(hosts.id, id));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row;
  }

  // By id: SQLite answers an IN list in id order, and locking in one order keeps two
  // transactions that lock overlapping sets from deadlocking.
  async byIds(ids: number[], opts?: { forUpdate?: boolean }): Promise<HostRow[]> {
    if (ids.length === 0) return [];
    const q = this.db
      .select()
      .from(hosts)
      .where(sql`${hosts.id} = ANY(${idArray(ids)})`)
      .orderBy(asc(hosts.id));
    return lockRow(this.readOnly, opts) ? await q.for('update') : await q;
  }

  async page(q: HostPageQuery): Promise<{ total: number; rows: HostRow[] }> {
    const where: SQL[] = [eq(hosts.organizationId, q.orgId)];
    if (q.locationId) where.push(eq(hosts.locationId, q.locationId));
    if (q.status) where.push(statusFilter(q.status, q.now));
    if (q.search) {
      const term = q.search.toLowerCase();
      where.push(
        or(
          // SQLite's instr(): a literal part, wildcards included.
          sql`strpos(lower(${hosts.hostname}), ${term}) > 0`,
          sql`substr(lower(${hosts.ip}), 1, ${term.length}) = ${term}`,
        )!,
      );
    }
    const filter = and(...where);
    const locationOrder =
      q.sort === 'location'
        ? (
            await this.db
              .select({ id: locations.id })
              .from(locations)
              .where(eq(locations.organizationId, q.orgId))
              .orderBy(asc(locations.nameKey), asc(locations.id))
          ).map((l) => l.id)
        : [];
    const segments = hostSortSegments(q.sort, q.order, q.now, locationOrder);
    const counts: number[] = [];
    for (const seg of segments) {
      const [row] = await this.db
        .select({ n: count() })
        .from(hosts)
        .where(seg.where ? and(filter, seg.where) : filter);
      counts.push(row?.n ?? 0);
    }
    const total = counts.reduce((a, b) => a + b, 0);
    const rows: HostRow[] = [];
    let skip = q.skip;
    for (const [i, seg] of segments.entries()) {
      if (rows.length >= q.limit) break;
      if (skip >= counts[i]!) {
        skip -= counts[i]!;
        continue;
      }
      rows.push(
        ...(await this.db
          .select()
          .from(hosts)
          .where(seg.where ? and(filter, seg.where) : filter)
          .orderBy(...seg.orderBy)
          .limit(q.limit - rows.length)
          .offset(skip)),
      );
      skip = 0;
    }
    return { total, rows };
  }

  async locationInOrg(locationId: number, orgId: number): Promise<{ id: number } | undefined> {
    const [row] = await this.db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.id, locationId), eq(locations.organizationId, orgId)));
    return row;
  }

  async update(
    id: number,
    set: Partial<Pick<HostRow, 'locationId' | 'pinned' | 'publicKey' | 'lastSignedAt'>>,
  ): Promise<HostRow | undefined> {
    const [row] = await this.db.update(hosts).set(set).where(eq(hosts.id, id)).returning();
    return row;
  }

  async moveMany(ids: number[], locationId: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .update(hosts)
      .set({ locationId, pinned: true })
      .where(sql`${hosts.id} = ANY(${idArray(ids)})`);
  }

  async remove(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.delete(hosts).where(sql`${hosts.id} = ANY(${idArray(ids)})`);
  }

  async countInOrg(orgId: number): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(hosts)
      .where(eq(hosts.organizationId, orgId));
    return row?.n ?? 0;
  }

  async topIdInOrg(orgId: number): Promise<number> {
    const [row] = await this.db
      .select({ top: max(hosts.id) })
      .from(hosts)
      .where(eq(hosts.organizationId, orgId));
    return row?.top ?? 0;
  }

  async chunkInOrg(
    orgId: number,
    top: number,
    limit: number,
  ): Promise<Pick<HostRow, 'id' | 'hostname'>[]> {
    return this.db
      .select({ id: hosts.id, hostname: hosts.hostname })
      .from(hosts)
      .where(and(eq(hosts.organizationId, orgId), lte(hosts.id, top)))
      .orderBy(asc(hosts.id))
      .limit(limit);
  }

  // SQLite has no ORDER BY here (its plan's order; no caller relies on one): id order, stable.
  async unpinned(orgId: number): Promise<Pick<HostRow, 'id' | 'locationId' | 'ip'>[]> {
    return this.db
      .select({ id: hosts.id, ip: hosts.ip, locationId: hosts.locationId })
      .from(hosts)
      .where(and(eq(hosts.organizationId, orgId), eq(hosts.pinned, false)))
      .orderBy(asc(hosts.id));
  }

  async setLocation(id: number, locationId: number): Promise<void> {
    await this.db.update(hosts).set({ locationId }).where(eq(hosts.id, id));
  }
}
