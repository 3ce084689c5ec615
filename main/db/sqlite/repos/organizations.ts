import type Database from 'better-sqlite3';
import { and, asc, Column, count, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type {
  KeptCounts,
  NewOrganization,
  OrgChanges,
  OrgFilter,
  OrganizationsRepo,
  OrgPage,
  OrgPageQuery,
  OrgPageWithFacts,
  OrgRow,
} from '../../../features/organizations/organizations.repo';
import type { ActorFactsQuery } from '../../../core/access.repo';
import { SqliteAccessRepo } from './access';
import type {
  HostStats,
  OrgSortKey,
  SortOrder,
} from '../../../../shared/schemas/organizations.schema';
import { nameKey } from '../../../core/names';
import { hostStatsFor } from './host-stats';
import { allCached } from '../../cached-query';
import type { Db } from '../../database';
import { hosts, locations, organizationHostCounts, organizations, workflows } from '../../schema';
import {
  orgColumns,
  orgSortPlan,
  searchPlan,
  searchSortKey,
  type SortPlan,
} from './organizations-sql';

interface PageIds {
  total: number;
  ids: number[];
}

/** drizzle's mapFromDriverValue where a column type keeps the driver's value as it is. */
const IDENTITY = Column.prototype.mapFromDriverValue;

/**
 * A raw row's decoder for a drizzle field map: its values come in the map's order, each mapped as
 * drizzle maps its column (or kept as the driver gives it). A page's 100 rows mapped by drizzle's
 * prepared query were 180 KB of the ~480 KB an ORG-2 page allocated (heap sampling, issue 15),
 * and the page's young-generation collections were its p95 tail.
 */
function rowDecoder<T>(fields: Record<string, Column>): (values: unknown[]) => T {
  const decoders = Object.entries(fields).map(([field, col]) => ({
    field,
    map: col.mapFromDriverValue === IDENTITY ? null : col.mapFromDriverValue.bind(col),
  }));
  return (values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < decoders.length; i++) {
      const { field, map } = decoders[i]!;
      const v = values[i];
      row[field] = v === null || map === null ? v : map(v);
    }
    return row as T;
  };
}

const hc = organizationHostCounts;
const KEPT_FIELDS = {
  id: hc.organizationId,
  hosts: hc.hosts,
  online: hc.online,
  offline: hc.offline,
  stale: hc.stale,
  as_of: hc.asOf,
  next_change_at: hc.nextChangeAt,
};
const orgRowOf = rowDecoder<OrgRow>(orgColumns);
const keptOf = rowDecoder<KeptCounts>(KEPT_FIELDS);

/** ORG-1..5 on SQLite: the ORG-2 page from indexes alone (docs in organizations-sql.ts). */
export class SqliteOrganizationsRepo implements OrganizationsRepo {
  // ORG-2 reads each page's rows by id: built and prepared once.
  private readonly rowsById;
  // … and, sorted by a host count, the counts it was sorted by.
  private readonly countsById;
  private readonly byIdStmt;
  private readonly access;

  constructor(private readonly db: Db) {
    this.access = new SqliteAccessRepo(db);
    // Raw rows (arrays) for rowDecoder: drizzle's text, better-sqlite3's statement.
    const raw = (query: { toSQL(): { sql: string } }): Database.Statement<[string], unknown[]> =>
      db.$client.prepare<[string], unknown[]>(query.toSQL().sql).raw(true);
    const o = organizations;
    this.rowsById = raw(
      db
        .select(orgColumns)
        .from(o)
        .where(sql`${o.id} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`)
        .orderBy(asc(o.nameKey), asc(o.id)),
    );
    this.countsById = raw(
      db
        .select(KEPT_FIELDS)
        .from(hc)
        .where(
          sql`${hc.organizationId} IN (SELECT value FROM json_each(${sql.placeholder('ids')}))`,
        ),
    );
    this.byIdStmt = db
      .select(orgColumns)
      .from(organizations)
      .where(eq(organizations.id, sql.placeholder('id')))
      .prepare();
  }

