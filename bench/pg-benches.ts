// The ORG-2 page and the AUD-2 audit page on PostgreSQL (issue 15 item 5), each against a
// hand-written PostgreSQL statement in the same run, as db-benches.ts does on SQLite. ORG-2 times
// what the SQLite rows time: the tRPC caller's organizations.list over the services composed on
// PostgreSQL (pgStorage over the dataset's pool). The audit page still times what AuditService's
// list calls: one PgUnitOfWork.read over createPgRepos with the org check, the audit-trail
// repository's page and its target names (not the tRPC caller nor the input's zod parse).
import type pg from 'pg';
import { AccessService } from '../main/core/access';
import type { Actor } from '../main/core/actor';
import { AuditChain } from '../main/core/audit';
import { ManualClock } from '../main/core/clock';
import { FileKeyStore } from '../main/core/key-store';
import type { TxHooks } from '../main/core/uow';
import { createPgRepos } from '../main/db/pg/repos';
import { likeContains } from '../main/db/pg/repos/sql-helpers';
import { PgUnitOfWork } from '../main/db/pg/uow';
import { pgStorage } from '../main/db/pg/storage';
import { createServices } from '../main/services';
import { appRouter } from '../main/trpc/router';
import { createCallerFactory } from '../main/trpc/trpc';
import { InlinePgOffload } from '../main/workers/pg-read-pool';
import { orgSearchTerm } from '../shared/org-search';
import { ONLINE_WITHIN_MS, STALE_AFTER_MS } from '../shared/schemas/hosts.schema';
import { listAuditInput } from '../shared/schemas/audit.schema';
import { join } from 'node:path';
import type { Dataset } from './dataset';
import { COUNT_COLUMNS, orgCases, type OrgCase, type Row, type SortKey } from './db-benches';
import { msFigure, time, timeInterleaved } from './measure';
import type { PgDataset } from './pg-dataset';

type PgRepos = ReturnType<typeof createPgRepos> & TxHooks;

export function pgUnitOfWork(ds: Dataset, pool: pg.Pool): PgUnitOfWork<PgRepos> {
  const chain = new AuditChain(new FileKeyStore(join(ds.dir, 'master.key')));
  const clock = new ManualClock(ds.now);
  return new PgUnitOfWork<PgRepos>(
    pool,
    (tx) => createPgRepos(tx, { chain, clock }) as Omit<PgRepos, keyof TxHooks>,
  );
}

/**
 * db-benches.ts's handQuery in PostgreSQL's forms: the same shapes (a search's matches
 * materialized once for the count and the page, the kept counts' sort index for a count sort,
 * range counts over hosts_org_seen_idx for the stats), the region's NULLs placed as SQLite
 * places them (as the repository must), the search as the escaped LIKE the trigram index serves.
 * Unnamed: it pays a parse and a plan on every call, which the repository's page (a named
 * statement, prepared once per connection: pageStatementNameFor) does not. It answers the page's org rows (o.*, stats.*) as the SQLite twin does: until 2026-12-03 it
 * answered only their ids, a lighter page than the service's (0.5 ms of the 1.9× at sort=offline).
 */
