import { createHash } from 'node:crypto';
import { and, asc, Column, count, eq, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
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
import { isCountSort } from '../../../features/organizations/organizations.mapper';
import { PgDialect, type PgColumn } from 'drizzle-orm/pg-core';
import { actorFactsColumns, actorFactsOf } from './access';
import type {
  HostStats,
  OrgSortKey,
  SortOrder,
} from '../../../../shared/schemas/organizations.schema';
import { nameKey } from '../../../core/names';
import { hosts, locations, organizationHostCounts, organizations, workflows } from '../schema';
import { hostStatsFor, statusRanges } from './host-stats';
import {
  orgColumns,
  orgSortPlan,
  searchCondition,
  searchSortKey,
  type SortPlan,
} from './organizations-sql';
import { int8, lockRow } from './sql-helpers';
import type { PgTx } from '../uow';

const dialect = new PgDialect();

/** At most this many page texts are prepared per connection (see named). */
export const NAMED_PAGE_SHAPES = 256;
const namedPageShapes = new Set<string>();

/**
 * The page's statement under a name of its text: node-postgres then parses it once per
 * connection (Parse is skipped on the next page of the same shape) and PostgreSQL keeps its
 * parse and analysis, where an unnamed statement of 3–4 KB is parsed and analyzed on every
 * page. Planning stays per call: the LIMIT and skip are parameters, so PostgreSQL's generic
 * plan estimates them as it would a computed LIMIT and keeps custom plans (plan_cache_mode
 * auto), which the page needs (readPage says why). Named by a digest of the text, so one name
 * is never two texts on a connection (node-postgres refuses that); every distinct text is a
 * prepared statement on each connection that ran it, until that connection closes.
 */
export function pageStatementName(text: string): string {
  return `org2_${createHash('sha1').update(text).digest('base64url')}`;
}

/**
 * The name to send `text` under, or undefined: a named statement is kept on every connection
 * that ran it, so past NAMED_PAGE_SHAPES distinct texts (an org-scoped actor's list length is
 * part of the text) a new one goes unnamed and what a backend keeps stays bounded.
 */
export function pageStatementNameFor(text: string): string | undefined {
  const name = pageStatementName(text);
  if (namedPageShapes.has(name)) return name;
  if (namedPageShapes.size >= NAMED_PAGE_SHAPES) return undefined;
  namedPageShapes.add(name);
  return name;
}

/**
 * A fragment without parameters as its text, rendered once: drizzle renders every column of a
 * fragment again on each page (sqlToQuery of the page's statement was about 0.3 ms of its
 * JavaScript, the org columns and the three ORDER BYs most of it; issue 15, ORG-2 on PG).
 */
function rendered(fragment: SQL): SQL {
  const { sql: text, params } = dialect.sqlToQuery(fragment);
  if (params.length > 0) throw new Error('rendered(): a fragment with parameters');
  return sql.raw(text);
}

/** orgSortPlan's ORDER BY, rendered once per sort, order and direction of walk. */
const orderTexts = new Map<string, SQL>();
function orderText(sort: OrgSortKey, order: SortOrder, reversed: boolean): SQL {
  const key = `${sort} ${order} ${reversed}`;
  let text = orderTexts.get(key);
  if (!text) {
    text = rendered(sql.join(orgSortPlan(sort, order, reversed).orderBy, sql`, `));
    orderTexts.set(key, text);
  }
  return text;
}

const ORG_FIELDS = Object.entries(orgColumns) as [keyof OrgRow, PgColumn][];

/** drizzle's mapFromDriverValue where a column type keeps the driver's value as it is. */
const IDENTITY = Column.prototype.mapFromDriverValue;

/** The org's columns of a page's answer, each aliased o_<field>. */
const ORG_SELECT = rendered(
  sql.join(
    ORG_FIELDS.map(([k, col]) => sql`${col} AS ${sql.identifier(`o_${k}`)}`),
    sql`, `,
  ),
);

/**
 * Each field's answer column and how its value is mapped (null: as the driver gives it), chosen
 * once: the page maps 100 rows of 15 fields, and Object.fromEntries over the fields' entries with
 * a mapFromDriverValue call each was a third of the page's JavaScript (issue 15, ORG-2 on PG).
 */
const ORG_DECODERS = ORG_FIELDS.map(([k, col]) => {
  const map = col.mapFromDriverValue === IDENTITY ? null : col.mapFromDriverValue.bind(col);
  return { field: k, alias: `o_${k}`, map: map as ((v: unknown) => unknown) | null };
});

/** The OrgRow of a raw answer row: each value mapped as the builder maps its column. */
function orgRowOf(raw: Record<string, unknown>): OrgRow {
  const row: Record<string, unknown> = {};
  for (const { field, alias, map } of ORG_DECODERS) {
    const v = raw[alias];
    row[field] = v === null || v === undefined ? null : map ? map(v) : v;
  }
  return row as unknown as OrgRow;
}

const hc = organizationHostCounts;
const KEPT_SELECT =
  rendered(sql`${hc.hosts} AS k_hosts, ${hc.online} AS k_online, ${hc.offline} AS k_offline,
  ${hc.stale} AS k_stale, ${hc.asOf} AS k_as_of, ${hc.nextChangeAt} AS k_next_change_at`);

/** The kept counts as the page's walk carries them (a count sort's page), and their aliases. */
const KEPT_WALK = rendered(sql`${KEPT_SELECT}, ${hc.nameKey} AS k_name_key`);
const KEPT_CARRIED = sql.raw(
  'page.k_hosts, page.k_online, page.k_offline, page.k_stale, page.k_as_of, page.k_next_change_at',
);
const TAIL_KEPT = sql.raw(
  'tail.k_hosts, tail.k_online, tail.k_offline, tail.k_stale, tail.k_as_of, tail.k_next_change_at, tail.k_name_key',
);
/** A count sort's key as the page's walk carries it. */
const CARRIED_KEY = {
  online: 'k_online',
  offline: 'k_offline',
  stale: 'k_stale',
  total: 'k_hosts',
};

function keptOf(r: Record<string, unknown>): KeptCounts {
  return {
    id: int8(r.o_id),
    hosts: int8(r.k_hosts),
    online: int8(r.k_online),
    offline: int8(r.k_offline),
    stale: int8(r.k_stale),
    as_of: int8(r.k_as_of),
    next_change_at: r.k_next_change_at === null ? null : int8(r.k_next_change_at),
  };
}

/** hostStatsFor's counts of each answer row's org (s_total, s_offline, s_stale). */
function liveStatsSelect(now: number): SQL {
  const ranges = statusRanges(now);
  const counted = (parts: SQL[]) =>
    sql.join(
      parts.map(
        (where) =>
          sql`(SELECT count(*) FROM ${hosts} WHERE ${hosts.organizationId} = ${organizations.id} AND ${where})`,
      ),
      sql` + `,
    );
  return sql`coalesce((SELECT ${hc.hosts} FROM ${hc} WHERE ${hc.organizationId} = ${organizations.id}), 0) AS s_total,
    ${counted(ranges.offline)} AS s_offline, ${counted(ranges.stale)} AS s_stale`;
}

/** ORG-1..5 on PostgreSQL: the SQLite repository's statements in PostgreSQL's forms. */
export class PgOrganizationsRepo implements OrganizationsRepo {
  constructor(
    private readonly db: NodePgDatabase,
    /** A read's (PgTx.readOnly): `{ forUpdate }` then takes no lock (lockRow). */
    private readonly readOnly = false,
    /** The connection's query, for the page's named statement (pageStatementName). */
    private readonly query?: PgTx['query'],
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

  /**
   * ORG-2 in ONE statement (issue 15: each round trip is a backend wake-up, and the page was
   * eight of them): the total, the page's ids, their rows and their stats, and with `access` the
   * actor's facts. Not a search: the total counts the organizations (their narrow index) and the
   * ids walk the sort's index, past the middle from the end in the reversed order (as SQLite), so
   * a skip near the end steps over the few rows after the page; which walk runs is decided in
   * the statement from the total (a one-time filter on each branch: the other is never
   * started). Every LIMIT is the page's size, a value the planner knows: a LIMIT computed from
   * the total it estimates at a tenth of the table, and then it joined the page's rows by
   * hashing every org (20 ms instead of 100 index probes); the walk from the end takes a full
   * page and drops the rows before `skip` by their row numbers. A search: its matches
   * materialized once, with their sort keys, for the count and the page. A skip past the end
   * answers the total and no rows.
   */
  private async readPage(
    q: OrgPageQuery,
    access: ActorFactsQuery | null,
  ): Promise<{ page: OrgPage; head: Record<string, unknown> }> {
    const o = organizations;
    const c = organizationHostCounts;
    const counted = isCountSort(q.sort);
    // A count sort that is not a search walks the kept counts' sort index: near the start (a
    // skip under a page) the walk carries each page row's counts, sort key and name key (as the
    // hand SQL reads them), instead of 100 more probes of organization_host_counts by primary
    // key after it (issue 15, ORG-2 on PG). Not further in: the counts are not in that index, so
    // the walk would fetch the row of every org it skips (at skip 4,900 it was 1.1 ms slower),
    // where an index-only walk of the ids and the page's probes do not. The walk from the end
    // runs only when 2 · skip > total, so with skip < limit it steps over fewer than 2 · limit.
    const carried = counted && !q.search && q.skip < q.limit;
    const columns: SQL[] = [sql`counted.total AS total`];
    if (access) columns.push(actorFactsColumns(access));
    columns.push(ORG_SELECT);
    if (q.keptCounts) columns.push(carried ? KEPT_CARRIED : KEPT_SELECT);
    if (q.liveStatsAt !== null) columns.push(liveStatsSelect(q.liveStatsAt));
    // For the count sorts' order and the kept counts; LEFT: an org without its row stays.
    // Each page row's org and counts by their primary keys, 100 probes: as LATERAL subqueries
    // behind OFFSET 0, which PostgreSQL neither flattens into a join nor hashes (joined plainly,
    // it hashed all 10,000 orgs for the page's 100). Each is named as its table, so the sort
    // keys and the stats' correlations below read it as they would the table.
    const byKey = (t: SQL, key: SQL) =>
      sql`LATERAL (SELECT * FROM ${t} WHERE ${key} = page.id OFFSET 0) AS ${t}`;
    const joinCounts =
      (counted || q.keptCounts) && !carried
        ? sql` LEFT JOIN ${byKey(sql`${c}`, sql`${c.organizationId}`)} ON true`
        : sql``;
    let ctes: SQL;
    let order: SQL;
    if (q.search) {
      const { key, join, nullable } = searchSortKey(q.sort);
      const down = q.order === 'desc';
      const dir = down ? sql`DESC` : sql`ASC`;
      // The region key is nullable: NULLs where SQLite puts them (below every value).
      const keyOrder = nullable ? (down ? sql`DESC NULLS LAST` : sql`ASC NULLS FIRST`) : dir;
      const orderBy = (t: SQL) =>
        q.sort === 'name'
          ? sql`${t}name_key ${dir}, ${t}id ${dir}`
          : sql`${t}sort_key ${keyOrder}, ${t}name_key, ${t}id`;
      ctes = sql`matches AS MATERIALIZED (
          SELECT ${o.id} AS id, ${o.nameKey} AS name_key${
            q.sort === 'name' ? sql`` : sql`, ${key} AS sort_key`
          }
          FROM ${o}${join} WHERE ${this.where(q, o, searchCondition(q.search))}
        ),
        counted AS (SELECT count(*) AS total FROM matches),
        page AS MATERIALIZED (
          SELECT * FROM matches ORDER BY ${orderBy(sql``)} LIMIT ${q.limit} OFFSET ${q.skip}
        )`;
      order = orderBy(sql`page.`);
    } else {
      const fwd = orgSortPlan(q.sort, q.order, false);
      const bwd = orgSortPlan(q.sort, q.order, true);
      const fwdOrder = orderText(q.sort, q.order, false);
      const bwdOrder = orderText(q.sort, q.order, true);
      const skip = sql`${q.skip}::int8`;
      const limit = sql`${q.limit}::int8`;
      const walk = carried ? sql`, ${KEPT_WALK}` : sql``;
      ctes = sql`counted AS MATERIALIZED (
          SELECT count(*) AS total FROM ${o} WHERE ${this.where(q, o)}
        ),
        page AS MATERIALIZED (
          (SELECT ${fwd.id} AS id${walk} FROM ${fwd.from}
            WHERE ${this.where(q, fwd)} AND (SELECT 2 * ${skip} <= total FROM counted)
            ORDER BY ${fwdOrder} LIMIT ${limit} OFFSET ${skip})
          UNION ALL
          (SELECT tail.id${carried ? sql`, ${TAIL_KEPT}` : sql``} FROM (
            SELECT ${bwd.id} AS id${walk}, row_number() OVER (ORDER BY ${bwdOrder}) AS n FROM ${bwd.from}
            WHERE ${this.where(q, bwd)} AND (SELECT 2 * ${skip} > total FROM counted)
            ORDER BY ${bwdOrder} LIMIT ${limit}
            OFFSET (SELECT greatest(total - ${skip} - ${limit}, 0) FROM counted)
          ) AS tail WHERE tail.n <= (SELECT total - ${skip} FROM counted))
        )`;
      order = carried
        ? sql.raw(
            `page.${CARRIED_KEY[q.sort as keyof typeof CARRIED_KEY]} ${q.order === 'desc' ? 'DESC' : 'ASC'}, page.k_name_key, page.id`,
          )
        : fwdOrder;
    }
    const statement = sql`
      WITH ${ctes}
      SELECT ${sql.join(columns, sql`, `)}
      FROM counted LEFT JOIN (page CROSS JOIN ${byKey(sql`${o}`, sql`${o.id}`)}${joinCounts}) ON true
      ORDER BY ${order}`;
    const { rows } = this.query
      ? await this.named(statement)
      : await this.db.execute<Record<string, unknown>>(statement);
    const head = rows[0]!;
    const found = rows.filter((r) => r.o_id !== null);
    const liveStats = new Map<number, HostStats>();
    if (q.liveStatsAt !== null) {
      for (const r of found) {
        const [org, total, offline, stale] = [r.o_id, r.s_total, r.s_offline, r.s_stale].map(int8);
        liveStats.set(org!, {
          online: total! - offline! - stale!,
          offline: offline!,
          stale: stale!,
          total: total!,
        });
      }
    }
    // By org id, as the rows of the kept counts were read before (one statement a page).
    const counts = q.keptCounts
      ? found
          .filter((r) => r.k_hosts !== null)
          .map(keptOf)
          .sort((a, b) => a.id - b.id)
      : [];
    return {
      head,
      page: { total: int8(head.total), rows: found.map(orgRowOf), counts, liveStats },
    };
  }

  private named(statement: SQL): Promise<{ rows: Record<string, unknown>[] }> {
    const { sql: text, params } = dialect.sqlToQuery(statement);
    const name = pageStatementNameFor(text);
    return this.query!<Record<string, unknown>>(
      name ? { name, text, values: params } : { text, values: params },
    );
  }

  async page(q: OrgPageQuery): Promise<OrgPage> {
    return (await this.readPage(q, null)).page;
  }

  async pageFor(access: ActorFactsQuery | null, q: OrgPageQuery | null): Promise<OrgPageWithFacts> {
    if (q) {
      const { page, head } = await this.readPage(q, access);
      return { facts: access && actorFactsOf(head as Parameters<typeof actorFactsOf>[0]), page };
    }
    if (!access) return { facts: null, page: null };
    const { rows } = await this.db.execute<Parameters<typeof actorFactsOf>[0]>(
      sql`SELECT ${actorFactsColumns(access)}`,
    );
    return { facts: actorFactsOf(rows[0]!), page: null };
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