  // SQLite's write transaction (BEGIN IMMEDIATE) already excludes every other writer.
  async byId(id: number, _opts?: { forUpdate?: boolean }): Promise<OrgRow | undefined> {
    return this.byIdStmt.get({ id });
  }

  /** The filters as a WHERE clause over one table's scope columns (organizations or the counts). */
  private where(
    f: OrgFilter,
    cols: Pick<SortPlan, 'id' | 'accountId' | 'isActive' | 'region'>,
    ...more: SQL[]
  ): SQL | undefined {
    const parts: SQL[] = [];
    if (f.accountIds.length > 0) parts.push(inArray(cols.accountId, f.accountIds));
    if (f.orgIds.length > 0) parts.push(inArray(cols.id, f.orgIds));
    const scope = parts.length === 1 ? parts[0]! : or(...parts)!;
    const where: SQL[] = [scope];
    if (f.active !== null) where.push(eq(cols.isActive, f.active));
    if (f.region) where.push(eq(cols.region, f.region));
    return and(...where, ...more);
  }

  async page(q: OrgPageQuery): Promise<OrgPage> {
    const search = q.search ? searchPlan(q.search) : null;
    const found = search
      ? this.searchPageIds(
          search.from,
          this.where(q, organizations, search.where),
          q.sort,
          q.order,
          q.skip,
          q.limit,
        )
      : this.pageIds(q, q.sort, q.order, q.skip, q.limit);
    if (found.ids.length === 0) {
      return { total: found.total, rows: [], counts: [], liveStats: new Map() };
    }
    const ids = JSON.stringify(found.ids);
    const rows = this.rowsById.all(ids).map(orgRowOf);
    const counts = q.keptCounts ? this.countsById.all(ids).map(keptOf) : [];
    // The rows come back by id; the page's order is the ids' order.
    const byId = new Map(rows.map((r) => [r.id, r]));
    const pageRows = found.ids.flatMap((id) => byId.get(id) ?? []);
    const liveStats =
      q.liveStatsAt === null
        ? new Map<number, HostStats>()
        : await this.hostStats(
            pageRows.map((o) => o.id),
            q.liveStatsAt,
          );
    return { total: found.total, rows: pageRows, counts, liveStats };
  }

  // In-process, one statement saves nothing: the facts, then the page, in the caller's read.
  async pageFor(access: ActorFactsQuery | null, q: OrgPageQuery | null): Promise<OrgPageWithFacts> {
    const facts = access ? await this.access.facts(access) : null;
    return { facts, page: q ? await this.page(q) : null };
  }

  /**
   * The total and one page's ids, from indexes alone; only the page's rows are read afterwards
   * (sorting the wide rows of every match cost 13 ms for 10,000 matches). The total counts the
   * organizations (the narrow name index); the ids walk the sort's index (orgSortPlan). Past the
   * middle the index is walked from the end, in the reversed order, so a skip near the end steps
   * over the few rows after the page, not the many before it.
   */
  private pageIds(
    f: OrgFilter,
    sort: OrgSortKey,
    order: SortOrder,
    skip: number,
    limit: number,
  ): PageIds {
    const total =
      this.db.select({ n: count() }).from(organizations).where(this.where(f, organizations)).get()
        ?.n ?? 0;
    if (skip >= total) return { total, ids: [] };
    const fromEnd = skip > total / 2;
    const take = Math.min(limit, total - skip);
    const plan = orgSortPlan(sort, order, fromEnd);
    const ids = allCached<{ id: number }>(
      this.db,
      sql`SELECT ${plan.id} AS id FROM ${plan.from} WHERE ${this.where(f, plan)}
        ORDER BY ${sql.join(plan.orderBy, sql`, `)}
        LIMIT ${take} OFFSET ${fromEnd ? total - skip - take : skip}`,
    ).map((r) => r.id);
    return { total, ids: fromEnd ? ids.reverse() : ids };
  }