function pgHandQuery(pool: pg.Pool) {
  return async (p: OrgCase & { now: number; account: number }) => {
    const sort: SortKey = p.sort ?? 'name';
    const order = p.order ?? 'asc';
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    const counted = COUNT_COLUMNS[sort];
    const values: unknown[] = [p.account];
    const param = (v: unknown) => {
      values.push(v);
      return `$${values.length}`;
    };
    const regionParam = p.region !== null ? param(p.region) : null;
    const region = (t: string) => (regionParam ? ` AND ${t}region = ${regionParam}` : '');
    const filters = `account_id = $1 AND is_active${region('')}`;
    const limit = param(100);
    const skip = param(p.skip);
    let text: string;
    if (counted && p.search === null) {
      text = `
        WITH page AS MATERIALIZED (
          SELECT organization_id AS id, hosts, online, offline, stale, name_key AS nk
          FROM organization_host_counts WHERE ${filters}
          ORDER BY ${counted} ${dir}, name_key, organization_id LIMIT ${limit} OFFSET ${skip}
        )
        SELECT o.*, page.hosts AS hosts_total, page.online AS hosts_online, page.stale AS hosts_stale,
          (SELECT count(*) FROM organizations WHERE ${filters}) AS total_count
        FROM page JOIN organizations o ON o.id = page.id
        ORDER BY page.${counted} ${dir}, page.nk, page.id`;
    } else {
      const search =
        p.search !== null
          ? ` AND o.search_text LIKE ${param(likeContains(orgSearchTerm(p.search)))} ESCAPE '\\'`
          : '';
      const sortKey = counted ? `c.${counted}` : sort === 'region' ? 'o.region' : 'o.name_key';
      const keyOrder =
        sort === 'region' ? (order === 'desc' ? 'DESC NULLS LAST' : 'ASC NULLS FIRST') : dir;
      const pageOrder =
        sort === 'name' ? `name_key ${dir}, id ${dir}` : `sort_key ${keyOrder}, name_key, id`;
      // Only the live counts bind the status bounds (an unused parameter is refused).
      const online = counted ? '' : param(p.now - ONLINE_WITHIN_MS);
      const stale = counted ? '' : param(p.now - STALE_AFTER_MS);
      const range = (where: string) =>
        `(SELECT count(*) FROM hosts WHERE organization_id = page.id AND ${where})`;
      const stats = counted
        ? `page.*, c.hosts AS total, c.offline AS offline, c.stale AS stale`
        : `page.*, coalesce((SELECT hosts FROM organization_host_counts WHERE organization_id = page.id), 0) AS total,
            ${range(`last_seen_at >= ${stale} AND last_seen_at < ${online}`)}
              + ${range(`last_seen_at IS NULL AND registered_at >= ${stale}`)} AS offline,
            ${range(`last_seen_at < ${stale}`)}
              + ${range(`last_seen_at IS NULL AND registered_at < ${stale}`)} AS stale`;
      text = `
        WITH filtered AS ${p.search !== null ? 'MATERIALIZED' : 'NOT MATERIALIZED'} (
          SELECT o.id, o.name_key, ${sortKey} AS sort_key
          FROM organizations o
          ${counted ? 'JOIN organization_host_counts c ON c.organization_id = o.id' : ''}
          WHERE o.account_id = $1 AND o.is_active${region('o.')}${search}
        ),
        ordered AS MATERIALIZED (
          SELECT id, name_key, sort_key FROM filtered ORDER BY ${pageOrder} LIMIT ${limit} OFFSET ${skip}
        ),
        page AS (
          SELECT o.*, ordered.sort_key FROM ordered JOIN organizations o ON o.id = ordered.id
        ),
        stats AS MATERIALIZED (
          SELECT ${stats}
          FROM page ${counted ? 'JOIN organization_host_counts c ON c.organization_id = page.id' : ''}
        )
        SELECT stats.*, (SELECT count(*) FROM filtered) AS total_count, total AS hosts_total,
          total - offline - stale AS hosts_online, stale AS hosts_stale
        FROM stats
        ORDER BY ${pageOrder}`;
    }
    return (await pool.query<Record<string, number>>(text, values)).rows;
  };
}

