import { and, asc, count, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type {
  KeptCounts,
  NewOrganization,
  OrgChanges,
  OrgFilter,
  OrganizationsRepo,
  OrgPage,
  OrgPageQuery,
  OrgRow,
} from '../../../features/organizations/organizations.repo';
import type {
  HostStats,
  OrgSortKey,
  SortOrder,
} from '../../../../shared/schemas/organizations.schema';
import { nameKey } from '../../../core/names';
import { hosts, locations, organizationHostCounts, organizations, workflows } from '../schema';
import { hostStatsFor } from './host-stats';
import {
  orgColumns,
  orgSortPlan,
  searchCondition,
  searchSortKey,
  type SortPlan,
} from './organizations-sql';
import { idArray, int8, lockRow } from './sql-helpers';

interface PageIds {
  total: number;
  ids: number[];
}

/** ORG-1..5 on PostgreSQL: the SQLite repository's statements in PostgreSQL's forms. */
export class PgOrganizationsRepo implements OrganizationsRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
  ) {}

  async byId(id: number, opts?: { forUpdate?: boolean }): Promise<OrgRow | undefined> {
    const q = this.db.select(orgColumns).from(organizations).where(eq(organizations.id, id));
    const [row] = lockRow(this.readOnly, opts) ? await q.for('update') : await q;
    return row;
  }

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
    const found = q.search
      ? await this.searchPageIds(
          this.where(q, organizations, searchCondition(q.search)),
          q.sort,
          q.order,
          q.skip,
          q.limit,
        )
      : await this.pageIds(q, q.sort, q.order, q.skip, q.limit);
    if (found.ids.length === 0) return { total: found.total, rows: [], counts: [] };
    const ids = idArray(found.ids);
    const rows: OrgRow[] = await this.db
      .select(orgColumns)
      .from(organizations)
      .where(sql`${organizations.id} = ANY(${ids})`);
    const c = organizationHostCounts;
    const counts: KeptCounts[] = q.keptCounts
      ? await this.db
          .select({
            id: c.organizationId,
            hosts: c.hosts,
            online: c.online,
            offline: c.offline,
            stale: c.stale,
            as_of: c.asOf,
            next_change_at: c.nextChangeAt,
          })
          .from(c)
          .where(sql`${c.organizationId} = ANY(${ids})`)
          .orderBy(asc(c.organizationId))
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { total: found.total, rows: found.ids.flatMap((id) => byId.get(id) ?? []), counts };
  }

  /** The total and one page's ids; past the middle the order is walked from the end (as SQLite). */
  private async pageIds(
    f: OrgFilter,
    sort: OrgSortKey,
    order: SortOrder,
    skip: number,
    limit: number,
  ): Promise<PageIds> {
    const [counted] = await this.db
      .select({ n: count() })
      .from(organizations)
      .where(this.where(f, organizations));
    const total = counted?.n ?? 0;
    if (skip >= total) return { total, ids: [] };
    const fromEnd = skip > total / 2;
    const take = Math.min(limit, total - skip);
    const plan = orgSortPlan(sort, order, fromEnd);
    const { rows } = await this.db.execute<{ id: string }>(
      sql`SELECT ${plan.id} AS id FROM ${plan.from} WHERE ${this.where(f, plan)}
        ORDER BY ${sql.join(plan.orderBy, sql`, `)}
        LIMIT ${take} OFFSET ${fromEnd ? total - skip - take : skip}`,
    );
    const ids = rows.map((r) => int8(r.id));
    return { total, ids: fromEnd ? ids.reverse() : ids };
  }

  /**
   * A search's total and page in one statement over its materialized matches, as on SQLite.
   * Raw SQL: a MATERIALIZED CTE with a counted LEFT JOIN the builder does not spell.
   */
  private async searchPageIds(
    filter: SQL | undefined,
    sort: OrgSortKey,
    order: SortOrder,
    skip: number,
    limit: number,
  ): Promise<PageIds> {
    const { key, join, nullable } = searchSortKey(sort);
    const down = order === 'desc';
    const dir = down ? sql`DESC` : sql`ASC`;
    // The region key is nullable: NULLs where SQLite puts them (below every value).
    const keyOrder = nullable ? (down ? sql`DESC NULLS LAST` : sql`ASC NULLS FIRST`) : dir;
    const orderBy = (t: SQL) =>
      sort === 'name'
        ? sql`${t}name_key ${dir}, ${t}id ${dir}`
        : sql`${t}sort_key ${keyOrder}, ${t}name_key, ${t}id`;
    const { rows } = await this.db.execute<{ total: string; id: string | null }>(sql`
      WITH matches AS MATERIALIZED (
        SELECT ${organizations.id} AS id, ${organizations.nameKey} AS name_key${
          sort === 'name' ? sql`` : sql`, ${key} AS sort_key`
        }
        FROM ${organizations}${join} WHERE ${filter}
      )
      SELECT counted.total AS total, page.id AS id
      FROM (SELECT count(*) AS total FROM matches) AS counted
      LEFT JOIN (
        SELECT * FROM matches ORDER BY ${orderBy(sql``)} LIMIT ${limit} OFFSET ${skip}
      ) AS page ON true
      ORDER BY ${orderBy(sql`page.`)}`);
    return {
      total: rows[0] ? int8(rows[0].total) : 0,
      ids: rows.flatMap((r) => (r.id === null ? [] : [int8(r.id)])),
    };
  }

  async regions(scope: Pick<OrgFilter, 'accountIds' | 'orgIds'>): Promise<string[]> {
    const where = this.where({ ...scope, active: null, region: null }, organizations);
    const rows = await this.db
      .selectDistinct({ region: organizations.region })
      .from(organizations)
      .where(and(where, isNotNull(organizations.region)))
      .orderBy(asc(organizations.region));
    return rows.map((r) => r.region!);
  }

  async hostStats(orgIds: number[], now: number): Promise<Map<number, HostStats>> {
    return hostStatsFor(this.db, orgIds, now);
  }

  async insert(values: NewOrganization, seal: (orgId: number) => Buffer): Promise<OrgRow> {
    const [org] = await this.db
      .insert(organizations)
      .values({ ...values, secretCiphertext: Buffer.alloc(0), updatedAt: values.createdAt })
      .returning(orgColumns);
    await this.db
      .update(organizations)
      .set({ secretCiphertext: seal(org!.id) })
      .where(eq(organizations.id, org!.id));
    return org!;
  }

  async insertDefaultLocation(orgId: number, now: number): Promise<number> {
    const [row] = await this.db
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
      .returning({ id: locations.id });
    return row!.id;
  }

  async update(id: number, changes: OrgChanges, now: number): Promise<OrgRow | undefined> {
    const [row] = await this.db
      .update(organizations)
      .set({ ...changes, updatedAt: now })
      .where(eq(organizations.id, id))
      .returning(orgColumns);
    return row;
  }

  async workflowOf(orgId: number, workflowId: number): Promise<{ isActive: boolean } | undefined> {
    const [row] = await this.db
      .select({ isActive: workflows.isActive })
      .from(workflows)
      .where(and(eq(workflows.id, workflowId), eq(workflows.organizationId, orgId)));
    return row;
  }

  async hostCount(orgId: number): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(hosts)
      .where(eq(hosts.organizationId, orgId));
    return row?.n ?? 0;
  }

  async deleteHard(id: number): Promise<void> {
    await this.db.delete(organizations).where(eq(organizations.id, id));
  }
}
