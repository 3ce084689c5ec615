import { and, asc, count, eq, inArray, lte, max, or, sql, type SQL } from 'drizzle-orm';
import type { HostPageQuery, HostsRepo } from '../../../features/hosts/hosts.repo';
import type { HostRow } from '../../../domain/rows';
import type { Db } from '../../database';
import { hosts, locations } from '../../schema';
import { statusFilter } from './host-stats';
import { hostSortSegments } from './hosts-sql';

/**
 * AGT-4 / UI-11 / UI-13 on SQLite: the SQL that was hosts.service.ts's, unchanged (issue 14).
 * The fixed statements are prepared once; the page's filters vary per call and are built then.
 */
export class SqliteHostsRepo implements HostsRepo {
  private readonly byIdStmt;
  private readonly locationInOrgStmt;
  private readonly locationOrderStmt;
  private readonly countStmt;
  private readonly topStmt;
  private readonly chunkStmt;
  private readonly unpinnedStmt;
  private readonly setLocationStmt;

  constructor(private readonly db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.byIdStmt = db
      .select()
      .from(hosts)
      .where(eq(hosts.id, p('id')))
      .prepare();
    this.locationInOrgStmt = db
      .select({ id: locations.id })
      .from(locations)
      .where(and(eq(locations.id, p('id')), eq(locations.organizationId, p('orgId'))))
      .prepare();
    // The org's locations by name (their name keys), for the sort by location.
    this.locationOrderStmt = db
      .select({ id: locations.id })
      .from(locations)
      .where(eq(locations.organizationId, p('orgId')))
      .orderBy(asc(locations.nameKey), asc(locations.id))
      .prepare();
    this.countStmt = db
      .select({ n: count() })
      .from(hosts)
      .where(eq(hosts.organizationId, p('orgId')))
      .prepare();
    this.topStmt = db
      .select({ top: max(hosts.id) })
      .from(hosts)
      .where(eq(hosts.organizationId, p('orgId')))
      .prepare();
    this.chunkStmt = db
      .select({ id: hosts.id, hostname: hosts.hostname })
      .from(hosts)
      .where(and(eq(hosts.organizationId, p('orgId')), lte(hosts.id, p('top'))))
      .orderBy(asc(hosts.id))
      .limit(p('limit'))
      .prepare();
    this.unpinnedStmt = db
      .select({ id: hosts.id, ip: hosts.ip, locationId: hosts.locationId })
      .from(hosts)
      .where(and(eq(hosts.organizationId, p('orgId')), eq(hosts.pinned, false)))
      .prepare();
    this.setLocationStmt = db
      .update(hosts)
      .set({ locationId: sql`${p('locationId')}` })
      .where(eq(hosts.id, p('id')))
      .prepare();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async byId(id: number, _opts?: { forUpdate?: boolean }): Promise<HostRow | undefined> {
    return this.byIdStmt.get({ id });
  }

  async byIds(ids: number[], _opts?: { forUpdate?: boolean }): Promise<HostRow[]> {
    return this.db.select().from(hosts).where(inArray(hosts.id, ids)).all();
  }

  async page(q: HostPageQuery): Promise<{ total: number; rows: HostRow[] }> {
    const where: SQL[] = [eq(hosts.organizationId, q.orgId)];
    if (q.locationId) where.push(eq(hosts.locationId, q.locationId));
    if (q.status) where.push(statusFilter(q.status, q.now));
    if (q.search) {
      const term = q.search.toLowerCase();
      where.push(
        or(
          sql`instr(lower(${hosts.hostname}), ${term}) > 0`,
          sql`substr(lower(${hosts.ip}), 1, ${term.length}) = ${term}`,
        )!,
      );
    }
    const filter = and(...where);
    const segments = hostSortSegments(
      q.sort,
      q.order,
      q.now,
      q.sort === 'location' ? this.locationOrderStmt.all({ orgId: q.orgId }).map((l) => l.id) : [],
    );
    // One segment: its count is the total. Several: each is counted, and the page cut across.
    const counts = segments.map(
      (seg) =>
        this.db
          .select({ n: count() })
          .from(hosts)
          .where(seg.where ? and(filter, seg.where) : filter)
          .get()?.n ?? 0,
    );
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
        ...this.db
          .select()
          .from(hosts)
          .where(seg.where ? and(filter, seg.where) : filter)
          .orderBy(...seg.orderBy)
          .limit(q.limit - rows.length)
          .offset(skip)
          .all(),
      );
      skip = 0;
    }
    return { total, rows };
  }

  async locationInOrg(locationId: number, orgId: number): Promise<{ id: number } | undefined> {
    return this.locationInOrgStmt.get({ id: locationId, orgId });
  }

  async update(
    id: number,
    set: Partial<Pick<HostRow, 'locationId' | 'pinned' | 'publicKey' | 'lastSignedAt'>>,
  ): Promise<HostRow | undefined> {
    return this.db.update(hosts).set(set).where(eq(hosts.id, id)).returning().get();
  }

  async moveMany(ids: number[], locationId: number): Promise<void> {
    this.db.update(hosts).set({ locationId, pinned: true }).where(inArray(hosts.id, ids)).run();
  }

  async remove(ids: number[]): Promise<void> {
    this.db.delete(hosts).where(inArray(hosts.id, ids)).run();
  }

  async countInOrg(orgId: number): Promise<number> {
    return this.countStmt.get({ orgId })?.n ?? 0;
  }

  async topIdInOrg(orgId: number): Promise<number> {
    return this.topStmt.get({ orgId })?.top ?? 0;
  }

  async chunkInOrg(
    orgId: number,
    top: number,
    limit: number,
  ): Promise<Pick<HostRow, 'id' | 'hostname'>[]> {
    return this.chunkStmt.all({ orgId, top, limit });
  }

  async unpinned(orgId: number): Promise<Pick<HostRow, 'id' | 'locationId' | 'ip'>[]> {
    return this.unpinnedStmt.all({ orgId });
  }

  async setLocation(id: number, locationId: number): Promise<void> {
    this.setLocationStmt.run({ id, locationId });
  }
}