  /**
   * The same for a search: the matches are found once (the trigram lookup is the costly part),
   * each with its sort key, and counted and paged from that one set in one statement.
   */
  private searchPageIds(
    from: SQL,
    filter: SQL | undefined,
    sort: OrgSortKey,
    order: SortOrder,
    skip: number,
    limit: number,
  ): PageIds {
    const { key, join } = searchSortKey(sort);
    const dir = order === 'desc' ? sql`DESC` : sql`ASC`;
    const orderBy = (t: SQL) =>
      sort === 'name'
        ? sql`${t}name_key ${dir}, ${t}id ${dir}`
        : sql`${t}sort_key ${dir}, ${t}name_key, ${t}id`;
    const found = allCached<{ total: number; id: number | null }>(
      this.db,
      sql`
      WITH matches AS MATERIALIZED (
        SELECT ${organizations.id} AS id, ${organizations.nameKey} AS name_key${
          sort === 'name' ? sql`` : sql`, ${key} AS sort_key`
        }
        FROM ${from}${join} WHERE ${filter}
      )
      SELECT counted.total AS total, page.id AS id
      FROM (SELECT count(*) AS total FROM matches) AS counted
      LEFT JOIN (
        SELECT * FROM matches ORDER BY ${orderBy(sql``)} LIMIT ${limit} OFFSET ${skip}
      ) AS page
      -- The page's order, kept to the answer (a join need not keep it by itself).
      ORDER BY ${orderBy(sql`page.`)}`,
    );
    return {
      total: found[0]?.total ?? 0,
      ids: found.flatMap((r) => (r.id === null ? [] : [r.id])),
    };
  }

  async regions(scope: Pick<OrgFilter, 'accountIds' | 'orgIds'>): Promise<string[]> {
    const where = this.where({ ...scope, active: null, region: null }, organizations);
    return this.db
      .selectDistinct({ region: organizations.region })
      .from(organizations)
      .where(and(where, isNotNull(organizations.region)))
      .orderBy(asc(organizations.region))
      .all()
      .map((r) => r.region!);
  }

  async hostStats(orgIds: number[], now: number): Promise<Map<number, HostStats>> {
    return hostStatsFor(this.db, orgIds, now);
  }

  async insert(values: NewOrganization, seal: (orgId: number) => Buffer): Promise<OrgRow> {
    const org = this.db
      .insert(organizations)
      .values({
        ...values,
        // Sealed below once the id (part of the AAD) is known.
        secretCiphertext: Buffer.alloc(0),
        updatedAt: values.createdAt,
      })
      .returning(orgColumns)
      .get();
    this.db
      .update(organizations)
      .set({ secretCiphertext: seal(org.id) })
      .where(eq(organizations.id, org.id))
      .run();
    return org;
  }

  async insertDefaultLocation(orgId: number, now: number): Promise<number> {
    return this.db
      .insert(locations)
      .values({
        organizationId: orgId,
        name: 'Default',
        nameKey: nameKey('Default'),
        timezone: 'UTC',
        isDefault: true,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: locations.id })
      .get().id;
  }

  async update(id: number, changes: OrgChanges, now: number): Promise<OrgRow | undefined> {
    return this.db
      .update(organizations)
      .set({ ...changes, updatedAt: now })
      .where(eq(organizations.id, id))
      .returning(orgColumns)
      .get();
  }

  async workflowOf(orgId: number, workflowId: number): Promise<{ isActive: boolean } | undefined> {
    return this.db
      .select({ isActive: workflows.isActive })
      .from(workflows)
      .where(and(eq(workflows.id, workflowId), eq(workflows.organizationId, orgId)))
      .get();
  }

  async hostCount(orgId: number): Promise<number> {
    return (
      this.db.select({ n: count() }).from(hosts).where(eq(hosts.organizationId, orgId)).get()?.n ??
      0
    );
  }

  async deleteHard(id: number): Promise<void> {
    this.db.delete(organizations).where(eq(organizations.id, id)).run();
  }
}