/** The same pages the SQLite rows measure, their answers checked against the SQLite service's. */
export async function pgOrgPageBenches(
  ds: Dataset,
  pgds: PgDataset,
  admin: Actor,
  runs: number,
  sqliteAnswer?: (c: OrgCase) => Promise<{ ids: string[]; total: number }>,
): Promise<Row[]> {
  const keys = new FileKeyStore(join(ds.dir, 'master.key'));
  const services = createServices({
    storage: pgStorage({
      pool: pgds.pool,
      connectionString: pgds.url,
      // ORG-2 pages of 100 are read inline; nothing here needs the read workers.
      offload: new InlinePgOffload({ pool: pgds.pool, chain: new AuditChain(keys) }),
    }),
    clock: new ManualClock(ds.now),
    keys,
  });
  const caller = createCallerFactory(appRouter)({
    services,
    actor: admin,
    serverUrl: 'http://bench',
  });
  const hand = pgHandQuery(pgds.pool);
  const rows: Row[] = [];
  for (const c of orgCases(ds.size.orgs)) {
    const input = {
      limit: 100,
      skip: c.skip,
      include_stats: true,
      ...(c.search ? { search: c.search } : {}),
      ...(c.region ? { region: c.region } : {}),
      ...(c.sort ? { sort: c.sort, order: c.order } : {}),
    };
    const service = () => caller.organizations.list(input);
    const args = { ...c, now: ds.now, account: ds.accountId };
    const check = await service();
    const handRows = await hand(args);
    const key = (id: number, t: number, on: number, st: number) => `${id}:${t}/${on}/${st}`;
    const fromService = check.items.map((o) =>
      key(o.id, o.stats!.total, o.stats!.online, o.stats!.stale),
    );
    const fromHand = handRows.map((r) =>
      key(r.id!, r.hosts_total!, r.hosts_online!, r.hosts_stale!),
    );
    if (fromService.join() !== fromHand.join() || check.total !== handRows[0]?.total_count) {
      throw new Error(`ORG-2 ${c.name} on PostgreSQL: repository and hand query disagree`);
    }
    // And PostgreSQL answers what SQLite answers: same orgs, same order, same stats.
    if (sqliteAnswer) {
      const lite = await sqliteAnswer(c);
      if (lite.ids.join() !== fromService.join() || lite.total !== check.total) {
        throw new Error(`ORG-2 ${c.name}: PostgreSQL and SQLite disagree`);
      }
    }
    const [svc, base] = await timeInterleaved(service, () => hand(args), { runs });
    const ratio = svc.p95 / base.p95;
    rows.push({
      name: `ORG-2 page (limit 100, stats), ${c.name} — PostgreSQL`,
      figure: msFigure(svc),
      baseline: `hand SQL ${msFigure(base)}`,
      ratio: `${ratio.toFixed(2)}×`,
      target: 'p95 ≤ 10 ms and ≤ 1.5× hand SQL',
      met: svc.p95 <= 10 && ratio <= 1.5,
      raw: { engine: 'pg', service: svc, hand: base, total: check.total },
    });
  }
  return rows;
}

/** AUD-2 on PostgreSQL: the list's inline path against the indexed statement it amounts to. */
export async function pgAuditBench(
  ds: Dataset,
  pgds: PgDataset,
  admin: Actor,
  runs: number,
): Promise<Row> {
  const uow = pgUnitOfWork(ds, pgds.pool);
  const access = new AccessService(new ManualClock(ds.now));
  const sql =
    'SELECT * FROM audit_entries WHERE organization_id = $1 ORDER BY at DESC, id DESC LIMIT 100';
  const base = await time(() => pgds.pool.query(sql, [ds.auditOrgId]), { runs });
  const filter = listAuditInput.parse({ organization_id: ds.auditOrgId, limit: 100 });
  // AuditService.list without a filter: the org check, the page and its names in one read.
  const page = () =>
    uow.read(async (r) => {
      const org = await access.requireOrg(r, admin, ds.auditOrgId, 'audit.view');
      const found = await r.auditTrail.page({ organizationId: org.id }, filter);
      return r.auditTrail.nameTargets(
        { accountId: org.accountId, organizationId: org.id },
        found.items,
      );
    });
  const first = await page();
  if (first.length !== 100) throw new Error(`AUD-2 on PostgreSQL: ${first.length} rows, not 100`);
  const svc = await time(page, { runs });
  return {
    name: `AUD-2 audit page (org filter, 100 rows) over ${ds.size.auditEntries.toLocaleString('en-US')} entries — PostgreSQL`,
    figure: msFigure(svc),
    baseline: `indexed SQL ${msFigure(base)}`,
    ratio: `${(svc.p95 / base.p95).toFixed(2)}×`,
    target: 'p95 ≤ 10 ms',
    met: svc.p95 <= 10,
    raw: { engine: 'pg', service: svc, sql: base },
  };
}
